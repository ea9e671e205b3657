package org.conv4j.nn;

import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Pool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 1-D average pooling over (N, C, L), as PyTorch's {@code nn.AvgPool1d}: {@link AvgPool2d}'s rules
 * (zero padding of at most half the kernel, ceil mode, {@code count_include_pad}) on one axis, run
 * on {@link Pool}'s 2-D kernels as a map of height 1. The stride defaults to the kernel size.
 */
public final class AvgPool1d implements Layer {
    private static final String NAME = "AvgPool1d";
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int kernel;
    private int stride, padding;
    private boolean ceilMode, countIncludePad = true;

    private ConvGeometry savedGeometry;
    private Shape savedInputShape;

    public AvgPool1d(int kernel) {
        Check.positive(kernel, NAME, "kernel size");
        this.kernel = kernel;
        stride = kernel;
    }

    public AvgPool1d stride(int s) {
        Check.positive(s, NAME, "stride");
        stride = s;
        return this;
    }

    public AvgPool1d padding(int p) {
        Check.nonNegative(p, NAME, "padding");
        Check.arg(p <= kernel / 2, NAME, "padding must be at most half the kernel size, got padding %d for kernel %d", p, kernel);
        padding = p;
        return this;
    }

    public AvgPool1d ceilMode(boolean on) {
        ceilMode = on;
        return this;
    }

    /** Whether padded zeros count in the divisor (PyTorch's {@code count_include_pad}, default true). */
    public AvgPool1d countIncludePad(boolean on) {
        countIncludePad = on;
        return this;
    }

    public int kernelSize() { return kernel; }
    public int stride() { return stride; }
    public int padding() { return padding; }
    public boolean ceilMode() { return ceilMode; }
    public boolean countIncludePad() { return countIncludePad; }

    private ConvGeometry geometry(Shape in) {
        Check.rank(in, 3, NAME, "(N, C, L)");
        int l = in.dim(2);
        Check.arg(Pool.outSize(l, kernel, stride, 1, padding, ceilMode) >= 1, NAME,
                "kernel %d is longer than the padded input %d (input shape %s, padding %d)", kernel, l + 2 * padding, in, padding);
        return Pool.geometry(NAME, in.dim(1), 1, l, 1, kernel, 1, stride, 1, 1, 0, padding, ceilMode);
    }

    @Override
    public Shape outputShape(Shape input) {
        return Shape.of(input.dim(0), input.dim(1), geometry(input).ow);
    }

    // x is (N, C, L), y is (N, C, OL); both viewed with a height of 1
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        ConvGeometry g = geometry(x.shape());
        int n = x.dim(0);
        Tensor y = buffers.get(0, Shape.of(n, g.c, g.ow));
        Pool.avgForward(g, countIncludePad, x.reshape(n, g.c, 1, g.w), y.reshape(n, g.c, 1, g.ow));
        if (mode == Mode.TRAIN) {
            savedGeometry = g;
            savedInputShape = x.shape();
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedGeometry, NAME);
        ConvGeometry g = savedGeometry;
        int n = savedInputShape.dim(0);
        Check.sameShape(dy, Shape.of(n, g.c, g.ow), NAME);
        Tensor dx = buffers.get(1, savedInputShape);
        Pool.avgBackward(g, countIncludePad, dy.reshape(n, g.c, 1, g.ow), dx.reshape(n, g.c, 1, g.w));
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(NAME + "(kernel_size=").append(kernel);
        if (stride != kernel) sb.append(", stride=").append(stride);
        if (padding != 0) sb.append(", padding=").append(padding);
        if (ceilMode) sb.append(", ceil_mode=true");
        if (!countIncludePad) sb.append(", count_include_pad=false");
        return sb.append(')').toString();
    }
}
