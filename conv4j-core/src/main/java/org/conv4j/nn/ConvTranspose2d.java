package org.conv4j.nn;

import java.util.List;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.ConvTranspose;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 2-D transposed convolution, as PyTorch's {@code nn.ConvTranspose2d}: the adjoint of a
 * {@link Conv2d} with the same kernel, stride, padding, dilation and groups, used to upsample
 * learned maps. Input (N, IC, H, W), weight (IC, OC/groups, KH, KW) (PyTorch's layout), bias
 * (OC), output (N, OC, OH, OW) with
 * <pre>
 *   OH = (H - 1)*sh - 2*ph + dh*(KH - 1) + output_padding_h + 1
 * </pre>
 * (same for W). {@code output_padding} adds rows and columns at the bottom and right only, to
 * pick among the output sizes a strided convolution maps to the same size; as PyTorch, it must
 * be smaller than the stride or the dilation. Default initialization: PyTorch's,
 * U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with fanIn = (OC/groups)*KH*KW (PyTorch reads the
 * transposed weight's second dimension as the fan-in).
 *
 * <p>As in {@link Conv2d}, {@link #groups(int)} and {@link #bias(boolean)} draw the parameters
 * afresh until they are handed out; after that a call that would change their shapes fails.
 */
public final class ConvTranspose2d implements Layer {
    private static final String NAME = "ConvTranspose2d";
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int inChannels, outChannels, kernelH, kernelW;
    private int strideH = 1, strideW = 1, paddingH, paddingW, outputPaddingH, outputPaddingW, dilationH = 1, dilationW = 1, groups = 1;
    private Parameter weight, bias;
    private boolean handedOut;

    private Tensor savedInput;
    private ConvGeometry savedGeometry;
    private float[] workspace = new float[0];

    /** A square kernel. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, kernelSize);
    }

    public ConvTranspose2d(int inChannels, int outChannels, int kernelH, int kernelW) {
        Check.positive(inChannels, NAME, "in_channels");
        Check.positive(outChannels, NAME, "out_channels");
        Check.positive(kernelH, NAME, "kernel height");
        Check.positive(kernelW, NAME, "kernel width");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        allocate(true);
    }

    private void allocate(boolean withBias) {
        var rng = Init.nextGenerator();
        int fanIn = outChannels / groups * kernelH * kernelW;
        Tensor w = Tensor.zeros(inChannels, outChannels / groups, kernelH, kernelW);
        Init.pytorchDefault(w, fanIn, rng);
        weight = Parameter.trainable("weight", w);
        bias = null;
        if (withBias) {
            Tensor b = Tensor.zeros(outChannels);
            Init.pytorchDefault(b, fanIn, rng);
            bias = Parameter.trainable("bias", b);
        }
    }

    public ConvTranspose2d stride(int s) {
        return stride(s, s);
    }

    public ConvTranspose2d stride(int sh, int sw) {
        Check.positive(sh, NAME, "stride");
        Check.positive(sw, NAME, "stride");
        strideH = sh;
        strideW = sw;
        return this;
    }

    public ConvTranspose2d padding(int p) {
        return padding(p, p);
    }

    /** Symmetric padding: {@code ph} rows top and bottom, {@code pw} columns left and right (removed from the output). */
    public ConvTranspose2d padding(int ph, int pw) {
        Check.nonNegative(ph, NAME, "padding");
        Check.nonNegative(pw, NAME, "padding");
        paddingH = ph;
        paddingW = pw;
        return this;
    }

    public ConvTranspose2d outputPadding(int p) {
        return outputPadding(p, p);
    }

    /** Extra rows at the bottom and columns at the right of the output; checked against stride and dilation at the first use. */
    public ConvTranspose2d outputPadding(int ph, int pw) {
        Check.nonNegative(ph, NAME, "output_padding");
        Check.nonNegative(pw, NAME, "output_padding");
        outputPaddingH = ph;
        outputPaddingW = pw;
        return this;
    }

    public ConvTranspose2d dilation(int d) {
        return dilation(d, d);
    }

    public ConvTranspose2d dilation(int dh, int dw) {
        Check.positive(dh, NAME, "dilation");
        Check.positive(dw, NAME, "dilation");
        dilationH = dh;
        dilationW = dw;
        return this;
    }

    /** Splits channels into groups; the weight's shape depends on it (see the class comment). */
    public ConvTranspose2d groups(int g) {
        Check.positive(g, NAME, "groups");
        Check.arg(inChannels % g == 0, NAME, "in_channels (%d) must be divisible by groups (%d)", inChannels, g);
        Check.arg(outChannels % g == 0, NAME, "out_channels (%d) must be divisible by groups (%d)", outChannels, g);
        if (handedOut) {
            Check.state(g == groups, NAME, "groups(%d) would change the weight from %s to %s after the parameters were handed out"
                    + " (set, loaded or given to an optimizer); call groups(...) before weight(), parameters() or loading",
                    g, weight.value().shape(), Shape.of(inChannels, outChannels / g, kernelH, kernelW));
            return this;
        }
        groups = g;
        allocate(bias != null);
        return this;
    }

    /** Whether the layer has a bias; see the class comment. */
    public ConvTranspose2d bias(boolean on) {
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
    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int paddingH() { return paddingH; }
    public int paddingW() { return paddingW; }
    public int outputPaddingH() { return outputPaddingH; }
    public int outputPaddingW() { return outputPaddingW; }
    public int dilationH() { return dilationH; }
    public int dilationW() { return dilationW; }
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

    // the geometry of the convolution this layer transposes: from the output (OC, OH, OW) back to the input (IC, H, W)
    private ConvGeometry geometry(Shape in) {
        Check.rank(in, 4, NAME, "(N, C, H, W)");
        Check.arg(in.dim(1) == inChannels, NAME, "expected %d input channels, got %d (input shape %s)", inChannels, in.dim(1), in);
        Check.arg((outputPaddingH < strideH || outputPaddingH < dilationH) && (outputPaddingW < strideW || outputPaddingW < dilationW), NAME,
                "output_padding must be smaller than either stride or dilation, got output_padding %dx%d, stride %dx%d, dilation %dx%d",
                outputPaddingH, outputPaddingW, strideH, strideW, dilationH, dilationW);
        int h = in.dim(2), w = in.dim(3);
        long oh = (long) (h - 1) * strideH - 2L * paddingH + (long) dilationH * (kernelH - 1) + outputPaddingH + 1;
        long ow = (long) (w - 1) * strideW - 2L * paddingW + (long) dilationW * (kernelW - 1) + outputPaddingW + 1;
        Check.arg(oh > 0 && ow > 0 && oh <= Integer.MAX_VALUE && ow <= Integer.MAX_VALUE, NAME,
                "input %dx%d gives an output of %dx%d (kernel %dx%d, stride %dx%d, padding %dx%d, dilation %dx%d, output_padding %dx%d)",
                h, w, oh, ow, kernelH, kernelW, strideH, strideW, paddingH, paddingW, dilationH, dilationW, outputPaddingH, outputPaddingW);
        Check.arg((long) outChannels * oh * ow <= Integer.MAX_VALUE, NAME, "output %dx%dx%d per image is too large", outChannels, oh, ow);
        // explicit sizes: with output_padding >= stride the convolution would see one more row or column of windows
        return new ConvGeometry(outChannels, (int) oh, (int) ow, kernelH, kernelW, strideH, strideW, dilationH, dilationW,
                paddingH, paddingH, paddingW, paddingW, PaddingMode.ZEROS, h, w);
    }

    @Override
    public Shape outputShape(Shape input) {
        ConvGeometry g = geometry(input);
        return Shape.of(input.dim(0), outChannels, g.h, g.w);
    }

    // x is (N, IC, H, W), y is (N, OC, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        ConvGeometry g = geometry(x.shape());
        Tensor y = buffers.get(0, Shape.of(x.dim(0), outChannels, g.h, g.w));
        ConvTranspose.forward(g, groups, x, weight.value(), bias == null ? null : bias.value(), y);
        if (mode == Mode.TRAIN) {
            savedInput = x;
            savedGeometry = g;
        }
        return y;
    }

    // dy is (N, OC, OH, OW); returns dx (N, IC, H, W); dweight and dbias accumulate
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
        Check.sameShape(dy, Shape.of(savedInput.dim(0), outChannels, savedGeometry.h, savedGeometry.w), NAME);
        return savedInput.shape();
    }

    private void backward(Tensor dy, Tensor dx) {
        int need = ConvTranspose.workspaceSize(savedGeometry, dy.dim(0), weight.value().size());
        if (workspace.length < need) workspace = new float[need];
        ConvTranspose.backward(savedGeometry, groups, savedInput, weight.value(), dy, dx, weight.grad(),
                bias == null ? null : bias.grad(), workspace);
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(NAME + "(").append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(MaxPool2d.pair(kernelH, kernelW));
        if (strideH != 1 || strideW != 1) sb.append(", stride=").append(MaxPool2d.pair(strideH, strideW));
        if (paddingH != 0 || paddingW != 0) sb.append(", padding=").append(MaxPool2d.pair(paddingH, paddingW));
        if (outputPaddingH != 0 || outputPaddingW != 0) sb.append(", output_padding=").append(MaxPool2d.pair(outputPaddingH, outputPaddingW));
        if (dilationH != 1 || dilationW != 1) sb.append(", dilation=").append(MaxPool2d.pair(dilationH, dilationW));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias == null) sb.append(", bias=false");
        return sb.append(')').toString();
    }
}
