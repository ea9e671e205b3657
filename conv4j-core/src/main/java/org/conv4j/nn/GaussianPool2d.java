package org.conv4j.nn;

import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Pool;
import org.conv4j.kernel.PoolWeighted;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Gaussian pooling (SPEC 1, source 001): each window is averaged with fixed Gaussian weights,
 * the same for every channel, centred on the window:
 * <pre>
 *   g[ki, kj] = exp(-((ki - (KH-1)/2)^2 + (kj - (KW-1)/2)^2) / (2 * sigma^2))
 *   w[ki, kj] = g[ki, kj] / sum of g          (the weights sum to 1)
 *   y[n, c, oy, ox] = sum over ki, kj of w[ki, kj] * x[n, c, oy*sh - ph + ki, ox*sw - pw + kj]
 *   OH = floor((H + 2*ph - KH) / sh) + 1      (same for W)
 * </pre>
 * Padding reads zeros (and so pulls border outputs towards 0, as average pooling with padding
 * counted). The stride defaults to the kernel size; padding must be at most half the kernel
 * size. No parameters: the window depends only on the kernel size and sigma. A large sigma
 * tends to average pooling, a small one to picking the window's centre.
 */
public final class GaussianPool2d implements Layer {
    private final int kernelH, kernelW;
    private final double sigma;
    private final Tensor window;
    private int strideH, strideW, paddingH, paddingW;

    private ConvGeometry savedGeometry;
    private Shape savedInputShape;

    /** A square window of standard deviation {@code sigma} (in pixels); the stride defaults to it. */
    public GaussianPool2d(int kernelSize, double sigma) {
        this(kernelSize, kernelSize, sigma);
    }

    public GaussianPool2d(int kernelH, int kernelW, double sigma) {
        Check.extent(kernelH, "GaussianPool2d", "kernel height");
        Check.extent(kernelW, "GaussianPool2d", "kernel width");
        Check.arg(sigma > 0 && Double.isFinite(sigma), "GaussianPool2d", "sigma must be positive and finite, got %s", sigma);
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.sigma = sigma;
        strideH = kernelH;
        strideW = kernelW;
        window = Tensor.zeros(1, kernelH, kernelW);
        double[] g = new double[kernelH * kernelW];
        double sum = 0, cy = (kernelH - 1) / 2.0, cx = (kernelW - 1) / 2.0;
        for (int ki = 0; ki < kernelH; ki++) {
            for (int kj = 0; kj < kernelW; kj++) {
                double d2 = (ki - cy) * (ki - cy) + (kj - cx) * (kj - cx);
                g[ki * kernelW + kj] = Math.exp(-d2 / (2 * sigma * sigma));
                sum += g[ki * kernelW + kj];
            }
        }
        for (int j = 0; j < g.length; j++) window.data()[j] = (float) (g[j] / sum);
    }

    public GaussianPool2d stride(int s) {
        return stride(s, s);
    }

    public GaussianPool2d stride(int sh, int sw) {
        Check.extent(sh, "GaussianPool2d", "stride");
        Check.extent(sw, "GaussianPool2d", "stride");
        strideH = sh;
        strideW = sw;
        return this;
    }

    public GaussianPool2d padding(int p) {
        return padding(p, p);
    }

    /** Symmetric zero padding, rows {@code ph} top and bottom, columns {@code pw} left and right. */
    public GaussianPool2d padding(int ph, int pw) {
        Check.padding(ph, "GaussianPool2d");
        Check.padding(pw, "GaussianPool2d");
        Check.arg(ph <= kernelH / 2 && pw <= kernelW / 2, "GaussianPool2d",
                "padding must be at most half the kernel size, got padding %dx%d for kernel %dx%d", ph, pw, kernelH, kernelW);
        paddingH = ph;
        paddingW = pw;
        return this;
    }

    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public double sigma() { return sigma; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int paddingH() { return paddingH; }
    public int paddingW() { return paddingW; }

    /** A copy of the normalized window weights, shape (KH, KW). */
    public Tensor window() {
        return window.copy().reshape(kernelH, kernelW);
    }

    private ConvGeometry geometry(Shape in) {
        Check.rank(in, 4, "GaussianPool2d", "(N, C, H, W)");
        return Pool.geometry("GaussianPool2d", in.dim(1), in.dim(2), in.dim(3), kernelH, kernelW, strideH, strideW,
                1, 1, paddingH, paddingW, false);
    }

    @Override
    public Shape outputShape(Shape input) {
        ConvGeometry g = geometry(input);
        return Shape.of(input.dim(0), input.dim(1), g.oh, g.ow);
    }

    // x is (N, C, H, W), window is (1, KH, KW) shared by all channels, y is (N, C, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        ConvGeometry g = geometry(x.shape());
        Tensor y = Tensor.zeros(x.dim(0), g.c, g.oh, g.ow);
        PoolWeighted.forward(g, window, x, y);
        if (mode == Mode.TRAIN) {
            savedGeometry = g;
            savedInputShape = x.shape();
        }
        return y;
    }

    // dy is (N, C, OH, OW); returns dx (N, C, H, W) = each dy spread with the window's weights
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedGeometry, "GaussianPool2d");
        ConvGeometry g = savedGeometry;
        Check.sameShape(dy, Shape.of(savedInputShape.dim(0), g.c, g.oh, g.ow), "GaussianPool2d");
        Tensor dx = Tensor.zeros(savedInputShape);
        // no weight gradient, so dx needs no input: forward keeps only shapes
        PoolWeighted.backward(g, window, null, dy, dx, null);
        return dx;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("GaussianPool2d(kernel_size=").append(MaxPool2d.pair(kernelH, kernelW))
                .append(", sigma=").append(sigma);
        if (strideH != kernelH || strideW != kernelW) sb.append(", stride=").append(MaxPool2d.pair(strideH, strideW));
        if (paddingH != 0 || paddingW != 0) sb.append(", padding=").append(MaxPool2d.pair(paddingH, paddingW));
        return sb.append(')').toString();
    }
}
