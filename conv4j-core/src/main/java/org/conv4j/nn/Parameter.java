package org.conv4j.nn;

import org.conv4j.tensor.Tensor;

/**
 * A named tensor a layer owns: a trainable parameter (with a gradient that backward adds to)
 * or a buffer such as BatchNorm's running statistics (no gradient, saved with the model).
 * Names are local ("weight"); containers prefix them ("features.0.weight").
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;

    private Parameter(String name, Tensor value, Tensor grad) {
        this.name = name;
        this.value = value;
        this.grad = grad;
    }

    public static Parameter trainable(String name, Tensor value) {
        return new Parameter(name, value, Tensor.zeros(value.shape()));
    }

    public static Parameter buffer(String name, Tensor value) {
        return new Parameter(name, value, null);
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    /** The accumulated gradient, or null for a buffer. */
    public Tensor grad() {
        return grad;
    }

    public boolean isTrainable() {
        return grad != null;
    }

    public void zeroGrad() {
        if (grad != null) grad.fill(0f);
    }

    @Override
    public String toString() {
        return name + value.shape();
    }
}
