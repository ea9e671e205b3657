package org.conv4j.nn;

import org.conv4j.kernel.Pool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Global average pooling, PyTorch's {@code nn.AdaptiveAvgPool2d(1)}: (N, C, H, W) -> (N, C, 1, 1),
 * {@code y[n, c] = (1 / (H*W)) * sum over iy, ix of x[n, c, iy, ix]}. No parameters; backward
 * spreads {@code dy[n, c] / (H*W)} over the plane. Works on any input size, which is what lets
 * a fully convolutional classifier end in it (SPEC 4).
 */
public final class GlobalAvgPool2d implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private Shape savedInputShape;

    @Override
    public Shape outputShape(Shape input) {
        Check.rank(input, 4, "GlobalAvgPool2d", "(N, C, H, W)");
        return Shape.of(input.dim(0), input.dim(1), 1, 1);
    }

    // x is (N, C, H, W), y is (N, C, 1, 1)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = buffers.get(0, outputShape(x.shape()));
        Pool.globalAvgForward(x, y);
        if (mode == Mode.TRAIN) savedInputShape = x.shape();
        return y;
    }

    // dy is (N, C, 1, 1); returns dx (N, C, H, W) = dy / (H*W) everywhere in the plane
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedInputShape, "GlobalAvgPool2d");
        Check.sameShape(dy, outputShape(savedInputShape), "GlobalAvgPool2d");
        Tensor dx = buffers.get(1, savedInputShape);
        Pool.globalAvgBackward(dy, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        return "GlobalAvgPool2d()";
    }
}
