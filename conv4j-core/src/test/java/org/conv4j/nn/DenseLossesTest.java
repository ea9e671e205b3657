package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The per-pixel losses of segmentation: DiceLoss's value and gradient (against central
 * differences), and what an ignore index does to DiceLoss and SoftmaxCrossEntropy: ignored
 * positions change neither the loss nor get a gradient; a label that is neither a class nor the
 * ignore index is refused with where it is.
 */
class DenseLossesTest {
    private static final int IGNORE = 255;

    private static Tensor logits(long seed, int n, int k, int h, int w) {
        return Tensor.uniform(new SplittableRandom(seed), -2, 2, n, k, h, w);
    }

    private static Tensor labels(long seed, int n, int k, int h, int w, double ignored) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] t = new float[n * h * w];
        for (int i = 0; i < t.length; i++) t[i] = rng.nextDouble() < ignored ? IGNORE : rng.nextInt(k);
        return Tensor.of(t, n, h, w);
    }

    private static Tensor filled(float v, int... dims) {
        Tensor t = Tensor.zeros(dims);
        t.fill(v);
        return t;
    }

    @Test
    void diceOfAPerfectPredictionIsNearZeroAndOfAHandExampleExact() {
        // one image, 2 classes, 2 pixels labelled 0 and 1; logits +-20 put all probability on the truth
        Tensor x = Tensor.of(new float[] {20, -20, -20, 20}, 1, 2, 1, 2), t = Tensor.of(new float[] {0, 1}, 1, 1, 2);
        assertEquals(0, new DiceLoss().forward(x, t), 1e-6);
        // equal logits: p = 0.5 everywhere; per class I = 0.5, P = 1, T = 1: dice = (1 + 1) / (2 + 1) = 2/3
        Tensor flat = Tensor.zeros(1, 2, 1, 2);
        assertEquals(1 - 2.0 / 3, new DiceLoss().forward(flat, t), 1e-6);
        // with smoothing 0.5: (1 + 0.5) / (2 + 0.5) = 0.6
        assertEquals(0.4, new DiceLoss(0.5).forward(flat, t), 1e-6);
    }

    @Test
    void diceGradientMatchesCentralDifferences() {
        Tensor x = logits(1, 2, 4, 3, 5), t = labels(2, 2, 4, 3, 5, 0.2);
        DiceLoss loss = new DiceLoss().ignoreIndex(IGNORE);
        loss.forward(x, t);
        Tensor analytic = loss.backward();
        double eps = 1e-2, worst = 0, scale = 0;
        for (int i = 0; i < x.size(); i++) scale = Math.max(scale, Math.abs(analytic.at(i)));
        for (int i = 0; i < x.size(); i++) {
            float v = x.data()[i];
            x.data()[i] = (float) (v + eps);
            double up = new DiceLoss().ignoreIndex(IGNORE).forward(x, t);
            x.data()[i] = (float) (v - eps);
            double down = new DiceLoss().ignoreIndex(IGNORE).forward(x, t);
            x.data()[i] = v;
            double numeric = (up - down) / (2 * eps);
            worst = Math.max(worst, Math.abs(numeric - analytic.at(i)) / Math.max(Math.abs(numeric), 1e-2 * scale));
        }
        assertTrue(scale > 1e-3, "the gradient is not trivially zero: " + scale);
        assertTrue(worst < 2e-2, "worst relative error " + worst);
    }

    @Test
    void ignoredPositionsChangeNeitherLossNorGetGradient() {
        Tensor x = logits(3, 2, 3, 4, 4), t = labels(4, 2, 3, 4, 4, 0.3);
        for (Loss loss : new Loss[] {new DiceLoss().ignoreIndex(IGNORE), new SoftmaxCrossEntropy().ignoreIndex(IGNORE).weights(new float[] {1, 2, 0.5f})}) {
            float before = loss.forward(x, t);
            Tensor dx = loss.backward();
            Tensor moved = x.copy();
            int ignored = 0;
            for (int pos = 0; pos < t.size(); pos++) {
                if (t.at(pos) != IGNORE) continue;
                ignored++;
                int n = pos / 16, p = pos % 16;
                for (int c = 0; c < 3; c++) {
                    assertEquals(0f, dx.at((n * 3 + c) * 16 + p), loss + ": gradient at ignored position " + pos);
                    moved.data()[(n * 3 + c) * 16 + p] += 5 * (c + 1);
                }
            }
            assertTrue(ignored > 3, "the test ignores some positions: " + ignored);
            assertEquals(before, loss.forward(moved, t), 1e-6, loss + ": logits at ignored positions moved the loss");
        }
    }

    @Test
    void weightedCrossEntropyIsTheWeightedMeanOverPositionsNotIgnored() {
        // two positions of class 0 (weight 1) and 1 (weight 3), one ignored; logits 0: each -log p = log 2
        Tensor x = Tensor.zeros(1, 2, 1, 3), t = Tensor.of(new float[] {0, 1, IGNORE}, 1, 1, 3);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy().weights(new float[] {1, 3}).ignoreIndex(IGNORE);
        assertEquals(Math.log(2), ce.forward(x, t), 1e-6);
        Tensor dx = ce.backward();
        // d/dx_c at position 0: w0 (p_c - [c = 0]) / (w0 + w1) = (0.5 - 1) / 4 and 0.5 / 4
        assertEquals(-0.125, dx.at(0), 1e-6);
        assertEquals(0.125, dx.at(3), 1e-6);
        assertEquals(3 * -0.125, dx.at(4), 1e-6);
        assertEquals(0, dx.at(2), 0);
    }

    @Test
    void labelsNeitherAClassNorIgnoredAreRefusedWithWhere() {
        Tensor x = Tensor.zeros(2, 3, 2, 2);
        Tensor t = Tensor.of(new float[] {0, 1, 2, 255, 1, 7, 0, 0}, 2, 2, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropy().ignoreIndex(IGNORE).forward(x, t));
        assertEquals("SoftmaxCrossEntropy: label 7.0 at batch index 1, position 1 is not a class in [0, 3) nor the ignore index 255", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DiceLoss().ignoreIndex(IGNORE).forward(x, t));
        assertEquals("DiceLoss: label 7.0 at batch index 1, position 1 is not a class in [0, 3) nor the ignore index 255", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropy().forward(x, Tensor.of(new float[] {0, 1, 2, 255, 1, 0, 0, 0}, 2, 2, 2)));
        assertEquals("SoftmaxCrossEntropy: label 255.0 at batch index 0, position 3 is not a class in [0, 3)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DiceLoss().forward(x, Tensor.zeros(2, 3, 3)));
        assertEquals("DiceLoss: expected class indices of shape [2, 2, 2] for logits [2, 3, 2, 2], got [2, 3, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropy().ignoreIndex(IGNORE).forward(x, filled(IGNORE, 2, 2, 2)));
        assertTrue(e.getMessage().contains("every position of the batch is ignored"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropy().weights(new float[] {1, 1}).forward(x, Tensor.zeros(2, 2, 2)));
        assertEquals("SoftmaxCrossEntropy: 2 class weights for logits of 3 classes", e.getMessage());
    }
}
