package org.conv4j.nn;

import java.util.List;
import java.util.Map;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * A network layer: forward, backward, its parameters and its output shape (DESIGN "Layers").
 *
 * <p>In {@link Mode#TRAIN} a layer keeps what its backward needs from the last forward; in
 * {@link Mode#EVAL} it keeps nothing, so several threads may run inference on one model (unless
 * {@link #reuseBuffers} is on).
 * {@link #backward} returns dL/dx and adds the parameter gradients to {@link Parameter#grad()}.
 */
public interface Layer {
    Tensor forward(Tensor x, Mode mode);

    /** dL/dx for the last TRAIN forward, given dL/dy; parameter gradients are accumulated. */
    Tensor backward(Tensor gradOut);

    /**
     * As {@link #backward} for a caller that does not need dL/dx (the first layer of a model):
     * only the parameter gradients are accumulated, which spares e.g. a convolution's col2im.
     */
    default void backwardParameters(Tensor gradOut) {
        backward(gradOut);
    }

    /** The output shape for an input shape; throws {@link IllegalArgumentException} naming the problem. */
    Shape outputShape(Shape input);

    /** This layer's own parameters and buffers, with local names ("weight", "bias", "running_mean"). */
    default List<Parameter> parameters() {
        return List.of();
    }

    /** Named sub-layers, for containers ("0", "1" ... in a Sequential). */
    default Map<String, Layer> children() {
        return Map.of();
    }

    /**
     * Whether this layer and its sub-layers write their outputs and input gradients into tensors
     * they keep and reuse on the next call of the same shape (off by default; the Trainer turns it
     * on while it trains). Then a tensor returned by {@link #forward} or {@link #backward} is only
     * valid until the layer's next such call (copy it to keep it), and the model must not serve
     * several threads at once.
     */
    default void reuseBuffers(boolean on) {
        for (Layer child : children().values()) child.reuseBuffers(on);
    }
}
