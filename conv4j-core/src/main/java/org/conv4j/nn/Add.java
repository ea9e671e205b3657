package org.conv4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.conv4j.kernel.Elementwise;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Element-wise sum of two or more tensors of one shape, {@code y = x0 + x1 + ... + x(k-1)}, summed
 * left to right: ResNet's identity shortcut {@code relu(F(x) + x)} (SPEC 4, "ResNet").
 *
 * <p>Backward: {@code dx_i = dy} for every input (the sum's partial derivatives are all 1); the
 * returned gradients are {@code dy} itself, not copies. No parameters.
 */
public final class Add implements Merge {
    private final Buffers buffers = new Buffers(1);   // [0] the TRAIN output
    private Shape savedShape;
    private int savedCount;

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Check.arg(inputs.size() >= 2, "Add", "expected two or more inputs, got %d", inputs.size());
        Shape first = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            Check.arg(inputs.get(i).equals(first), "Add", "input %d has shape %s, expected %s (the shape of input 0); "
                    + "inputs of an element-wise sum must have the same shape", i, inputs.get(i), first);
        }
        return first;
    }

    // each x_i is (N, ...) of one shape; y has that shape
    @Override
    public Tensor forward(List<Tensor> inputs, Mode mode) {
        List<Shape> shapes = new ArrayList<>(inputs.size());
        for (Tensor x : inputs) shapes.add(x.shape());
        Shape out = outputShape(shapes);
        Tensor y = buffers.get(0, out);
        Elementwise.add(inputs.get(0), inputs.get(1), y);
        for (int i = 2; i < inputs.size(); i++) Elementwise.addInto(y, inputs.get(i));
        if (mode == Mode.TRAIN) {
            savedShape = out;
            savedCount = inputs.size();
        }
        return y;
    }

    /**
     * The EVAL output of this sum of two inputs followed by a ReLU, in one pass ({@link Graph} fuses
     * them), written into {@code into} (one of the inputs, which the graph no longer needs; the sum
     * is element by element, so that is safe) or, when it is null, into this layer's buffer.
     */
    Tensor forwardRelu(Tensor x0, Tensor x1, Tensor into) {
        Shape out = outputShape(List.of(x0.shape(), x1.shape()));
        Tensor y = into != null ? into : buffers.get(0, out);
        Elementwise.addRelu(x0, x1, y);
        return y;
    }

    // dy has the output shape; every dx_i = dy
    @Override
    public List<Tensor> backward(Tensor dy) {
        Check.saved(savedShape, "Add");
        Check.sameShape(dy, savedShape, "Add");
        return Collections.nCopies(savedCount, dy);
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        return "Add()";
    }
}
