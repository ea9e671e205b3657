package org.conv4j.nn;

import java.util.List;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Batch normalization over (N, C, D, H, W) per channel over the N*D*H*W values of that channel,
 * as PyTorch's {@code nn.BatchNorm3d}. Everything else is {@link BatchNorm2d}'s, which this
 * layer runs on an (N, C, D, H*W) view: parameters {@code "weight"} and {@code "bias"}, buffers
 * {@code "running_mean"} and {@code "running_var"}, eps 1e-5, momentum 0.1 weighing the new batch,
 * the biased variance for normalizing and the unbiased one for running_var, EVAL with the
 * running statistics.
 */
public final class BatchNorm3d implements Layer {
    private static final String NAME = "BatchNorm3d";
    private final BatchNorm2d core;
    private Shape savedShape;

    public BatchNorm3d(int numFeatures) {
        core = new BatchNorm2d(numFeatures, NAME);
    }

    /** See {@link BatchNorm2d#eps(double)}. */
    public BatchNorm3d eps(double e) {
        core.eps(e);
        return this;
    }

    /** See {@link BatchNorm2d#momentum(double)}: the weight of the new batch, PyTorch's convention. */
    public BatchNorm3d momentum(double m) {
        core.momentum(m);
        return this;
    }

    /** See {@link BatchNorm2d#affine(boolean)}. */
    public BatchNorm3d affine(boolean on) {
        core.affine(on);
        return this;
    }

    public int numFeatures() { return core.numChannels(); }
    public double eps() { return core.eps(); }
    public double momentum() { return core.momentum(); }
    public boolean isAffine() { return core.isAffine(); }
    /** Gamma, or null when not affine. */
    public Parameter weight() { return core.weight(); }
    /** Beta, or null when not affine. */
    public Parameter biasParameter() { return core.biasParameter(); }
    public Parameter runningMean() { return core.runningMean(); }
    public Parameter runningVar() { return core.runningVar(); }

    @Override
    public List<Parameter> parameters() {
        return core.parameters();
    }

    @Override
    public Shape outputShape(Shape input) {
        Check.rank(input, 5, NAME, "(N, C, D, H, W)");
        Check.arg(input.dim(1) == core.numChannels(), NAME, "expected %d channels, got %d (input shape %s)",
                core.numChannels(), input.dim(1), input);
        return input;
    }

    private static Tensor view4(Tensor t) {
        return t.reshape(t.dim(0), t.dim(1), t.dim(2), t.dim(3) * t.dim(4));
    }

    // x is (N, C, D, H, W), y has the same shape
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        outputShape(x.shape());
        Check.arg(mode != Mode.TRAIN || x.size() / x.dim(1) > 1, NAME,
                "Expected more than 1 value per channel when training, got input size %s", x.shape());
        Tensor y = core.forward(view4(x), mode);
        savedShape = x.shape(); // kept in EVAL too, like BatchNorm2d's frozen-statistics backward
        return y.reshape(x.shape());
    }

    // dy has the input's shape; returns dx; dweight and dbias accumulate
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedShape, NAME);
        Check.sameShape(dy, savedShape, NAME);
        return core.backward(view4(dy)).reshape(savedShape);
    }

    @Override
    public void reuseBuffers(boolean on) {
        core.reuseBuffers(on);
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
