package org.conv4j.nn;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.conv4j.kernel.Conv;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 1-D convolution (cross-correlation) over (N, C, L), as PyTorch's {@code nn.Conv1d}: weight
 * (OC, C/groups, K), bias (OC), output (N, OC, OL) with
 * {@code OL = floor((L + pl + pr - d*(K-1) - 1) / s) + 1}. Padding is one value (both ends),
 * {@code "same"} (stride 1; an odd extra goes right, as PyTorch) or {@code "valid"}; the padding
 * modes are Conv2d's. Runs on {@link Conv}'s 2-D kernels as a map of height 1 (the tensors are
 * viewed as (N, C, 1, L) and (OC, C/groups, 1, K), not copied). Default initialization: PyTorch's,
 * U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = C/groups*K. As in Conv2d, {@link #groups(int)} and
 * {@link #bias(boolean)} draw the parameters afresh until they are handed out.
 */
public final class Conv1d implements Layer {
    private static final String NAME = "Conv1d";
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int inChannels, outChannels, kernel;
    private int stride = 1, dilation = 1, groups = 1, padLeft, padRight;
    private boolean same;
    private PaddingMode paddingMode = PaddingMode.ZEROS;
    private Parameter weight, bias;
    private boolean handedOut;

    private Tensor savedInput;
    private ConvGeometry savedGeometry;
    private float[] workspace = new float[0];

    public Conv1d(int inChannels, int outChannels, int kernel) {
        Check.positive(inChannels, NAME, "in_channels");
        Check.positive(outChannels, NAME, "out_channels");
        Check.positive(kernel, NAME, "kernel size");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        allocate(true);
    }

    private void allocate(boolean withBias) {
        var rng = Init.nextGenerator();
        int fanIn = inChannels / groups * kernel;
        Tensor w = Tensor.zeros(outChannels, inChannels / groups, kernel);
        Init.pytorchDefault(w, fanIn, rng);
        weight = Parameter.trainable("weight", w);
        bias = null;
        if (withBias) {
            Tensor b = Tensor.zeros(outChannels);
            Init.pytorchDefault(b, fanIn, rng);
            bias = Parameter.trainable("bias", b);
        }
    }

    public Conv1d stride(int s) {
        Check.positive(s, NAME, "stride");
        Check.arg(!same || s == 1, NAME, "padding='same' needs stride 1, got %d", s);
        stride = s;
        return this;
    }

    public Conv1d padding(int p) {
        Check.nonNegative(p, NAME, "padding");
        padLeft = padRight = p;
        same = false;
        return this;
    }

    /** {@code "same"} (output length = input length, stride 1) or {@code "valid"} (no padding). */
    public Conv1d padding(String mode) {
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "valid":
                return padding(0);
            case "same":
                Check.arg(stride == 1, NAME, "padding='same' needs stride 1, got %d", stride);
                same = true;
                updateSamePadding();
                return this;
            default:
                throw new IllegalArgumentException(NAME + ": padding must be 'same', 'valid' or a number, got '" + mode + "'");
        }
    }

    private void updateSamePadding() {
        int total = dilation * (kernel - 1);
        padLeft = total / 2;
        padRight = total - total / 2;
    }

    public Conv1d dilation(int d) {
        Check.positive(d, NAME, "dilation");
        dilation = d;
        if (same) updateSamePadding();
        return this;
    }

    /** Splits channels into groups; the weight's shape depends on it (see the class comment). */
    public Conv1d groups(int g) {
        Check.positive(g, NAME, "groups");
        Check.arg(inChannels % g == 0, NAME, "in_channels (%d) must be divisible by groups (%d)", inChannels, g);
        Check.arg(outChannels % g == 0, NAME, "out_channels (%d) must be divisible by groups (%d)", outChannels, g);
        if (handedOut) {
            Check.state(g == groups, NAME, "groups(%d) would change the weight from %s to %s after the parameters were handed out"
                    + " (set, loaded or given to an optimizer); call groups(...) before weight(), parameters() or loading",
                    g, weight.value().shape(), Shape.of(outChannels, inChannels / g, kernel));
            return this;
        }
        groups = g;
        allocate(bias != null);
        return this;
    }

    public Conv1d bias(boolean on) {
        if (handedOut) {
            Check.state(on == (bias != null), NAME, "bias(%s) would %s the bias after the parameters were handed out "
                    + "(set, loaded or given to an optimizer); call bias(...) before weight(), parameters() or loading",
                    on, on ? "add" : "remove");
            return this;
        }
        allocate(on);
        return this;
    }

    public Conv1d paddingMode(PaddingMode mode) {
        paddingMode = Objects.requireNonNull(mode, "padding mode");
        return this;
    }

    public int inChannels() { return inChannels; }
    public int outChannels() { return outChannels; }
    public int kernelSize() { return kernel; }
    public int stride() { return stride; }
    public int dilation() { return dilation; }
    public int groups() { return groups; }
    /** Padding as left, right. */
    public int[] padding() { return new int[] {padLeft, padRight}; }
    public boolean isSame() { return same; }
    public boolean hasBias() { return bias != null; }
    public PaddingMode paddingMode() { return paddingMode; }

    public Parameter weight() {
        handedOut = true;
        return weight;
    }

    /** The bias, or null. */
    public Parameter biasParameter() {
        handedOut = true;
        return bias;
    }

    @Override
    public List<Parameter> parameters() {
        handedOut = true;
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    private ConvGeometry geometry(Shape in) {
        Check.rank(in, 3, NAME, "(N, C, L)");
        Check.arg(in.dim(1) == inChannels, NAME, "expected %d input channels, got %d (input shape %s)", inChannels, in.dim(1), in);
        int l = in.dim(2), span = dilation * (kernel - 1) + 1;
        if (paddingMode == PaddingMode.REFLECT) {
            Check.arg(Math.max(padLeft, padRight) < l, NAME, "reflect padding %d must be smaller than the input length %d", Math.max(padLeft, padRight), l);
        } else if (paddingMode == PaddingMode.CIRCULAR) {
            Check.arg(Math.max(padLeft, padRight) <= l, NAME, "circular padding %d must not exceed the input length %d", Math.max(padLeft, padRight), l);
        }
        Check.arg(span <= l + padLeft + padRight, NAME, "kernel %d (dilated %d) is longer than the padded input %d (input shape %s)",
                kernel, span, l + padLeft + padRight, in);
        return new ConvGeometry(inChannels, 1, l, 1, kernel, 1, stride, 1, dilation, 0, 0, padLeft, padRight, paddingMode);
    }

    @Override
    public Shape outputShape(Shape input) {
        return Shape.of(input.dim(0), outChannels, geometry(input).ow);
    }

    private Tensor weight4d() {
        return weight.value().reshape(outChannels, inChannels / groups, 1, kernel);
    }

    // x is (N, C, L), y is (N, OC, OL); both viewed with a height of 1
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        ConvGeometry g = geometry(x.shape());
        int n = x.dim(0);
        Tensor y = buffers.get(0, Shape.of(n, outChannels, g.ow));
        Conv.forward(g, groups, x.reshape(n, inChannels, 1, g.w), weight4d(), bias == null ? null : bias.value(),
                y.reshape(n, outChannels, 1, g.ow));
        if (mode == Mode.TRAIN) {
            savedInput = x;
            savedGeometry = g;
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Tensor dx = buffers.get(1, checkedInputShape(dy));
        backward(dy, dx);
        return dx;
    }

    @Override
    public void backwardParameters(Tensor dy) {
        checkedInputShape(dy);
        backward(dy, null);
    }

    private Shape checkedInputShape(Tensor dy) {
        Check.saved(savedInput, NAME);
        Check.sameShape(dy, Shape.of(savedInput.dim(0), outChannels, savedGeometry.ow), NAME);
        return savedInput.shape();
    }

    private void backward(Tensor dy, Tensor dx) {
        ConvGeometry g = savedGeometry;
        int n = savedInput.dim(0), need = Conv.workspaceSize(n, g.outPlane(), weight.value().size());
        if (workspace.length < need) workspace = new float[need];
        Conv.backward(g, groups, savedInput.reshape(n, inChannels, 1, g.w), weight4d(), dy.reshape(n, outChannels, 1, g.ow),
                dx == null ? null : dx.reshape(n, inChannels, 1, g.w), weight.grad().reshape(weight4d().shape()),
                bias == null ? null : bias.grad(), workspace);
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(NAME + "(").append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(kernel);
        if (stride != 1) sb.append(", stride=").append(stride);
        if (same) sb.append(", padding=same");
        else if (padLeft + padRight > 0) sb.append(", padding=").append(padLeft);
        if (dilation != 1) sb.append(", dilation=").append(dilation);
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias == null) sb.append(", bias=false");
        if (paddingMode != PaddingMode.ZEROS) sb.append(", padding_mode=").append(paddingMode.name().toLowerCase(Locale.ROOT));
        return sb.append(')').toString();
    }
}
