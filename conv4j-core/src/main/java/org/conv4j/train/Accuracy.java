package org.conv4j.train;

import org.conv4j.tensor.Tensor;

/** The fraction of samples, or of positions for per-position outputs, whose arg-max score is the true class. */
public final class Accuracy implements Metric {
    private long correct, count;

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public void reset() {
        correct = 0;
        count = 0;
    }

    @Override
    public void add(Tensor output, Tensor target) {
        ClassScores s = new ClassScores("Accuracy", output, target);
        for (int pos = 0; pos < s.positions(); pos++) {
            int label = s.label("Accuracy", pos), best = 0;
            for (int c = 1; c < s.classes; c++) if (s.score(pos, c) > s.score(pos, best)) best = c; // ties: the lowest class
            if (best == label) correct++;
        }
        count += s.positions();
    }

    @Override
    public double value() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }
}
