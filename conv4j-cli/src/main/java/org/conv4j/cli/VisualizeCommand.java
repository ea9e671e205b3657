package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.cli.report.FeatureMaps;
import org.conv4j.cli.report.Pictures;
import org.conv4j.data.Images;
import org.conv4j.io.Json;
import org.conv4j.nn.Conv2d;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j visualize}: pictures of a model's first-layer filters and, for an image, of its feature maps. */
@Command(name = "visualize", mixinStandardHelpOptions = true,
        description = {"Draws a model's first-layer filters and an image's feature maps as PNG grids.",
                "",
                "filters.png: the first convolution's filters, each scaled to its own min..max",
                "and enlarged, under the layer's name and weight shape, each labelled with its",
                "index. With --image, maps-NN-LAYER.png: the maps after every convolution and",
                "pooling layer, each scaled to its own min..max, labelled with its channel.",
                ""})
final class VisualizeCommand implements Callable<Integer> {
    /** Filters shown at most (filters x input channels for gray tiles). */
    static final int MAX_FILTERS = 256;
    /** The size a filter or map tile is enlarged to, at least (nearest neighbour). */
    static final int TILE_PIXELS = 64;
    /** Maps shown at most per layer. */
    static final int MAX_MAPS = 64;

    @Spec
    CommandSpec spec;

    @Option(names = "--model-file", required = true, description = "A model file (or a run directory holding model.safetensors).")
    Path modelFile;

    @Option(names = "--image", description = "An image (PNG or JPEG) to show the feature maps of; converted to the model's input channels and size.")
    Path image;

    @Option(names = "--input", description = "The model's input CxHxW, when its file does not record it (default: 1x28x28).")
    String input;

    @Option(names = "--out", description = "Output directory (default: visualize/ beside the model file).")
    Path out;

    @Option(names = "--json", description = "Print the files written as JSON.")
    boolean json;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        ModelSource m = ModelSource.load(modelFile);
        Path dir = out;
        if (dir == null) {
            Path base = Files.isDirectory(modelFile) ? modelFile : modelFile.toAbsolutePath().getParent();
            dir = base.resolve("visualize");
        }
        StringBuilder convName = new StringBuilder();
        Conv2d first = FeatureMaps.firstConv(m.model(), convName);
        if (first == null) throw new Main.UsageError("the model has no convolution layer to draw");
        if (image != null && !Files.isRegularFile(image)) throw new Main.UsageError("no such file: " + image);
        Files.createDirectories(dir);

        List<Object> files = new ArrayList<>();
        Path filters = dir.resolve("filters.png");
        Pictures.writePng(Pictures.labelledFilters(convName.toString(), first.weight().value(), MAX_FILTERS, 16, TILE_PIXELS), filters);
        files.add(entry(filters, convName.toString(), "Conv2d", first.weight().value().shape()));

        if (image != null) {
            Shape in = input != null ? ModelSource.parseShape(input, "--input")
                    : m.inputShape() != null ? m.inputShape() : Shape.of(1, 28, 28);
            ModelSource.classesFor(m.model(), in, "--input");
            Tensor x = Images.resize(Images.read(image, in.dim(0)), in.dim(1), in.dim(2)); // x is (1, C, H, W)
            int i = 0;
            for (FeatureMaps.Map2d fm : FeatureMaps.of(m.model(), x)) {
                i++;
                Path f = dir.resolve(String.format("maps-%02d-%s.png", i, fm.name().replaceAll("[^A-Za-z0-9_.-]", "_")));
                Pictures.writePng(Pictures.labelledMaps(fm.name(), fm.type(), fm.maps(), MAX_MAPS, TILE_PIXELS), f);
                files.add(entry(f, fm.name(), fm.type(), fm.maps().shape()));
            }
        }
        var o = spec.commandLine().getOut();
        if (json) {
            o.println(Json.write(files));
        } else {
            for (Object e : files) {
                @SuppressWarnings("unchecked")
                Map<String, Object> f = (Map<String, Object>) e;
                o.printf("%s  %s (%s) %s%n", f.get("file"), f.get("layer"), f.get("type"), f.get("shape"));
            }
        }
        o.flush();
        return 0;
    }

    private static Map<String, Object> entry(Path file, String layer, String type, Shape shape) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("file", file.toString());
        e.put("layer", layer);
        e.put("type", type);
        e.put("shape", shape.toString());
        return e;
    }
}
