package org.conv4j.train;

/**
 * The figures of one training epoch (numbered from 1). Validation figures are NaN when there
 * is no validation set.
 */
public record EpochResult(int epoch, double learningRate, double trainLoss, double trainAccuracy,
                          double valLoss, double valAccuracy, double valTopK, double seconds, double imagesPerSecond) {

    /** Column names, in the order of {@link #values()}. */
    public static final String[] COLUMNS = {"epoch", "lr", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
        "val_top5", "seconds", "images_per_second"};

    public double[] values() {
        return new double[] {epoch, learningRate, trainLoss, trainAccuracy, valLoss, valAccuracy, valTopK, seconds, imagesPerSecond};
    }

    /** Rebuilds a result from {@link #values()}. */
    public static EpochResult of(double[] v) {
        if (v.length != COLUMNS.length) throw new IllegalArgumentException("an epoch result has " + COLUMNS.length + " values, got " + v.length);
        return new EpochResult((int) v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }
}
