package org.conv4j.train;

import org.conv4j.tensor.Tensor;

/**
 * A figure accumulated over the batches of one pass (a training epoch, or a validation), such as
 * {@link Accuracy}, {@link TopKAccuracy} or a user's own (mean IoU for segmentation). The
 * {@link Trainer} resets it before each pass, adds every batch and reads {@link #value()} at
 * the end; one instance serves the training and the validation pass in turn.
 *
 * <p>The output is the model's, (N, classes) or per position (N, classes, d1, ...); the target
 * is what the trainer's {@linkplain Trainer#targets target function} gives, by default the class
 * indices (N).
 */
public interface Metric {
    /** The column name after "train_" / "val_" in the metrics log, e.g. "accuracy". */
    String name();

    /** Forgets what was added. */
    void reset();

    /** Adds one batch. */
    void add(Tensor output, Tensor target);

    /** The figure over what was added since {@link #reset()}; NaN if nothing was. */
    double value();
}
