package org.conv4j.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.io.Json;
import org.conv4j.nn.Layer;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j summary}: per layer output shape, parameters, FLOPs, receptive field; totals and activation memory. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Shows what a model costs: per layer output shape, parameters, FLOPs, receptive field.",
                "FLOPs are per image (multiply-adds times 2); the jump is the accumulated stride; the totals include "
                        + "the activation memory of a batch."})
final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Mixin
    InputOption input;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "10", description = "Classes, for a zoo network (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = {"--batch-size", "--batch"}, paramLabel = "N", defaultValue = "64",
            description = "Batch size for the activation memory estimate (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) throw new Main.UsageError("--batch-size must be >= 1, got " + batch);
        if (classes < 1) throw new Main.UsageError("--classes must be >= 1, got " + classes);
        Shape given = input.shape();
        ModelSource m = model.load(given, classes);
        Layer net = m.model();
        Shape in = given != null ? given : m.inputShape();
        if (in == null) throw new Main.UsageError("the model file does not record its input size: give --input CxHxW");
        ModelSummary s;
        try {
            s = ModelSummary.of(net, Shape.of(1, in.dim(0), in.dim(1), in.dim(2)));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("the model does not accept input " + in.dim(0) + "x" + in.dim(1) + "x" + in.dim(2) + ": " + e.getMessage());
        }
        var out = spec.commandLine().getOut();
        if (json.json) {
            Map<String, Object> m2 = new LinkedHashMap<>();
            m2.put("model", model.model);
            m2.put("input", dims(s.input()));
            m2.put("output", dims(s.output()));
            m2.put("parameters", s.parameters());
            m2.put("flops", s.flops());
            int[] rf = s.receptiveField();
            m2.put("receptive_field", List.of((long) rf[0], (long) rf[1]));
            m2.put("batch_size", (long) batch);
            m2.put("activation_bytes", s.activationBytes(batch));
            List<Object> layers = new ArrayList<>();
            for (ModelSummary.Row r : s.rows()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("name", r.name());
                l.put("type", r.type());
                l.put("output", dims(r.output()));
                l.put("parameters", r.parameters());
                l.put("flops", r.flops());
                l.put("receptive_field", List.of((long) r.receptiveH(), (long) r.receptiveW()));
                l.put("jump", List.of((long) r.jumpH(), (long) r.jumpW()));
                layers.add(l);
            }
            m2.put("layers", layers);
            out.println(Json.write(m2));
        } else {
            out.print(s.format(batch));
        }
        out.flush();
        return 0;
    }

    private static List<Object> dims(Shape s) {
        List<Object> d = new ArrayList<>();
        for (int v : s.dims()) d.add((long) v);
        return d;
    }
}
