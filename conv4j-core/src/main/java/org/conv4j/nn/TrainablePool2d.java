package org.conv4j.nn;

import java.util.List;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Pool;
import org.conv4j.kernel.PoolWeighted;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Trainable pooling (SPEC 1, source 001): each channel pools its windows with learned weights,
 * a depthwise convolution without bias whose weights start as average pooling:
 * <pre>
 *   y[n, c, oy, ox] = sum over ki, kj of weight[c, ki, kj] * x[n, c, oy*sh - ph + ki, ox*sw - pw + kj]
 *   OH = floor((H + 2*ph - KH) / sh) + 1      (same for W)
 *   dx[n, c, iy, ix] = sum of weight[c, ki, kj] * dy[n, c, oy, ox] over the windows reading it
 *   dweight[c, ki, kj] = sum over n, oy, ox of dy[n, c, oy, ox] * x[n, c, oy*sh - ph + ki, ox*sw - pw + kj]
 * </pre>
 * Parameter {@code "weight"} of shape (C, KH, KW), initialized to {@code 1/(KH*KW)}. Padding
 * reads zeros; the stride defaults to the kernel size; padding must be at most half the kernel size.
 */
public final class TrainablePool2d implements Layer {
    private final int channels, kernelH, kernelW;
    private int strideH, strideW, paddingH, paddingW;
    private final Parameter weight;

    private ConvGeometry savedGeometry;
    private Tensor savedInput;

    /** A square window; the stride defaults to it. */
    public TrainablePool2d(int channels, int kernelSize) {
        this(channels, kernelSize, kernelSize);
    }

    public TrainablePool2d(int channels, int kernelH, int kernelW) {
        Check.positive(channels, "TrainablePool2d", "channels");
        Check.extent(kernelH, "TrainablePool2d", "kernel height");
        Check.extent(kernelW, "TrainablePool2d", "kernel width");
        this.channels = channels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        strideH = kernelH;
        strideW = kernelW;
        Tensor w = Tensor.zeros(channels, kernelH, kernelW);
        w.fill(1f / (kernelH * kernelW)); // starts as average pooling
        weight = Parameter.trainable("weight", w);
    }

    public TrainablePool2d stride(int s) {
        return stride(s, s);
    }

    public TrainablePool2d stride(int sh, int sw) {
        Check.extent(sh, "TrainablePool2d", "stride");
        Check.extent(sw, "TrainablePool2d", "stride");
        strideH = sh;
        strideW = sw;
        return this;
    }

    public TrainablePool2d padding(int p) {
        return padding(p, p);
    }

    /** Symmetric zero padding, rows {@code ph} top and bottom, columns {@code pw} left and right. */
    public TrainablePool2d padding(int ph, int pw) {
        Check.padding(ph, "TrainablePool2d");
        Check.padding(pw, "TrainablePool2d");
        Check.arg(ph <= kernelH / 2 && pw <= kernelW / 2, "TrainablePool2d",
                "padding must be at most half the kernel size, got padding %dx%d for kernel %dx%d", ph, pw, kernelH, kernelW);
        paddingH = ph;
        paddingW = pw;
        return this;
    }

    public int channels() { return channels; }
    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int paddingH() { return paddingH; }
    public int paddingW() { return paddingW; }
    public Parameter weight() { return weight; }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    private ConvGeometry geometry(Shape in) {
        Check.rank(in, 4, "TrainablePool2d", "(N, C, H, W)");
        Check.arg(in.dim(1) == channels, "TrainablePool2d", "expected %d input channels, got %d (input shape %s)", channels, in.dim(1), in);
        return Pool.geometry("TrainablePool2d", channels, in.dim(2), in.dim(3), kernelH, kernelW, strideH, strideW,
                1, 1, paddingH, paddingW, false);
    }

    @Override
    public Shape outputShape(Shape input) {
        ConvGeometry g = geometry(input);
        return Shape.of(input.dim(0), channels, g.oh, g.ow);
    }

    // x is (N, C, H, W), weight is (C, KH, KW), y is (N, C, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        ConvGeometry g = geometry(x.shape());
        Tensor y = Tensor.zeros(x.dim(0), channels, g.oh, g.ow);
        PoolWeighted.forward(g, weight.value(), x, y);
        if (mode == Mode.TRAIN) {
            savedInput = x;
            savedGeometry = g;
        }
        return y;
    }

    // dy is (N, C, OH, OW); returns dx (N, C, H, W); dweight (C, KH, KW) accumulates
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedInput, "TrainablePool2d");
        ConvGeometry g = savedGeometry;
        Check.sameShape(dy, Shape.of(savedInput.dim(0), channels, g.oh, g.ow), "TrainablePool2d");
        Tensor dx = Tensor.zeros(savedInput.shape());
        PoolWeighted.backward(g, weight.value(), savedInput, dy, dx, weight.grad());
        return dx;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TrainablePool2d(").append(channels)
                .append(", kernel_size=").append(MaxPool2d.pair(kernelH, kernelW));
        if (strideH != kernelH || strideW != kernelW) sb.append(", stride=").append(MaxPool2d.pair(strideH, strideW));
        if (paddingH != 0 || paddingW != 0) sb.append(", padding=").append(MaxPool2d.pair(paddingH, paddingW));
        return sb.append(')').toString();
    }
}
