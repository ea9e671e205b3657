package org.conv4j.train;

import org.conv4j.tensor.Tensor;

/**
 * The fraction of samples (or positions) whose true class is among the {@code k} highest scores,
 * ties ordered by class index as arg-max orders them. Named "top" + k ("top5").
 */
public final class TopKAccuracy implements Metric {
    private final int k;
    private long correct, count;

    public TopKAccuracy(int k) {
        if (k < 1) throw new IllegalArgumentException("TopKAccuracy: k must be >= 1, got " + k);
        this.k = k;
    }

    public int k() {
        return k;
    }

    @Override
    public String name() {
        return "top" + k;
    }

    @Override
    public void reset() {
        correct = 0;
        count = 0;
    }

    @Override
    public void add(Tensor output, Tensor target) {
        ClassScores s = new ClassScores("TopKAccuracy", output, target);
        for (int pos = 0; pos < s.positions(); pos++) {
            int label = s.label("TopKAccuracy", pos), rank = 0;
            float truth = s.score(pos, label);
            for (int c = 0; c < s.classes; c++) {
                float v = s.score(pos, c);
                if (v > truth || (v == truth && c < label)) rank++;
            }
            if (rank < k) correct++;
        }
        count += s.positions();
    }

    @Override
    public double value() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }
}
