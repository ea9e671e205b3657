package org.conv4j.kernel;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    /** SPEC 2, example 7 (004): per-feature mean (3, 6) and biased variance (8/3, 32/3). */
    @Test
    void spec2Example7BatchStatistics() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 6, 5, 10}, 3, 2);
        for (boolean fast : new boolean[] {true, false}) {
            double[] mean = new double[2], var = new double[2];
            if (fast) Normalization.statistics(x, 3, 2, 1, mean, var);
            else Normalization.referenceStatistics(x, 3, 2, 1, mean, var);
            assertEquals(3, mean[0], 1e-15);
            assertEquals(6, mean[1], 1e-15);
            assertEquals(8.0 / 3, var[0], 1e-15);
            assertEquals(32.0 / 3, var[1], 1e-15);
        }
    }

    @Test
    void aMeanOfExactlyZeroStillGivesTheVariance() {
        // a channel of (-1, 1, -3, 3) over 2 images of 2 values, and one of rows longer than a vector
        Tensor x = Tensor.of(new float[] {-1, 1, -3, 3}, 2, 1, 2);
        double[] mean = new double[1], var = new double[1];
        Normalization.statistics(x, 2, 1, 2, mean, var);
        assertEquals(0, mean[0], 0);
        assertEquals(5, var[0], 1e-15);
        float[] wide = new float[2 * 40];
        for (int i = 0; i < wide.length; i++) wide[i] = i % 2 == 0 ? 2f : -2f;
        Normalization.statistics(Tensor.of(wide, 2, 1, 40), 2, 1, 40, mean, var);
        assertEquals(0, mean[0], 0);
        assertEquals(4, var[0], 1e-15);
    }

    @Test
    void fastMatchesReferenceOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(61);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(5), c = 1 + rng.nextInt(6), s = 1 + rng.nextInt(trial % 4 == 0 ? 70 : 12);
            if (n * s == 1) n = 2;
            // an offset view and a shifted mean: the kernels must honour offsets and not lose precision
            Tensor big = Tensor.uniform(rng, 2f, 4f, n + 1, c, s);
            Tensor x = big.slice(1, n + 1);
            boolean affine = rng.nextBoolean();
            Tensor gamma = affine ? random(rng, c) : null, beta = affine ? random(rng, c) : null;
            double eps = 1e-5;

            double[] mean = new double[c], var = new double[c], meanRef = new double[c], varRef = new double[c];
            Normalization.statistics(x, n, c, s, mean, var);
            Normalization.referenceStatistics(x, n, c, s, meanRef, varRef);
            for (int ch = 0; ch < c; ch++) {
                assertEquals(meanRef[ch], mean[ch], 1e-12);
                assertEquals(varRef[ch], var[ch], 1e-12);
            }
            double[] invStd = new double[c];
            for (int ch = 0; ch < c; ch++) invStd[ch] = 1 / Math.sqrt(var[ch] + eps);

            Tensor y = Tensor.zeros(n, c, s), yRef = Tensor.zeros(n, c, s);
            Normalization.normalize(x, n, c, s, mean, invStd, gamma, beta, y);
            Normalization.referenceNormalize(x, n, c, s, mean, invStd, gamma, beta, yRef);
            assertClose(yRef, y, 1e-6);

            Tensor dy = random(rng, n, c, s);
            Tensor dx = Tensor.zeros(n, c, s), dxRef = Tensor.zeros(n, c, s);
            Tensor dg = affine ? random(rng, c) : null, db = affine ? random(rng, c) : null;
            Tensor dgRef = affine ? dg.copy() : null, dbRef = affine ? db.copy() : null;
            Normalization.backward(x, n, c, s, mean, invStd, gamma, dy, dx, dg, db);
            Normalization.referenceBackward(x, n, c, s, eps, gamma, dy, dxRef, dgRef, dbRef);
            assertClose(dxRef, dx, 2e-5);
            if (affine) {
                assertClose(dgRef, dg, 1e-5);
                assertClose(dbRef, db, 1e-5);
            }

            Normalization.affineBackward(x, n, c, s, mean, invStd, gamma, dy, dx, dg, db);
            Normalization.referenceAffineBackward(x, n, c, s, mean, invStd, gamma, dy, dxRef, dgRef, dbRef);
            assertClose(dxRef, dx, 1e-6);
            if (affine) {
                assertClose(dgRef, dg, 1e-5);
                assertClose(dbRef, db, 1e-5);
            }
        }
    }

    /**
     * With eps = 0 the output does not change when a channel is shifted or scaled, so in TRAIN
     * dx sums to 0 over each channel and is orthogonal to the centred input.
     */
    @Test
    void trainBackwardIsInvariantToShiftsAndScales() {
        SplittableRandom rng = new SplittableRandom(62);
        int n = 4, c = 3, s = 5;
        Tensor x = random(rng, n, c, s), dy = random(rng, n, c, s), dx = Tensor.zeros(n, c, s);
        double[] mean = new double[c], var = new double[c], invStd = new double[c];
        Normalization.statistics(x, n, c, s, mean, var);
        for (int ch = 0; ch < c; ch++) invStd[ch] = 1 / Math.sqrt(var[ch]);
        Normalization.backward(x, n, c, s, mean, invStd, null, dy, dx, null, null);
        for (int ch = 0; ch < c; ch++) {
            double sum = 0, dot = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    int at = (i * c + ch) * s + j;
                    sum += dx.at(at);
                    dot += dx.at(at) * (x.at(at) - mean[ch]);
                }
            }
            assertEquals(0, sum, 1e-5, "sum of dx over channel " + ch);
            assertEquals(0, dot, 1e-5, "dx is orthogonal to the centred input of channel " + ch);
        }
    }

    @Test
    void bitIdenticalForOneAndTwoThreads() {
        SplittableRandom rng = new SplittableRandom(63);
        int n = 8, c = 16, s = 33 * 33;
        Tensor x = random(rng, n, c, s), dy = random(rng, n, c, s), gamma = random(rng, c), beta = random(rng, c);
        int saved = Parallel.threads();
        try {
            Tensor[] r = new Tensor[8];
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                double[] mean = new double[c], var = new double[c], invStd = new double[c];
                Normalization.statistics(x, n, c, s, mean, var);
                for (int ch = 0; ch < c; ch++) invStd[ch] = 1 / Math.sqrt(var[ch] + 1e-5);
                Tensor y = Tensor.zeros(n, c, s), dx = Tensor.zeros(n, c, s), dg = Tensor.zeros(c), db = Tensor.zeros(c);
                Normalization.normalize(x, n, c, s, mean, invStd, gamma, beta, y);
                Normalization.backward(x, n, c, s, mean, invStd, gamma, dy, dx, dg, db);
                int k = 4 * (t - 1);
                r[k] = y;
                r[k + 1] = dx;
                r[k + 2] = dg;
                r[k + 3] = db;
            }
            for (int k = 0; k < 4; k++) assertSameBits(r[k], r[k + 4]);
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
