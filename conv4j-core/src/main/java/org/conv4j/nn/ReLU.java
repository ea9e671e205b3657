package org.conv4j.nn;

import org.conv4j.kernel.Elementwise;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/** ReLU, {@code y = max(0, x)}; backward passes the gradient where x > 0 (SPEC 1). */
public final class ReLU implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private Tensor savedOutput;

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = buffers.get(0, x.shape());
        Elementwise.relu(x, y);
        if (mode == Mode.TRAIN) savedOutput = y;
        return y;
    }

    // dx = dy where y > 0 (y > 0 exactly when x > 0)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedOutput, "ReLU");
        Check.sameShape(dy, savedOutput.shape(), "ReLU");
        Tensor dx = buffers.get(1, dy.shape());
        Elementwise.reluBackward(savedOutput, dy, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        return "ReLU()";
    }
}
