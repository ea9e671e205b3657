package org.conv4j.nn;

import java.util.List;
import org.conv4j.kernel.Normalization;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Batch normalization over (N, C, H, W), per channel over the M = N*H*W values of that channel,
 * as PyTorch's {@code nn.BatchNorm2d} (SPEC 1 "Batch normalization", 004's BatchNorm2D):
 * <pre>
 *   y = gamma * (x - mean) / sqrt(var + eps) + beta
 * </pre>
 * with learnable {@code "weight"} (gamma, init 1) and {@code "bias"} (beta, init 0) of shape
 * (C), and buffers {@code "running_mean"} (init 0) and {@code "running_var"} (init 1, as
 * PyTorch). The output has the input's shape.
 *
 * <p>{@link Mode#TRAIN} normalizes with the batch statistics, the variance being the biased one
 * ({@code sum((x - mean)^2) / M}), needs M > 1, and then updates the running statistics with
 * PyTorch's convention for {@code momentum} (default 0.1):
 * <pre>
 *   running_mean = (1 - momentum) * running_mean + momentum * mean
 *   running_var  = (1 - momentum) * running_var  + momentum * var * M / (M - 1)
 * </pre>
 * With momentum 0.1 this is exactly the sources' {@code saved = saved * 0.9 + batch * 0.1}
 * (004). Note that momentum weighs the NEW batch (Keras' and Flax's momentum weighs the old
 * value: their 0.9 is PyTorch's 0.1). As PyTorch, the running variance is updated with the
 * unbiased batch variance ({@code M / (M - 1)}) while the batch is normalized with the biased
 * one. Where the sources differ: 004's text starts the running statistics at 0 (both mean and
 * variance); here running_var starts at 1, as PyTorch and Paddle do (fill the buffer to follow
 * 004 exactly).
 *
 * <p>{@link Mode#EVAL} normalizes with the running statistics. Backward: after TRAIN, through the
 * batch statistics as 002's {@code __backward} ({@link Normalization#backward}); after EVAL, the
 * affine map with the running statistics, {@code dx = gamma * dy / sqrt(running_var + eps)}
 * (a frozen BN layer, as in fine-tuning). To allow the latter, an EVAL forward saves a single
 * reference to its input and statistics, which forward itself never reads, so concurrent
 * inference stays safe (a deliberate exception to {@link Layer}'s "EVAL keeps nothing").
 */
public final class BatchNorm2d implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private static final double DEFAULT_EPS = 1e-5, DEFAULT_MOMENTUM = 0.1;
    private final String name;
    private final int numChannels;
    private double eps = DEFAULT_EPS, momentum = DEFAULT_MOMENTUM;
    private Parameter weight, bias;
    private boolean handedOut;   // the parameters may be held, set or loaded outside: never replace them
    private final Parameter runningMean, runningVar;

    /** What backward needs from the last forward, saved as one reference (atomic to publish). */
    private static final class Saved {
        final Tensor x;
        final double[] mean, invStd;
        final boolean batchStatistics;

        Saved(Tensor x, double[] mean, double[] invStd, boolean batchStatistics) {
            this.x = x;
            this.mean = mean;
            this.invStd = invStd;
            this.batchStatistics = batchStatistics;
        }
    }

    private Saved saved;

    public BatchNorm2d(int numChannels) {
        this(numChannels, "BatchNorm2d");
    }

    /** For {@link BatchNorm1d}, which runs on an (N, C, L, 1) view and names itself in messages. */
    BatchNorm2d(int numChannels, String name) {
        this.name = name;
        Check.positive(numChannels, name, "num_features");
        this.numChannels = numChannels;
        Tensor ones = Tensor.zeros(numChannels);
        ones.fill(1f);
        runningMean = Parameter.buffer("running_mean", Tensor.zeros(numChannels));
        runningVar = Parameter.buffer("running_var", ones);
        affine(true);
    }

    /** The epsilon added to the variance (default 1e-5); 0 is allowed but divides by zero on a constant channel. */
    public BatchNorm2d eps(double e) {
        Check.arg(e >= 0 && Double.isFinite(e), name, "eps must be finite and >= 0, got %s", e);
        eps = e;
        return this;
    }

    /** The weight of the NEW batch in the running statistics (PyTorch's convention, default 0.1), in [0, 1]. */
    public BatchNorm2d momentum(double m) {
        Check.arg(m >= 0 && m <= 1, name, "momentum must be in [0, 1] (the weight of the new batch), got %s", m);
        momentum = m;
        return this;
    }

    /**
     * Whether the layer has the learnable gamma and beta (default true, initialized to 1 and 0).
     * The current value changes nothing; switching fails once the parameters have been handed out
     * (by {@link #weight()}, {@link #biasParameter()} or {@link #parameters()}), so set or loaded
     * values are never discarded.
     */
    public BatchNorm2d affine(boolean on) {
        if (on == (weight != null)) return this;
        Check.state(!handedOut, name, "affine(%s) would %s gamma and beta after the parameters were handed out (set, "
                + "loaded or given to an optimizer); call affine(...) before weight(), parameters() or loading",
                on, on ? "add" : "remove");
        if (on) {
            Tensor g = Tensor.zeros(numChannels);
            g.fill(1f);
            weight = Parameter.trainable("weight", g);
            bias = Parameter.trainable("bias", Tensor.zeros(numChannels));
        } else {
            weight = null;
            bias = null;
        }
        return this;
    }

    public int numChannels() { return numChannels; }
    public double eps() { return eps; }
    public double momentum() { return momentum; }
    public boolean isAffine() { return weight != null; }
    /** Gamma, or null when not affine. */
    public Parameter weight() {
        handedOut = true;
        return weight;
    }

    /** Beta, or null when not affine. */
    public Parameter biasParameter() {
        handedOut = true;
        return bias;
    }

    public Parameter runningMean() { return runningMean; }
    public Parameter runningVar() { return runningVar; }

    @Override
    public List<Parameter> parameters() {
        handedOut = true;
        return weight == null ? List.of(runningMean, runningVar) : List.of(weight, bias, runningMean, runningVar);
    }

    @Override
    public Shape outputShape(Shape input) {
        Check.rank(input, 4, name, "(N, C, H, W)");
        Check.arg(input.dim(1) == numChannels, name, "expected %d channels, got %d (input shape %s)", numChannels, input.dim(1), input);
        return input;
    }

    // x is (N, C, H, W), y is (N, C, H, W)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        outputShape(x.shape());
        int n = x.dim(0), c = numChannels, s = x.dim(2) * x.dim(3);
        double[] mean = new double[c], invStd = new double[c];
        Tensor gamma = weight == null ? null : weight.value(), beta = bias == null ? null : bias.value();
        Tensor y = buffers.get(0, x.shape());
        if (mode == Mode.TRAIN) {
            long m = (long) n * s;
            // PyTorch's check and message: one value has no variance to normalize with
            Check.arg(m > 1, name, "Expected more than 1 value per channel when training, got input size %s", x.shape());
            double[] var = new double[c];
            Normalization.statistics(x, n, c, s, mean, var);
            for (int ch = 0; ch < c; ch++) invStd[ch] = 1 / Math.sqrt(var[ch] + eps);
            Normalization.normalize(x, n, c, s, mean, invStd, gamma, beta, y);
            updateRunningStatistics(mean, var, m);
            saved = new Saved(x, mean, invStd, true);
        } else {
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = runningMean.value().at(ch);
                invStd[ch] = 1 / Math.sqrt(runningVar.value().at(ch) + eps);
            }
            Normalization.normalize(x, n, c, s, mean, invStd, gamma, beta, y);
            saved = new Saved(x, mean, invStd, false);
        }
        return y;
    }

    /**
     * EVAL's map folded into a preceding layer's output {@code v + bias}: fills {@code scale} with
     * gamma / sqrt(running_var + eps) and returns the shift {@code (bias - running_mean) * scale + beta}
     * (bias null means 0), both computed in double, per channel.
     */
    float[] fold(float[] bias, float[] scale) {
        float[] shift = new float[numChannels];
        for (int ch = 0; ch < numChannels; ch++) {
            double s = (weight == null ? 1.0 : weight.value().at(ch)) / Math.sqrt(runningVar.value().at(ch) + eps);
            double b = bias == null ? 0.0 : bias[ch];
            scale[ch] = (float) s;
            shift[ch] = (float) ((b - runningMean.value().at(ch)) * s + (this.bias == null ? 0.0 : this.bias.value().at(ch)));
        }
        return shift;
    }

    // running = (1 - momentum) * running + momentum * batch; the variance unbiased, as PyTorch
    private void updateRunningStatistics(double[] mean, double[] var, long m) {
        float[] rm = runningMean.value().data(), rv = runningVar.value().data();
        int rmo = runningMean.value().offset(), rvo = runningVar.value().offset();
        for (int ch = 0; ch < numChannels; ch++) {
            rm[rmo + ch] = (float) ((1 - momentum) * rm[rmo + ch] + momentum * mean[ch]);
            rv[rvo + ch] = (float) ((1 - momentum) * rv[rvo + ch] + momentum * var[ch] * m / (m - 1));
        }
    }

    // dy is (N, C, H, W); returns dx; dweight and dbias accumulate (SPEC 1, 002's __backward)
    @Override
    public Tensor backward(Tensor dy) {
        Saved sv = saved;
        Check.saved(sv, name);
        Check.sameShape(dy, sv.x.shape(), name);
        Tensor x = sv.x;
        int n = x.dim(0), c = numChannels, s = x.dim(2) * x.dim(3);
        Tensor gamma = weight == null ? null : weight.value();
        Tensor dgamma = weight == null ? null : weight.grad(), dbeta = bias == null ? null : bias.grad();
        Tensor dx = buffers.get(1, x.shape());
        if (sv.batchStatistics) {
            Normalization.backward(x, n, c, s, sv.mean, sv.invStd, gamma, dy, dx, dgamma, dbeta);
        } else {
            Normalization.affineBackward(x, n, c, s, sv.mean, sv.invStd, gamma, dy, dx, dgamma, dbeta);
        }
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append('(').append(numChannels);
        if (eps != DEFAULT_EPS) sb.append(", eps=").append(eps);
        if (momentum != DEFAULT_MOMENTUM) sb.append(", momentum=").append(momentum);
        if (weight == null) sb.append(", affine=false");
        return sb.append(')').toString();
    }
}
