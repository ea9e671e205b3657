package org.conv4j.nn;

import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * The identity, {@code y = x} and {@code dx = dy}: the activation of 000's gradient check
 * (SPEC 2, example 8) and a placeholder layer, as PyTorch's {@code nn.Identity}. Forward
 * returns its input itself and backward its gradient itself, no copy.
 */
public final class Identity implements Layer {
    private Shape savedShape;

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        if (mode == Mode.TRAIN) savedShape = x.shape();
        return x;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedShape, "Identity");
        Check.sameShape(dy, savedShape, "Identity");
        return dy;
    }

    @Override
    public String toString() {
        return "Identity()";
    }
}
