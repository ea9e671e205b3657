package org.conv4j.train;

import org.conv4j.tensor.Tensor;

/**
 * Dense-prediction metrics accumulated over batches: the mean loss per image, pixel accuracy,
 * per-class and mean intersection over union (see {@link MeanIoU}) and the pixel confusion
 * matrix (rows: true class, columns: predicted); positions labelled with the ignore index are
 * left out of all but the loss, which leaves them out itself.
 */
public final class SegmentationEvaluation {
    private final int classes;
    private final Confusion confusion;
    private double lossSum;
    private long images;

    public SegmentationEvaluation(int classes, int ignoreIndex) {
        if (classes < 1) throw new IllegalArgumentException("SegmentationEvaluation: classes must be positive, got " + classes);
        this.classes = classes;
        this.confusion = new Confusion("SegmentationEvaluation", ignoreIndex);
    }

    /** Adds a batch: scores (N, classes, H, W), masks (N, H, W), and the batch's mean loss. */
    public void add(Tensor scores, Tensor masks, double meanLoss) {
        if (scores.rank() != 4 || scores.dim(1) != classes) {
            throw new IllegalArgumentException("SegmentationEvaluation: expected scores of shape (N, " + classes + ", H, W), got " + scores.shape());
        }
        confusion.add(scores, masks);
        lossSum += meanLoss * scores.dim(0);
        images += scores.dim(0);
    }

    public int classes() {
        return classes;
    }

    /** The images added. */
    public long count() {
        return images;
    }

    /** The pixels counted (labelled with a class, not the ignore index). */
    public long pixels() {
        return confusion.total();
    }

    public double loss() {
        return images == 0 ? Double.NaN : lossSum / images;
    }

    public double pixelAccuracy() {
        return confusion.pixelAccuracy();
    }

    public double meanIoU() {
        return images == 0 ? Double.NaN : confusion.meanIoU();
    }

    /** Intersection over union per class; NaN for a class neither labelled nor predicted. */
    public double[] perClassIoU() {
        if (images == 0) {
            double[] nan = new double[classes];
            java.util.Arrays.fill(nan, Double.NaN);
            return nan;
        }
        return confusion.iou();
    }

    /** A copy of the pixel confusion matrix: [true class][predicted class]. */
    public long[][] confusion() {
        return images == 0 ? new long[classes][classes] : confusion.counts();
    }
}
