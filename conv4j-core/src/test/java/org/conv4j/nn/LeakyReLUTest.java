package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
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

class LeakyReLUTest {

    static int[] randomDims(SplittableRandom rng) {
        int[] d = new int[1 + rng.nextInt(4)];
        for (int i = 0; i < d.length; i++) d[i] = 1 + rng.nextInt(i == 0 ? 4 : 7);
        return d;
    }

    /** Uniform in (-1, 1) pushed at least 0.05 away from the kink at 0 (twice the check's epsilon). */
    static Tensor awayFromZero(SplittableRandom rng, int... dims) {
        Tensor x = random(rng, dims);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) d[i] = Math.copySign(0.05f + Math.abs(d[i]), d[i]);
        return x;
    }

    @Test
    void forwardAndBackwardValues() {
        Tensor x = Tensor.of(new float[] {-2, -0.5f, 0, 0.5f, 3}, 5);
        LeakyReLU leaky = new LeakyReLU();
        assertEquals(0.01f, leaky.negativeSlope());
        assertClose(new float[] {-2 * 0.01f, -0.5f * 0.01f, 0, 0.5f, 3}, leaky.forward(x, Mode.TRAIN), 0);
        Tensor dx = leaky.backward(Tensor.of(new float[] {1, 2, 3, 4, 5}, 5));
        // the derivative at 0 is the slope, as PyTorch
        assertClose(new float[] {0.01f, 2 * 0.01f, 3 * 0.01f, 4, 5}, dx, 0);

        LeakyReLU steep = new LeakyReLU(-0.5f);
        assertClose(new float[] {1, 0.25f, 0, 0.5f, 3}, steep.forward(x, Mode.TRAIN), 0);
        assertClose(new float[] {-0.5f, -0.5f, -0.5f, 1, 1}, steep.backward(Tensor.of(new float[] {1, 1, 1, 1, 1}, 5)), 0);
    }

    @Test
    void fastMatchesReferenceOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int trial = 0; trial < 100; trial++) {
            float slope = (float) (rng.nextDouble() * 0.6 - 0.1);
            int[] dims = randomDims(rng);
            Tensor x = random(rng, dims), dy = random(rng, dims);
            LeakyReLU layer = new LeakyReLU(slope);
            Tensor expected = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            Activations.referenceLeakyRelu(x, slope, expected);
            Activations.referenceLeakyReluBackward(x, slope, dy, dxRef);
            assertSameBits(expected, layer.forward(x, Mode.TRAIN));
            assertSameBits(dxRef, layer.backward(dy));
        }
    }

    @Test
    void gradientCheckOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(12);
        for (int trial = 0; trial < 20; trial++) {
            LeakyReLU layer = new LeakyReLU((float) (rng.nextDouble() * 0.5));
            Tensor x = awayFromZero(rng, randomDims(rng));
            GradientCheck.Report r = new GradientCheck().seed(trial).check(layer, x);
            assertTrue(r.passed(1e-2), layer + " on " + x.shape() + "\n" + r);
        }
    }

    @Test
    void bitIdenticalForOneAndTwoThreads() {
        Tensor x = random(new SplittableRandom(5), 8, 16, 30, 30), dy = random(new SplittableRandom(6), 8, 16, 30, 30);
        LeakyReLU layer = new LeakyReLU(0.1f);
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
    void badInputsFailClearlyAndReprShowsOnlyNonDefaults() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LeakyReLU(Float.NaN));
        assertEquals("LeakyReLU: negative_slope must be finite, got NaN", e.getMessage());
        assertThrows(IllegalStateException.class, () -> new LeakyReLU().backward(Tensor.zeros(2)));
        LeakyReLU layer = new LeakyReLU();
        layer.forward(Tensor.zeros(2, 3), Mode.TRAIN);
        e = assertThrows(IllegalArgumentException.class, () -> layer.backward(Tensor.zeros(3, 2)));
        assertTrue(e.getMessage().startsWith("LeakyReLU: gradient shape [3, 2]"), e.getMessage());
        assertEquals("LeakyReLU()", new LeakyReLU().toString());
        assertEquals("LeakyReLU(negative_slope=0.2)", new LeakyReLU(0.2f).toString());
    }
}
