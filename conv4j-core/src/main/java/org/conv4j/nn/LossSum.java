package org.conv4j.nn;

import java.util.List;
import org.conv4j.kernel.Elementwise;
import org.conv4j.tensor.Tensor;

/**
 * The sum of losses over the same output and target, such as per-pixel cross-entropy plus
 * {@link DiceLoss} (each pixel right, and each class's overlap right however small the class);
 * the gradient is the sum of theirs.
 */
public final class LossSum implements Loss {
    private final List<Loss> parts;

    public LossSum(Loss... parts) {
        Check.arg(parts.length >= 2, "LossSum", "needs two or more losses, got %d", parts.length);
        this.parts = List.of(parts);
    }

    @Override
    public float forward(Tensor output, Tensor target) {
        float sum = 0;
        for (Loss l : parts) sum += l.forward(output, target);
        return sum;
    }

    @Override
    public Tensor backward() {
        Tensor g = parts.get(0).backward();
        for (int i = 1; i < parts.size(); i++) Elementwise.addInto(g, parts.get(i).backward());
        return g;
    }

    @Override
    public String toString() {
        return "LossSum" + parts;
    }
}
