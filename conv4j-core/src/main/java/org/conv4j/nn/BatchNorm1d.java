package org.conv4j.nn;

import java.util.List;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Batch normalization over (N, K) per feature over the batch, or over (N, C, L) per channel over
 * N*L, as PyTorch's {@code nn.BatchNorm1d} (SPEC 1, 004's BatchNorm1D):
 * <pre>
 *   y = gamma * (x - mean) / sqrt(var + eps) + beta
 * </pre>
 * Everything else is {@link BatchNorm2d}'s, which this layer runs on an (N, K, 1, 1) or
 * (N, C, L, 1) view: parameters {@code "weight"} (gamma, init 1) and {@code "bias"} (beta, init
 * 0), buffers {@code "running_mean"} (init 0) and {@code "running_var"} (init 1, as PyTorch;
 * 004's text starts both at 0); eps 1e-5; momentum 0.1 weighing the NEW batch,
 * {@code running = (1 - momentum) * running + momentum * batch}, which is the sources'
 * {@code saved * 0.9 + batch * 0.1}; TRAIN normalizes with the biased batch variance and updates
 * running_var with the unbiased one (times M / (M - 1)), as PyTorch; EVAL uses the running
 * statistics. TRAIN needs more than one value per feature: a batch of one (N = 1 on (N, K))
 * fails, as in PyTorch.
 */
public final class BatchNorm1d implements Layer {
    private final BatchNorm2d core;
    private Shape savedShape;

    public BatchNorm1d(int numFeatures) {
        core = new BatchNorm2d(numFeatures, "BatchNorm1d");
    }

    /** See {@link BatchNorm2d#eps(double)}. */
    public BatchNorm1d eps(double e) {
        core.eps(e);
        return this;
    }

    /** See {@link BatchNorm2d#momentum(double)}: the weight of the new batch, PyTorch's convention. */
    public BatchNorm1d momentum(double m) {
        core.momentum(m);
        return this;
    }

    /** See {@link BatchNorm2d#affine(boolean)}. */
    public BatchNorm1d affine(boolean on) {
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
        Check.arg(input.rank() == 2 || input.rank() == 3, "BatchNorm1d", "expected a rank-2 (N, K) or rank-3 (N, C, L) input, got shape %s", input);
        Check.arg(input.dim(1) == core.numChannels(), "BatchNorm1d", "expected %d features, got %d (input shape %s)",
                core.numChannels(), input.dim(1), input);
        return input;
    }

    private static Tensor view4(Tensor t) {
        return t.reshape(t.dim(0), t.dim(1), t.rank() == 3 ? t.dim(2) : 1, 1);
    }

    // x is (N, K) or (N, C, L), y has the same shape
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        outputShape(x.shape());
        Check.arg(mode != Mode.TRAIN || x.size() / x.dim(1) > 1, "BatchNorm1d",
                "Expected more than 1 value per channel when training, got input size %s", x.shape());
        Tensor y = core.forward(view4(x), mode);
        savedShape = x.shape(); // kept in EVAL too, like BatchNorm2d's frozen-statistics backward
        return y.reshape(x.shape());
    }

    // dy has the input's shape; returns dx; dweight and dbias accumulate
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedShape, "BatchNorm1d");
        Check.sameShape(dy, savedShape, "BatchNorm1d");
        return core.backward(view4(dy)).reshape(savedShape);
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
