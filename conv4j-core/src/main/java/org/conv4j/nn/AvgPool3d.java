package org.conv4j.nn;

import org.conv4j.kernel.Pool;
import org.conv4j.kernel.VolumeGeometry;
import org.conv4j.kernel.VolumePool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 3-D average pooling over (N, C, D, H, W), as PyTorch's {@code nn.AvgPool3d}: {@link AvgPool2d}'s
 * rules (zero padding of at most half the kernel, ceil mode, {@code count_include_pad}) on three
 * axes. The stride defaults to the kernel size. Runs on {@link VolumePool}.
 */
public final class AvgPool3d implements Layer {
    private static final String NAME = "AvgPool3d";
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int[] kernel;
    private int[] stride, padding = {0, 0, 0};
    private boolean ceilMode, countIncludePad = true;

    private VolumeGeometry savedGeometry;
    private Shape savedInputShape;

    /** A cubic window; the stride defaults to it. */
    public AvgPool3d(int kernelSize) {
        this(kernelSize, kernelSize, kernelSize);
    }

    public AvgPool3d(int kd, int kh, int kw) {
        for (int k : new int[] {kd, kh, kw}) Check.positive(k, NAME, "kernel size");
        kernel = new int[] {kd, kh, kw};
        stride = kernel.clone();
    }

    public AvgPool3d stride(int s) {
        return stride(s, s, s);
    }

    public AvgPool3d stride(int sd, int sh, int sw) {
        for (int s : new int[] {sd, sh, sw}) Check.positive(s, NAME, "stride");
        stride = new int[] {sd, sh, sw};
        return this;
    }

    public AvgPool3d padding(int p) {
        return padding(p, p, p);
    }

    /** Zero padding on both sides of depth, height and width; at most half the kernel size on each. */
    public AvgPool3d padding(int pd, int ph, int pw) {
        int[] p = {pd, ph, pw};
        for (int a = 0; a < 3; a++) {
            Check.nonNegative(p[a], NAME, "padding");
            Check.arg(p[a] <= kernel[a] / 2, NAME, "padding must be at most half the kernel size, got padding %s for kernel %s",
                    java.util.Arrays.toString(p), java.util.Arrays.toString(kernel));
        }
        padding = p;
        return this;
    }

    public AvgPool3d ceilMode(boolean on) {
        ceilMode = on;
        return this;
    }

    /** Whether padded zeros count in the divisor (PyTorch's {@code count_include_pad}, default true). */
    public AvgPool3d countIncludePad(boolean on) {
        countIncludePad = on;
        return this;
    }

    /** Kernel size as depth, height, width (likewise the other triples). */
    public int[] kernelSize() { return kernel.clone(); }
    public int[] stride() { return stride.clone(); }
    public int[] padding() { return padding.clone(); }
    public boolean ceilMode() { return ceilMode; }
    public boolean countIncludePad() { return countIncludePad; }

    private VolumeGeometry geometry(Shape in) {
        Check.rank(in, 5, NAME, "(N, C, D, H, W)");
        int[] out = new int[3];
        for (int a = 0; a < 3; a++) {
            out[a] = Pool.outSize(in.dim(2 + a), kernel[a], stride[a], 1, padding[a], ceilMode);
            Check.arg(out[a] >= 1, NAME, "kernel %s is larger than the padded input along %s (input shape %s, padding %s)",
                    java.util.Arrays.toString(kernel), "DHW".charAt(a), in, java.util.Arrays.toString(padding));
        }
        return new VolumeGeometry(in.dim(1), in.dim(2), in.dim(3), in.dim(4), kernel[0], kernel[1], kernel[2],
                stride[0], stride[1], stride[2], 1, 1, 1, padding[0], padding[1], padding[2], out[0], out[1], out[2]);
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
        VolumePool.avgForward(g, countIncludePad, x, y);
        if (mode == Mode.TRAIN) {
            savedGeometry = g;
            savedInputShape = x.shape();
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedGeometry, NAME);
        Check.sameShape(dy, outputShape(savedInputShape.dim(0), savedGeometry), NAME);
        Tensor dx = buffers.get(1, savedInputShape);
        VolumePool.avgBackward(savedGeometry, countIncludePad, dy, dx);
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
        if (ceilMode) sb.append(", ceil_mode=true");
        if (!countIncludePad) sb.append(", count_include_pad=false");
        return sb.append(')').toString();
    }
}
