package org.conv4j.spark;

import java.io.Serializable;

/**
 * What the shards send back for one step of a global batch of {@code n} samples, summed over
 * shards: the gradient times the samples it was averaged over (in double, so that the sum over
 * shards adds exact products and rounds far below float precision), the loss times the same,
 * the model's output rows and the targets at their batch positions (zero elsewhere, so the sum
 * of shards is a copy), and the number of samples.
 */
final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;
    double[] gradient; // null: no shard added yet
    double loss;
    float[] outputs, targets;
    int samples;

    /** The element-wise sum; this one, reused. */
    Partial plus(Partial o) {
        if (o.gradient == null) return this;
        if (gradient == null) return o;
        for (int i = 0; i < gradient.length; i++) gradient[i] += o.gradient[i];
        for (int i = 0; i < outputs.length; i++) outputs[i] += o.outputs[i];
        for (int i = 0; i < targets.length; i++) targets[i] += o.targets[i];
        loss += o.loss;
        samples += o.samples;
        return this;
    }
}
