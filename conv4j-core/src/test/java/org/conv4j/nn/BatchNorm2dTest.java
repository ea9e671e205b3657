package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.kernel.Normalization;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchNorm2dTest {

    /** SPEC 2, example 7 laid out as two channels of 1x1 maps: the same numbers as BatchNorm1d's. */
    @Test
    void spec2Example7AsChannels() {
        float r = (float) Math.sqrt(1.5);
        BatchNorm2d bn = new BatchNorm2d(2).eps(0);
        Tensor y = bn.forward(Tensor.of(new float[] {1, 2, 3, 6, 5, 10}, 3, 2, 1, 1), Mode.TRAIN);
        assertClose(new float[] {-r, -r, 0, 0, r, r}, y, 1e-6);
        assertClose(new float[] {0.3f, 0.6f}, bn.runningMean().value(), 1e-7);
        assertClose(new float[] {1.3f, 2.5f}, bn.runningVar().value(), 1e-7);
    }

    /** Statistics are per channel over N*H*W, and the running variance uses M / (M - 1) with M = N*H*W. */
    @Test
    void statisticsArePerChannelOverBatchAndSpace() {
        // channel 0 holds 1..8, channel 1 holds 10 * (1..8), spread over N = 2 and H*W = 2x2
        float[] v = new float[16];
        for (int n = 0; n < 2; n++) {
            for (int j = 0; j < 4; j++) {
                v[n * 8 + j] = 1 + n * 4 + j;
                v[n * 8 + 4 + j] = 10 * (1 + n * 4 + j);
            }
        }
        BatchNorm2d bn = new BatchNorm2d(2).eps(0);
        Tensor y = bn.forward(Tensor.of(v, 2, 2, 2, 2), Mode.TRAIN);
        // mean 4.5, biased variance 21/4 (of 1..8); unbiased 6
        double std = Math.sqrt(21.0 / 4);
        for (int i = 0; i < 16; i++) {
            double k = v[i] > 9 ? v[i] / 10 : v[i];
            assertEquals((k - 4.5) / std, y.at(i), 1e-6, "element " + i);
        }
        assertClose(new float[] {0.45f, 4.5f}, bn.runningMean().value(), 1e-6);
        assertClose(new float[] {0.9f + 0.6f, 0.9f + 60f}, bn.runningVar().value(), 1e-6);
    }

    @Test
    void oneImageIsEnoughButOneValuePerChannelIsNot() {
        assertEquals(Shape.of(1, 3, 2, 2), new BatchNorm2d(3).forward(random(new SplittableRandom(1), 1, 3, 2, 2), Mode.TRAIN).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Tensor.zeros(1, 3, 1, 1), Mode.TRAIN));
        assertEquals("BatchNorm2d: Expected more than 1 value per channel when training, got input size [1, 3, 1, 1]", e.getMessage());
    }

    private static Object[] randomCase(SplittableRandom rng) {
        int n = 1 + rng.nextInt(3), c = 1 + rng.nextInt(4), h = 1 + rng.nextInt(5), w = 1 + rng.nextInt(5);
        if (n * h * w < 3) h = 3; // M >= 3: with M = 2 every xhat is +-1 and dx is identically 0
        double momentum = rng.nextDouble();
        Tensor gamma = Tensor.uniform(rng, 0.5f, 1.5f, c), beta = random(rng, c);
        Tensor mean = random(rng, c), var = Tensor.uniform(rng, 0.5f, 2f, c);
        // one layer in four is not affine: drawn after the values, decided before setting them
        BatchNorm2d bn = new BatchNorm2d(c).momentum(momentum).affine(rng.nextInt(4) != 0);
        if (bn.isAffine()) {
            bn.weight().value().copyFrom(gamma);
            bn.biasParameter().value().copyFrom(beta);
        }
        bn.runningMean().value().copyFrom(mean);
        bn.runningVar().value().copyFrom(var);
        return new Object[] {bn, random(rng, n, c, h, w)};
    }

    @Test
    void layerMatchesReferenceKernelsOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(81);
        for (int trial = 0; trial < 100; trial++) {
            Object[] cs = randomCase(rng);
            BatchNorm2d bn = (BatchNorm2d) cs[0];
            Tensor x = (Tensor) cs[1];
            int n = x.dim(0), c = x.dim(1), s = x.dim(2) * x.dim(3);
            Tensor gamma = bn.isAffine() ? bn.weight().value() : null, beta = bn.isAffine() ? bn.biasParameter().value() : null;
            Tensor dy = random(rng, x.shape().dims());

            // EVAL: running statistics, affine backward
            double[] rm = new double[c], ris = new double[c];
            for (int ch = 0; ch < c; ch++) {
                rm[ch] = bn.runningMean().value().at(ch);
                ris[ch] = 1 / Math.sqrt(bn.runningVar().value().at(ch) + bn.eps());
            }
            Tensor yRef = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            Normalization.referenceNormalize(x, n, c, s, rm, ris, gamma, beta, yRef);
            assertClose(yRef, bn.forward(x, Mode.EVAL), 1e-6);
            Tensor dgRef = gamma == null ? null : Tensor.zeros(c), dbRef = gamma == null ? null : Tensor.zeros(c);
            Normalization.referenceAffineBackward(x, n, c, s, rm, ris, gamma, dy, dxRef, dgRef, dbRef);
            Layers.zeroGrad(bn);
            assertClose(dxRef, bn.backward(dy), 1e-6);
            if (gamma != null) {
                assertClose(dgRef, bn.weight().grad(), 1e-5);
                assertClose(dbRef, bn.biasParameter().grad(), 1e-5);
            }

            // TRAIN: batch statistics, 002's backward; running statistics updated with momentum
            double[] mean = new double[c], var = new double[c], is = new double[c];
            Normalization.referenceStatistics(x, n, c, s, mean, var);
            for (int ch = 0; ch < c; ch++) is[ch] = 1 / Math.sqrt(var[ch] + bn.eps());
            Normalization.referenceNormalize(x, n, c, s, mean, is, gamma, beta, yRef);
            Tensor rmBefore = bn.runningMean().value().copy(), rvBefore = bn.runningVar().value().copy();
            assertClose(yRef, bn.forward(x, Mode.TRAIN), 1e-5);
            double m = bn.momentum(), count = n * s;
            for (int ch = 0; ch < c; ch++) {
                assertEquals((1 - m) * rmBefore.at(ch) + m * mean[ch], bn.runningMean().value().at(ch), 1e-6);
                assertEquals((1 - m) * rvBefore.at(ch) + m * var[ch] * count / (count - 1), bn.runningVar().value().at(ch), 1e-5);
            }
            if (gamma != null) {
                dgRef.fill(0f);
                dbRef.fill(0f);
            }
            Normalization.referenceBackward(x, n, c, s, bn.eps(), gamma, dy, dxRef, dgRef, dbRef);
            Layers.zeroGrad(bn);
            assertClose(dxRef, bn.backward(dy), 1e-4);
            if (gamma != null) {
                assertClose(dgRef, bn.weight().grad(), 1e-5);
                assertClose(dbRef, bn.biasParameter().grad(), 1e-5);
            }
        }
    }

    @Test
    void gradientCheckInTrainAndEvalOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(82);
        for (int trial = 0; trial < 20; trial++) {
            for (Mode mode : Mode.values()) {
                Object[] cs = randomCase(rng);
                BatchNorm2d bn = (BatchNorm2d) cs[0];
                Tensor x = (Tensor) cs[1];
                GradientCheck.Report r = new GradientCheck().seed(trial).mode(mode).check(bn, x);
                assertTrue(r.passed(2e-2), mode + " " + bn + " on " + x.shape() + "\n" + r);
            }
        }
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        SplittableRandom rng = new SplittableRandom(83);
        BatchNorm2d bn = new BatchNorm2d(3);
        Tensor x = random(rng, 2, 3, 4, 4), dy = random(rng, 2, 3, 4, 4);
        bn.forward(x, Mode.TRAIN);
        bn.backward(dy);
        Tensor once = bn.weight().grad().copy();
        bn.backward(dy);
        for (int i = 0; i < 3; i++) assertEquals(2 * once.at(i), bn.weight().grad().at(i), 1e-6);
    }

    @Test
    void bitIdenticalForOneAndTwoThreads() {
        SplittableRandom rng = new SplittableRandom(84);
        Tensor x = random(rng, 8, 16, 24, 24), dy = random(rng, 8, 16, 24, 24);
        int saved = Parallel.threads();
        try {
            Tensor[] r = new Tensor[8];
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                BatchNorm2d bn = new BatchNorm2d(16);
                int k = 4 * (t - 1);
                r[k] = bn.forward(x, Mode.TRAIN);
                r[k + 1] = bn.backward(dy);
                r[k + 2] = bn.weight().grad();
                r[k + 3] = bn.runningVar().value();
            }
            for (int k = 0; k < 4; k++) assertSameBits(r[k], r[k + 4]);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void configurationGettersValidationAndRepr() {
        BatchNorm2d bn = new BatchNorm2d(16);
        assertEquals(16, bn.numChannels());
        assertEquals("BatchNorm2d(16)", bn.toString());
        assertEquals("BatchNorm2d(16, momentum=0.01)", new BatchNorm2d(16).momentum(0.01).toString());
        assertEquals(List.of("weight", "bias", "running_mean", "running_var"), bn.parameters().stream().map(Parameter::name).toList());
        assertEquals(32, Layers.parameterCount(bn), "gamma and beta are trainable, running statistics are buffers");
        var e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 8, 4, 4), Mode.TRAIN));
        assertEquals("BatchNorm2d: expected 16 channels, got 8 (input shape [2, 8, 4, 4])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bn.outputShape(Shape.of(2, 16)));
        assertEquals("BatchNorm2d: expected a rank-4 input (N, C, H, W), got shape [2, 16]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bn.eps(Double.NaN));
        assertEquals("BatchNorm2d: eps must be finite and >= 0, got NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bn.momentum(-0.1));
        assertTrue(e.getMessage().startsWith("BatchNorm2d: momentum must be in [0, 1]"), e.getMessage());
        var s = assertThrows(IllegalStateException.class, () -> new BatchNorm2d(2).backward(Tensor.zeros(2, 2, 1, 1)));
        assertTrue(s.getMessage().startsWith("BatchNorm2d: backward called without"), s.getMessage());
    }
}
