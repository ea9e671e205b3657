package org.conv4j.nn;

import org.conv4j.kernel.AdaptivePool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Adaptive max pooling, PyTorch's {@code nn.AdaptiveMaxPool2d((OH, OW))}: (N, C, H, W) ->
 * (N, C, OH, OW) for any H, W >= 1, where output row {@code i} takes the maximum over input rows
 * {@code [floor(i*H/OH), ceil((i+1)*H/OH))} (columns likewise). Ties go to the first maximal
 * element in row order; a NaN in the window gives NaN. No parameters; backward routes each
 * gradient to the arg-max recorded in the TRAIN forward.
 */
public final class AdaptiveMaxPool2d implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private final int outH, outW;
    private Shape savedInputShape;
    private int[] savedArgmax;

    /** A square output, {@code size x size}. */
    public AdaptiveMaxPool2d(int size) {
        this(size, size);
    }

    public AdaptiveMaxPool2d(int outH, int outW) {
        Check.positive(outH, "AdaptiveMaxPool2d", "output height");
        Check.positive(outW, "AdaptiveMaxPool2d", "output width");
        this.outH = outH;
        this.outW = outW;
    }

    public int outputH() { return outH; }
    public int outputW() { return outW; }

    @Override
    public Shape outputShape(Shape input) {
        Check.rank(input, 4, "AdaptiveMaxPool2d", "(N, C, H, W)");
        Check.arg(input.dim(2) > 0 && input.dim(3) > 0, "AdaptiveMaxPool2d", "input height and width must be positive, got %dx%d",
                input.dim(2), input.dim(3));
        return Shape.of(input.dim(0), input.dim(1), outH, outW);
    }

    // x is (N, C, H, W), y is (N, C, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = buffers.get(0, outputShape(x.shape()));
        int[] argmax = null;
        if (mode == Mode.TRAIN) {
            // reuse the arg-max buffer between steps when the size allows
            argmax = savedArgmax != null && savedArgmax.length == y.size() ? savedArgmax : new int[y.size()];
        }
        AdaptivePool.maxForward(x, y, argmax);
        if (mode == Mode.TRAIN) {
            savedArgmax = argmax;
            savedInputShape = x.shape();
        }
        return y;
    }

    // dy is (N, C, OH, OW); returns dx (N, C, H, W), dy routed to the recorded arg-max
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedArgmax, "AdaptiveMaxPool2d");
        Check.sameShape(dy, outputShape(savedInputShape), "AdaptiveMaxPool2d");
        Tensor dx = buffers.get(1, savedInputShape);
        AdaptivePool.maxBackward(dy, savedArgmax, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        return "AdaptiveMaxPool2d(output_size=" + MaxPool2d.pair(outH, outW) + ")";
    }
}
