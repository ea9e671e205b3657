package org.conv4j.nn;

import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Pool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 2-D max pooling, as PyTorch's {@code nn.MaxPool2d}: {@code y[n, c, oy, ox]} is the maximum of
 * {@code x[n, c, oy*sh - ph + ki*dh, ox*sw - pw + kj*dw]} over the {@code KH x KW} window, with
 * padding read as -infinity. Input (N, C, H, W), output (N, C, OH, OW), no parameters (SPEC 1):
 * <pre>
 *   OH = floor((H + 2*ph - dh*(KH-1) - 1 + (ceil ? sh-1 : 0)) / sh) + 1
 * </pre>
 * (same for W); in ceil mode a last window that would start at or past {@code H + ph} is dropped.
 * The stride defaults to the kernel size, so a 2x2 pool halves H and W and keeps C. Padding must
 * be at most half the kernel size ({@code ph <= KH/2}), as PyTorch requires.
 *
 * <p>Ties go to the first maximal element in window order (row by row); a NaN in the window
 * gives NaN. Backward routes each gradient to the arg-max recorded in the TRAIN forward.
 */
public final class MaxPool2d implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int kernelH, kernelW;
    private int strideH, strideW, paddingH, paddingW, dilationH = 1, dilationW = 1;
    private boolean ceilMode;

    private ConvGeometry savedGeometry;
    private Shape savedInputShape;
    private int[] savedArgmax;

    /** A square window; the stride defaults to it. */
    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize);
    }

    public MaxPool2d(int kernelH, int kernelW) {
        Check.extent(kernelH, "MaxPool2d", "kernel height");
        Check.extent(kernelW, "MaxPool2d", "kernel width");
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        strideH = kernelH;
        strideW = kernelW;
    }

    public MaxPool2d stride(int s) {
        return stride(s, s);
    }

    public MaxPool2d stride(int sh, int sw) {
        Check.extent(sh, "MaxPool2d", "stride");
        Check.extent(sw, "MaxPool2d", "stride");
        strideH = sh;
        strideW = sw;
        return this;
    }

    public MaxPool2d padding(int p) {
        return padding(p, p);
    }

    /** Symmetric padding, rows {@code ph} top and bottom, columns {@code pw} left and right. */
    public MaxPool2d padding(int ph, int pw) {
        Check.padding(ph, "MaxPool2d");
        Check.padding(pw, "MaxPool2d");
        Check.arg(ph <= kernelH / 2 && pw <= kernelW / 2, "MaxPool2d",
                "padding must be at most half the kernel size, got padding %dx%d for kernel %dx%d", ph, pw, kernelH, kernelW);
        paddingH = ph;
        paddingW = pw;
        return this;
    }

    public MaxPool2d dilation(int d) {
        return dilation(d, d);
    }

    public MaxPool2d dilation(int dh, int dw) {
        Check.extent(dh, "MaxPool2d", "dilation");
        Check.extent(dw, "MaxPool2d", "dilation");
        Check.span(dh, kernelH, "MaxPool2d", "dilated kernel height:");
        Check.span(dw, kernelW, "MaxPool2d", "dilated kernel width:");
        dilationH = dh;
        dilationW = dw;
        return this;
    }

    /** Ceil instead of floor in the output size (PyTorch's {@code ceil_mode}). */
    public MaxPool2d ceilMode(boolean on) {
        ceilMode = on;
        return this;
    }

    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int paddingH() { return paddingH; }
    public int paddingW() { return paddingW; }
    public int dilationH() { return dilationH; }
    public int dilationW() { return dilationW; }
    public boolean ceilMode() { return ceilMode; }

    ConvGeometry geometry(Shape in) {
        Check.rank(in, 4, "MaxPool2d", "(N, C, H, W)");
        return Pool.geometry("MaxPool2d", in.dim(1), in.dim(2), in.dim(3), kernelH, kernelW, strideH, strideW,
                dilationH, dilationW, paddingH, paddingW, ceilMode);
    }

    @Override
    public Shape outputShape(Shape input) {
        ConvGeometry g = geometry(input);
        return Shape.of(input.dim(0), input.dim(1), g.oh, g.ow);
    }

    // x is (N, C, H, W), y is (N, C, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        ConvGeometry g = geometry(x.shape());
        Tensor y = buffers.get(0, Shape.of(x.dim(0), g.c, g.oh, g.ow));
        int[] argmax = null;
        if (mode == Mode.TRAIN) {
            // reuse the arg-max buffer between steps when the size allows
            argmax = savedArgmax != null && savedArgmax.length == y.size() ? savedArgmax : new int[y.size()];
        }
        Pool.maxForward(g, x, y, argmax);
        if (mode == Mode.TRAIN) {
            savedArgmax = argmax;
            savedGeometry = g;
            savedInputShape = x.shape();
        }
        return y;
    }

    // dy is (N, C, OH, OW); returns dx (N, C, H, W), dy routed to the recorded arg-max (SPEC 1)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedArgmax, "MaxPool2d");
        ConvGeometry g = savedGeometry;
        Check.sameShape(dy, Shape.of(savedInputShape.dim(0), g.c, g.oh, g.ow), "MaxPool2d");
        Tensor dx = buffers.get(1, savedInputShape);
        Pool.maxBackward(g, dy, savedArgmax, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MaxPool2d(kernel_size=").append(pair(kernelH, kernelW));
        if (strideH != kernelH || strideW != kernelW) sb.append(", stride=").append(pair(strideH, strideW));
        if (paddingH != 0 || paddingW != 0) sb.append(", padding=").append(pair(paddingH, paddingW));
        if (dilationH != 1 || dilationW != 1) sb.append(", dilation=").append(pair(dilationH, dilationW));
        if (ceilMode) sb.append(", ceil_mode=true");
        return sb.append(')').toString();
    }

    /** "2" for a square pair, "(2, 3)" otherwise, as PyTorch prints them. */
    static String pair(int a, int b) {
        return a == b ? Integer.toString(a) : "(" + a + ", " + b + ")";
    }
}
