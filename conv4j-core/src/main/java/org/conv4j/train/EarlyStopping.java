package org.conv4j.train;

/**
 * Stops the run after {@code patience} epochs in a row without improvement of the trainer's
 * {@link Monitor} (0 = never).
 */
public final class EarlyStopping implements TrainingListener {
    private final int patience;

    public EarlyStopping(int patience) {
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + patience);
        this.patience = patience;
    }

    public int patience() {
        return patience;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        if (patience > 0 && trainer.monitor().epochsWithoutImprovement() >= patience) {
            trainer.stop("early stopping: no improvement for " + patience + " epochs");
        }
    }
}
