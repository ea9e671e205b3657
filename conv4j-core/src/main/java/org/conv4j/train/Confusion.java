package org.conv4j.train;

import org.conv4j.tensor.Tensor;

/**
 * The pixel confusion matrix of dense predictions ([true class][arg-max class]), over positions
 * whose label is not the ignore index, and the segmentation figures read from it.
 */
final class Confusion {
    private final String who;
    private final int ignoreIndex;
    private long[][] counts; // sized by the first batch's class count

    Confusion(String who, int ignoreIndex) {
        this.who = who;
        this.ignoreIndex = ignoreIndex;
    }

    void reset() {
        counts = null;
    }

    /** Adds scores (N, K, d1, ...) or (N, K) against class indices (N, d1, ...) or (N). */
    void add(Tensor output, Tensor target) {
        ClassScores s = new ClassScores(who, output, target);
        if (counts == null) counts = new long[s.classes][s.classes];
        if (counts.length != s.classes) throw new IllegalArgumentException(who + ": scores of " + s.classes + " classes after batches of " + counts.length);
        for (int pos = 0; pos < s.positions(); pos++) {
            int label = s.label(who, pos, ignoreIndex);
            if (label == ignoreIndex) continue;
            int best = 0;
            for (int c = 1; c < s.classes; c++) if (s.score(pos, c) > s.score(pos, best)) best = c; // ties: the lowest class
            counts[label][best]++;
        }
    }

    int classes() {
        return counts == null ? 0 : counts.length;
    }

    /** The counted positions. */
    long total() {
        long t = 0;
        if (counts != null) for (long[] row : counts) for (long v : row) t += v;
        return t;
    }

    /** Correct positions over counted positions; NaN if none were counted. */
    double pixelAccuracy() {
        long correct = 0;
        for (int c = 0; c < classes(); c++) correct += counts[c][c];
        long t = total();
        return t == 0 ? Double.NaN : (double) correct / t;
    }

    /** Per class, true positives / (true + predicted - true positives); NaN for a class neither present nor predicted. */
    double[] iou() {
        int k = classes();
        double[] iou = new double[k];
        for (int c = 0; c < k; c++) {
            long truth = 0, predicted = 0;
            for (int j = 0; j < k; j++) {
                truth += counts[c][j];
                predicted += counts[j][c];
            }
            long union = truth + predicted - counts[c][c];
            iou[c] = union == 0 ? Double.NaN : (double) counts[c][c] / union;
        }
        return iou;
    }

    /** The mean of {@link #iou()} over the classes that are not NaN; NaN if all are. */
    double meanIoU() {
        double sum = 0;
        int n = 0;
        for (double v : iou()) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    long[][] counts() {
        int k = classes();
        long[][] c = new long[k][];
        for (int i = 0; i < k; i++) c[i] = counts[i].clone();
        return c;
    }
}
