package org.conv4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The timing method every runner shares (conv4j's bench and the peer runners in bench/peers):
 *
 * <ol>
 *   <li>Calibrate: run the step once and time it.
 *   <li>Warm up: {@code warmup} untimed repeats of at least {@code targetSeconds} each (steps
 *       until the time is up), so the JIT (or the peer's allocator and thread pools) settles; the
 *       iteration count of a timed repeat comes from the last warm-up repeat,
 *       {@code max(1, round(targetSeconds / perStep))}.
 *   <li>Measure: {@code repeats} timed repeats of that fixed iteration count; the rate of a repeat
 *       is {@code iterations * itemsPerStep / seconds}.
 *   <li>Guard: around every timed repeat the machine's CPU counters are read ({@link CpuSample});
 *       if other processes used more than {@code maxOtherLoad} of the machine during it, the repeat
 *       is discarded and done again, at most {@code maxDiscards} times in all. After that, a busy
 *       repeat is kept and counted as {@code busyKept}, so a run always ends and says how noisy it was.
 * </ol>
 * The result is the {@link Stats} (median, min, max) of the kept rates.
 */
public final class Timing {
    /**
     * How to measure. {@code pauseAfterDiscard} seconds are slept after a discarded repeat, so a
     * neighbour's burst can pass before the redo instead of using up the redo budget at once.
     */
    public record Options(int warmup, int repeats, double targetSeconds, double maxOtherLoad, int maxDiscards, double pauseAfterDiscard) {
        public Options {
            if (warmup < 0) throw new IllegalArgumentException("Timing: warm-up repeats must be >= 0, got " + warmup);
            if (repeats < 1) throw new IllegalArgumentException("Timing: repeats must be >= 1, got " + repeats);
            if (!(targetSeconds > 0)) throw new IllegalArgumentException("Timing: target seconds must be > 0, got " + targetSeconds);
            if (!(maxOtherLoad >= 0 && maxOtherLoad <= 1)) {
                throw new IllegalArgumentException("Timing: max other load must be in [0, 1], got " + maxOtherLoad);
            }
            if (maxDiscards < 0) throw new IllegalArgumentException("Timing: max discards must be >= 0, got " + maxDiscards);
            if (!(pauseAfterDiscard >= 0 && pauseAfterDiscard <= 60)) {
                throw new IllegalArgumentException("Timing: pause after a discard must be in [0, 60] seconds, got " + pauseAfterDiscard);
            }
        }

        /** Without a pause after a discarded repeat. */
        public Options(int warmup, int repeats, double targetSeconds, double maxOtherLoad, int maxDiscards) {
            this(warmup, repeats, targetSeconds, maxOtherLoad, maxDiscards, 0);
        }

        /**
         * 8 warm-up and 5 timed repeats of about 0.5 s; a repeat is redone when others used over 10% of
         * the machine, up to 3 x repeats times, after a pause of 1 s.
         */
        public static Options defaults() {
            return new Options(8, 5, 0.5, 0.10, 15, 1.0);
        }

        public Options withWarmup(int w) {
            return new Options(w, repeats, targetSeconds, maxOtherLoad, maxDiscards, pauseAfterDiscard);
        }

        public Options withRepeats(int r) {
            return new Options(warmup, r, targetSeconds, maxOtherLoad, 3 * r, pauseAfterDiscard);
        }

        public Options withTargetSeconds(double s) {
            return new Options(warmup, repeats, s, maxOtherLoad, maxDiscards, pauseAfterDiscard);
        }

        public Options withMaxOtherLoad(double l) {
            return new Options(warmup, repeats, targetSeconds, l, maxDiscards, pauseAfterDiscard);
        }

        public Options withPauseAfterDiscard(double p) {
            return new Options(warmup, repeats, targetSeconds, maxOtherLoad, maxDiscards, p);
        }
    }

    /**
     * What was measured: rates of the kept repeats (items per second), the steps per repeat, how
     * many repeats were discarded as busy, how many busy ones were kept once discards ran out, and
     * the other processes' load seen in each kept repeat.
     */
    public record Result(Stats rate, double[] rates, int iterations, int discarded, int busyKept, double[] otherLoads) {
    }

    private final LongSupplier nanoClock;
    private final Supplier<CpuSample> cpu;

    /** A timing harness on {@link System#nanoTime} and /proc. */
    public Timing() {
        this(System::nanoTime, CpuSample::read);
    }

    /** A harness on a given clock and CPU counter source (tests script both). */
    public Timing(LongSupplier nanoClock, Supplier<CpuSample> cpu) {
        this.nanoClock = nanoClock;
        this.cpu = cpu;
    }

    /** Measures {@code step}, which processes {@code itemsPerStep} items (images, or FLOPs) per call. */
    public Result measure(Runnable step, double itemsPerStep, Options o) {
        if (!(itemsPerStep > 0)) throw new IllegalArgumentException("Timing: items per step must be > 0, got " + itemsPerStep);
        long t0 = nanoClock.getAsLong();
        step.run();
        double perStep = seconds(nanoClock.getAsLong() - t0);
        int iterations = iterationsFor(o.targetSeconds(), perStep);
        for (int w = 0; w < o.warmup(); w++) {
            // steps until the time is up, not a count: while the JIT is still compiling, a count
            // derived from the slow first steps would end the warm-up after a few steps
            long s = nanoClock.getAsLong(), elapsed = 0;
            int steps = 0;
            do {
                step.run();
                steps++;
                elapsed = nanoClock.getAsLong() - s;
            } while (seconds(elapsed) < o.targetSeconds());
            iterations = iterationsFor(o.targetSeconds(), seconds(elapsed) / steps);
        }
        List<Double> rates = new ArrayList<>(), loads = new ArrayList<>();
        int discarded = 0, busyKept = 0;
        while (rates.size() < o.repeats()) {
            CpuSample before = cpu.get();
            long s = nanoClock.getAsLong();
            for (int i = 0; i < iterations; i++) step.run();
            long e = nanoClock.getAsLong();
            double load = CpuSample.otherLoad(before, cpu.get());
            if (load > o.maxOtherLoad()) {
                if (discarded < o.maxDiscards()) {
                    discarded++;
                    pause(o.pauseAfterDiscard());
                    continue;
                }
                busyKept++;
            }
            rates.add(iterations * itemsPerStep / Math.max(seconds(e - s), 1e-9));
            loads.add(load);
        }
        double[] r = unboxed(rates);
        return new Result(Stats.of(r), r, iterations, discarded, busyKept, unboxed(loads));
    }

    /** Steps per repeat for a target duration: {@code max(1, round(target / perStep))}. */
    static int iterationsFor(double targetSeconds, double perStepSeconds) {
        if (!(perStepSeconds > 0)) return 1_000_000;
        return (int) Math.max(1, Math.min(1_000_000, Math.round(targetSeconds / perStepSeconds)));
    }

    private static void pause(double seconds) {
        if (seconds <= 0) return;
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double[] unboxed(java.util.List<Double> values) {
        double[] a = new double[values.size()];
        for (int i = 0; i < a.length; i++) a[i] = values.get(i);
        return a;
    }
}
