package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/** The timing method on a scripted clock and scripted CPU counters: no real time is measured. */
class TimingTest {

    /**
     * A fake machine: every step advances the clock by the current step time; each timed repeat
     * takes the next scripted (step seconds, other processes' load) pair when its "before" CPU
     * sample is read.
     */
    static final class Script {
        long now;
        double stepSeconds;
        int steps, cpuReads;
        long busy, idle, self;
        final Deque<double[]> repeats = new ArrayDeque<>();
        double pendingLoad;

        Script(double warmStepSeconds) {
            stepSeconds = warmStepSeconds;
        }

        Script repeat(double stepSeconds, double otherLoad) {
            repeats.add(new double[] {stepSeconds, otherLoad});
            return this;
        }

        void step() {
            steps++;
            now += Math.round(stepSeconds * 1e9);
        }

        // two cores, 100 ticks per core-second; we use both cores except for what the others take
        CpuSample cpu() {
            if (cpuReads++ % 2 == 0) {
                double[] r = repeats.removeFirst();
                stepSeconds = r[0];
                pendingLoad = r[1];
            } else {
                long total = 200;
                long other = Math.round(pendingLoad * total);
                busy += total;
                self += total - other;
            }
            return new CpuSample(busy, idle, self);
        }

        Timing timing() {
            return new Timing(() -> now, this::cpu);
        }
    }

    private static Timing.Options options(int warmup, int repeats, double maxLoad, int maxDiscards) {
        return new Timing.Options(warmup, repeats, 0.5, maxLoad, maxDiscards);
    }

    @Test
    void quietRepeatsAreAllKeptAndRatesAreItemsOverTime() {
        Script s = new Script(0.01).repeat(0.01, 0).repeat(0.02, 0.05).repeat(0.01, 0);
        Timing.Result r = s.timing().measure(s::step, 64, options(2, 3, 0.10, 9));
        assertEquals(50, r.iterations()); // 0.5 s / 0.01 s per step
        assertArrayEquals(new double[] {6400, 3200, 6400}, r.rates(), 1e-6); // 64 images / step time
        assertEquals(new Stats(6400, 3200, 6400, 3), r.rate());
        assertEquals(0, r.discarded());
        assertEquals(0, r.busyKept());
        assertEquals(1 + 2 * 50 + 3 * 50, s.steps); // calibration, warm-up, timed
    }

    @Test
    void aBusyRepeatIsDiscardedAndDoneAgain() {
        // the second repeat ran while others took 40% of the machine and was slow: it must not count
        Script s = new Script(0.01).repeat(0.01, 0).repeat(0.05, 0.40).repeat(0.01, 0.02).repeat(0.01, 0);
        Timing.Result r = s.timing().measure(s::step, 1, options(0, 3, 0.10, 9));
        assertEquals(1, r.discarded());
        assertEquals(0, r.busyKept());
        assertArrayEquals(new double[] {100, 100, 100}, r.rates(), 1e-6);
        assertArrayEquals(new double[] {0, 0.02, 0}, r.otherLoads(), 1e-12);
    }

    @Test
    void onceDiscardsRunOutBusyRepeatsAreKeptAndCounted() {
        Script s = new Script(0.01).repeat(0.02, 0.5).repeat(0.02, 0.5).repeat(0.02, 0.5).repeat(0.01, 0);
        Timing.Result r = s.timing().measure(s::step, 1, options(0, 2, 0.10, 1));
        assertEquals(1, r.discarded());
        assertEquals(2, r.busyKept()); // the first busy repeat used the one discard; the next two are kept
        assertArrayEquals(new double[] {50, 50}, r.rates(), 1e-6);
        assertArrayEquals(new double[] {0.5, 0.5}, r.otherLoads(), 1e-12);
        assertEquals(1, s.repeats.size(), "stopped after two kept repeats");
    }

    @Test
    void theThresholdItselfStillCountsAsQuiet() {
        Script s = new Script(0.01).repeat(0.01, 0.10);
        Timing.Result r = s.timing().measure(s::step, 1, options(0, 1, 0.10, 5));
        assertEquals(0, r.discarded());
    }

    @Test
    void withoutCpuCountersNothingIsDiscarded() {
        long[] now = {0};
        Timing t = new Timing(() -> now[0], () -> null);
        Timing.Result r = t.measure(() -> now[0] += 2_000_000, 10, options(1, 4, 0.0, 5));
        assertEquals(250, r.iterations());
        assertEquals(5000, r.rate().median(), 1e-9);
        assertEquals(0, r.discarded());
    }

    @Test
    void warmUpRecalibratesTheStepsPerRepeat() {
        // the first call is slow (before the JIT); warm-up finds the real speed
        long[] now = {0};
        int[] calls = {0};
        Timing t = new Timing(() -> now[0], () -> null);
        Timing.Result r = t.measure(() -> now[0] += calls[0]++ == 0 ? 100_000_000 : 1_000_000, 1, options(1, 1, 0.1, 0));
        assertEquals(500, r.iterations()); // 5 after calibration, 500 after warming up at 1 ms per step
    }

    @Test
    void iterationsAreBounded() {
        assertEquals(1, Timing.iterationsFor(0.5, 3.0));
        assertEquals(1_000_000, Timing.iterationsFor(0.5, 0));
        assertEquals(2, Timing.iterationsFor(0.5, 0.25));
        assertEquals(3, Timing.iterationsFor(0.5, 0.2)); // 2.5 rounds up
    }

    @Test
    void badOptionsAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> options(-1, 1, 0.1, 1)).getMessage().contains("warm-up repeats must be >= 0, got -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> options(0, 0, 0.1, 1)).getMessage().contains("repeats must be >= 1, got 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> options(0, 1, 1.5, 1)).getMessage().contains("max other load must be in [0, 1], got 1.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Timing.Options(0, 1, 0, 0.1, 1)).getMessage().contains("target seconds must be > 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Timing().measure(() -> { }, 0, Timing.Options.defaults()))
                .getMessage().contains("items per step must be > 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Timing.Options(0, 1, 1, 0.1, 1, -1)).getMessage()
                .contains("pause after a discard must be in [0, 60] seconds, got -1.0"));
        assertEquals(15, Timing.Options.defaults().withRepeats(5).maxDiscards());
        assertEquals(1.0, Timing.Options.defaults().pauseAfterDiscard());
    }
}
