package org.conv4j.train;

import org.conv4j.data.Batch;
import org.conv4j.tensor.Tensor;

/**
 * One training step as the {@link TrainingListener}s see it: the epoch (from 1), the batch's
 * position in it (from 0) of {@code batches}, the batch, the model's output, the target the loss
 * compares it with, and the batch's mean loss (NaN until the loss is computed).
 */
public record Step(int epoch, int index, int batches, Batch batch, Tensor output, Tensor target, float loss) {

    /** This step with its loss. */
    Step withLoss(float l) {
        return new Step(epoch, index, batches, batch, output, target, l);
    }

    /** "epoch E, batch B", both from 1, for messages. */
    public String where() {
        return "epoch " + epoch + ", batch " + (index + 1);
    }
}
