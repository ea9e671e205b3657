package org.conv4j.optim;

/** Helpers for {@link LrSchedule}'s factories: argument checks and a readable toString. */
final class Schedules {
    private Schedules() {
    }

    static void check(boolean ok, String format, Object... args) {
        if (!ok) throw new IllegalArgumentException("LrSchedule." + String.format(format, args));
    }

    static void checkGamma(double gamma, String who) {
        check(gamma > 0 && gamma < Double.POSITIVE_INFINITY, "%s: gamma must be finite and > 0, got %s", who, gamma);
    }

    /** Wraps a schedule with a description; negative counters are rejected here, once. */
    static LrSchedule named(String description, LrSchedule f) {
        return new LrSchedule() {
            @Override
            public double learningRate(double baseLr, int t) {
                check(t >= 0, "learningRate: t must be >= 0, got %d (%s)", t, description);
                return f.learningRate(baseLr, t);
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }
}
