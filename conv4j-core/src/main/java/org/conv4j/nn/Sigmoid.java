package org.conv4j.nn;

import org.conv4j.kernel.Activations;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Sigmoid, {@code y = 1 / (1 + e^-x)}, any shape. Backward uses the saved output:
 * {@code dx = dy * y * (1 - y)} (SPEC 1, 002). The derivative {@code y (1 - y)} is at most 1/4
 * (at x = 0), which is why gradients vanish through deep sigmoid networks (004, 000).
 */
public final class Sigmoid implements Layer {
    private Tensor savedOutput;

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    // x is any shape, y has the same shape
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(x.shape());
        Activations.sigmoid(x, y);
        if (mode == Mode.TRAIN) savedOutput = y;
        return y;
    }

    // dx = dy * y * (1 - y) (SPEC 1)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedOutput, "Sigmoid");
        Check.sameShape(dy, savedOutput.shape(), "Sigmoid");
        Tensor dx = Tensor.zeros(dy.shape());
        Activations.sigmoidBackward(savedOutput, dy, dx);
        return dx;
    }

    @Override
    public String toString() {
        return "Sigmoid()";
    }
}
