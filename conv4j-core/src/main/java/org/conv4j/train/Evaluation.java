package org.conv4j.train;

import org.conv4j.tensor.Tensor;

/**
 * Classification metrics accumulated over batches: mean loss, accuracy, top-k accuracy, the
 * confusion matrix (rows: true class, columns: predicted) and per-class accuracy.
 */
public final class Evaluation {
    private final int classes, topK;
    private final long[][] confusion;
    private double lossSum;
    private long count, correct, correctTopK;

    public Evaluation(int classes, int topK) {
        if (classes < 1) throw new IllegalArgumentException("Evaluation: classes must be positive, got " + classes);
        if (topK < 1) throw new IllegalArgumentException("Evaluation: top-k must be positive, got " + topK);
        this.classes = classes;
        this.topK = Math.min(topK, classes);
        this.confusion = new long[classes][classes];
    }

    /** Adds a batch: logits (N, classes), labels (N), and the batch's mean loss. */
    public void add(Tensor logits, int[] labels, double meanLoss) {
        int n = labels.length;
        if (logits.rank() != 2 || logits.dim(0) != n || logits.dim(1) != classes) {
            throw new IllegalArgumentException("Evaluation: expected logits of shape (" + n + ", " + classes + "), got " + logits.shape());
        }
        for (int i = 0; i < n; i++) {
            int label = labels[i];
            if (label < 0 || label >= classes) throw new IllegalArgumentException("Evaluation: label " + label + " is not a class in [0, " + classes + ")");
            int best = 0, rank = 0;
            float truth = logits.at(i * classes + label);
            for (int c = 0; c < classes; c++) {
                float v = logits.at(i * classes + c);
                if (v > logits.at(i * classes + best)) best = c;
                if (v > truth || (v == truth && c < label)) rank++; // ties ordered by class index, like arg-max
            }
            confusion[label][best]++;
            if (best == label) correct++;
            if (rank < topK) correctTopK++;
        }
        lossSum += meanLoss * n;
        count += n;
    }

    public long count() {
        return count;
    }

    public double loss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    public int topK() {
        return topK;
    }

    public double topKAccuracy() {
        return count == 0 ? Double.NaN : (double) correctTopK / count;
    }

    public int classes() {
        return classes;
    }

    /** A copy of the confusion matrix: [true class][predicted class]. */
    public long[][] confusion() {
        long[][] c = new long[classes][];
        for (int i = 0; i < classes; i++) c[i] = confusion[i].clone();
        return c;
    }

    /** Accuracy within each true class (NaN for a class with no samples). */
    public double[] perClassAccuracy() {
        double[] a = new double[classes];
        for (int i = 0; i < classes; i++) {
            long total = 0;
            for (long v : confusion[i]) total += v;
            a[i] = total == 0 ? Double.NaN : (double) confusion[i][i] / total;
        }
        return a;
    }

    /** Samples of each true class. */
    public long[] support() {
        long[] s = new long[classes];
        for (int i = 0; i < classes; i++) for (long v : confusion[i]) s[i] += v;
        return s;
    }
}
