package org.conv4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.conv4j.bench.Bench;
import org.conv4j.bench.BenchCase;
import org.conv4j.bench.BenchResult;
import org.conv4j.bench.FmaPeak;
import org.conv4j.bench.GemmShape;
import org.conv4j.bench.Timing;
import org.conv4j.io.Json;
import org.conv4j.kernel.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j bench}: the standard speed cases (images/s, GFLOP/s, fraction of the FMA peak, peak memory). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures the standard cases: LeNet-5, VGG-small, ResNet-20 and SGEMM.",
                "LeNet-5 at batch 64 (train and infer) and batch 1 (infer), VGG-small and ResNet-20 at batch 64 "
                        + "(train and infer), and SGEMM at 1024^3 and at the layers' sizes.",
                "First the machine's FP32 FMA peak (16 independent FMA chains per thread on the JVM's preferred vector "
                        + "species, on 1 thread and on --threads), then each case: warm-up, then timed repeats (median, min, max "
                        + "images/s); GFLOP/s (training counts 3 times the forward FLOPs) and its fraction of the FMA peak on "
                        + "--threads threads; --case peak measures the peak only; peak heap and peak resident memory. A repeat during which other processes used more "
                        + "than --max-other-load of the machine is discarded and done again (counted as discarded)."})
final class BenchCommand implements Callable<Integer> {
    static final List<String> CASES = List.of("lenet5", "vgg-small", "resnet20", "gemm", "peak", "all");

    @Spec
    CommandSpec spec;

    @Option(names = "--case", paramLabel = "NAME", defaultValue = "all",
            description = "lenet5, vgg-small, resnet20, gemm, peak or all (default: ${DEFAULT-VALUE}).")
    String caseName;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "all",
            description = "train, infer or all: the model cases of that mode only, so that a process's peak memory is that mode's "
                    + "(default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "5", description = "Timed repeats per case (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "8", description = "Untimed warm-up repeats per case (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "0.5",
            description = "Approximate length of one repeat in seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--max-other-load", paramLabel = "FRACTION", defaultValue = "0.10",
            description = "Share of the machine other processes may use during a kept repeat, 0..1 (default: ${DEFAULT-VALUE}).")
    double maxOtherLoad;

    @Option(names = "--json", description = "Print JSON lines: an environment record, then one record per result.")
    boolean json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() {
        String key = caseName.toLowerCase(Locale.ROOT).replace('_', '-');
        if (!CASES.contains(key)) throw new Main.UsageError("--case must be one of " + String.join(", ", CASES) + ", got '" + caseName + "'");
        if (!BenchCase.MODES.contains(mode.toLowerCase(Locale.ROOT))) {
            throw new Main.UsageError("--mode must be one of " + String.join(", ", BenchCase.MODES) + ", got '" + mode + "'");
        }
        if (repeats < 1) throw new Main.UsageError("--repeats must be >= 1, got " + repeats);
        if (warmup < 0) throw new Main.UsageError("--warmup must be >= 0, got " + warmup);
        if (!(seconds > 0 && seconds <= 600)) throw new Main.UsageError("--seconds must be in (0, 600], got " + seconds);
        if (!(maxOtherLoad >= 0 && maxOtherLoad <= 1)) throw new Main.UsageError("--max-other-load must be in [0, 1], got " + maxOtherLoad);
        Timing.Options options = Timing.Options.defaults().withWarmup(warmup).withRepeats(repeats)
                .withTargetSeconds(seconds).withMaxOtherLoad(maxOtherLoad);
        threads.apply();
        run(key, options, spec.commandLine().getOut());
        return 0;
    }

    private void run(String key, Timing.Options options, PrintWriter out) {
        Timing timing = new Timing();
        if (json) {
            out.println(Json.write(Bench.environment()));
        } else {
            var env = Bench.environment();
            out.printf("conv4j bench: %s threads, %s, %s (%s cores), %s%n", env.get("threads"), env.get("java"), env.get("cpu"),
                    env.get("cores"), env.get("date"));
        }
        out.flush();
        // the peak on one thread, then on the bench's threads: the latter is what every fraction divides by
        Timing.Options peakOptions = options.withRepeats(Math.min(3, options.repeats()));
        double peakGflops = Double.NaN;
        for (int n : peakThreads(Parallel.threads())) {
            BenchResult peak = FmaPeak.measure(n, timing, peakOptions);
            peakGflops = peak.gflops().median();
            if (json) {
                out.println(Json.write(peak.toMap()));
            } else {
                out.printf("FP32 FMA peak, %d thread%s (%d chains x %d lanes): %.1f GFLOP/s [%.1f - %.1f]%n", n, n == 1 ? "" : "s",
                        FmaPeak.CHAINS, FmaPeak.lanes(), peakGflops, peak.gflops().min(), peak.gflops().max());
            }
            out.flush();
        }
        if (!json) out.println();
        List<BenchCase> cases = key.equals("gemm") || key.equals("peak") ? List.of() : BenchCase.of(key, mode);
        if (!cases.isEmpty() && !json) {
            out.printf("%-10s %-5s %5s %10s %10s %10s %9s %8s %7s %8s %7s %9s%n", "case", "mode", "batch", "images/s", "min", "max",
                    "ms/batch", "GFLOP/s", "of peak", "heap MB", "RSS MB", "discarded");
        }
        for (BenchCase c : cases) {
            BenchResult r = Bench.runCase("conv4j", c, () -> Bench.conv4jStep(c), timing, options, peakGflops);
            if (json) {
                out.println(Json.write(r.toMap()));
            } else {
                out.printf("%-10s %-5s %5d %10.1f %10.1f %10.1f %9.2f %8.2f %6.1f%% %8.0f %7.0f %9s%n", r.name(), r.mode(), r.batch(),
                        r.imagesPerSecond().median(), r.imagesPerSecond().min(), r.imagesPerSecond().max(), r.msPerBatch(),
                        r.gflops().median(), 100 * r.peakFraction(), mb(r.peakHeapBytes()), mb(r.peakRssBytes()), discarded(r));
            }
            out.flush();
        }
        if (key.equals("gemm") || key.equals("all")) {
            if (!json) {
                out.printf("%n%-14s %5s %5s %5s %9s %9s %9s %7s %9s%n", "gemm", "M", "N", "K", "GFLOP/s", "min", "max", "of peak", "discarded");
            }
            List<BenchResult> rows = new ArrayList<>();
            for (GemmShape s : gemmShapes()) {
                BenchResult r = Bench.runGemm("conv4j", s, Bench.gemmStep(s), timing, options, peakGflops);
                rows.add(r);
                if (json) {
                    out.println(Json.write(r.toMap()));
                } else {
                    out.printf("%-14s %5d %5d %5d %9.2f %9.2f %9.2f %6.1f%% %9s%n", s.name() + (s.transB() ? " (B^T)" : ""), s.m(), s.n(), s.k(),
                            r.gflops().median(), r.gflops().min(), r.gflops().max(), 100 * r.peakFraction(), discarded(r));
                }
                out.flush();
            }
        }
        if (!json) {
            out.println();
            out.println("GFLOP/s: images/s x FLOPs per image (conv4j summary; training counts 3x the forward); of peak: over the FMA peak "
                    + "on the bench's threads; "
                    + "discarded: repeats redone because other processes were busy (+N: busy repeats kept once the redo budget ran out).");
            out.flush();
        }
    }

    /** The GEMM case's sizes: {@link GemmShape#PEAK} (the kernel's best rate, against the FMA peak), then the layers' sizes. */
    static List<GemmShape> gemmShapes() {
        List<GemmShape> l = new ArrayList<>();
        l.add(GemmShape.PEAK);
        l.addAll(GemmShape.CASE_SHAPES);
        return l;
    }

    /** The thread counts the peak is measured on: 1, and {@code threads} when that is more. */
    static List<Integer> peakThreads(int threads) {
        return threads > 1 ? List.of(1, threads) : List.of(1);
    }

    private static double mb(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / 1e6;
    }

    private static String discarded(BenchResult r) {
        return r.timing().discarded() + (r.timing().busyKept() > 0 ? " +" + r.timing().busyKept() : "");
    }
}
