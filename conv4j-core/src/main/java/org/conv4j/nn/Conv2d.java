package org.conv4j.nn;

import org.conv4j.kernel.Conv;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Elementwise;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.kernel.Winograd;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation), as PyTorch's {@code nn.Conv2d}.
 *
 * <p>Input (N, C, H, W), weight (OC, C/groups, KH, KW), bias (OC), output (N, OC, OH, OW) with
 * {@code OH = floor((H + pt + pb - dh*(KH-1) - 1) / sh) + 1} (SPEC 1). Padding is one value,
 * {@code [ph, pw]}, four values top/bottom/left/right, {@code "same"} (stride 1; any odd
 * extra goes bottom/right, as PyTorch) or {@code "valid"} (none). {@link #strict(boolean)}
 * rejects inputs whose windows do not tile exactly instead of dropping border pixels.
 * Default initialization: PyTorch's, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias.
 *
 * <p>Builder calls may come in any order. {@link #groups(int)} and {@link #bias(boolean)} shape the
 * parameters, so each draws them afresh (one generator from {@link Init} per call, as always) until
 * the parameters are handed out by {@link #weight()}, {@link #biasParameter()} or
 * {@link #parameters()}, through which they are set, loaded or trained. After that a call that
 * keeps the shapes changes nothing, and one that would change them fails rather than discard them.
 */
public final class Conv2d implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int inChannels, outChannels, kernelH, kernelW;
    private int strideH = 1, strideW = 1, dilationH = 1, dilationW = 1, groups = 1;
    private int padTop, padBottom, padLeft, padRight;
    private boolean same, strict;
    private PaddingMode paddingMode = PaddingMode.ZEROS;
    private Parameter weight, bias;
    private boolean handedOut;   // the parameters may be held, set or loaded outside: never replace them

    private Tensor savedInput;
    private ConvGeometry savedGeometry;
    private float[] workspace = new float[0];
    // EVAL's Winograd filters and the weight values they were made from (any change to the weight
    // remakes them), published as one so that threads sharing the model in EVAL never see a
    // transform half made or paired with other values
    private record WinogradCache(float[] source, float[] filters) {
    }

    private volatile WinogradCache winograd;

    /** A square kernel. */
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, kernelSize);
    }

    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW) {
        Check.positive(inChannels, "Conv2d", "in_channels");
        Check.positive(outChannels, "Conv2d", "out_channels");
        Check.extent(kernelH, "Conv2d", "kernel height");
        Check.extent(kernelW, "Conv2d", "kernel width");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        allocate(true);
    }

    private void allocate(boolean withBias) {
        var rng = Init.nextGenerator();
        int fanIn = inChannels / groups * kernelH * kernelW;
        Tensor w = Tensor.zeros(outChannels, inChannels / groups, kernelH, kernelW);
        Init.pytorchDefault(w, fanIn, rng);
        weight = Parameter.trainable("weight", w);
        if (withBias) {
            Tensor b = Tensor.zeros(outChannels);
            Init.pytorchDefault(b, fanIn, rng);
            bias = Parameter.trainable("bias", b);
        } else {
            bias = null;
        }
    }

    public Conv2d stride(int s) {
        return stride(s, s);
    }

    public Conv2d stride(int sh, int sw) {
        Check.extent(sh, "Conv2d", "stride");
        Check.extent(sw, "Conv2d", "stride");
        Check.arg(!same || sh == 1 && sw == 1, "Conv2d", "padding='same' needs stride 1, got %dx%d", sh, sw);
        strideH = sh;
        strideW = sw;
        return this;
    }

    public Conv2d padding(int p) {
        return padding(p, p, p, p);
    }

    public Conv2d padding(int ph, int pw) {
        return padding(ph, ph, pw, pw);
    }

    /** Asymmetric padding: top, bottom, left, right. */
    public Conv2d padding(int top, int bottom, int left, int right) {
        for (int p : new int[] {top, bottom, left, right}) Check.padding(p, "Conv2d");
        padTop = top;
        padBottom = bottom;
        padLeft = left;
        padRight = right;
        same = false;
        return this;
    }

    /** {@code "same"} (output size = input size, stride 1) or {@code "valid"} (no padding). */
    public Conv2d padding(String mode) {
        switch (mode.toLowerCase()) {
            case "valid":
                return padding(0);
            case "same":
                Check.arg(strideH == 1 && strideW == 1, "Conv2d", "padding='same' needs stride 1, got %dx%d", strideH, strideW);
                same = true;
                updateSamePadding();
                return this;
            default:
                throw new IllegalArgumentException("Conv2d: padding must be 'same', 'valid' or numbers, got '" + mode + "'");
        }
    }

    private void updateSamePadding() {
        int th = dilationH * (kernelH - 1), tw = dilationW * (kernelW - 1);
        padTop = th / 2;
        padBottom = th - th / 2;
        padLeft = tw / 2;
        padRight = tw - tw / 2;
    }

    public Conv2d dilation(int d) {
        return dilation(d, d);
    }

    public Conv2d dilation(int dh, int dw) {
        Check.extent(dh, "Conv2d", "dilation");
        Check.extent(dw, "Conv2d", "dilation");
        Check.span(dh, kernelH, "Conv2d", "dilated kernel height:");
        Check.span(dw, kernelW, "Conv2d", "dilated kernel width:");
        dilationH = dh;
        dilationW = dw;
        if (same) updateSamePadding();
        return this;
    }

    /**
     * Splits channels into groups. The weight's shape depends on it: it is drawn again while the
     * parameters have not been handed out; after that only the current value is accepted.
     */
    public Conv2d groups(int g) {
        Check.positive(g, "Conv2d", "groups");
        Check.arg(inChannels % g == 0, "Conv2d", "in_channels (%d) must be divisible by groups (%d)", inChannels, g);
        Check.arg(outChannels % g == 0, "Conv2d", "out_channels (%d) must be divisible by groups (%d)", outChannels, g);
        if (handedOut) {
            Check.state(g == groups, "Conv2d", "groups(%d) would change the weight from %s to %s after the parameters"
                    + " were handed out (set, loaded or given to an optimizer); call groups(...) before weight(), "
                    + "parameters() or loading", g, weight.value().shape(), Shape.of(outChannels, inChannels / g, kernelH, kernelW));
            return this;
        }
        groups = g;
        allocate(bias != null);
        return this;
    }

    /**
     * Whether the layer has a bias. Weight and bias are drawn again while the parameters have not
     * been handed out; after that only the current value is accepted.
     */
    public Conv2d bias(boolean on) {
        if (handedOut) {
            Check.state(on == (bias != null), "Conv2d", "bias(%s) would %s the bias after the parameters were handed out "
                    + "(set, loaded or given to an optimizer); call bias(...) before weight(), parameters() or loading",
                    on, on ? "add" : "remove");
            return this;
        }
        allocate(on);
        return this;
    }

    public Conv2d paddingMode(PaddingMode mode) {
        paddingMode = java.util.Objects.requireNonNull(mode, "padding mode");
        return this;
    }

    /** When on, an input whose windows do not cover it exactly is an error instead of losing border pixels. */
    public Conv2d strict(boolean on) {
        strict = on;
        return this;
    }

    public int inChannels() { return inChannels; }
    public int outChannels() { return outChannels; }
    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int dilationH() { return dilationH; }
    public int dilationW() { return dilationW; }
    public int groups() { return groups; }
    /** Padding as top, bottom, left, right. */
    public int[] padding() { return new int[] {padTop, padBottom, padLeft, padRight}; }
    public boolean isSame() { return same; }
    public boolean isStrict() { return strict; }
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
    public java.util.List<Parameter> parameters() {
        handedOut = true;
        return bias == null ? java.util.List.of(weight) : java.util.List.of(weight, bias);
    }

    private ConvGeometry geometry(Shape in) {
        Check.rank(in, 4, "Conv2d", "(N, C, H, W)");
        Check.arg(in.dim(1) == inChannels, "Conv2d", "expected %d input channels, got %d (input shape %s)", inChannels, in.dim(1), in);
        int h = in.dim(2), w = in.dim(3);
        if (paddingMode == PaddingMode.REFLECT) {
            Check.arg(Math.max(padTop, padBottom) < h && Math.max(padLeft, padRight) < w, "Conv2d",
                    "reflect padding %s must be smaller than the input %dx%d", java.util.Arrays.toString(padding()), h, w);
        } else if (paddingMode == PaddingMode.CIRCULAR) {
            Check.arg(Math.max(padTop, padBottom) <= h && Math.max(padLeft, padRight) <= w, "Conv2d",
                    "circular padding %s must not exceed the input %dx%d", java.util.Arrays.toString(padding()), h, w);
        }
        // in long: each configured value is at most 2^24, but h may be near 2^31
        long spanH = (long) dilationH * (kernelH - 1) + 1, spanW = (long) dilationW * (kernelW - 1) + 1;
        long paddedH = (long) h + padTop + padBottom, paddedW = (long) w + padLeft + padRight;
        Check.arg(spanH <= paddedH && spanW <= paddedW, "Conv2d",
                "kernel %dx%d (dilated %dx%d) is larger than the padded input %dx%d",
                kernelH, kernelW, spanH, spanW, paddedH, paddedW);
        if (strict) {
            long rh = (paddedH - spanH) % strideH, rw = (paddedW - spanW) % strideW;
            Check.arg(rh == 0 && rw == 0, "Conv2d",
                    "strict: (H + pad - kernel) / stride is not an integer for input %dx%d (kernel %dx%d, stride %dx%d, padding %s); %d rows and %d columns would be dropped",
                    h, w, kernelH, kernelW, strideH, strideW, java.util.Arrays.toString(padding()), rh, rw);
        }
        return new ConvGeometry(inChannels, h, w, kernelH, kernelW, strideH, strideW, dilationH, dilationW,
                padTop, padBottom, padLeft, padRight, paddingMode).validate("Conv2d");
    }

    @Override
    public Shape outputShape(Shape input) {
        ConvGeometry g = geometry(input);
        return Shape.of(input.dim(0), outChannels, g.oh, g.ow);
    }

    // x is (N, C, H, W), y is (N, OC, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        ConvGeometry g = geometry(x.shape());
        Tensor y = buffers.get(0, Shape.of(x.dim(0), outChannels, g.oh, g.ow));
        if (mode == Mode.EVAL && Conv.usesWinograd(g, groups, outChannels)) {
            Conv.forwardWinograd(g, x, winogradFilters(), outChannels, null, bias == null ? null : bias.value().toArray(), false, y);
            return y;
        }
        Conv.forward(g, groups, x, weight.value(), bias == null ? null : bias.value(), y);
        if (mode == Mode.TRAIN) {
            savedInput = x;
            savedGeometry = g;
        }
        return y;
    }

    /**
     * An EVAL forward with the batch norm after it (null for none, else of outChannels channels),
     * a residual sum (null for none, else a tensor of the output's shape) and a ReLU (when
     * {@code relu}) folded into the convolution: its weights scaled per output channel and its
     * bias shifted, the residual added and the ReLU applied as the output is stored
     * ({@link ConvFusion}). With a max pooling after them (groups 1, no residual), its output: each
     * task pools its images as they are computed (see {@link Conv#forward(ConvGeometry, int, Tensor,
     * Tensor, float[], float[], Tensor, boolean, ConvGeometry, Tensor)}).
     */
    Tensor forwardFolded(Tensor x, BatchNorm2d bn, Tensor residual, boolean relu, MaxPool2d pool) {
        ConvGeometry g = geometry(x.shape());
        Shape out = Shape.of(x.dim(0), outChannels, g.oh, g.ow);
        if (residual != null) Check.arg(residual.shape().equals(out), "Conv2d", "residual shape %s does not match the output shape %s", residual.shape(), out);
        boolean winograd = Conv.usesWinograd(g, groups, outChannels);
        ConvGeometry pooled = pool == null || winograd ? null : pool.geometry(out);
        Tensor y = buffers.get(0, pooled == null ? out : Shape.of(x.dim(0), outChannels, pooled.oh, pooled.ow));
        float[] scale = null, shift = bias == null ? null : bias.value().toArray();
        if (bn != null) {
            scale = new float[outChannels];
            shift = bn.fold(shift, scale);
        }
        if (!winograd) {
            Conv.forward(g, groups, x, weight.value(), scale, shift, residual, relu, pooled, y);
        } else if (residual == null) {
            Conv.forwardWinograd(g, x, winogradFilters(), outChannels, scale, shift, relu, y);
            return pool == null ? y : pool.forward(y, Mode.EVAL);
        } else {
            // the Winograd path has no residual epilogue: the sum (and ReLU) as a pass of its own
            Conv.forwardWinograd(g, x, winogradFilters(), outChannels, scale, shift, false, y);
            if (relu) Elementwise.addRelu(y, residual, y);
            else Elementwise.add(y, residual, y);
        }
        return y;
    }

    /** The weight's Winograd transform, made again when the weight's values differ from those it was made from. */
    private float[] winogradFilters() {
        Tensor w = weight.value();
        float[] d = w.data();
        int size = w.size(), at = w.offset();
        WinogradCache c = winograd;
        if (c == null || !java.util.Arrays.equals(d, at, at + size, c.source(), 0, c.source().length)) {
            float[] filters = new float[Winograd.filterSize(outChannels, inChannels)];
            Winograd.transformFilters(d, at, outChannels, inChannels, filters);
            c = new WinogradCache(java.util.Arrays.copyOfRange(d, at, at + size), filters);
            winograd = c;
        }
        return c.filters();
    }

    // dy is (N, OC, OH, OW); returns dx (N, C, H, W); dweight and dbias accumulate (SPEC 1 backward)
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
        Check.saved(savedInput, "Conv2d");
        Check.sameShape(dy, Shape.of(savedInput.dim(0), outChannels, savedGeometry.oh, savedGeometry.ow), "Conv2d");
        return savedInput.shape();
    }

    private void backward(Tensor dy, Tensor dx) {
        int need = Conv.workspaceSize(savedInput.dim(0), savedGeometry.outPlane(), weight.value().size());
        if (workspace.length < need) workspace = new float[need];
        Conv.backward(savedGeometry, groups, savedInput, weight.value(), dy, dx, weight.grad(), bias == null ? null : bias.grad(), workspace);
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Conv2d(").append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(kernelH == kernelW ? "" + kernelH : kernelH + "x" + kernelW);
        if (strideH != 1 || strideW != 1) sb.append(", stride=").append(strideH == strideW ? "" + strideH : strideH + "x" + strideW);
        if (same) sb.append(", padding=same");
        else if (padTop + padBottom + padLeft + padRight > 0) sb.append(", padding=").append(java.util.Arrays.toString(padding()));
        if (dilationH != 1 || dilationW != 1) sb.append(", dilation=").append(dilationH).append("x").append(dilationW);
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias == null) sb.append(", bias=false");
        if (paddingMode != PaddingMode.ZEROS) sb.append(", padding_mode=").append(paddingMode.name().toLowerCase());
        return sb.append(')').toString();
    }
}
