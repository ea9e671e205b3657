package org.conv4j.nn;

import org.conv4j.kernel.Pool;
import org.conv4j.kernel.VolumeGeometry;
import org.conv4j.kernel.VolumePool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 3-D max pooling over (N, C, D, H, W), as PyTorch's {@code nn.MaxPool3d}: {@link MaxPool2d}'s
 * rules (padding read as -infinity and at most half the kernel, dilation, ceil mode, ties to the
 * first maximum) on three axes. The stride defaults to the kernel size. Runs on {@link VolumePool}.
 */
public final class MaxPool3d implements Layer {
    private static final String NAME = "MaxPool3d";
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int[] kernel;
    private int[] stride, padding = {0, 0, 0}, dilation = {1, 1, 1};
    private boolean ceilMode;

    private VolumeGeometry savedGeometry;
    private Shape savedInputShape;
    private int[] savedArgmax;

    /** A cubic window; the stride defaults to it. */
    public MaxPool3d(int kernelSize) {
        this(kernelSize, kernelSize, kernelSize);
    }

    public MaxPool3d(int kd, int kh, int kw) {
        for (int k : new int[] {kd, kh, kw}) Check.positive(k, NAME, "kernel size");
        kernel = new int[] {kd, kh, kw};
        stride = kernel.clone();
    }

    public MaxPool3d stride(int s) {
        return stride(s, s, s);
    }

    public MaxPool3d stride(int sd, int sh, int sw) {
        for (int s : new int[] {sd, sh, sw}) Check.positive(s, NAME, "stride");
        stride = new int[] {sd, sh, sw};
        return this;
    }

    public MaxPool3d padding(int p) {
        return padding(p, p, p);
    }

    /** Padding on both sides of depth, height and width; at most half the kernel size on each. */
    public MaxPool3d padding(int pd, int ph, int pw) {
        int[] p = {pd, ph, pw};
        for (int a = 0; a < 3; a++) {
            Check.nonNegative(p[a], NAME, "padding");
            Check.arg(p[a] <= kernel[a] / 2, NAME, "padding must be at most half the kernel size, got padding %s for kernel %s",
                    java.util.Arrays.toString(p), java.util.Arrays.toString(kernel));
        }
        padding = p;
        return this;
    }

    public MaxPool3d dilation(int d) {
        return dilation(d, d, d);
    }

    public MaxPool3d dilation(int dd, int dh, int dw) {
        for (int d : new int[] {dd, dh, dw}) Check.positive(d, NAME, "dilation");
        dilation = new int[] {dd, dh, dw};
        return this;
    }

    public MaxPool3d ceilMode(boolean on) {
        ceilMode = on;
        return this;
    }

    /** Kernel size as depth, height, width (likewise the other triples). */
    public int[] kernelSize() { return kernel.clone(); }
    public int[] stride() { return stride.clone(); }
    public int[] padding() { return padding.clone(); }
    public int[] dilation() { return dilation.clone(); }
    public boolean ceilMode() { return ceilMode; }

    private VolumeGeometry geometry(Shape in) {
        Check.rank(in, 5, NAME, "(N, C, D, H, W)");
        int[] out = new int[3];
        for (int a = 0; a < 3; a++) {
            int size = in.dim(2 + a);
            out[a] = Pool.outSize(size, kernel[a], stride[a], dilation[a], padding[a], ceilMode);
            Check.arg(out[a] >= 1, NAME, "kernel %s (dilation %s) is larger than the padded input along %s (input shape %s, padding %s)",
                    java.util.Arrays.toString(kernel), java.util.Arrays.toString(dilation), "DHW".charAt(a), in, java.util.Arrays.toString(padding));
            int bad = VolumePool.emptyWindow(out[a], size, kernel[a], stride[a], dilation[a], padding[a]);
            Check.arg(bad < 0, NAME, "a window covers no input element (output index %d along %s; kernel %s, dilation %s, padding %s, input shape %s)",
                    bad, "DHW".charAt(a), java.util.Arrays.toString(kernel), java.util.Arrays.toString(dilation), java.util.Arrays.toString(padding), in);
        }
        return new VolumeGeometry(in.dim(1), in.dim(2), in.dim(3), in.dim(4), kernel[0], kernel[1], kernel[2],
                stride[0], stride[1], stride[2], dilation[0], dilation[1], dilation[2], padding[0], padding[1], padding[2],
                out[0], out[1], out[2]);
    }

    private static Shape outputShape(int n, VolumeGeometry g) {
        return Shape.of(n, g.c(), g.od(), g.oh(), g.ow());
    }

    @Override
    public Shape outputShape(Shape input) {
        return outputShape(input.dim(0), geometry(input));
    }

    // x is (N, C, D, H, W), y is (N, C, OD, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        VolumeGeometry g = geometry(x.shape());
        Tensor y = buffers.get(0, outputShape(x.dim(0), g));
        int[] argmax = null;
        if (mode == Mode.TRAIN) argmax = savedArgmax != null && savedArgmax.length == y.size() ? savedArgmax : new int[y.size()];
        VolumePool.maxForward(g, x, y, argmax);
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
        Check.sameShape(dy, outputShape(savedInputShape.dim(0), savedGeometry), NAME);
        Tensor dx = buffers.get(1, savedInputShape);
        VolumePool.maxBackward(savedGeometry, dy, savedArgmax, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(NAME + "(kernel_size=").append(Conv3d.triple(kernel));
        if (!java.util.Arrays.equals(stride, kernel)) sb.append(", stride=").append(Conv3d.triple(stride));
        if (padding[0] + padding[1] + padding[2] > 0) sb.append(", padding=").append(Conv3d.triple(padding));
        if (dilation[0] * dilation[1] * dilation[2] != 1) sb.append(", dilation=").append(Conv3d.triple(dilation));
        if (ceilMode) sb.append(", ceil_mode=true");
        return sb.append(')').toString();
    }
}
