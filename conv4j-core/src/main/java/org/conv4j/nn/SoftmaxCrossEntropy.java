package org.conv4j.nn;

import org.conv4j.kernel.SoftmaxKernel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Softmax followed by cross-entropy, fused and stable (the max logit is subtracted first), mean
 * over the batch and every position (SPEC 1), as PyTorch's {@code CrossEntropyLoss}. Logits are
 * (N, K) or, for a class per position (per-pixel classification), (N, K, d1, ...). The target
 * is either class indices, shape (N) or (N, d1, ...), or one-hot / probability rows of the
 * logits' shape. Backward is {@code (softmax(x) - t) / (N * d1 * ...)}.
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
        Shape s = logits.shape();
        Check.arg(s.rank() >= 2, "SoftmaxCrossEntropy", "expected logits of shape (N, classes) or (N, classes, d1, ...), got %s", s);
        int n = s.dim(0), k = s.dim(1), inner = s.sizeFrom(2);
        boolean indices = target.rank() == s.rank() - 1;
        Check.arg(indices ? target.shape().equals(indexShape(s)) : target.shape().equals(s), "SoftmaxCrossEntropy",
                "target shape %s matches neither class indices %s nor one-hot rows %s", target.shape(), indexShape(s), s);
        if (indices) {
            for (int i = 0; i < target.size(); i++) {
                float label = target.at(i);
                int c = (int) label;
                Check.arg(c == label && c >= 0 && c < k, "SoftmaxCrossEntropy",
                        "label %s at %s is not a class in [0, %d)", label, where(i, inner), k);
            }
        }
        double total = SoftmaxKernel.crossEntropySum(logits, target, indices, n, k, inner);
        float loss = (float) (total / ((long) n * inner));
        Check.arg(Float.isFinite(loss), "SoftmaxCrossEntropy", "loss is %s: the logits contain NaN or infinity", loss);
        savedProbabilities = new Softmax(1).forward(logits, Mode.EVAL);
        savedTarget = target;
        return loss;
    }

    // (N, d1, ...): the logits' shape without the class dimension
    private static Shape indexShape(Shape logits) {
        int[] d = new int[logits.rank() - 1];
        d[0] = logits.dim(0);
        for (int i = 2; i < logits.rank(); i++) d[i - 1] = logits.dim(i);
        return Shape.of(d);
    }

    private static String where(int flat, int inner) {
        return inner == 1 ? "batch index " + flat : "batch index " + flat / inner + ", position " + flat % inner;
    }

    /** The softmax probabilities of the last forward. */
    public Tensor probabilities() {
        Check.saved(savedProbabilities, "SoftmaxCrossEntropy");
        return savedProbabilities;
    }

    // dx = (y - t) / (N * positions) (SPEC 1)
    @Override
    public Tensor backward() {
        Check.saved(savedProbabilities, "SoftmaxCrossEntropy");
        Shape s = savedProbabilities.shape();
        int n = s.dim(0), inner = s.sizeFrom(2);
        Tensor dx = savedProbabilities.copy();
        SoftmaxKernel.crossEntropyGradient(dx, savedTarget, savedTarget.rank() == s.rank() - 1, n, s.dim(1), inner, n * inner);
        return dx;
    }

    @Override
    public String toString() {
        return "SoftmaxCrossEntropy()";
    }
}
