package org.conv4j.nn;

import org.conv4j.tensor.Tensor;

/**
 * Softmax followed by cross-entropy, fused and stable (the max logit is subtracted first), mean
 * over the batch (SPEC 1). Logits are (N, K). The target is either class indices, shape (N),
 * or one-hot / probability rows, shape (N, K). Backward is {@code (softmax(x) - t) / N}.
 */
public final class SoftmaxCrossEntropy implements Loss {
    private Tensor savedProbabilities;
    private Tensor savedTarget;

    /** Class-index labels as a convenience. */
    public float forward(Tensor logits, int[] labels) {
        float[] t = new float[labels.length];
        for (int i = 0; i < labels.length; i++) t[i] = labels[i];
        return forward(logits, Tensor.of(t, labels.length));
    }

    @Override
    public float forward(Tensor logits, Tensor target) {
        Check.arg(logits.rank() == 2, "SoftmaxCrossEntropy", "expected logits of shape (N, classes), got %s", logits.shape());
        int n = logits.dim(0), k = logits.dim(1);
        boolean indices = target.rank() == 1;
        Check.arg(indices ? target.dim(0) == n : target.shape().equals(logits.shape()), "SoftmaxCrossEntropy",
                "target shape %s matches neither class indices (%d) nor one-hot rows %s", target.shape(), n, logits.shape());
        Tensor p = Softmax.apply(logits);
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (indices) {
                float label = target.at(i);
                int c = (int) label;
                Check.arg(c == label && c >= 0 && c < k, "SoftmaxCrossEntropy",
                        "label %s at batch index %d is not a class in [0, %d)", label, i, k);
                total -= logProbability(logits, i, c);
            } else {
                for (int c = 0; c < k; c++) {
                    float t = target.at(i * k + c);
                    if (t != 0) total -= t * logProbability(logits, i, c);
                }
            }
        }
        float loss = (float) (total / n);
        Check.arg(Float.isFinite(loss), "SoftmaxCrossEntropy", "loss is %s: the logits contain NaN or infinity", loss);
        savedProbabilities = p;
        savedTarget = target;
        return loss;
    }

    // log softmax computed from the logits directly: x_c - max - log(sum exp(x_j - max))
    private static double logProbability(Tensor logits, int row, int c) {
        int k = logits.dim(1);
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) max = Math.max(max, logits.at(row * k + j));
        double sum = 0;
        for (int j = 0; j < k; j++) sum += Math.exp(logits.at(row * k + j) - max);
        return logits.at(row * k + c) - max - Math.log(sum);
    }

    /** The softmax probabilities of the last forward. */
    public Tensor probabilities() {
        Check.saved(savedProbabilities, "SoftmaxCrossEntropy");
        return savedProbabilities;
    }

    // dx = (y - t) / N (SPEC 1)
    @Override
    public Tensor backward() {
        Check.saved(savedProbabilities, "SoftmaxCrossEntropy");
        Tensor p = savedProbabilities;
        int n = p.dim(0), k = p.dim(1);
        Tensor dx = p.copy();
        float[] d = dx.data();
        for (int i = 0; i < n; i++) {
            if (savedTarget.rank() == 1) {
                d[i * k + (int) savedTarget.at(i)] -= 1f;
            } else {
                for (int c = 0; c < k; c++) d[i * k + c] -= savedTarget.at(i * k + c);
            }
        }
        for (int i = 0; i < d.length; i++) d[i] /= n;
        return dx;
    }
}
