package org.conv4j.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.conv4j.io.Json;

/**
 * The command line of a peer runner (bench/peers: PyTorch through DJL, Deeplearning4j, ONNX Runtime): the same
 * cases, the same {@link Timing} and the same JSON lines as {@code conv4j bench --json}, with the
 * peer's own step. Arguments: {@code [--case lenet5|vgg-small|resnet20|all] [--mode train|infer|all] [--repeats N]
 * [--warmup N] [--seconds S] [--max-other-load F] [--threads N]}; the thread count is only
 * recorded here (the peer pins its own threads before building anything).
 */
public final class PeerRunner {
    private PeerRunner() {
    }

    /** Parsed arguments. */
    public record Args(String caseName, String mode, Timing.Options options, int threads) {
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} naming a bad flag or value. */
    public static Args parse(String[] args) {
        String caseName = "all", mode = "all";
        Timing.Options o = Timing.Options.defaults();
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + flag);
            String v = args[++i];
            try {
                switch (flag) {
                    case "--case" -> caseName = v;
                    case "--mode" -> mode = v;
                    case "--repeats" -> o = o.withRepeats(Integer.parseInt(v));
                    case "--warmup" -> o = o.withWarmup(Integer.parseInt(v));
                    case "--seconds" -> o = o.withTargetSeconds(Double.parseDouble(v));
                    case "--max-other-load" -> o = o.withMaxOtherLoad(Double.parseDouble(v));
                    case "--threads" -> threads = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown flag " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": not a number: '" + v + "'");
            }
        }
        BenchCase.of(caseName, mode); // validates the name and the mode
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        return new Args(caseName, mode, o, threads);
    }

    /**
     * Runs every case of {@code a.caseName()} with {@code step} (which builds the peer's model,
     * batch and optimizer for a case and returns one step) and prints the environment record and
     * one result per line to {@code out}.
     */
    public static void run(String framework, String version, Args a, Function<BenchCase, Runnable> step, PrintStream out) {
        run(framework, version, a, c -> true, step, out);
    }

    /** As {@link #run(String, String, Args, Function, PrintStream)}, for the cases {@code measured} accepts only (ONNX Runtime: inference). */
    public static void run(String framework, String version, Args a, Predicate<BenchCase> measured, Function<BenchCase, Runnable> step,
                           PrintStream out) {
        out.println(Json.write(Bench.environment(framework, version, a.threads())));
        out.flush();
        Timing timing = new Timing();
        List<BenchCase> cases = BenchCase.of(a.caseName(), a.mode()).stream().filter(measured).toList();
        for (BenchCase c : cases) {
            BenchResult r = Bench.runCase(framework, c, () -> step.apply(c), timing, a.options(), Double.NaN);
            out.println(Json.write(r.toMap()));
            out.flush();
        }
    }
}
