package org.conv4j.nn;

import java.util.List;
import org.conv4j.kernel.Elementwise;
import org.conv4j.kernel.Gemm;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Fully connected (affine) layer, as PyTorch's {@code nn.Linear}: {@code y = x W^T + b} with
 * weight (out, in) and bias (out). An input of any rank >= 2 is flattened to (N, in), so it
 * follows a conv layer directly (SPEC 1, "Affine"); the gradient has the input's shape.
 * Default initialization: PyTorch's, U(-1/sqrt(in), 1/sqrt(in)).
 */
public final class Linear implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int inFeatures, outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor savedInput;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(int inFeatures, int outFeatures, boolean withBias) {
        Check.positive(inFeatures, "Linear", "in_features");
        Check.positive(outFeatures, "Linear", "out_features");
        long weights = (long) inFeatures * outFeatures;
        Check.arg(weights <= org.conv4j.kernel.ConvGeometry.MAX_ELEMENTS, "Linear", "a weight of %d x %d = %d values is over the limit of %d (the largest array)",
                outFeatures, inFeatures, weights, org.conv4j.kernel.ConvGeometry.MAX_ELEMENTS);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        var rng = Init.nextGenerator();
        Tensor w = Tensor.zeros(outFeatures, inFeatures);
        Init.pytorchDefault(w, inFeatures, rng);
        weight = Parameter.trainable("weight", w);
        if (withBias) {
            Tensor b = Tensor.zeros(outFeatures);
            Init.pytorchDefault(b, inFeatures, rng);
            bias = Parameter.trainable("bias", b);
        } else {
            bias = null;
        }
    }

    public int inFeatures() { return inFeatures; }
    public int outFeatures() { return outFeatures; }
    public boolean hasBias() { return bias != null; }
    public Parameter weight() { return weight; }
    /** The bias, or null. */
    public Parameter biasParameter() { return bias; }

    @Override
    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public Shape outputShape(Shape input) {
        Check.arg(input.rank() >= 2, "Linear", "expected an input of rank >= 2 (N, features...), got shape %s", input);
        Check.arg(input.sizeFrom(1) == inFeatures, "Linear",
                "expected %d input features, got %d (input shape %s)", inFeatures, input.sizeFrom(1), input);
        return Shape.of(input.dim(0), outFeatures);
    }

    // x is (N, in) or (N, C, H, W) flattened; y is (N, out)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Shape out = outputShape(x.shape());
        int n = x.dim(0);
        Tensor y = buffers.get(0, out);
        Tensor w = weight.value();
        Gemm.gemm(false, true, n, outFeatures, inFeatures, x.data(), x.offset(), inFeatures,
                w.data(), w.offset(), inFeatures, y.data(), 0, outFeatures, false);
        if (bias != null) Elementwise.addRowVector(y, bias.value());
        if (mode == Mode.TRAIN) savedInput = x;
        return y;
    }

    // dy is (N, out): dW += dy^T x, db += sum over the batch, dx = dy W (SPEC 1 "Affine")
    @Override
    public Tensor backward(Tensor dy) {
        backwardParameters(dy);
        int n = savedInput.dim(0);
        Tensor x = savedInput, w = weight.value();
        Tensor dx = buffers.get(1, x.shape());
        Gemm.gemm(false, false, n, inFeatures, outFeatures, dy.data(), dy.offset(), outFeatures,
                w.data(), w.offset(), inFeatures, dx.data(), 0, inFeatures, false);
        return dx;
    }

    @Override
    public void backwardParameters(Tensor dy) {
        Check.saved(savedInput, "Linear");
        int n = savedInput.dim(0);
        Check.sameShape(dy, Shape.of(n, outFeatures), "Linear");
        Tensor x = savedInput, dw = weight.grad();
        Gemm.gemm(true, false, outFeatures, inFeatures, n, dy.data(), dy.offset(), outFeatures,
                x.data(), x.offset(), inFeatures, dw.data(), dw.offset(), inFeatures, true);
        if (bias != null) Elementwise.sumRowsInto(dy, bias.grad());
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        return "Linear(" + inFeatures + ", " + outFeatures + (bias == null ? ", bias=false)" : ")");
    }
}
