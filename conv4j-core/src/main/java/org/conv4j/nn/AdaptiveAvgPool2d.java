package org.conv4j.nn;

import org.conv4j.kernel.AdaptivePool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Adaptive average pooling, PyTorch's {@code nn.AdaptiveAvgPool2d((OH, OW))}: (N, C, H, W) ->
 * (N, C, OH, OW) for any H, W >= 1, where output row {@code i} averages input rows
 * {@code [floor(i*H/OH), ceil((i+1)*H/OH))} (columns likewise). When H and W are multiples of OH
 * and OW it is AvgPool2d with kernel and stride H/OH x W/OW; {@code (1, 1)} is global average
 * pooling. torchvision's AlexNet and VGG end their features in it (6x6 and 7x7), so their
 * classifiers take any input size. No parameters; backward spreads dy / window size over each window.
 */
public final class AdaptiveAvgPool2d implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int outH, outW;
    private Shape savedInputShape;

    /** A square output, {@code size x size}. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        Check.positive(outH, "AdaptiveAvgPool2d", "output height");
        Check.positive(outW, "AdaptiveAvgPool2d", "output width");
        this.outH = outH;
        this.outW = outW;
    }

    public int outputH() { return outH; }
    public int outputW() { return outW; }

    @Override
    public Shape outputShape(Shape input) {
        Check.rank(input, 4, "AdaptiveAvgPool2d", "(N, C, H, W)");
        Check.arg(input.dim(2) > 0 && input.dim(3) > 0, "AdaptiveAvgPool2d", "input height and width must be positive, got %dx%d",
                input.dim(2), input.dim(3));
        return Shape.of(input.dim(0), input.dim(1), outH, outW);
    }

    // x is (N, C, H, W), y is (N, C, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = buffers.get(0, outputShape(x.shape()));
        AdaptivePool.avgForward(x, y);
        if (mode == Mode.TRAIN) savedInputShape = x.shape();
        return y;
    }

    // dy is (N, C, OH, OW); returns dx (N, C, H, W)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedInputShape, "AdaptiveAvgPool2d");
        Check.sameShape(dy, outputShape(savedInputShape), "AdaptiveAvgPool2d");
        Tensor dx = buffers.get(1, savedInputShape);
        AdaptivePool.avgBackward(dy, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(output_size=" + MaxPool2d.pair(outH, outW) + ")";
    }
}
