package org.conv4j.cli;

import java.io.IOException;
import org.conv4j.tensor.Shape;
import picocli.CommandLine.Option;

/** {@code --model NAME|FILE|RUN_DIR} ({@code --model-file} is its older name), shared by the commands that use a model. */
final class ModelOption {
    @Option(names = {"--model", "--model-file"}, required = true, paramLabel = "NAME|FILE|RUN_DIR",
            description = "A model file (conv4j's, or an .onnx file, imported), a run directory (its model.safetensors; runs/latest is the newest run) "
                    + "or a zoo network name (untrained).")
    String model;

    /** The model, built for {@code input} and {@code classes} when it is a zoo name. */
    ModelSource load(Shape input, int classes) throws IOException {
        return ModelSource.resolve(model, input, classes);
    }
}
