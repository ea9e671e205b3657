package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.conv4j.io.ClassNames;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.onnx.OnnxImport;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.train.RunConfig;
import org.conv4j.zoo.Zoo;

/**
 * A model for a command, with what its file records of it (each null when it does not): the
 * input shape it was trained on, its class names and the configuration of its training run; and
 * where it came from: the model file or run directory, or null for a zoo network.
 */
record ModelSource(Layer model, Shape inputShape, List<String> classNames, RunConfig run, Path location) {

    /**
     * The model a {@code --model NAME|FILE|RUN_DIR} names: a zoo network (untrained, seed 1) for
     * {@code input} (or its usual input) and {@code classes}; else a model file, or a run directory's
     * model.safetensors ({@code runs/latest} included); an {@code .onnx} file is imported.
     */
    static ModelSource resolve(String spec, Shape input, int classes) throws IOException {
        if (Zoo.names().contains(spec)) {
            Shape in = input != null ? input : zooInput(spec);
            Init.seed(1);
            try {
                return new ModelSource(Zoo.build(spec, in.dim(0), in.dim(1), in.dim(2), classes), in, null, null, null);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError(e.getMessage());
            }
        }
        Path p = Runs.resolve(Path.of(spec));
        if (Files.exists(p)) return load(p);
        if (spec.contains("/") || spec.contains(java.io.File.separator) || spec.contains(".")) {
            throw new Main.UsageError("no such model file or run directory: " + spec);
        }
        throw new Main.UsageError("'" + spec + "' is neither a zoo network (" + String.join(", ", Zoo.names()) + ") nor a model file or run directory");
    }

    /** A model file (an .onnx file is imported), or a run directory's model.safetensors. */
    static ModelSource load(Path file) throws IOException {
        file = Runs.resolve(file);
        if (!Files.exists(file)) throw new Main.UsageError("no such model file or run directory: " + file);
        Path location = file;
        if (Files.isDirectory(file)) {
            Path inRun = file.resolve("model.safetensors");
            if (!Files.isRegularFile(inRun)) throw new Main.UsageError(file + " is a directory without a model.safetensors");
            file = inRun;
        }
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            OnnxImport.Imported onnx = OnnxImport.read(file);
            Shape in = onnx.inputShape();
            return new ModelSource(onnx.model(), in.rank() == 3 ? in : null, null, null, location);
        }
        ModelFile.Contents c = ModelFile.read(file);
        String shape = c.extraMetadata().get(RunConfig.INPUT_SHAPE_KEY);
        try {
            return new ModelSource(c.model(), shape == null ? null : parseShape(shape, "input_shape in " + file),
                    ClassNames.read(c.extraMetadata()), RunConfig.fromMetadata(c.extraMetadata()), location);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The class names, checked against the model's number of outputs; null when the file records none. */
    List<String> classNames(int classes) {
        if (classNames != null && classNames.size() != classes) {
            throw new Main.UsageError("the model file records " + classNames.size() + " class names but the model predicts " + classes + " classes");
        }
        return classNames;
    }

    /** The input a zoo network is usually shown with. */
    static Shape zooInput(String name) {
        if (name.equals("lenet5")) return Shape.of(1, 28, 28);
        if (Set.of("resnet20", "resnet32", "resnet56", "vgg_small").contains(name)) return Shape.of(3, 32, 32);
        return Shape.of(3, 224, 224);
    }

    /** "CxHxW" as a (C, H, W) shape. */
    static Shape parseShape(String text, String what) {
        return parseShape(text, what, "CxHxW", 3);
    }

    /** "CxL", "CxHxW" or "CxDxHxW" as a (C, L), (C, H, W) or (C, D, H, W) shape: the input of a 1-D, 2-D or 3-D model. */
    static Shape parseAnyShape(String text, String what) {
        return parseShape(text, what, "CxL, CxHxW or CxDxHxW", 2, 3, 4);
    }

    private static Shape parseShape(String text, String what, String form, int... ranks) {
        String[] parts = text.trim().split("x");
        if (java.util.Arrays.stream(ranks).noneMatch(r -> r == parts.length)) {
            throw new Main.UsageError(what + " must be " + form + ", e.g. 1x28x28, got '" + text + "'");
        }
        int[] d = new int[parts.length];
        for (int i = 0; i < d.length; i++) {
            try {
                d[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new Main.UsageError(what + " must be " + form + " with positive integers, got '" + text + "'");
            }
            if (d[i] < 1 || d[i] > 100_000) throw new Main.UsageError(what + " must be " + form + " with positive integers, got '" + text + "'");
        }
        return Shape.of(d);
    }

    /** Fails with one clear line when the model cannot take images of this (C, H, W) shape. */
    static int classesFor(Layer model, Shape sample, String dataName) {
        Shape out;
        try {
            out = model.outputShape(Shape.of(1, sample.dim(0), sample.dim(1), sample.dim(2)));
            // one image's activations within the budget, before any forward allocates them
            ModelSummary.checkActivations(model, Shape.of(1, sample.dim(0), sample.dim(1), sample.dim(2)), ModelSummary.defaultActivationBudget());
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("the model does not accept the images of " + dataName + " (" + sample.dim(0) + "x" + sample.dim(1) + "x" + sample.dim(2) + "): " + e.getMessage());
        }
        if (out.rank() != 2) throw new Main.UsageError("the model's output " + out + " is not one score per class");
        return out.dim(1);
    }
}
