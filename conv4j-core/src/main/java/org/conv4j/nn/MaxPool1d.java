package org.conv4j.nn;

import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Pool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 1-D max pooling over (N, C, L), as PyTorch's {@code nn.MaxPool1d}: {@link MaxPool2d}'s rules
 * (padding read as -infinity and at most half the kernel, dilation, ceil mode, ties to the first
 * maximum) on one axis, run on {@link Pool}'s 2-D kernels as a map of height 1. The stride
 * defaults to the kernel size.
 */
public final class MaxPool1d implements Layer {
    private static final String NAME = "MaxPool1d";
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int kernel;
    private int stride, padding, dilation = 1;
    private boolean ceilMode;

    private ConvGeometry savedGeometry;
    private Shape savedInputShape;
    private int[] savedArgmax;

    public MaxPool1d(int kernel) {
        Check.positive(kernel, NAME, "kernel size");
        this.kernel = kernel;
        stride = kernel;
    }

    public MaxPool1d stride(int s) {
        Check.positive(s, NAME, "stride");
        stride = s;
        return this;
    }

    public MaxPool1d padding(int p) {
        Check.nonNegative(p, NAME, "padding");
        Check.arg(p <= kernel / 2, NAME, "padding must be at most half the kernel size, got padding %d for kernel %d", p, kernel);
        padding = p;
        return this;
    }

    public MaxPool1d dilation(int d) {
        Check.positive(d, NAME, "dilation");
        dilation = d;
        return this;
    }

    public MaxPool1d ceilMode(boolean on) {
        ceilMode = on;
        return this;
    }

    public int kernelSize() { return kernel; }
    public int stride() { return stride; }
    public int padding() { return padding; }
    public int dilation() { return dilation; }
    public boolean ceilMode() { return ceilMode; }

    private ConvGeometry geometry(Shape in) {
        Check.rank(in, 3, NAME, "(N, C, L)");
        int l = in.dim(2);
        Check.arg(Pool.outSize(l, kernel, stride, dilation, padding, ceilMode) >= 1, NAME,
                "kernel %d (dilated %d) is longer than the padded input %d (input shape %s, padding %d)",
                kernel, dilation * (kernel - 1) + 1, l + 2 * padding, in, padding);
        return Pool.geometry(NAME, in.dim(1), 1, l, 1, kernel, 1, stride, 1, dilation, 0, padding, ceilMode);
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
        int[] argmax = null;
        if (mode == Mode.TRAIN) argmax = savedArgmax != null && savedArgmax.length == y.size() ? savedArgmax : new int[y.size()];
        Pool.maxForward(g, x.reshape(n, g.c, 1, g.w), y.reshape(n, g.c, 1, g.ow), argmax);
        if (mode == Mode.TRAIN) {
            savedArgmax = argmax;
            savedGeometry = g;
            savedInputShape = x.shape();
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedArgmax, NAME);
        ConvGeometry g = savedGeometry;
        int n = savedInputShape.dim(0);
        Check.sameShape(dy, Shape.of(n, g.c, g.ow), NAME);
        Tensor dx = buffers.get(1, savedInputShape);
        Pool.maxBackward(g, dy.reshape(n, g.c, 1, g.ow), savedArgmax, dx.reshape(n, g.c, 1, g.w));
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
        if (dilation != 1) sb.append(", dilation=").append(dilation);
        if (ceilMode) sb.append(", ceil_mode=true");
        return sb.append(')').toString();
    }
}
