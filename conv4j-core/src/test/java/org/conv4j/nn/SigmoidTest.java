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

class SigmoidTest {

    @Test
    void valuesAndSaturationWithoutNaN() {
        Tensor y = new Sigmoid().forward(Tensor.of(new float[] {0, 1, -1, 100, -1000}, 5), Mode.EVAL);
        assertEquals(0.5f, y.at(0));
        assertEquals((float) (1 / (1 + Math.exp(-1))), y.at(1));
        assertEquals((float) (1 / (1 + Math.exp(1))), y.at(2));
        assertEquals(1f, y.at(3));
        assertEquals(0f, y.at(4));
        assertEquals(1f, y.at(1) + y.at(2), 1e-7, "sigmoid(-x) = 1 - sigmoid(x)");
    }

    /** SPEC 1 (004, 000): the derivative y (1 - y) peaks at 1/4 at x = 0, so deep sigmoid nets' gradients vanish. */
    @Test
    void derivativeIsAtMostOneQuarter() {
        int n = 4001;
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) xs[i] = (i - 2000) / 100f; // -20 .. 20 in steps of 0.01, 0 included
        Sigmoid s = new Sigmoid();
        s.forward(Tensor.of(xs, n), Mode.TRAIN);
        Tensor ones = Tensor.zeros(n);
        ones.fill(1f);
        Tensor d = s.backward(ones);
        float max = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(d.at(i) >= 0 && d.at(i) <= 0.25f, "derivative " + d.at(i) + " at x = " + xs[i]);
            max = Math.max(max, d.at(i));
        }
        assertEquals(0.25f, max);
        assertEquals(0.25f, d.at(2000), "the maximum is at x = 0");
        // ten stacked sigmoids scale a gradient by at most 0.25^10 < 1e-6
        assertTrue(Math.pow(max, 10) < 1e-6);
        assertTrue(d.at(0) < 3e-9, "saturated at x = -20: " + d.at(0));
    }

    @Test
    void backwardIsDyTimesYTimesOneMinusY() {
        Sigmoid s = new Sigmoid();
        Tensor y = s.forward(Tensor.of(new float[] {0.3f, -2f}, 2), Mode.TRAIN);
        Tensor dx = s.backward(Tensor.of(new float[] {2f, -3f}, 2));
        assertEquals(2f * y.at(0) * (1 - y.at(0)), dx.at(0));
        assertEquals(-3f * y.at(1) * (1 - y.at(1)), dx.at(1));
    }

    @Test
    void fastMatchesReferenceOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(21);
        for (int trial = 0; trial < 100; trial++) {
            int[] dims = LeakyReLUTest.randomDims(rng);
            Tensor x = Tensor.uniform(rng, -8, 8, dims), dy = random(rng, dims);
            Sigmoid layer = new Sigmoid();
            Tensor expected = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            Activations.referenceSigmoid(x, expected);
            Activations.referenceSigmoidBackward(expected, dy, dxRef);
            assertSameBits(expected, layer.forward(x, Mode.TRAIN));
            assertSameBits(dxRef, layer.backward(dy));
        }
    }

    @Test
    void gradientCheckOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(22);
        for (int trial = 0; trial < 20; trial++) {
            Tensor x = Tensor.uniform(rng, -3, 3, LeakyReLUTest.randomDims(rng));
            GradientCheck.Report r = new GradientCheck().seed(trial).check(new Sigmoid(), x);
            assertTrue(r.passed(1e-2), x.shape() + "\n" + r);
        }
    }

    @Test
    void bitIdenticalForOneAndTwoThreads() {
        Tensor x = Tensor.uniform(new SplittableRandom(5), -6, 6, 8, 16, 30, 30);
        Tensor dy = random(new SplittableRandom(6), 8, 16, 30, 30);
        Sigmoid layer = new Sigmoid();
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
    void backwardNeedsATrainForward() {
        Sigmoid s = new Sigmoid();
        s.forward(Tensor.zeros(2), Mode.EVAL);
        var e = assertThrows(IllegalStateException.class, () -> s.backward(Tensor.zeros(2)));
        assertTrue(e.getMessage().startsWith("Sigmoid: backward called without"), e.getMessage());
        assertEquals("Sigmoid()", s.toString());
    }
}
