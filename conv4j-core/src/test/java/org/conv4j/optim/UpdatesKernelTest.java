package org.conv4j.optim;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.conv4j.kernel.Parallel;
import org.conv4j.kernel.Updates;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The update kernels: fast (blocked, parallel) against the plain reference loops, and 1 vs 2 threads. */
class UpdatesKernelTest {
    /** Sizes below, at and above one parallel block of 16384 elements, odd and even. */
    private static final int[] SIZES = {1, 7, 16384, 40001};

    /** Positive values, for second-moment buffers. */
    private static Tensor positive(SplittableRandom rng, int n) {
        return Tensor.uniform(rng, 0.01f, 1f, n);
    }

    /** A state of one parameter: value, gradient and three buffers, as views at an offset into a larger array. */
    private static Tensor[] state(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor[] t = new Tensor[5];
        for (int i = 0; i < 5; i++) {
            Tensor src = i >= 2 && i != 3 ? positive(rng, n) : random(rng, n);
            float[] backing = new float[n + 3];
            t[i] = Tensor.view(backing, 3, src.shape());
            t[i].copyFrom(src);
        }
        return t;
    }

    /** Runs each kernel on two copies of the same state, fast and reference, and compares every tensor bit for bit. */
    private static void compareAll(long seed) {
        SplittableRandom cfg = new SplittableRandom(seed);
        for (int n : SIZES) {
            for (int variant = 0; variant < 4; variant++) {
                boolean a = (variant & 1) != 0, b = (variant & 2) != 0;
                double lr = 0.01 + cfg.nextDouble() * 0.1, mom = cfg.nextDouble(), wd = a ? 0.01 : 0;

                Tensor[] f = state(seed + n + variant, n), r = state(seed + n + variant, n);
                Updates.sgd(f[0], f[1], b ? f[2] : null, a, lr, mom, b ? 0 : 0.2, b, wd);
                Updates.referenceSgd(r[0], r[1], b ? r[2] : null, a, lr, mom, b ? 0 : 0.2, b, wd);
                for (int i = 0; i < 5; i++) assertSameBits(r[i], f[i]);

                f = state(seed + n + variant, n);
                r = state(seed + n + variant, n);
                long t = 1 + cfg.nextInt(20);
                Updates.adam(f[0], f[1], f[2], f[4], b ? f[3] : null, t, lr, 0.9, 0.999, 1e-8, a ? 0.01 : 0, a ? 0 : 0.02);
                Updates.referenceAdam(r[0], r[1], r[2], r[4], b ? r[3] : null, t, lr, 0.9, 0.999, 1e-8, a ? 0.01 : 0, a ? 0 : 0.02);
                for (int i = 0; i < 5; i++) assertSameBits(r[i], f[i]);

                f = state(seed + n + variant, n);
                r = state(seed + n + variant, n);
                // centered keeps grad_avg small against square_avg so the variance stays positive
                if (a) for (int i = 0; i < n; i++) { f[3].data()[3 + i] *= 0.01f; r[3].data()[3 + i] *= 0.01f; }
                Updates.rmsprop(f[0], f[1], f[2], a ? f[3] : null, b ? f[4] : null, lr, 0.99, 1e-8, wd, b ? mom : 0);
                Updates.referenceRmsprop(r[0], r[1], r[2], a ? r[3] : null, b ? r[4] : null, lr, 0.99, 1e-8, wd, b ? mom : 0);
                for (int i = 0; i < 5; i++) assertSameBits(r[i], f[i]);
            }
        }
    }

    @Test
    void fastKernelsMatchReferenceBitForBitOnOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            compareAll(11);
            Parallel.setThreads(2);
            compareAll(11);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void sumOfSquaresIsThreadIndependentAndMatchesReference() {
        Tensor x = random(new SplittableRandom(5), 3 * 4096 + 17);
        int before = Parallel.threads();
        double one, two;
        try {
            Parallel.setThreads(1);
            one = Updates.sumOfSquares(x);
            Parallel.setThreads(2);
            two = Updates.sumOfSquares(x);
        } finally {
            Parallel.setThreads(before);
        }
        assertEquals(Double.doubleToLongBits(one), Double.doubleToLongBits(two));
        assertEquals(Updates.referenceSumOfSquares(x), one, 1e-12 * one);
        assertEquals(1 + 4 + 9.0, Updates.sumOfSquares(Tensor.of(new float[] {1, -2, 3}, 3)));
    }

    @Test
    void scaleClampAndNonFiniteSearch() {
        Tensor t = Tensor.of(new float[] {1f, -4f, 0.5f, 2f}, 4);
        Updates.scale(t, 0.5f);
        assertSameBits(Tensor.of(new float[] {0.5f, -2f, 0.25f, 1f}, 4), t);
        Updates.clamp(t, 0.75f);
        assertSameBits(Tensor.of(new float[] {0.5f, -0.75f, 0.25f, 0.75f}, 4), t);
        assertEquals(-1, Updates.firstNonFinite(t));
        assertEquals(2, Updates.firstNonFinite(Tensor.of(new float[] {1f, 2f, Float.NEGATIVE_INFINITY, Float.NaN}, 4)));
    }
}
