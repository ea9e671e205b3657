package org.conv4j.train;

import java.util.List;
import java.util.Map;
import org.conv4j.tensor.Tensor;

/** The mean loss (weighted by batch size) and the metrics over the batches of one pass. */
final class Tally {
    private final List<Metric> metrics;
    private double lossSum;
    private long samples;

    /** Starts a pass: the metrics are reset. */
    Tally(List<Metric> metrics) {
        this.metrics = metrics;
        for (Metric m : metrics) m.reset();
    }

    void add(Tensor output, Tensor target, float meanLoss, int batchSize) {
        lossSum += (double) meanLoss * batchSize;
        samples += batchSize;
        for (Metric m : metrics) m.add(output, target);
    }

    long samples() {
        return samples;
    }

    double loss() {
        return samples == 0 ? Double.NaN : lossSum / samples;
    }

    /** Puts PREFIX_loss and PREFIX_METRIC for each metric (NaN after no batch). */
    void into(Map<String, Double> figures, String prefix) {
        figures.put(prefix + "loss", loss());
        for (Metric m : metrics) figures.put(prefix + m.name(), samples == 0 ? Double.NaN : m.value());
    }
}
