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
import org.conv4j.zoo.Zoo;
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

    // its own --input: a summary also takes the input of a 1-D or 3-D model (the other commands take images)
    @Option(names = "--input", paramLabel = "CxHxW",
            description = {"The model's input channels, height and width, e.g. 3x32x32; CxL for a 1-D model (e.g. 2x100), "
                    + "CxDxHxW for a 3-D one (e.g. 1x16x32x32) (default: the size the model file records, "
                    + "the zoo network's usual input, else 1x28x28)."})
    String input;

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
        Shape given = input == null ? null : ModelSource.parseAnyShape(input, "--input");
        if (given != null && given.rank() != 3 && Zoo.names().contains(model.model)) {
            throw new Main.UsageError("--input must be CxHxW for the zoo network " + model.model + ", got '" + input + "'");
        }
        ModelSource m = model.load(given, classes);
        Layer net = m.model();
        Shape in = given != null ? given : m.inputShape();
        if (in == null) throw new Main.UsageError("the model file does not record its input size: give --input CxHxW (CxL, CxDxHxW for a 1-D, 3-D model)");
        int[] batched = new int[in.rank() + 1];
        batched[0] = 1;
        System.arraycopy(in.dims(), 0, batched, 1, in.rank());
        ModelSummary s;
        try {
            s = ModelSummary.of(net, Shape.of(batched));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("the model does not accept input " + text(in) + ": " + e.getMessage());
        }
        var out = spec.commandLine().getOut();
        if (json.json) {
            Map<String, Object> m2 = new LinkedHashMap<>();
            m2.put("model", model.model);
            m2.put("input", dims(s.input()));
            m2.put("output", dims(s.output()));
            m2.put("parameters", s.parameters());
            m2.put("flops", s.flops());
            m2.put("receptive_field", longs(s.receptiveFieldAxes()));
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
                l.put("receptive_field", longs(s.axes(r.receptiveField())));
                l.put("jump", longs(s.axes(r.jump())));
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

    // (C, D, H, W) as CxDxHxW
    private static String text(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (int v : s.dims()) sb.append(sb.length() == 0 ? "" : "x").append(v);
        return sb.toString();
    }

    private static List<Object> dims(Shape s) {
        return longs(s.dims());
    }

    private static List<Object> longs(int[] values) {
        List<Object> d = new ArrayList<>();
        for (int v : values) d.add((long) v);
        return d;
    }
}
