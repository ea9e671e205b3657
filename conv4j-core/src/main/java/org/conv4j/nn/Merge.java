package org.conv4j.nn;

import java.util.List;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * A node of a {@link Graph} that combines two or more tensors into one: {@link Add} (ResNet's
 * identity shortcut) and {@link Concat} (GoogLeNet's inception branches) (SPEC 4, DESIGN "Layers").
 *
 * <p>The contract is {@link Layer}'s with a list of inputs: in {@link Mode#TRAIN} a merge keeps
 * what its backward needs from the last forward, in {@link Mode#EVAL} it keeps nothing (so one
 * model may serve several threads). A merge has no parameters: a layer with weights is a
 * {@link Layer} node, which is how {@link Graph#children()} names parameters.
 */
public interface Merge {
    /** Combines {@code inputs} (two or more, in the node's input order) into one tensor. */
    Tensor forward(List<Tensor> inputs, Mode mode);

    /**
     * dL/dx for each input of the last TRAIN forward, in input order, given dL/dy. The returned
     * tensors may share storage with {@code gradOut} or with each other: callers must not modify
     * them in place.
     */
    List<Tensor> backward(Tensor gradOut);

    /** The output shape for the input shapes; throws {@link IllegalArgumentException} naming the problem. */
    Shape outputShape(List<Shape> inputs);

    /** As {@link Layer#reuseBuffers}: whether a TRAIN forward writes into a tensor kept from the last one. */
    default void reuseBuffers(boolean on) {
    }
}
