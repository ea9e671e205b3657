package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * Softmax along one axis of a row-major tensor, and the cross-entropy over it. The tensor is seen
 * as (outer, k, inner): the axis has k entries {@code inner} elements apart, so (N, K) is
 * (N, K, 1) and the channels of (N, C, H, W) are (N, C, H*W). Each of the outer * inner
 * positions is independent; sums are taken in double.
 */
public final class SoftmaxKernel {
    private SoftmaxKernel() {
    }

    /** {@code y = exp(x - max) / sum exp(x - max)} along the axis (the max taken first, for stability). */
    public static void softmax(Tensor x, Tensor y, int outer, int k, int inner) {
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset(), yo = y.offset();
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < inner; p++) {
                int base = o * k * inner + p;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) max = Math.max(max, xd[xo + base + j * inner]);
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    float e = (float) Math.exp(xd[xo + base + j * inner] - max);
                    yd[yo + base + j * inner] = e;
                    sum += e;
                }
                for (int j = 0; j < k; j++) yd[yo + base + j * inner] = (float) (yd[yo + base + j * inner] / sum);
            }
        }
    }

    /** {@code dx_i = y_i * (dy_i - sum_j dy_j y_j)} along the axis. */
    public static void softmaxBackward(Tensor y, Tensor dy, Tensor dx, int outer, int k, int inner) {
        float[] yd = y.data(), gd = dy.data(), dxd = dx.data();
        int yo = y.offset(), go = dy.offset(), dxo = dx.offset();
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < inner; p++) {
                int base = o * k * inner + p;
                double dot = 0;
                for (int j = 0; j < k; j++) dot += gd[go + base + j * inner] * yd[yo + base + j * inner];
                for (int j = 0; j < k; j++) {
                    int i = base + j * inner;
                    dxd[dxo + i] = (float) (yd[yo + i] * (gd[go + i] - dot));
                }
            }
        }
    }

    /**
     * The summed cross-entropy {@code -sum t_c log softmax(x)_c} over all outer * inner positions.
     * With {@code indices} the target holds one class index per position (outer, inner), already
     * checked to lie in [0, k); otherwise it has the logits' shape (probabilities or one-hot).
     */
    public static double crossEntropySum(Tensor logits, Tensor target, boolean indices, int outer, int k, int inner) {
        double total = 0;
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < inner; p++) {
                int base = o * k * inner + p;
                if (indices) {
                    total -= logProbability(logits, base, k, inner, (int) target.at(o * inner + p));
                } else {
                    for (int c = 0; c < k; c++) {
                        float t = target.at(base + c * inner);
                        if (t != 0) total -= t * logProbability(logits, base, k, inner, c);
                    }
                }
            }
        }
        return total;
    }

    // log softmax from the logits directly: x_c - max - log(sum exp(x_j - max))
    private static double logProbability(Tensor logits, int base, int k, int inner, int c) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) max = Math.max(max, logits.at(base + j * inner));
        double sum = 0;
        for (int j = 0; j < k; j++) sum += Math.exp(logits.at(base + j * inner) - max);
        return logits.at(base + c * inner) - max - Math.log(sum);
    }

    /**
     * The cross-entropy's gradient, {@code (softmax(x) - t) / count}, written into dx, which holds
     * the probabilities on entry.
     */
    public static void crossEntropyGradient(Tensor dx, Tensor target, boolean indices, int outer, int k, int inner, int count) {
        float[] d = dx.data();
        int off = dx.offset();
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < inner; p++) {
                int base = o * k * inner + p;
                if (indices) {
                    d[off + base + (int) target.at(o * inner + p) * inner] -= 1f;
                } else {
                    for (int c = 0; c < k; c++) d[off + base + c * inner] -= target.at(base + c * inner);
                }
            }
        }
        for (int i = 0; i < dx.size(); i++) d[off + i] /= count;
    }

    /**
     * The class-weighted cross-entropy of class-index targets with an ignored index, as PyTorch's
     * {@code CrossEntropyLoss(weight, ignore_index)}: returns {sum of w[t] * -log softmax(x)_t,
     * sum of w[t]} over the positions whose target is not {@code ignore}; the caller divides.
     * {@code weights} null means all ones.
     */
    public static double[] weightedCrossEntropySum(Tensor logits, Tensor target, float[] weights, int ignore, int outer, int k, int inner) {
        double total = 0, weightSum = 0;
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < inner; p++) {
                int t = (int) target.at(o * inner + p);
                if (t == ignore) continue;
                double w = weights == null ? 1 : weights[t];
                total -= w * logProbability(logits, o * k * inner + p, k, inner, t);
                weightSum += w;
            }
        }
        return new double[] {total, weightSum};
    }

    /**
     * The gradient of {@link #weightedCrossEntropySum}'s weighted mean, {@code w[t] (softmax(x) - onehot(t)) / weightSum}
     * and 0 at ignored positions, written into dx, which holds the probabilities on entry.
     */
    public static void weightedCrossEntropyGradient(Tensor dx, Tensor target, float[] weights, int ignore, int outer, int k, int inner, double weightSum) {
        float[] d = dx.data();
        int off = dx.offset();
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < inner; p++) {
                int base = off + o * k * inner + p, t = (int) target.at(o * inner + p);
                double scale = t == ignore ? 0 : (weights == null ? 1 : weights[t]) / weightSum;
                for (int c = 0; c < k; c++) {
                    int i = base + c * inner;
                    d[i] = (float) (scale * (d[i] - (c == t ? 1 : 0)));
                }
            }
        }
    }
}
