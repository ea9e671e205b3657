package org.conv4j.nn;

import org.conv4j.kernel.SoftmaxKernel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Softmax over one dimension, as PyTorch's {@code nn.Softmax(dim)}: along {@code dim},
 * {@code y_i = exp(x_i - max) / sum_j exp(x_j - max)}; backward {@code dx_i = y_i * (dy_i - sum_j dy_j y_j)}.
 * A negative {@code dim} counts from the end ({@code -1} is the last). The default, dim 1, is
 * the classes of (N, K) and the channels of (N, C, H, W), a per-pixel class distribution. For
 * training a classifier use {@link SoftmaxCrossEntropy}, which fuses this with the loss.
 */
public final class Softmax implements Layer {
    private final int dim;
    private Tensor savedOutput;

    /** Softmax over dim 1. */
    public Softmax() {
        this(1);
    }

    public Softmax(int dim) {
        this.dim = dim;
    }

    /** The dimension as given (possibly negative). */
    public int dim() {
        return dim;
    }

    @Override
    public Shape outputShape(Shape input) {
        axis(input);
        return input;
    }

    // the dimension as an index into the input's shape
    private int axis(Shape s) {
        Check.arg(s.rank() >= 1, "Softmax", "expected an input of rank >= 1, got %s", s);
        int a = dim < 0 ? dim + s.rank() : dim;
        Check.arg(a >= 0 && a < s.rank(), "Softmax", "dim %d is out of range for an input of shape %s: expected -%d to %d",
                dim, s, s.rank(), s.rank() - 1);
        return a;
    }

    /** The softmax of each row of a (N, K) tensor. */
    public static Tensor apply(Tensor x) {
        Check.rank(x.shape(), 2, "Softmax", "(N, classes)");
        return new Softmax(1).forward(x, Mode.EVAL);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int a = axis(x.shape());
        Tensor y = Tensor.zeros(x.shape());
        SoftmaxKernel.softmax(x, y, outer(x.shape(), a), x.dim(a), inner(x.shape(), a));
        if (mode == Mode.TRAIN) savedOutput = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedOutput, "Softmax");
        Check.sameShape(dy, savedOutput.shape(), "Softmax");
        Shape s = savedOutput.shape();
        int a = axis(s);
        Tensor dx = Tensor.zeros(s);
        SoftmaxKernel.softmaxBackward(savedOutput, dy, dx, outer(s, a), s.dim(a), inner(s, a));
        return dx;
    }

    /** The product of the dimensions before {@code axis}. */
    static int outer(Shape s, int axis) {
        int n = 1;
        for (int i = 0; i < axis; i++) n *= s.dim(i);
        return n;
    }

    /** The product of the dimensions after {@code axis}. */
    static int inner(Shape s, int axis) {
        int n = 1;
        for (int i = axis + 1; i < s.rank(); i++) n *= s.dim(i);
        return n;
    }

    @Override
    public String toString() {
        return dim == 1 ? "Softmax()" : "Softmax(dim=" + dim + ")";
    }
}
