package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GlobalAvgPoolTest {

    @Test
    void averagesEachPlaneToOneValueAndSpreadsTheGradientBack() {
        GlobalAvgPool2d pool = new GlobalAvgPool2d();
        // two channels of the 4x4 hand example: its sum is 58 (the four window sums 15 + 9 + 16 + 18), the second channel is twice it
        float[] x = new float[32];
        for (int i = 0; i < 16; i++) {
            x[i] = MaxPoolTest.X4[i];
            x[16 + i] = 2 * MaxPoolTest.X4[i];
        }
        Tensor y = pool.forward(Tensor.of(x, 1, 2, 4, 4), Mode.TRAIN);
        assertEquals(Shape.of(1, 2, 1, 1), y.shape());
        assertClose(new float[] {58f / 16, 116f / 16}, y, 1e-7);
        Tensor dx = pool.backward(Tensor.of(new float[] {16, 32}, 1, 2, 1, 1));
        for (int i = 0; i < 16; i++) {
            assertEquals(1f, dx.at(i));
            assertEquals(2f, dx.at(16 + i));
        }
    }

    @Test
    void anyInputSizeGivesOneByOneAndThereAreNoParameters() {
        GlobalAvgPool2d pool = new GlobalAvgPool2d();
        assertEquals(Shape.of(3, 7, 1, 1), pool.outputShape(Shape.of(3, 7, 13, 5)));
        assertEquals(Shape.of(1, 1, 1, 1), pool.outputShape(Shape.of(1, 1, 1, 1)));
        assertTrue(pool.parameters().isEmpty());
    }

    @Test
    void gradientCheckPasses() {
        SplittableRandom rng = new SplittableRandom(51);
        for (int trial = 0; trial < 5; trial++) {
            Tensor x = random(rng, 1 + rng.nextInt(3), 1 + rng.nextInt(3), 1 + rng.nextInt(6), 1 + rng.nextInt(6));
            GradientCheck.Report r = new GradientCheck().seed(trial).check(new GlobalAvgPool2d(), x);
            assertTrue(r.passed(1e-2), x.shape() + "\n" + r);
        }
    }

    @Test
    void badInputFailsWithClearMessagesAndEvalKeepsNothing() {
        GlobalAvgPool2d pool = new GlobalAvgPool2d();
        var e = assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.zeros(2, 8), Mode.EVAL));
        assertEquals("GlobalAvgPool2d: expected a rank-4 input (N, C, H, W), got shape [2, 8]", e.getMessage());
        pool.forward(Tensor.zeros(1, 2, 3, 3), Mode.EVAL);
        assertThrows(IllegalStateException.class, () -> pool.backward(Tensor.zeros(1, 2, 1, 1)));
        pool.forward(Tensor.zeros(1, 2, 3, 3), Mode.TRAIN);
        e = assertThrows(IllegalArgumentException.class, () -> pool.backward(Tensor.zeros(1, 3, 1, 1)));
        assertEquals("GlobalAvgPool2d: gradient shape [1, 3, 1, 1] does not match the output shape [1, 2, 1, 1]", e.getMessage());
        assertEquals("GlobalAvgPool2d()", pool.toString());
    }
}
