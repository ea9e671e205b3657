package org.conv4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's FP32 fused multiply-add peak as the JVM reaches it, the ceiling every GFLOP/s
 * figure of the bench is a fraction of: each of {@code threads} threads runs {@link #CHAINS}
 * independent FMA chains on vectors of the JVM's preferred species (512-bit on AVX-512). Sixteen
 * chains cover the FMA latency (4 cycles) times the FMA ports (2) twice over, so the loop is
 * bound by throughput, not latency, and fit the 32 vector registers with room to spare.
 *
 * <p>Every lane of every chain computes {@code acc = acc * a + b} with a = b = 1, so after n
 * iterations it holds exactly n (n below 2^24): each step checks the sum of all lanes against
 * that count, which proves the counted FMAs ran. a and b are read from an array at every step so
 * the compiler cannot fold them away.
 */
public final class FmaPeak implements AutoCloseable {
    /** Independent accumulator chains per thread. */
    public static final int CHAINS = 16;
    /** Iterations of each chain per step: about 3 ms on one core, and exact in float (below 2^24). */
    public static final int ITERATIONS = 1 << 20;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    // not final constants: read at every step, so the JIT cannot simplify acc * 1 + 1
    private final float[] operands = {1f, 1f};
    private final int threads;
    private final ExecutorService pool;

    /** A peak measurement on {@code threads} threads (>= 1), which this object owns until {@link #close}. */
    public FmaPeak(int threads) {
        if (threads < 1) throw new IllegalArgumentException("FmaPeak: threads must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fma-peak");
            t.setDaemon(true);
            return t;
        });
    }

    /** Float lanes of the preferred species: 16 on AVX-512, 8 on AVX2. */
    public static int lanes() {
        return S.length();
    }

    /** FLOPs of one step: 2 (multiply and add) x lanes x chains x iterations x threads. */
    public static double flopsPerStep(int lanes, int chains, int iterations, int threads) {
        return 2.0 * lanes * chains * iterations * threads;
    }

    /** The sum of all lanes of all chains after {@code iterations} with a = b = 1: chains x lanes x iterations. */
    public static double expectedSum(int lanes, int chains, int iterations) {
        return (double) lanes * chains * iterations;
    }

    /** One step: {@link #ITERATIONS} of the chains on every thread at once; throws if a thread's sum is not the counted one. */
    public void step() {
        step(ITERATIONS);
    }

    void step(int iterations) {
        float a = operands[0], b = operands[1];
        List<Future<Float>> parts = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) parts.add(pool.submit(() -> chains(iterations, a, b)));
        double expected = expectedSum(lanes(), CHAINS, iterations);
        try {
            for (Future<Float> p : parts) {
                float sum = p.get();
                if (sum != expected) throw new IllegalStateException("FmaPeak: a thread's chains summed to " + sum + ", expected " + expected);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("FmaPeak: interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("FmaPeak: " + e.getCause(), e.getCause());
        }
    }

    /** Sixteen chains held in sixteen locals, so that they stay in registers. */
    static float chains(int iterations, float a, float b) {
        FloatVector va = FloatVector.broadcast(S, a), vb = FloatVector.broadcast(S, b);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        FloatVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (int i = 0; i < iterations; i++) {
            c0 = c0.fma(va, vb); c1 = c1.fma(va, vb); c2 = c2.fma(va, vb); c3 = c3.fma(va, vb);
            c4 = c4.fma(va, vb); c5 = c5.fma(va, vb); c6 = c6.fma(va, vb); c7 = c7.fma(va, vb);
            c8 = c8.fma(va, vb); c9 = c9.fma(va, vb); c10 = c10.fma(va, vb); c11 = c11.fma(va, vb);
            c12 = c12.fma(va, vb); c13 = c13.fma(va, vb); c14 = c14.fma(va, vb); c15 = c15.fma(va, vb);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
                .add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15);
        return sum.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Measures the peak on {@code threads} threads with {@link Timing}: a row with case "peak",
     * mode "fma-Nt" (N threads) and the GFLOP/s; no images/s and no memory figures.
     */
    public static BenchResult measure(int threads, Timing timing, Timing.Options options) {
        try (FmaPeak peak = new FmaPeak(threads)) {
            Timing.Result r = timing.measure(peak::step, flopsPerStep(lanes(), CHAINS, ITERATIONS, threads), options);
            return new BenchResult("conv4j", "peak", mode(threads), 0, null, null, r.rate().scale(1e-9), Double.NaN, -1, -1, r);
        }
    }

    /** The row's mode for a thread count: "fma-1t", "fma-2t", ... */
    public static String mode(int threads) {
        return "fma-" + threads + "t";
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
