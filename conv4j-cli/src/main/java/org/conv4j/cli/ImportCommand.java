package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Layers;
import org.conv4j.onnx.OnnxImport;
import org.conv4j.tensor.Shape;
import org.conv4j.train.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conv4j import}: an ONNX file to a conv4j model file. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Imports an ONNX model (as PyTorch's torch.onnx.export writes it) into a conv4j model file, weights included.",
                "The model file then trains, evaluates and predicts like any other; the commands that take --model also read an .onnx file directly."})
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX file.")
    Path onnx;

    @Option(names = "--out", paramLabel = "FILE", description = "The model file to write (default: the ONNX file's name with .safetensors).")
    Path out;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        OnnxImport.Imported imported = OnnxImport.read(onnx);
        Path target = out != null ? out : defaultOut(onnx);
        Shape in = imported.inputShape();
        Map<String, String> metadata = new LinkedHashMap<>();
        // an image model's input size, as a training run records it, so later commands need no --input
        if (in.rank() == 3) metadata.put(RunConfig.INPUT_SHAPE_KEY, in.dim(0) + "x" + in.dim(1) + "x" + in.dim(2));
        ModelFile.save(imported.model(), target, Map.of(), metadata);
        long parameters = Layers.parameterCount(imported.model());
        String type = imported.model().getClass().getSimpleName();
        var o = spec.commandLine().getOut();
        if (json.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("onnx", onnx.toString());
            m.put("out", target.toString());
            m.put("type", type);
            m.put("parameters", parameters);
            m.put("input", java.util.Arrays.stream(in.dims()).mapToObj(d -> (Object) (long) d).toList());
            o.println(Json.write(m));
        } else {
            o.printf("imported %s: %s, %,d parameters, input %s -> %s%n", onnx, type, parameters, shapeText(in), target);
        }
        o.flush();
        return 0;
    }

    private static Path defaultOut(Path onnx) {
        String name = onnx.getFileName().toString();
        String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return onnx.resolveSibling(base + ".safetensors");
    }

    private static String shapeText(Shape s) {
        StringBuilder b = new StringBuilder();
        for (int d : s.dims()) b.append(b.length() == 0 ? "" : "x").append(d);
        return b.toString();
    }

}
