package org.conv4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The figures of one training epoch (numbered from 1): the learning rate, the loss and metrics on
 * the training data ({@code train_loss}, {@code train_accuracy} ...) and on the validation data
 * ({@code val_loss}, {@code val_accuracy}, {@code val_top5} ...), in column order, then the
 * time. Validation figures are NaN when there is no validation set.
 */
public record EpochResult(int epoch, double learningRate, Map<String, Double> figures, double seconds, double imagesPerSecond) {

    public EpochResult {
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(figures, "figures")));
    }

    /** A figure by column name ("train_loss", "val_accuracy" ...), NaN if this result has none. */
    public double figure(String name) {
        Double v = figures.get(name);
        return v == null ? Double.NaN : v;
    }

    public double trainLoss() {
        return figure("train_loss");
    }

    public double trainAccuracy() {
        return figure("train_accuracy");
    }

    public double valLoss() {
        return figure("val_loss");
    }

    public double valAccuracy() {
        return figure("val_accuracy");
    }

    /** Column names, in the order of {@link #values()}: epoch, lr, the figures, seconds, images_per_second. */
    public List<String> columns() {
        List<String> c = new ArrayList<>(List.of("epoch", "lr"));
        c.addAll(figures.keySet());
        c.addAll(List.of("seconds", "images_per_second"));
        return c;
    }

    public double[] values() {
        double[] v = new double[figures.size() + 4];
        v[0] = epoch;
        v[1] = learningRate;
        int i = 2;
        for (double f : figures.values()) v[i++] = f;
        v[i++] = seconds;
        v[i] = imagesPerSecond;
        return v;
    }

    /** Rebuilds a result from {@link #columns()} and {@link #values()}. */
    public static EpochResult of(List<String> columns, double[] values) {
        int n = columns.size();
        if (values.length != n || n < 4 || !columns.get(0).equals("epoch") || !columns.get(1).equals("lr")
                || !columns.get(n - 2).equals("seconds") || !columns.get(n - 1).equals("images_per_second")) {
            throw new IllegalArgumentException("an epoch result has the columns epoch, lr, figures..., seconds, images_per_second; got "
                    + columns + " with " + values.length + " values");
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        for (int i = 2; i < n - 2; i++) figures.put(columns.get(i), values[i]);
        return new EpochResult((int) values[0], values[1], figures, values[n - 2], values[n - 1]);
    }
}
