package org.conv4j.cli;

import org.conv4j.tensor.Shape;
import picocli.CommandLine.Option;

/** {@code --input CxHxW}: the model's input size where the model file does not record it. */
final class InputOption {
    @Option(names = "--input", paramLabel = "CxHxW",
            description = "The model's input channels, height and width, e.g. 3x32x32 (default: the size the model file records, "
                    + "the zoo network's usual input, else 1x28x28).")
    String input;

    /** The given shape, or null. */
    Shape shape() {
        return input == null ? null : ModelSource.parseShape(input, "--input");
    }
}
