package org.conv4j.nn;

import org.conv4j.kernel.Activations;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Leaky ReLU, as PyTorch's {@code nn.LeakyReLU}: {@code y = x} for {@code x > 0}, else
 * {@code negativeSlope * x} (default slope 0.01). Backward: {@code dx = dy} where x > 0, else
 * {@code negativeSlope * dy} (SPEC 1 "Activations", 001's advice list). Any shape.
 */
public final class LeakyReLU implements Layer {
    private static final float DEFAULT_SLOPE = 0.01f;
    private final float negativeSlope;
    private Tensor savedInput;

    public LeakyReLU() {
        this(DEFAULT_SLOPE);
    }

    public LeakyReLU(float negativeSlope) {
        Check.arg(Float.isFinite(negativeSlope), "LeakyReLU", "negative_slope must be finite, got %s", negativeSlope);
        this.negativeSlope = negativeSlope;
    }

    public float negativeSlope() {
        return negativeSlope;
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    // x is any shape, y has the same shape
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(x.shape());
        Activations.leakyRelu(x, negativeSlope, y);
        if (mode == Mode.TRAIN) savedInput = x;
        return y;
    }

    // dx = dy where x > 0, else negativeSlope * dy (the input is saved: y's sign says nothing when the slope is <= 0)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedInput, "LeakyReLU");
        Check.sameShape(dy, savedInput.shape(), "LeakyReLU");
        Tensor dx = Tensor.zeros(dy.shape());
        Activations.leakyReluBackward(savedInput, negativeSlope, dy, dx);
        return dx;
    }

    @Override
    public String toString() {
        return negativeSlope == DEFAULT_SLOPE ? "LeakyReLU()" : "LeakyReLU(negative_slope=" + negativeSlope + ")";
    }
}
