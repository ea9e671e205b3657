package org.conv4j.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.conv4j.tensor.Tensor;

/**
 * A checkpoint of an {@link Optimizer}: the optimizer's type ({@code "SGD"}, {@code "Adam"},
 * ...), named tensors and named scalars.
 *
 * <p>Tensor names are {@code kind + "." + parameterName} with PyTorch's state names as kinds:
 * {@code momentum_buffer} (SGD, RMSprop), {@code exp_avg}, {@code exp_avg_sq},
 * {@code max_exp_avg_sq} (Adam, AdamW), {@code square_avg}, {@code grad_avg} (RMSprop). A kind
 * is present once the first step has created it. Scalars are {@code "step"} (the step count,
 * an integer) and {@code "lr"} (the current learning rate). The maps keep insertion order and
 * the object holds its own copies, so a checkpoint writer can store it as tensors plus
 * metadata.
 */
public final class OptimizerState {
    private final String type;
    private final Map<String, Tensor> tensors;
    private final Map<String, Double> scalars;

    /** Copies the maps (tensors included), so later changes on either side do not leak. */
    public OptimizerState(String type, Map<String, Tensor> tensors, Map<String, Double> scalars) {
        this.type = Objects.requireNonNull(type, "type");
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            t.put(Objects.requireNonNull(e.getKey(), "tensor name"), Objects.requireNonNull(e.getValue(), e.getKey()).copy());
        }
        this.tensors = Collections.unmodifiableMap(t);
        this.scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
    }

    /** The optimizer's class name, e.g. "AdamW". */
    public String type() {
        return type;
    }

    /** The state tensors by name (read-only map; do not modify the tensors). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The scalar values by name: "step" and "lr". */
    public Map<String, Double> scalars() {
        return scalars;
    }

    @Override
    public String toString() {
        return "OptimizerState(" + type + ", " + scalars + ", tensors=" + tensors.keySet() + ")";
    }
}
