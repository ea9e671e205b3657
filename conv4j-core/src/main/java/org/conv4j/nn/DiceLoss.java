package org.conv4j.nn;

import org.conv4j.kernel.DiceKernel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Soft Dice loss for segmentation: with {@code p = softmax(logits)} over the classes (dim 1) and
 * class-index targets t, per class c over every counted position of the batch
 * {@code dice_c = (2 sum p_c [t = c] + s) / (sum p_c + count(t = c) + s)}, and the loss is
 * {@code 1 - mean_c dice_c}. The smoothing s (default 1) keeps a class absent from both the
 * prediction and the target at dice 1 instead of 0/0. Logits (N, K, d1, ...), targets
 * (N, d1, ...); positions labelled with the {@linkplain #ignoreIndex ignore index} count for nothing.
 * Unlike cross-entropy, it weighs every class alike however few pixels it has.
 */
public final class DiceLoss implements Loss {
    private final double smooth;
    private int ignoreIndex = SoftmaxCrossEntropy.NO_IGNORE;
    private Tensor savedProbabilities, savedTarget;
    private double[] savedSums;

    public DiceLoss() {
        this(1);
    }

    /** {@code smooth} > 0 is added to each class's numerator and denominator. */
    public DiceLoss(double smooth) {
        Check.arg(smooth > 0 && Double.isFinite(smooth), "DiceLoss", "smooth must be a positive number, got %s", smooth);
        this.smooth = smooth;
    }

    /** Positions whose target is this index take no part (default: none). */
    public DiceLoss ignoreIndex(int index) {
        ignoreIndex = index;
        return this;
    }

    @Override
    public float forward(Tensor logits, Tensor target) {
        Shape s = logits.shape();
        Check.arg(s.rank() >= 2, "DiceLoss", "expected logits of shape (N, classes, d1, ...), got %s", s);
        int n = s.dim(0), k = s.dim(1), inner = s.sizeFrom(2);
        int[] d = new int[s.rank() - 1];
        d[0] = n;
        for (int i = 2; i < s.rank(); i++) d[i - 1] = s.dim(i);
        Check.arg(target.shape().equals(Shape.of(d)), "DiceLoss", "expected class indices of shape %s for logits %s, got %s", Shape.of(d), s, target.shape());
        for (int i = 0; i < target.size(); i++) {
            float label = target.at(i);
            int c = (int) label;
            Check.arg(c == label && (c == ignoreIndex || c >= 0 && c < k), "DiceLoss", "label %s at batch index %d, position %d is not a class in [0, %d)%s",
                    label, i / inner, i % inner, k, ignoreIndex == SoftmaxCrossEntropy.NO_IGNORE ? "" : " nor the ignore index " + ignoreIndex);
        }
        savedProbabilities = new Softmax(1).forward(logits, Mode.EVAL);
        savedTarget = target;
        savedSums = DiceKernel.sums(savedProbabilities, target, ignoreIndex, n, k, inner);
        double dice = 0;
        for (int c = 0; c < k; c++) dice += (2 * savedSums[3 * c] + smooth) / (savedSums[3 * c + 1] + savedSums[3 * c + 2] + smooth);
        float loss = (float) (1 - dice / k);
        Check.arg(Float.isFinite(loss), "DiceLoss", "loss is %s: the logits contain NaN or infinity", loss);
        return loss;
    }

    @Override
    public Tensor backward() {
        Check.saved(savedProbabilities, "DiceLoss");
        Shape s = savedProbabilities.shape();
        Tensor dx = Tensor.zeros(s);
        DiceKernel.gradient(savedProbabilities, savedTarget, ignoreIndex, savedSums, smooth, s.dim(0), s.dim(1), s.sizeFrom(2), dx);
        return dx;
    }

    @Override
    public String toString() {
        return "DiceLoss(smooth=" + smooth + (ignoreIndex != SoftmaxCrossEntropy.NO_IGNORE ? ", ignore_index=" + ignoreIndex : "") + ")";
    }
}
