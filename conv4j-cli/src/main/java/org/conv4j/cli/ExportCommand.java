package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.io.Json;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.onnx.OnnxExport;
import org.conv4j.tensor.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j export}: a model to another format (ONNX), for runtimes that speak it. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes a model as an ONNX file (opset " + OnnxExport.OPSET + ", float32, weights included) for ONNX Runtime "
                + "and other runtimes; the batch dimension is left free (N), the input size is the model file's or --input.",
                "The model is exported as it evaluates: dropout is left out, batch norm uses its running statistics.",
                "JSON keys: out, format, opset, nodes, initializers, parameters, bytes, input, output."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Mixin
    InputOption input;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "10", description = "Classes, for a zoo network (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "onnx", description = "onnx, the only format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write, e.g. model.onnx.")
    Path out;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        if (!format.toLowerCase(Locale.ROOT).equals("onnx")) throw new Main.UsageError("--format must be onnx, got '" + format + "'");
        if (classes < 1) throw new Main.UsageError("--classes must be >= 1, got " + classes);
        if (Files.isDirectory(out)) throw new Main.UsageError("--out must be a file, got the directory " + out);
        Shape given = input.shape();
        ModelSource m = model.load(given, classes);
        Shape in = given != null ? given : m.inputShape();
        if (in == null) throw new Main.UsageError("the model file does not record its input size: give --input CxHxW");
        Layer net = m.model();
        Shape output;
        try {
            output = net.outputShape(Shape.of(1, in.dim(0), in.dim(1), in.dim(2)));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("the model does not accept input " + in.dim(0) + "x" + in.dim(1) + "x" + in.dim(2) + ": " + e.getMessage());
        }
        OnnxExport.Summary s = OnnxExport.write(net, in, out);
        var o = spec.commandLine().getOut();
        if (json.json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("out", out.toString());
            r.put("format", "onnx");
            r.put("opset", (long) OnnxExport.OPSET);
            r.put("nodes", (long) s.nodes());
            r.put("initializers", (long) s.initializers());
            r.put("parameters", Layers.parameterCount(net));
            r.put("bytes", Files.size(out));
            r.put("input", dims(in, true));
            r.put("output", dims(output, false));
            o.println(Json.write(r));
        } else {
            o.printf("wrote %s: ONNX opset %d, %d nodes, %,d parameters, input %s -> output %s, %,d bytes%n", out, OnnxExport.OPSET,
                    s.nodes(), Layers.parameterCount(net), dims(in, true), dims(output, false), Files.size(out));
        }
        o.flush();
        return 0;
    }

    /** The shape as ONNX declares it: the batch dimension "N", then the rest. */
    private static List<Object> dims(Shape s, boolean withoutBatch) {
        List<Object> d = new ArrayList<>();
        d.add("N");
        for (int i = withoutBatch ? 0 : 1; i < s.rank(); i++) d.add((long) s.dim(i));
        return d;
    }
}
