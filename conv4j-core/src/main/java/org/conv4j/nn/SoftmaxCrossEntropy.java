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
 *
 * <p>For class-index targets, {@link #weights} and {@link #ignoreIndex} give PyTorch's
 * {@code CrossEntropyLoss(weight, ignore_index)}: positions labelled with the ignore index
 * count for nothing, and the loss is the weighted mean
 * {@code sum w[t_i] * -log softmax(x_i)[t_i] / sum w[t_i]} over the other positions.
 */
public final class SoftmaxCrossEntropy implements Loss {
    /** The ignore index when none is set: no class index can equal it. */
    public static final int NO_IGNORE = Integer.MIN_VALUE;

    private float[] weights;
    private int ignoreIndex = NO_IGNORE;
    private Tensor savedProbabilities;
    private Tensor savedTarget;
    private double savedWeightSum;

    /** A weight per class (all finite and >= 0), or null for none; the number of classes must match the logits'. */
    public SoftmaxCrossEntropy weights(float[] w) {
        if (w != null) {
            for (int c = 0; c < w.length; c++) {
                Check.arg(Float.isFinite(w[c]) && w[c] >= 0, "SoftmaxCrossEntropy", "class weights must be finite and >= 0, got %s for class %d", w[c], c);
            }
        }
        weights = w == null ? null : w.clone();
        return this;
    }

    /** Positions whose target is this index add nothing to the loss nor its gradient ({@link #NO_IGNORE}: none, the default). */
    public SoftmaxCrossEntropy ignoreIndex(int index) {
        ignoreIndex = index;
        return this;
    }

    public int ignoreIndex() {
        return ignoreIndex;
    }

    private boolean weighted() {
        return weights != null || ignoreIndex != NO_IGNORE;
    }

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
        Check.arg(indices || !weighted(), "SoftmaxCrossEntropy", "class weights and an ignore index need class-index targets %s, got %s", indexShape(s), target.shape());
        Check.arg(weights == null || weights.length == k, "SoftmaxCrossEntropy", "%d class weights for logits of %d classes", weights == null ? 0 : weights.length, k);
        if (indices) {
            for (int i = 0; i < target.size(); i++) {
                float label = target.at(i);
                int c = (int) label;
                Check.arg(c == label && (c == ignoreIndex || c >= 0 && c < k), "SoftmaxCrossEntropy",
                        "label %s at %s is not a class in [0, %d)%s", label, where(i, inner), k, ignoreIndex == NO_IGNORE ? "" : " nor the ignore index " + ignoreIndex);
            }
        }
        float loss;
        if (weighted()) {
            double[] sums = SoftmaxKernel.weightedCrossEntropySum(logits, target, weights, ignoreIndex, n, k, inner);
            Check.arg(sums[1] > 0, "SoftmaxCrossEntropy", "every position of the batch is ignored or has class weight 0, so the mean is undefined");
            savedWeightSum = sums[1];
            loss = (float) (sums[0] / sums[1]);
        } else {
            loss = (float) (SoftmaxKernel.crossEntropySum(logits, target, indices, n, k, inner) / ((long) n * inner));
        }
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
        if (weighted()) {
            SoftmaxKernel.weightedCrossEntropyGradient(dx, savedTarget, weights, ignoreIndex, n, s.dim(1), inner, savedWeightSum);
        } else {
            SoftmaxKernel.crossEntropyGradient(dx, savedTarget, savedTarget.rank() == s.rank() - 1, n, s.dim(1), inner, n * inner);
        }
        return dx;
    }

    @Override
    public String toString() {
        return "SoftmaxCrossEntropy(" + (weights != null ? "weights=" + java.util.Arrays.toString(weights) : "")
                + (weights != null && ignoreIndex != NO_IGNORE ? ", " : "") + (ignoreIndex != NO_IGNORE ? "ignore_index=" + ignoreIndex : "") + ")";
    }
}
