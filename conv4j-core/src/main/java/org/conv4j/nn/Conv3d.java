package org.conv4j.nn;

import java.util.List;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.VolumeConv;
import org.conv4j.kernel.VolumeGeometry;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 3-D convolution (cross-correlation) over (N, C, D, H, W) with zero padding, as PyTorch's
 * {@code nn.Conv3d} (video, volumes): weight (OC, C/groups, KD, KH, KW), bias (OC), output
 * (N, OC, OD, OH, OW) with {@code OD = floor((D + 2*pd - dd*(KD-1) - 1) / sd) + 1} (same for H
 * and W). Default initialization: PyTorch's, U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn =
 * C/groups*KD*KH*KW. As in Conv2d, {@link #groups(int)} and {@link #bias(boolean)} draw the
 * parameters afresh until they are handed out. Runs on {@link VolumeConv} (vol2col and GEMM).
 */
public final class Conv3d implements Layer {
    private static final String NAME = "Conv3d";
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int inChannels, outChannels;
    private final int[] kernel;
    private int[] stride = {1, 1, 1}, padding = {0, 0, 0}, dilation = {1, 1, 1};
    private int groups = 1;
    private Parameter weight, bias;
    private boolean handedOut;

    private Tensor savedInput;
    private VolumeGeometry savedGeometry;

    /** A cubic kernel. */
    public Conv3d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, kernelSize, kernelSize);
    }

    public Conv3d(int inChannels, int outChannels, int kd, int kh, int kw) {
        Check.positive(inChannels, NAME, "in_channels");
        Check.positive(outChannels, NAME, "out_channels");
        kernel = positive("kernel size", kd, kh, kw);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        allocate(true);
    }

    private static int[] positive(String what, int... v) {
        for (int x : v) Check.positive(x, NAME, what);
        return v;
    }

    private void allocate(boolean withBias) {
        var rng = Init.nextGenerator();
        int fanIn = inChannels / groups * kernel[0] * kernel[1] * kernel[2];
        Tensor w = Tensor.zeros(outChannels, inChannels / groups, kernel[0], kernel[1], kernel[2]);
        Init.pytorchDefault(w, fanIn, rng);
        weight = Parameter.trainable("weight", w);
        bias = null;
        if (withBias) {
            Tensor b = Tensor.zeros(outChannels);
            Init.pytorchDefault(b, fanIn, rng);
            bias = Parameter.trainable("bias", b);
        }
    }

    public Conv3d stride(int s) {
        return stride(s, s, s);
    }

    public Conv3d stride(int sd, int sh, int sw) {
        stride = positive("stride", sd, sh, sw);
        return this;
    }

    public Conv3d padding(int p) {
        return padding(p, p, p);
    }

    /** Zero padding on both sides of each axis: depth, height, width. */
    public Conv3d padding(int pd, int ph, int pw) {
        for (int p : new int[] {pd, ph, pw}) Check.nonNegative(p, NAME, "padding");
        padding = new int[] {pd, ph, pw};
        return this;
    }

    public Conv3d dilation(int d) {
        return dilation(d, d, d);
    }

    public Conv3d dilation(int dd, int dh, int dw) {
        dilation = positive("dilation", dd, dh, dw);
        return this;
    }

    /** Splits channels into groups; the weight's shape depends on it (see the class comment). */
    public Conv3d groups(int g) {
        Check.positive(g, NAME, "groups");
        Check.arg(inChannels % g == 0, NAME, "in_channels (%d) must be divisible by groups (%d)", inChannels, g);
        Check.arg(outChannels % g == 0, NAME, "out_channels (%d) must be divisible by groups (%d)", outChannels, g);
        if (handedOut) {
            Check.state(g == groups, NAME, "groups(%d) would change the weight from %s to %s after the parameters were handed out"
                    + " (set, loaded or given to an optimizer); call groups(...) before weight(), parameters() or loading",
                    g, weight.value().shape(), Shape.of(outChannels, inChannels / g, kernel[0], kernel[1], kernel[2]));
            return this;
        }
        groups = g;
        allocate(bias != null);
        return this;
    }

    public Conv3d bias(boolean on) {
        if (handedOut) {
            Check.state(on == (bias != null), NAME, "bias(%s) would %s the bias after the parameters were handed out "
                    + "(set, loaded or given to an optimizer); call bias(...) before weight(), parameters() or loading",
                    on, on ? "add" : "remove");
            return this;
        }
        allocate(on);
        return this;
    }

    public int inChannels() { return inChannels; }
    public int outChannels() { return outChannels; }
    /** Kernel size as depth, height, width (likewise the other triples). */
    public int[] kernelSize() { return kernel.clone(); }
    public int[] stride() { return stride.clone(); }
    public int[] padding() { return padding.clone(); }
    public int[] dilation() { return dilation.clone(); }
    public int groups() { return groups; }
    public boolean hasBias() { return bias != null; }

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

    private VolumeGeometry geometry(Shape in) {
        Check.rank(in, 5, NAME, "(N, C, D, H, W)");
        Check.arg(in.dim(1) == inChannels, NAME, "expected %d input channels, got %d (input shape %s)", inChannels, in.dim(1), in);
        int[] out = new int[3];
        for (int a = 0; a < 3; a++) {
            int size = in.dim(2 + a), span = dilation[a] * (kernel[a] - 1) + 1;
            Check.arg(span <= size + 2 * padding[a], NAME, "kernel %s (dilated span %d) is larger than the padded input along %s"
                    + " (input shape %s, padding %s)", java.util.Arrays.toString(kernel), span, "DHW".charAt(a), in, java.util.Arrays.toString(padding));
            out[a] = ConvGeometry.outSize(size, kernel[a], stride[a], dilation[a], 2 * padding[a], false);
        }
        return new VolumeGeometry(inChannels, in.dim(2), in.dim(3), in.dim(4), kernel[0], kernel[1], kernel[2],
                stride[0], stride[1], stride[2], dilation[0], dilation[1], dilation[2], padding[0], padding[1], padding[2],
                out[0], out[1], out[2]);
    }

    private Shape outputShape(int n, VolumeGeometry g) {
        return Shape.of(n, outChannels, g.od(), g.oh(), g.ow());
    }

    @Override
    public Shape outputShape(Shape input) {
        return outputShape(input.dim(0), geometry(input));
    }

    // x is (N, C, D, H, W), y is (N, OC, OD, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        VolumeGeometry g = geometry(x.shape());
        Tensor y = buffers.get(0, outputShape(x.dim(0), g));
        VolumeConv.forward(g, groups, x, weight.value(), bias == null ? null : bias.value(), y);
        if (mode == Mode.TRAIN) {
            savedInput = x;
            savedGeometry = g;
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Tensor dx = buffers.get(1, checkedInputShape(dy));
        VolumeConv.backward(savedGeometry, groups, savedInput, weight.value(), dy, dx, weight.grad(), bias == null ? null : bias.grad());
        return dx;
    }

    @Override
    public void backwardParameters(Tensor dy) {
        checkedInputShape(dy);
        VolumeConv.backward(savedGeometry, groups, savedInput, weight.value(), dy, null, weight.grad(), bias == null ? null : bias.grad());
    }

    private Shape checkedInputShape(Tensor dy) {
        Check.saved(savedInput, NAME);
        Check.sameShape(dy, outputShape(savedInput.dim(0), savedGeometry), NAME);
        return savedInput.shape();
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    /** "3" for equal values, "(1, 2, 3)" otherwise, as PyTorch prints them. */
    static String triple(int[] v) {
        return v[0] == v[1] && v[1] == v[2] ? Integer.toString(v[0]) : "(" + v[0] + ", " + v[1] + ", " + v[2] + ")";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(NAME + "(").append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(triple(kernel));
        if (stride[0] * stride[1] * stride[2] != 1) sb.append(", stride=").append(triple(stride));
        if (padding[0] + padding[1] + padding[2] > 0) sb.append(", padding=").append(triple(padding));
        if (dilation[0] * dilation[1] * dilation[2] != 1) sb.append(", dilation=").append(triple(dilation));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias == null) sb.append(", bias=false");
        return sb.append(')').toString();
    }
}
