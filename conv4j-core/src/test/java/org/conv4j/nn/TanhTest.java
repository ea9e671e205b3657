package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.kernel.Activations;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TanhTest {

    @Test
    void valuesAndDerivative() {
        Tanh t = new Tanh();
        Tensor y = t.forward(Tensor.of(new float[] {0, 0.5f, -0.5f, 30, -30}, 5), Mode.TRAIN);
        assertEquals(0f, y.at(0));
        assertEquals((float) Math.tanh(0.5), y.at(1));
        assertEquals(-y.at(1), y.at(2), "odd function");
        assertEquals(1f, y.at(3));
        assertEquals(-1f, y.at(4));
        Tensor dx = t.backward(Tensor.of(new float[] {2, 1, 1, 1, 1}, 5));
        assertEquals(2f, dx.at(0), "tanh'(0) = 1");
        assertEquals(1 - y.at(1) * y.at(1), dx.at(1));
        assertEquals(0f, dx.at(3));
    }

    @Test
    void fastMatchesReferenceOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(31);
        for (int trial = 0; trial < 100; trial++) {
            int[] dims = LeakyReLUTest.randomDims(rng);
            Tensor x = Tensor.uniform(rng, -4, 4, dims), dy = random(rng, dims);
            Tanh layer = new Tanh();
            Tensor expected = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            Activations.referenceTanh(x, expected);
            Activations.referenceTanhBackward(expected, dy, dxRef);
            assertSameBits(expected, layer.forward(x, Mode.TRAIN));
            assertSameBits(dxRef, layer.backward(dy));
        }
    }

    @Test
    void gradientCheckOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(32);
        for (int trial = 0; trial < 20; trial++) {
            Tensor x = Tensor.uniform(rng, -2, 2, LeakyReLUTest.randomDims(rng));
            GradientCheck.Report r = new GradientCheck().seed(trial).check(new Tanh(), x);
            assertTrue(r.passed(1e-2), x.shape() + "\n" + r);
        }
    }

    @Test
    void bitIdenticalForOneAndTwoThreads() {
        Tensor x = Tensor.uniform(new SplittableRandom(5), -3, 3, 8, 16, 30, 30);
        Tensor dy = random(new SplittableRandom(6), 8, 16, 30, 30);
        Tanh layer = new Tanh();
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor y1 = layer.forward(x, Mode.TRAIN), dx1 = layer.backward(dy);
            Parallel.setThreads(2);
            Tensor y2 = layer.forward(x, Mode.TRAIN), dx2 = layer.backward(dy);
            assertSameBits(y1, y2);
            assertSameBits(dx1, dx2);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void badGradientShapeFailsClearly() {
        Tanh t = new Tanh();
        t.forward(Tensor.zeros(2, 3), Mode.TRAIN);
        var e = assertThrows(IllegalArgumentException.class, () -> t.backward(Tensor.zeros(6)));
        assertEquals("Tanh: gradient shape [6] does not match the output shape [2, 3]", e.getMessage());
        assertEquals("Tanh()", t.toString());
    }
}
