package org.conv4j.bench;

import java.util.Arrays;

/**
 * Median, minimum and maximum of the kept timed repeats. The median of an even count is the mean
 * of the two middle values. The median is what the bench reports, because one repeat slowed by a
 * neighbour on a shared machine moves it far less than it moves the mean.
 */
public record Stats(double median, double min, double max, int count) {

    /** The statistics of {@code values} (at least one, all finite). */
    public static Stats of(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("Stats: need at least one value, got none");
        double[] v = values.clone();
        Arrays.sort(v);
        for (double x : v) {
            if (!Double.isFinite(x)) throw new IllegalArgumentException("Stats: values must be finite, got " + x);
        }
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, v[0], v[n - 1], n);
    }

    /** These statistics with every value multiplied by {@code factor} (> 0), e.g. images/s to GFLOP/s. */
    public Stats scale(double factor) {
        if (!(factor > 0)) throw new IllegalArgumentException("Stats: scale factor must be > 0, got " + factor);
        return new Stats(median * factor, min * factor, max * factor, count);
    }
}
