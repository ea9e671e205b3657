package org.conv4j.nn;

import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Pool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 2-D average (mean) pooling, as PyTorch's {@code nn.AvgPool2d}. Input (N, C, H, W), output
 * (N, C, OH, OW), no parameters (SPEC 1):
 * <pre>
 *   OH = floor((H + 2*ph - (KH-1) - 1 + (ceil ? sh-1 : 0)) / sh) + 1
 *   y[n, c, oy, ox] = sum of x over the window / divisor
 * </pre>
 * (same for W); in ceil mode a last window that would start at or past {@code H + ph} is dropped.
 * The window {@code [oy*sh - ph, oy*sh - ph + KH)} is clipped to the padded input
 * {@code [-ph, H + ph)} (ceil mode may run past it); the divisor is that clipped window's size
 * when {@code countIncludePad} (the default, padding counted as zeros) and the number of input
 * elements in it otherwise, as PyTorch's {@code avg_pool2d}. The stride defaults to the kernel
 * size; padding must be at most half the kernel size. Backward spreads each gradient evenly,
 * {@code dy / divisor}, over the window's input elements (SPEC 1).
 */
public final class AvgPool2d implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int kernelH, kernelW;
    private int strideH, strideW, paddingH, paddingW;
    private boolean ceilMode, countIncludePad = true;

    private ConvGeometry savedGeometry;
    private Shape savedInputShape;

    /** A square window; the stride defaults to it. */
    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize);
    }

    public AvgPool2d(int kernelH, int kernelW) {
        Check.extent(kernelH, "AvgPool2d", "kernel height");
        Check.extent(kernelW, "AvgPool2d", "kernel width");
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        strideH = kernelH;
        strideW = kernelW;
    }

    public AvgPool2d stride(int s) {
        return stride(s, s);
    }

    public AvgPool2d stride(int sh, int sw) {
        Check.extent(sh, "AvgPool2d", "stride");
        Check.extent(sw, "AvgPool2d", "stride");
        strideH = sh;
        strideW = sw;
        return this;
    }

    public AvgPool2d padding(int p) {
        return padding(p, p);
    }

    /** Symmetric zero padding, rows {@code ph} top and bottom, columns {@code pw} left and right. */
    public AvgPool2d padding(int ph, int pw) {
        Check.padding(ph, "AvgPool2d");
        Check.padding(pw, "AvgPool2d");
        Check.arg(ph <= kernelH / 2 && pw <= kernelW / 2, "AvgPool2d",
                "padding must be at most half the kernel size, got padding %dx%d for kernel %dx%d", ph, pw, kernelH, kernelW);
        paddingH = ph;
        paddingW = pw;
        return this;
    }

    /** Ceil instead of floor in the output size (PyTorch's {@code ceil_mode}). */
    public AvgPool2d ceilMode(boolean on) {
        ceilMode = on;
        return this;
    }

    /** Whether padded zeros count in the divisor (PyTorch's {@code count_include_pad}, default true). */
    public AvgPool2d countIncludePad(boolean on) {
        countIncludePad = on;
        return this;
    }

    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int paddingH() { return paddingH; }
    public int paddingW() { return paddingW; }
    public boolean ceilMode() { return ceilMode; }
    public boolean countIncludePad() { return countIncludePad; }

    private ConvGeometry geometry(Shape in) {
        Check.rank(in, 4, "AvgPool2d", "(N, C, H, W)");
        return Pool.geometry("AvgPool2d", in.dim(1), in.dim(2), in.dim(3), kernelH, kernelW, strideH, strideW,
                1, 1, paddingH, paddingW, ceilMode);
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
        Pool.avgForward(g, countIncludePad, x, y);
        if (mode == Mode.TRAIN) {
            savedGeometry = g;
            savedInputShape = x.shape();
        }
        return y;
    }

    // dy is (N, C, OH, OW); returns dx (N, C, H, W), each dy spread evenly over its window (SPEC 1)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedGeometry, "AvgPool2d");
        ConvGeometry g = savedGeometry;
        Check.sameShape(dy, Shape.of(savedInputShape.dim(0), g.c, g.oh, g.ow), "AvgPool2d");
        Tensor dx = buffers.get(1, savedInputShape);
        Pool.avgBackward(g, countIncludePad, dy, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AvgPool2d(kernel_size=").append(MaxPool2d.pair(kernelH, kernelW));
        if (strideH != kernelH || strideW != kernelW) sb.append(", stride=").append(MaxPool2d.pair(strideH, strideW));
        if (paddingH != 0 || paddingW != 0) sb.append(", padding=").append(MaxPool2d.pair(paddingH, paddingW));
        if (ceilMode) sb.append(", ceil_mode=true");
        if (!countIncludePad) sb.append(", count_include_pad=false");
        return sb.append(')').toString();
    }
}
