package org.conv4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.check.GradientCheckSuite;
import org.conv4j.io.Json;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code conv4j gradcheck}: numerical gradient check of every layer type on random configurations. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = {"Checks every layer type's gradients against numerical differences.",
                "Runs random configurations of each layer type, compares the analytic gradients with central "
                        + "differences and prints the worst relative error per type. Exits 1 if any type fails."})
final class GradcheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cases", paramLabel = "N", defaultValue = "10", description = "Random configurations per layer type (default: ${DEFAULT-VALUE}).")
    int cases;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the random configurations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "0.02", description = "Largest relative error that passes (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--layer", paramLabel = "TYPE", description = "Check only this layer type, e.g. Conv2d.")
    String layer;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() {
        if (cases < 1) throw new Main.UsageError("--cases must be >= 1, got " + cases);
        if (!(tolerance > 0)) throw new Main.UsageError("--tolerance must be > 0, got " + tolerance);
        threads.apply();
        List<GradientCheckSuite.Result> results = GradientCheckSuite.standard().run(cases, seed, layer);
        var out = spec.commandLine().getOut();
        boolean ok = results.stream().allMatch(r -> r.passed(tolerance));
        if (json.json) {
            List<Object> layers = new ArrayList<>();
            for (var r : results) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("layer", r.layerType());
                l.put("cases", (long) r.cases());
                l.put("worst_relative_error", Double.isFinite(r.worstError()) ? r.worstError() : null);
                l.put("passed", r.passed(tolerance));
                layers.add(l);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tolerance", tolerance);
            m.put("passed", ok);
            m.put("layers", layers);
            out.println(Json.write(m));
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
