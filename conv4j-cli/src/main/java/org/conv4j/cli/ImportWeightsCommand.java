package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.io.PyTorchWeights;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.tensor.Shape;
import org.conv4j.train.RunConfig;
import org.conv4j.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j import-weights}: a PyTorch state dict (safetensors) into a zoo network, saved as a conv4j model file. */
@Command(name = "import-weights", mixinStandardHelpOptions = true,
        description = {"Loads a PyTorch state_dict saved as safetensors (safetensors.torch.save_file, or "
                + "tools/torch_to_safetensors.py) into a zoo network by PyTorch's names, and saves it as a conv4j model file.",
                "Every parameter and buffer must be in the file with its shape; BatchNorm's num_batches_tracked is accepted "
                        + "and ignored. A mismatch lists every missing, unexpected and wrong-shape key."})
final class ImportWeightsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "The zoo network with the state dict's architecture, e.g. resnet18.")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "FILE", description = "The PyTorch state dict, a .safetensors file.")
    Path weights;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The conv4j model file to write.")
    Path out;

    @Mixin
    InputOption input;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "1000", description = "The classes of the state dict's last layer (default: ${DEFAULT-VALUE}).")
    int classes;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        if (!Zoo.names().contains(model)) {
            throw new Main.UsageError("--model must be a zoo network (" + String.join(", ", Zoo.names()) + "), got '" + model + "'");
        }
        if (classes < 1) throw new Main.UsageError("--classes must be >= 1, got " + classes);
        ModelSource source = ModelSource.resolve(model, input.shape(), classes);
        Layer net = source.model();
        PyTorchWeights.load(net, weights);
        Shape in = source.inputShape();
        ModelFile.save(net, out, Map.of(), Map.of(RunConfig.INPUT_SHAPE_KEY, in.dim(0) + "x" + in.dim(1) + "x" + in.dim(2)));
        int tensors = Layers.namedParameters(net).size();
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("model", model);
        done.put("weights", weights.toString());
        done.put("out", out.toString());
        done.put("tensors", (long) tensors);
        done.put("parameters", Layers.parameterCount(net));
        var printer = spec.commandLine().getOut();
        printer.println(json.json ? Json.write(done)
                : String.format("%s: %d parameters and buffers from %s, saved to %s", model, tensors, weights, out));
        printer.flush();
        return 0;
    }
}
