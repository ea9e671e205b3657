package org.conv4j.nn;

import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/** Flattens (N, d1, d2, ...) to (N, d1*d2*...); a view, no copy. Backward restores the shape. */
public final class Flatten implements Layer {
    private Shape savedShape;

    @Override
    public Shape outputShape(Shape input) {
        Check.arg(input.rank() >= 2, "Flatten", "expected an input of rank >= 2, got shape %s", input);
        return Shape.of(input.dim(0), input.sizeFrom(1));
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Shape out = outputShape(x.shape());
        if (mode == Mode.TRAIN) savedShape = x.shape();
        return x.reshape(out);
    }

    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedShape, "Flatten");
        Check.sameShape(dy, outputShape(savedShape), "Flatten");
        return dy.reshape(savedShape);
    }

    @Override
    public String toString() {
        return "Flatten()";
    }
}
