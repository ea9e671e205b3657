package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchNorm1dTest {
    private static final float R = (float) Math.sqrt(1.5);

    private static Tensor example7() {
        return Tensor.of(new float[] {1, 2, 3, 6, 5, 10}, 3, 2);
    }

    /**
     * SPEC 2, example 7 (004): x = (1,2), (3,6), (5,10); mean (3, 6), variance (8/3, 32/3),
     * normalized (-sqrt(3/2), -sqrt(3/2)), (0, 0), (sqrt(3/2), sqrt(3/2)) with eps -> 0.
     */
    @Test
    void spec2Example7NormalizesWithBatchStatistics() {
        BatchNorm1d bn = new BatchNorm1d(2).eps(0);
        Tensor y = bn.forward(example7(), Mode.TRAIN);
        assertClose(new float[] {-R, -R, 0, 0, R, R}, y, 1e-6);
    }

    /**
     * After one step from PyTorch's initial state (mean 0, var 1), with momentum 0.1:
     * running_mean = 0.9 * 0 + 0.1 * (3, 6) = (0.3, 0.6) and running_var = 0.9 * 1 + 0.1 * unbiased
     * variance, the unbiased variance being (8/3, 32/3) * 3/2 = (4, 16): (1.3, 2.5).
     */
    @Test
    void spec2Example7RunningStatisticsAfterOneStep() {
        BatchNorm1d bn = new BatchNorm1d(2).eps(0);
        assertClose(new float[] {0, 0}, bn.runningMean().value(), 0);
        assertClose(new float[] {1, 1}, bn.runningVar().value(), 0);
        bn.forward(example7(), Mode.TRAIN);
        assertClose(new float[] {0.3f, 0.6f}, bn.runningMean().value(), 1e-7);
        assertClose(new float[] {1.3f, 2.5f}, bn.runningVar().value(), 1e-7);

        // 004's text starts the running statistics at 0: saved = saved * 0.9 + batch * 0.1 gives 0.1 * batch
        BatchNorm1d paddleStart = new BatchNorm1d(2);
        paddleStart.runningVar().value().fill(0f);
        paddleStart.forward(example7(), Mode.TRAIN);
        assertClose(new float[] {0.3f, 0.6f}, paddleStart.runningMean().value(), 1e-7);
        assertClose(new float[] {0.4f, 1.6f}, paddleStart.runningVar().value(), 1e-7);

        // a second step: running = 0.9 * running + 0.1 * batch again
        bn.forward(example7(), Mode.TRAIN);
        assertClose(new float[] {0.9f * 0.3f + 0.3f, 0.9f * 0.6f + 0.6f}, bn.runningMean().value(), 1e-6);
        assertClose(new float[] {0.9f * 1.3f + 0.4f, 0.9f * 2.5f + 1.6f}, bn.runningVar().value(), 1e-6);
    }

    @Test
    void evalNormalizesWithRunningStatisticsAndUpdatesNothing() {
        BatchNorm1d bn = new BatchNorm1d(2).momentum(0.5);
        bn.weight().value().copyFrom(Tensor.of(new float[] {2, -1}, 2));
        bn.biasParameter().value().copyFrom(Tensor.of(new float[] {0.5f, 3}, 2));
        bn.forward(example7(), Mode.TRAIN);
        // momentum 0.5: running_mean = (1.5, 3), running_var = 0.5 * 1 + 0.5 * (4, 16) = (2.5, 8.5)
        assertClose(new float[] {1.5f, 3f}, bn.runningMean().value(), 1e-7);
        assertClose(new float[] {2.5f, 8.5f}, bn.runningVar().value(), 1e-7);
        Tensor x = Tensor.of(new float[] {0, 1, 4, -2}, 2, 2);
        Tensor y = bn.forward(x, Mode.EVAL);
        double[] mean = {1.5, 3}, var = {2.5, 8.5}, gamma = {2, -1}, beta = {0.5, 3};
        for (int i = 0; i < 4; i++) {
            int k = i % 2;
            assertEquals((x.at(i) - mean[k]) / Math.sqrt(var[k] + 1e-5) * gamma[k] + beta[k], y.at(i), 1e-6);
        }
        assertClose(new float[] {1.5f, 3f}, bn.runningMean().value(), 1e-7);
        // a batch of one is fine in EVAL
        assertEquals(Shape.of(1, 2), bn.forward(Tensor.zeros(1, 2), Mode.EVAL).shape());
    }

    @Test
    void batchOfOneInTrainFailsAsInPyTorch() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(4).forward(Tensor.zeros(1, 4), Mode.TRAIN));
        assertEquals("BatchNorm1d: Expected more than 1 value per channel when training, got input size [1, 4]", e.getMessage());
        // (N, C, L) with N = 1 but L > 1 has enough values, as in PyTorch
        assertEquals(Shape.of(1, 4, 3), new BatchNorm1d(4).forward(random(new SplittableRandom(1), 1, 4, 3), Mode.TRAIN).shape());
    }

    @Test
    void sequenceInputMatchesBatchNorm2dOnATrailingUnitDimension() {
        SplittableRandom rng = new SplittableRandom(71);
        Tensor x = random(rng, 3, 4, 5), dy = random(rng, 3, 4, 5);
        BatchNorm1d bn1 = new BatchNorm1d(4);
        BatchNorm2d bn2 = new BatchNorm2d(4);
        assertSameBits(bn2.forward(x.reshape(3, 4, 5, 1), Mode.TRAIN).reshape(3, 4, 5), bn1.forward(x, Mode.TRAIN));
        assertSameBits(bn2.backward(dy.reshape(3, 4, 5, 1)).reshape(3, 4, 5), bn1.backward(dy));
        assertSameBits(bn2.weight().grad(), bn1.weight().grad());
        assertSameBits(bn2.runningVar().value(), bn1.runningVar().value());
    }

    // one layer in four is not affine: drawn after the values, decided before setting them
    private static BatchNorm1d randomLayer(SplittableRandom rng, int k) {
        Tensor gamma = Tensor.uniform(rng, 0.5f, 1.5f, k), beta = random(rng, k);
        Tensor mean = random(rng, k), var = Tensor.uniform(rng, 0.5f, 2f, k);
        BatchNorm1d bn = new BatchNorm1d(k).affine(rng.nextInt(4) != 0);
        if (bn.isAffine()) {
            bn.weight().value().copyFrom(gamma);
            bn.biasParameter().value().copyFrom(beta);
        }
        bn.runningMean().value().copyFrom(mean);
        bn.runningVar().value().copyFrom(var);
        return bn;
    }

    @Test
    void gradientCheckInTrainAndEvalOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(72);
        for (int trial = 0; trial < 20; trial++) {
            int n = 3 + rng.nextInt(6), k = 1 + rng.nextInt(5);
            boolean sequence = rng.nextBoolean();
            Tensor x = sequence ? random(rng, n, k, 1 + rng.nextInt(4)) : random(rng, n, k);
            for (Mode mode : Mode.values()) {
                BatchNorm1d bn = randomLayer(rng, k);
                GradientCheck.Report r = new GradientCheck().seed(trial).mode(mode).check(bn, x);
                assertTrue(r.passed(2e-2), mode + " " + bn + " on " + x.shape() + "\n" + r);
                assertEquals(bn.isAffine() ? List.of("input", "weight", "bias") : List.of("input"), List.copyOf(r.errors().keySet()));
            }
        }
    }

    @Test
    void configurationGettersValidationAndRepr() {
        BatchNorm1d bn = new BatchNorm1d(3);
        assertEquals(3, bn.numFeatures());
        assertEquals(1e-5, bn.eps());
        assertEquals(0.1, bn.momentum());
        assertTrue(bn.isAffine());
        assertEquals("BatchNorm1d(3)", bn.toString());
        assertEquals(List.of("weight", "bias", "running_mean", "running_var"), bn.parameters().stream().map(Parameter::name).toList());
        assertEquals(List.of(true, true, false, false), bn.parameters().stream().map(Parameter::isTrainable).toList());
        assertClose(new float[] {1, 1, 1}, bn.weight().value(), 0);
        assertClose(new float[] {0, 0, 0}, bn.biasParameter().value(), 0);
        BatchNorm1d off = new BatchNorm1d(3).eps(1e-3).momentum(0.2).affine(false);
        assertNull(off.weight());
        assertEquals(List.of("running_mean", "running_var"), off.parameters().stream().map(Parameter::name).toList());
        assertEquals("BatchNorm1d(3, eps=0.001, momentum=0.2, affine=false)", off.toString());

        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(0));
        assertEquals("BatchNorm1d: num_features must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(2).eps(-1));
        assertEquals("BatchNorm1d: eps must be finite and >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(2).momentum(1.5));
        assertEquals("BatchNorm1d: momentum must be in [0, 1] (the weight of the new batch), got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(2).forward(Tensor.zeros(4, 3), Mode.EVAL));
        assertEquals("BatchNorm1d: expected 2 features, got 3 (input shape [4, 3])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(2).outputShape(Shape.of(4, 2, 3, 3)));
        assertTrue(e.getMessage().startsWith("BatchNorm1d: expected a rank-2 (N, K) or rank-3 (N, C, L) input"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new BatchNorm1d(2).backward(Tensor.zeros(3, 2)));
        BatchNorm1d b = new BatchNorm1d(2);
        b.forward(example7(), Mode.TRAIN);
        e = assertThrows(IllegalArgumentException.class, () -> b.backward(Tensor.zeros(2, 3)));
        assertEquals("BatchNorm1d: gradient shape [2, 3] does not match the output shape [3, 2]", e.getMessage());
    }
}
