package org.conv4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.conv4j.kernel.Gemm;
import org.conv4j.kernel.Parallel;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.Zoo;

/**
 * The bench engine: runs a {@link BenchCase} or a {@link GemmShape} with {@link Timing} and turns
 * the rates into a {@link BenchResult}. The peer runners (bench/peers) call {@link #runCase} and
 * {@link #runGemm} with their own step, so every framework is measured the same way.
 *
 * <p>GFLOP/s = images/s x {@link BenchCase#flopsPerImage} / 1e9 (GEMM: calls/s x 2mnk / 1e9); the
 * fraction of peak divides the median by the machine's FP32 FMA peak ({@link FmaPeak}) measured
 * in the same process on the bench's thread count.
 */
public final class Bench {
    /** The seed of every model's weights and of the fixed random batch. */
    public static final long SEED = 42;
    /** The SGD learning rate of the training cases (momentum 0.9). */
    public static final double LEARNING_RATE = 0.01;

    private Bench() {
    }

    /** One model case: resets the memory peaks, builds the workload, measures it. */
    public static BenchResult runCase(String framework, BenchCase c, Supplier<Runnable> workload, Timing timing,
                                      Timing.Options options, double peakGflops) {
        Memory.resetPeaks();
        Runnable step = workload.get();
        Timing.Result r = timing.measure(step, c.batch(), options);
        Stats gflops = r.rate().scale(c.flopsPerImage() / 1e9);
        return new BenchResult(framework, c.model(), c.mode(), c.batch(), null, r.rate(), gflops,
                fraction(gflops.median(), peakGflops), Memory.peakHeapBytes(), Memory.peakResidentBytes(), r);
    }

    /** One GEMM size: {@code step} performs one product of that size. */
    public static BenchResult runGemm(String framework, GemmShape s, Runnable step, Timing timing,
                                      Timing.Options options, double peakGflops) {
        Memory.resetPeaks();
        Timing.Result r = timing.measure(step, s.flops(), options);
        Stats gflops = r.rate().scale(1e-9);
        return new BenchResult(framework, "gemm", s.name(), 0, s, null, gflops, fraction(gflops.median(), peakGflops),
                Memory.peakHeapBytes(), Memory.peakResidentBytes(), r);
    }

    /** {@code gflops / peak}, or NaN when no peak was measured (peak NaN or not positive). */
    public static double fraction(double gflops, double peak) {
        return peak > 0 ? gflops / peak : Double.NaN;
    }

    /**
     * conv4j's step for a case: a training step (zeroGrad, forward TRAIN, softmax cross-entropy,
     * backward, SGD momentum 0.9) or an inference forward (EVAL), on a fixed N(0, 1) batch with
     * uniform random labels; weights from {@link Init#seed}({@link #SEED}); the model reuses its
     * buffers from step to step ({@link Layer#reuseBuffers}).
     */
    public static Runnable conv4jStep(BenchCase c) {
        Init.seed(SEED);
        Layer net = Zoo.build(c.zooName(), c.channels(), c.height(), c.width(), c.classes());
        SplittableRandom rng = new SplittableRandom(SEED);
        // x is (N, C, H, W)
        Tensor x = Tensor.randn(rng, 1f, c.batch(), c.channels(), c.height(), c.width());
        net.reuseBuffers(true);   // as the Trainer does, and a serving loop on one thread would
        if (!c.train()) return () -> net.forward(x, Mode.EVAL);
        float[] labels = new float[c.batch()];
        for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(c.classes());
        Tensor target = Tensor.of(labels, labels.length);
        SGD sgd = new SGD(net, LEARNING_RATE).momentum(0.9);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        return () -> {
            sgd.zeroGrad();
            Tensor logits = net.forward(x, Mode.TRAIN); // logits is (N, classes)
            loss.forward(logits, target);
            net.backwardParameters(loss.backward());   // as the Trainer: no gradient for the input batch
            sgd.step();
        };
    }

    /** conv4j's step for a GEMM size: one {@link Gemm#gemm} on N(0, 1) operands stored as the shape says. */
    public static Runnable gemmStep(GemmShape s) {
        SplittableRandom rng = new SplittableRandom(SEED);
        float[] a = Tensor.randn(rng, 1f, s.m() * s.k()).data();
        float[] b = Tensor.randn(rng, 1f, s.k() * s.n()).data();
        float[] c = new float[s.m() * s.n()];
        return () -> Gemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, s.lda(), b, 0, s.ldb(), c, 0, s.n(), false);
    }

    /** The environment record printed before the results: framework and version, Java, CPU, cores, threads, date. */
    public static Map<String, Object> environment(String framework, String version, int threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("record", "env");
        m.put("framework", framework);
        m.put("version", version);
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("cpu", cpuModel());
        m.put("cores", (long) Runtime.getRuntime().availableProcessors());
        m.put("threads", (long) threads);
        m.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return m;
    }

    /** conv4j's environment record, with its kernel thread count. */
    public static Map<String, Object> environment() {
        return environment("conv4j", "0.1.0", Parallel.threads());
    }

    /** The processor's model name from /proc/cpuinfo, or os.arch where that is not readable. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }
}
