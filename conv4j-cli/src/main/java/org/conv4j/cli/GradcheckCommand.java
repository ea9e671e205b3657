package org.conv4j.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.conv4j.check.GradientCheckSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code conv4j gradcheck}: numerical gradient check of every layer type on random configurations. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = {"Checks every layer type's gradients against numerical differences.",
                "Runs random configurations of each layer type, compares the analytic gradients with central",
                "differences and prints the worst relative error per type. Exits 1 if any type fails."})
final class GradcheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cases", defaultValue = "10", description = "Random configurations per layer type (default: ${DEFAULT-VALUE}).")
    int cases;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random configurations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tolerance", defaultValue = "0.02", description = "Largest relative error that passes (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--layer", description = "Check only this layer type.")
    String layer;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        if (cases < 1) throw new Main.UsageError("--cases must be >= 1, got " + cases);
        if (!(tolerance > 0)) throw new Main.UsageError("--tolerance must be > 0, got " + tolerance);
        List<GradientCheckSuite.Result> results = GradientCheckSuite.standard().run(cases, seed, layer);
        var out = spec.commandLine().getOut();
        boolean ok = results.stream().allMatch(r -> r.passed(tolerance));
        if (json) {
            StringBuilder sb = new StringBuilder("{\"tolerance\": ").append(tolerance).append(", \"passed\": ").append(ok).append(", \"layers\": [");
            for (int i = 0; i < results.size(); i++) {
                var r = results.get(i);
                sb.append(i > 0 ? ", " : "").append("{\"layer\": ").append(JsonOut.quote(r.layerType()))
                        .append(", \"cases\": ").append(r.cases()).append(", \"worst_relative_error\": ").append(JsonOut.number(r.worstError()))
                        .append(", \"passed\": ").append(r.passed(tolerance)).append('}');
            }
            out.println(sb.append("]}"));
        } else {
            out.printf("%-18s %6s  %-14s %s%n", "layer", "cases", "worst rel err", "");
            for (var r : results) {
                out.printf("%-18s %6d  %-14.3e %s%n", r.layerType(), r.cases(), r.worstError(), r.passed(tolerance) ? "ok" : "FAILED  " + r.worstCase());
            }
            out.println(ok ? "all layer types passed (tolerance " + tolerance + ")" : "gradient check FAILED");
        }
        out.flush();
        return ok ? 0 : 1;
    }
}
