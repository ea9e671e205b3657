package org.conv4j.nn;

import org.conv4j.kernel.Activations;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Hyperbolic tangent, {@code y = tanh(x)}, any shape. Backward uses the saved output:
 * {@code dx = dy * (1 - y^2)} (SPEC 1 "Activations").
 */
public final class Tanh implements Layer {
    private Tensor savedOutput;

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    // x is any shape, y has the same shape
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(x.shape());
        Activations.tanh(x, y);
        if (mode == Mode.TRAIN) savedOutput = y;
        return y;
    }

    // dx = dy * (1 - y^2)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedOutput, "Tanh");
        Check.sameShape(dy, savedOutput.shape(), "Tanh");
        Tensor dx = Tensor.zeros(dy.shape());
        Activations.tanhBackward(savedOutput, dy, dx);
        return dx;
    }

    @Override
    public String toString() {
        return "Tanh()";
    }
}
