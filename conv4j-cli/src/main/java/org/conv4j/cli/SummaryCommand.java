package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.io.Json;
import org.conv4j.nn.Layer;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j summary}: per layer output shape, parameters, FLOPs, receptive field; totals and activation memory. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Shows what a model costs: per layer output shape, parameters, FLOPs, receptive field.",
                "FLOPs are per image (multiply-adds x 2); the jump is the accumulated stride; totals include the",
                "activation memory of a batch."})
final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "A zoo network name or a model file.")
    String model;

    @Option(names = "--input", description = "Input CxHxW (default: the file's recorded input, or 1x28x28 for lenet5, 3x32x32 for the CIFAR nets, 3x224x224 otherwise).")
    String input;

    @Option(names = "--classes", defaultValue = "10", description = "Classes, for a zoo network (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size for the activation memory estimate (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) throw new Main.UsageError("--batch must be >= 1, got " + batch);
        if (classes < 1) throw new Main.UsageError("--classes must be >= 1, got " + classes);
        Layer net;
        Shape in = input == null ? null : ModelSource.parseShape(input, "--input");
        if (Zoo.names().contains(model)) {
            if (in == null) in = defaultInput(model);
            try {
                net = Zoo.build(model, in.dim(0), in.dim(1), in.dim(2), classes);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError(e.getMessage());
            }
        } else if (Files.exists(Path.of(model))) {
            ModelSource m = ModelSource.load(Path.of(model));
            net = m.model();
            if (in == null) in = m.inputShape();
            if (in == null) throw new Main.UsageError("the model file does not record its input size: give --input CxHxW");
        } else {
            throw new Main.UsageError("'" + model + "' is neither a zoo network (" + String.join(", ", Zoo.names()) + ") nor a file");
        }
        ModelSummary s;
        try {
            s = ModelSummary.of(net, Shape.of(1, in.dim(0), in.dim(1), in.dim(2)));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("the model does not accept input " + input + ": " + e.getMessage());
        }
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("input", dims(s.input()));
            m.put("output", dims(s.output()));
            m.put("parameters", s.parameters());
            m.put("flops", s.flops());
            int[] rf = s.receptiveField();
            m.put("receptive_field", List.of((long) rf[0], (long) rf[1]));
            m.put("batch", (long) batch);
            m.put("activation_bytes", s.activationBytes(batch));
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
            m.put("layers", layers);
            out.println(Json.write(m));
        } else {
            out.print(s.format(batch));
        }
        out.flush();
        return 0;
    }

    /** The input a zoo network is usually shown with. */
    private static Shape defaultInput(String name) {
        if (name.equals("lenet5")) return Shape.of(1, 28, 28);
        if (java.util.Set.of("resnet20", "resnet32", "resnet56", "vgg_small").contains(name)) return Shape.of(3, 32, 32);
        return Shape.of(3, 224, 224);
    }

    private static List<Object> dims(Shape s) {
        List<Object> d = new ArrayList<>();
        for (int v : s.dims()) d.add((long) v);
        return d;
    }
}
