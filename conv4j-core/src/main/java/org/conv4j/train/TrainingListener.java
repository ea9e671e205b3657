package org.conv4j.train;

import java.io.IOException;

/**
 * A part of the training loop that watches it and may stop it, in the spirit of Keras callbacks
 * and DJL's training listeners: progress output, the metrics log, checkpoints, early stopping
 * and the non-finite guard are listeners, and a user adds their own with
 * {@link Trainer#listener}. Each method is called at one point of {@link Trainer#fit}; the
 * defaults do nothing. To end the run after the current epoch, call {@link Trainer#stop}; to
 * abort it, throw.
 */
public interface TrainingListener {
    /** Before the first epoch of this fit (after a resume, the first epoch still to train). */
    default void onFitStart(Trainer trainer) {
    }

    /** Before epoch {@code epoch} (from 1): the schedule has set its learning rate. */
    default void onEpochStart(Trainer trainer, int epoch) {
    }

    /** After the forward pass, before the loss: the step's loss is still NaN. */
    default void onForward(Trainer trainer, Step step) {
    }

    /** After the loss and the backward pass, before the optimizer step: gradients are in the parameters. */
    default void onBackward(Trainer trainer, Step step) {
    }

    /** After the optimizer step. */
    default void onStep(Trainer trainer, Step step) {
    }

    /**
     * After the epoch and its validation: {@link Trainer#history()}, {@link Trainer#epochsDone()}
     * and {@link Trainer#monitor()} already include it.
     */
    default void onEpochEnd(Trainer trainer, EpochResult result) throws IOException {
    }

    /** After the last epoch, when the run ends normally (all epochs done or stopped). */
    default void onFitEnd(Trainer trainer) {
    }
}
