package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.kernel.Activations;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MaxoutTest {

    /** Distinct values 0.05 apart (more than twice the check's epsilon) in random order: no ties, no flips. */
    private static Tensor distinct(SplittableRandom rng, int... dims) {
        Tensor x = Tensor.zeros(dims);
        int n = x.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int i = 0; i < n; i++) x.data()[i] = 0.05f * (perm[i] - n / 2f);
        return x;
    }

    private static int[] randomDims(SplittableRandom rng, int pieces) {
        int[] d = new int[2 + rng.nextInt(3)];
        d[0] = 1 + rng.nextInt(3);
        d[1] = pieces * (1 + rng.nextInt(3));
        for (int i = 2; i < d.length; i++) d[i] = 1 + rng.nextInt(5);
        return d;
    }

    @Test
    void maxOverGroupsOfConsecutiveChannels() {
        // (N=1, C=4, 2): groups {0,1} and {2,3}
        Tensor x = Tensor.of(new float[] {
            1, 8,   // c0
            5, 2,   // c1
            -3, 0,  // c2
            -1, -7, // c3
        }, 1, 4, 2);
        Maxout m = new Maxout(2);
        assertEquals(Shape.of(1, 2, 2), m.outputShape(x.shape()));
        assertClose(new float[] {5, 8, -1, 0}, m.forward(x, Mode.TRAIN), 0);
        Tensor dx = m.backward(Tensor.of(new float[] {10, 20, 30, 40}, 1, 2, 2));
        assertClose(new float[] {0, 20, 10, 0, 0, 40, 30, 0}, dx, 0);
    }

    @Test
    void tiesGoToTheFirstMaximum() {
        Maxout m = new Maxout(3);
        Tensor x = Tensor.of(new float[] {2, 7, 7, 4, 4, 1}, 2, 3);
        assertClose(new float[] {7, 4}, m.forward(x, Mode.TRAIN), 0);
        assertClose(new float[] {0, 1, 0, 1, 0, 0}, m.backward(Tensor.of(new float[] {1, 1}, 2, 1)), 0);
    }

    @Test
    void nanPropagatesAsInTorchMax() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 3, 2}, 1, 4);
        Tensor y = new Maxout(2).forward(x, Mode.EVAL);
        assertTrue(Float.isNaN(y.at(0)));
        assertEquals(3f, y.at(1));
    }

    @Test
    void fastMatchesReferenceOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(41);
        for (int trial = 0; trial < 150; trial++) {
            int pieces = 1 + rng.nextInt(4);
            int[] dims = randomDims(rng, pieces);
            // few distinct values, so ties are common
            Tensor x = Tensor.zeros(dims);
            for (int i = 0; i < x.size(); i++) x.data()[i] = rng.nextInt(4);
            Maxout m = new Maxout(pieces);
            Shape out = m.outputShape(x.shape());
            int n = dims[0], groups = out.dim(1), plane = x.shape().sizeFrom(2);
            Tensor expected = Tensor.zeros(out);
            int[] argRef = new int[out.size()], arg = new int[out.size()];
            Activations.referenceMaxout(x, n, groups, pieces, plane, expected, argRef);
            Tensor y = Tensor.zeros(out);
            Activations.maxout(x, n, groups, pieces, plane, y, arg);
            assertSameBits(expected, y);
            assertArrayEquals(argRef, arg);
            assertSameBits(expected, m.forward(x, Mode.TRAIN));

            Tensor dy = random(rng, out.dims()), dxRef = Tensor.zeros(x.shape());
            Activations.referenceMaxoutBackward(argRef, n, groups, pieces, plane, dy, dxRef);
            assertSameBits(dxRef, m.backward(dy));
        }
    }

    @Test
    void gradientCheckOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(42);
        for (int trial = 0; trial < 20; trial++) {
            int pieces = 1 + rng.nextInt(4);
            Maxout m = new Maxout(pieces);
            Tensor x = distinct(rng, randomDims(rng, pieces));
            GradientCheck.Report r = new GradientCheck().seed(trial).check(m, x);
            assertTrue(r.passed(1e-2), m + " on " + x.shape() + "\n" + r);
        }
    }

    @Test
    void bitIdenticalForOneAndTwoThreads() {
        Tensor x = random(new SplittableRandom(5), 8, 16, 30, 30);
        Tensor dy = random(new SplittableRandom(6), 8, 4, 30, 30);
        Maxout m = new Maxout(4);
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor y1 = m.forward(x, Mode.TRAIN), dx1 = m.backward(dy);
            Parallel.setThreads(2);
            Tensor y2 = m.forward(x, Mode.TRAIN), dx2 = m.backward(dy);
            assertSameBits(y1, y2);
            assertSameBits(dx1, dx2);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void badConfigurationAndInputFailWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Maxout(0));
        assertEquals("Maxout: pieces must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Maxout(2).forward(Tensor.zeros(1, 5, 3, 3), Mode.EVAL));
        assertEquals("Maxout: channels (5) must be divisible by pieces (2), got input shape [1, 5, 3, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Maxout(2).outputShape(Shape.of(6)));
        assertTrue(e.getMessage().startsWith("Maxout: expected an input of rank >= 2"), e.getMessage());
        Maxout m = new Maxout(2);
        assertThrows(IllegalStateException.class, () -> m.backward(Tensor.zeros(1, 1)));
        m.forward(Tensor.zeros(1, 4), Mode.TRAIN);
        e = assertThrows(IllegalArgumentException.class, () -> m.backward(Tensor.zeros(1, 4)));
        assertEquals("Maxout: gradient shape [1, 4] does not match the output shape [1, 2]", e.getMessage());
        assertEquals("Maxout(pieces=2)", m.toString());
        assertEquals(2, m.pieces());
    }
}
