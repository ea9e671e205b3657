package org.conv4j.optim;

/**
 * A learning-rate schedule: a pure function of the base rate and a counter {@code t >= 0}.
 *
 * <p>The counter's unit is the caller's choice: PyTorch's schedulers (StepLR, CosineAnnealingLR,
 * ...) are usually stepped once per epoch, so {@code t} is the epoch index (0 for the first
 * epoch); a per-batch schedule passes the global step instead, with step counts in the same unit
 * (for example {@code cosine(epochs * batchesPerEpoch, 0)}). Apply it with
 * {@link #apply(Optimizer, double, int)} before the epoch (or step) that uses the rate.
 *
 * <p>Values are the closed forms of PyTorch's schedulers, so schedules compose: {@link #then}
 * switches to another schedule at a milestone, restarting its counter there, as
 * {@code torch.optim.lr_scheduler.SequentialLR}. Warm-up for 5 epochs then cosine to zero by
 * epoch 100: {@code LrSchedule.linearWarmup(5, 0.1, LrSchedule.cosine(95, 0))}.
 */
@FunctionalInterface
public interface LrSchedule {
    /** The learning rate at counter {@code t} (epoch or step, from 0) for base rate {@code baseLr}. */
    double learningRate(double baseLr, int t);

    /** Sets the optimizer's learning rate to this schedule's value at {@code t}. */
    default void apply(Optimizer optimizer, double baseLr, int t) {
        optimizer.setLearningRate(learningRate(baseLr, t));
    }

    /** This schedule for {@code t < milestone}, then {@code next} at {@code t - milestone}. */
    default LrSchedule then(int milestone, LrSchedule next) {
        Schedules.check(milestone >= 0, "then: milestone must be >= 0, got %d", milestone);
        java.util.Objects.requireNonNull(next, "next schedule");
        LrSchedule first = this;
        return Schedules.named(first + ".then(" + milestone + ", " + next + ")",
                (base, t) -> t < milestone ? first.learningRate(base, t) : next.learningRate(base, t - milestone));
    }

    /** The base rate, always. */
    static LrSchedule constant() {
        return Schedules.named("constant()", (base, t) -> base);
    }

    /** {@code base * gamma^floor(t / stepSize)}, as StepLR: decay by gamma every stepSize. */
    static LrSchedule step(int stepSize, double gamma) {
        Schedules.check(stepSize > 0, "step: stepSize must be > 0, got %d", stepSize);
        Schedules.checkGamma(gamma, "step");
        return Schedules.named("step(" + stepSize + ", " + gamma + ")", (base, t) -> base * Math.pow(gamma, t / stepSize));
    }

    /** {@code base * gamma^(number of milestones <= t)}, as MultiStepLR; milestones increasing. */
    static LrSchedule multiStep(double gamma, int... milestones) {
        Schedules.checkGamma(gamma, "multiStep");
        int[] m = milestones.clone();
        for (int i = 0; i < m.length; i++) {
            Schedules.check(m[i] >= 0 && (i == 0 || m[i] > m[i - 1]), "multiStep: milestones must be increasing and >= 0, got %s",
                    java.util.Arrays.toString(m));
        }
        return Schedules.named("multiStep(" + gamma + ", " + java.util.Arrays.toString(m) + ")", (base, t) -> {
            int passed = 0;
            while (passed < m.length && m[passed] <= t) passed++;
            return base * Math.pow(gamma, passed);
        });
    }

    /** {@code base * gamma^t}, as ExponentialLR. */
    static LrSchedule exponential(double gamma) {
        Schedules.checkGamma(gamma, "exponential");
        return Schedules.named("exponential(" + gamma + ")", (base, t) -> base * Math.pow(gamma, t));
    }

    /**
     * {@code minLr + (base - minLr) * (1 + cos(pi * t / tMax)) / 2} for {@code t <= tMax}, as
     * CosineAnnealingLR's closed form; after {@code tMax} it stays at {@code minLr} (PyTorch's
     * would climb back along the cosine).
     */
    static LrSchedule cosine(int tMax, double minLr) {
        Schedules.check(tMax > 0, "cosine: tMax must be > 0, got %d", tMax);
        Schedules.check(minLr >= 0 && minLr < Double.POSITIVE_INFINITY, "cosine: minLr must be finite and >= 0, got %s", minLr);
        return Schedules.named("cosine(" + tMax + ", " + minLr + ")",
                (base, t) -> minLr + (base - minLr) * (1 + Math.cos(Math.PI * Math.min(t, tMax) / tMax)) / 2);
    }

    /**
     * {@code base * (start + (end - start) * min(t, total) / total)}, as LinearLR: the factor moves
     * linearly from {@code startFactor} to {@code endFactor} over {@code total} and then stays.
     */
    static LrSchedule linear(double startFactor, double endFactor, int total) {
        Schedules.check(startFactor > 0 && startFactor <= 1, "linear: startFactor must be in (0, 1], got %s", startFactor);
        Schedules.check(endFactor >= 0 && endFactor <= 1, "linear: endFactor must be in [0, 1], got %s", endFactor);
        Schedules.check(total > 0, "linear: total must be > 0, got %d", total);
        return Schedules.named("linear(" + startFactor + ", " + endFactor + ", " + total + ")",
                (base, t) -> base * (startFactor + (endFactor - startFactor) * Math.min(t, total) / total));
    }

    /**
     * Linear warm-up from {@code startFactor * base} (at t = 0) towards base over {@code warmup}
     * counts, then {@code after} from its own t = 0: {@code linear(startFactor, 1, warmup)
     * .then(warmup, after)}, as SequentialLR([LinearLR, after], milestones=[warmup]).
     */
    static LrSchedule linearWarmup(int warmup, double startFactor, LrSchedule after) {
        return linear(startFactor, 1, warmup).then(warmup, after);
    }
}
