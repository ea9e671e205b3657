package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.kernel.DropoutKernel;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final int N = 1 << 18;

    /** Values in [0.5, 1.5): nonzero, so a zero output always means a dropped element. */
    private static Tensor positive(long seed, int... dims) {
        return Tensor.uniform(new SplittableRandom(seed), 0.5f, 1.5f, dims);
    }

    private static double mean(Tensor t) {
        double s = 0;
        for (int i = 0; i < t.size(); i++) s += t.at(i);
        return s / t.size();
    }

    private static double dropFraction(Tensor y) {
        int zeros = 0;
        for (int i = 0; i < y.size(); i++) if (y.at(i) == 0f) zeros++;
        return (double) zeros / y.size();
    }

    /**
     * Upscale-in-train promises E[y] = x. With y_i = x_i m_i / (1 - p), Var(mean y) =
     * sum(x_i^2) p / (1 - p) / n^2; the batch mean must be within 5 standard errors of mean(x),
     * and the dropped fraction within 5 standard errors sqrt(p (1 - p) / n) of p.
     */
    @Test
    void upscaleInTrainPreservesTheMeanAndDropsAFractionP() {
        for (double p : new double[] {0.1, 0.5, 0.8}) {
            Tensor x = positive(1, 4, 16, 64, 64);
            Dropout d = new Dropout(p).seed(99);
            Tensor y = d.forward(x, Mode.TRAIN);
            double sumSq = 0;
            for (int i = 0; i < N; i++) sumSq += (double) x.at(i) * x.at(i);
            double se = Math.sqrt(sumSq * p / (1 - p)) / N;
            assertTrue(Math.abs(mean(y) - mean(x)) < 5 * se, "p=" + p + ": mean " + mean(y) + " vs " + mean(x) + ", se " + se);
            double seDrop = Math.sqrt(p * (1 - p) / N);
            assertTrue(Math.abs(dropFraction(y) - p) < 5 * seDrop, "p=" + p + ": dropped " + dropFraction(y));
            float keep = (float) (1 / (1 - p));
            for (int i = 0; i < N; i++) {
                assertTrue(y.at(i) == 0f || y.at(i) == x.at(i) * keep, "element " + i + " is neither dropped nor x/(1-p)");
            }
        }
    }

    /** Downscale-in-infer: training only drops, so E[train y] = (1 - p) x, which is exactly what eval returns. */
    @Test
    void downscaleInInferTrainsWithoutScalingAndItsMeanMatchesEval() {
        for (double p : new double[] {0.2, 0.5, 0.7}) {
            Tensor x = positive(2, 4, 16, 64, 64);
            Dropout d = new Dropout(p).scaling(Dropout.Scaling.DOWNSCALE_IN_INFER).seed(7);
            Tensor y = d.forward(x, Mode.TRAIN);
            for (int i = 0; i < N; i++) assertTrue(y.at(i) == 0f || y.at(i) == x.at(i), "element " + i + " was scaled in training");
            double sumSq = 0;
            for (int i = 0; i < N; i++) sumSq += (double) x.at(i) * x.at(i);
            double se = Math.sqrt(sumSq * p * (1 - p)) / N;
            double evalMean = mean(d.forward(x, Mode.EVAL));
            assertTrue(Math.abs(mean(y) - evalMean) < 5 * se, "p=" + p + ": train mean " + mean(y) + " vs eval " + evalMean);
            assertTrue(Math.abs(dropFraction(y) - p) < 5 * Math.sqrt(p * (1 - p) / N), "p=" + p + ": dropped " + dropFraction(y));
        }
    }

    @Test
    void evalIsExactInBothModes() {
        Tensor x = random(new SplittableRandom(3), 3, 5, 7);
        Tensor before = x.copy();
        assertSame(x, new Dropout(0.3).forward(x, Mode.EVAL), "upscale-in-train: eval is the identity");
        Tensor y = new Dropout(0.3).scaling(Dropout.Scaling.DOWNSCALE_IN_INFER).forward(x, Mode.EVAL);
        for (int i = 0; i < x.size(); i++) assertEquals(x.at(i) * (float) (1 - 0.3), y.at(i), 0f);
        assertSameBits(before, x);
        Tensor ref = Tensor.zeros(x.shape());
        DropoutKernel.referenceScale(x, 0.7f, ref);
        assertSameBits(ref, y);
    }

    @Test
    void sameSeedSameMasksAndEachTrainForwardDrawsANewMask() {
        Tensor x = positive(4, 2, 3, 50, 50);
        Dropout a = new Dropout(0.5).seed(123), b = new Dropout(0.5).seed(123);
        Tensor a1 = a.forward(x, Mode.TRAIN), a2 = a.forward(x, Mode.TRAIN);
        assertSameBits(a1, b.forward(x, Mode.TRAIN));
        assertSameBits(a2, b.forward(x, Mode.TRAIN));
        assertFalse(Arrays.equals(a1.toArray(), a2.toArray()), "the second forward must draw a new mask");
        assertFalse(Arrays.equals(a1.toArray(), new Dropout(0.5).seed(124).forward(x, Mode.TRAIN).toArray()));
        a.seed(123);
        assertSameBits(a1, a.forward(x, Mode.TRAIN)); // re-seeding restarts the sequence
        assertEquals(OptionalLong.of(123), a.seed());

        Init.seed(5);
        Tensor c1 = new Dropout(0.5).forward(x, Mode.TRAIN);
        Init.seed(5);
        assertSameBits(c1, new Dropout(0.5).forward(x, Mode.TRAIN)); // Init.seed makes unseeded layers repeatable
        assertEquals(OptionalLong.empty(), new Dropout().seed());
    }

    @Test
    void backwardAppliesTheSavedMaskAndScale() {
        for (Dropout.Scaling s : Dropout.Scaling.values()) {
            Tensor x = positive(5, 4, 6, 9);
            Dropout d = new Dropout(0.4).scaling(s).seed(8);
            Tensor y = d.forward(x, Mode.TRAIN);
            d.forward(x, Mode.EVAL); // keeps nothing: backward still refers to the TRAIN forward
            Tensor dy = random(new SplittableRandom(6), 4, 6, 9);
            Tensor dx = d.backward(dy);
            float keep = s == Dropout.Scaling.UPSCALE_IN_TRAIN ? (float) (1 / 0.6) : 1f;
            for (int i = 0; i < x.size(); i++) assertEquals(y.at(i) == 0f ? 0f : dy.at(i) * keep, dx.at(i), 0f);
        }
    }

    /** A dropout that re-seeds before every forward, so the function the check differentiates is fixed. */
    private static Layer fixedMask(Dropout d, long seed) {
        return new Layer() {
            @Override
            public Tensor forward(Tensor x, Mode mode) {
                d.seed(seed);
                return d.forward(x, mode);
            }

            @Override
            public Tensor backward(Tensor dy) {
                return d.backward(dy);
            }

            @Override
            public Shape outputShape(Shape input) {
                return d.outputShape(input);
            }
        };
    }

    @Test
    void gradientCheckOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(51);
        for (int trial = 0; trial < 20; trial++) {
            Dropout d = new Dropout(rng.nextDouble() * 0.9).scaling(Dropout.Scaling.values()[rng.nextInt(2)]);
            Tensor x = random(rng, LeakyReLUTest.randomDims(rng));
            GradientCheck.Report r = new GradientCheck().seed(trial).check(fixedMask(d, trial), x);
            assertTrue(r.passed(1e-2), d + " on " + x.shape() + "\n" + r);
        }
    }

    @Test
    void fastMaskMatchesReferenceAndIsBitIdenticalForOneAndTwoThreads() {
        int size = 3 * DropoutKernel.BLOCK + 1234;
        float[] ref = new float[size], fast = new float[size];
        DropoutKernel.referenceMask(new SplittableRandom(9), 0.3, 2f, ref, size);
        DropoutKernel.mask(new SplittableRandom(9), 0.3, 2f, fast, size);
        assertTrue(Arrays.equals(ref, fast));

        Tensor x = random(new SplittableRandom(10), 7, 8, 40, 41), dy = random(new SplittableRandom(11), 7, 8, 40, 41);
        Tensor mulRef = Tensor.zeros(x.shape());
        DropoutKernel.referenceMultiply(x, dy, mulRef);
        Tensor mul = Tensor.zeros(x.shape());
        DropoutKernel.multiply(x, dy, mul);
        assertSameBits(mulRef, mul);

        int saved = Parallel.threads();
        try {
            Tensor[] r = new Tensor[4];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                Dropout d = new Dropout(0.5).seed(77);
                r[2 * threads - 2] = d.forward(x, Mode.TRAIN);
                r[2 * threads - 1] = d.backward(dy);
            }
            assertSameBits(r[0], r[2]);
            assertSameBits(r[1], r[3]);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void zeroProbabilityKeepsEverything() {
        Tensor x = random(new SplittableRandom(12), 5, 5);
        assertSameBits(x, new Dropout(0).forward(x, Mode.TRAIN));
        assertSameBits(x, new Dropout(0).scaling(Dropout.Scaling.DOWNSCALE_IN_INFER).forward(x, Mode.EVAL));
    }

    @Test
    void badProbabilityAndMissingForwardFailClearly() {
        for (double p : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Dropout(p));
            assertEquals("Dropout: p is the drop probability and must be in [0, 1), got " + p, e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> new Dropout().scaling(null));
        Dropout d = new Dropout();
        d.forward(Tensor.zeros(3), Mode.EVAL);
        assertThrows(IllegalStateException.class, () -> d.backward(Tensor.zeros(3)));
        d.forward(Tensor.zeros(3), Mode.TRAIN);
        var e = assertThrows(IllegalArgumentException.class, () -> d.backward(Tensor.zeros(4)));
        assertEquals("Dropout: gradient shape [4] does not match the output shape [3]", e.getMessage());
    }

    @Test
    void gettersAndRepr() {
        Dropout d = new Dropout(0.25).scaling(Dropout.Scaling.DOWNSCALE_IN_INFER);
        assertEquals(0.25, d.p());
        assertEquals(Dropout.Scaling.DOWNSCALE_IN_INFER, d.scaling());
        assertEquals(0.5, new Dropout().p());
        assertEquals("Dropout()", new Dropout().toString());
        assertEquals("Dropout(p=0.25)", new Dropout(0.25).toString());
        assertEquals("Dropout(p=0.25, scaling=downscale_in_infer)", d.toString());
        assertEquals("Dropout(scaling=downscale_in_infer)", new Dropout().scaling(Dropout.Scaling.DOWNSCALE_IN_INFER).toString());
    }
}
