package org.conv4j.train;

/**
 * The figure that says whether an epoch improved on the best so far, which decides the best
 * checkpoint and early stopping: a loss or metric name ("loss", "accuracy" ...), read from the
 * validation figures ("val_loss") and, without validation data, from the training ones
 * ("train_loss"). Lower is better unless {@code higherIsBetter}.
 */
public final class Monitor {
    private final String name;
    private final boolean higherIsBetter;
    private double best = Double.NaN;
    private int epochsWithoutImprovement;
    private boolean improved;

    public Monitor(String name, boolean higherIsBetter) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("Monitor: expected a figure name such as \"loss\", got '" + name + "'");
        this.name = name;
        this.higherIsBetter = higherIsBetter;
    }

    public String name() {
        return name;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Takes an epoch's figures; returns whether it improved (the first epoch always does). */
    public boolean update(EpochResult r) {
        double v = r.figure("val_" + name);
        if (Double.isNaN(v)) v = r.figure("train_" + name);
        if (Double.isNaN(v) && !r.figures().containsKey("train_" + name)) {
            throw new IllegalArgumentException("Monitor: no figure '" + name + "' in the epoch's figures " + r.figures().keySet());
        }
        improved = Double.isNaN(best) || (higherIsBetter ? v > best : v < best);
        if (improved) {
            best = v;
            epochsWithoutImprovement = 0;
        } else {
            epochsWithoutImprovement++;
        }
        return improved;
    }

    /** Whether the last {@link #update} improved. */
    public boolean improved() {
        return improved;
    }

    /** The best value so far, NaN before the first epoch. */
    public double best() {
        return best;
    }

    public int epochsWithoutImprovement() {
        return epochsWithoutImprovement;
    }

    /** Restores the state saved in a checkpoint. */
    void restore(double best, int epochsWithoutImprovement) {
        this.best = best;
        this.epochsWithoutImprovement = epochsWithoutImprovement;
        this.improved = false;
    }
}
