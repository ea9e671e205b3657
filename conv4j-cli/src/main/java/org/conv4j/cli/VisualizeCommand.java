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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j visualize}: pictures of a model's first-layer filters and, for an image, of its feature maps. */
@Command(name = "visualize", mixinStandardHelpOptions = true,
        description = {"Draws a model's first-layer filters and an image's feature maps as PNG grids.",
                "",
                "filters.png: the first convolution's filters, each scaled to its own min..max and enlarged, "
                        + "under the layer's name and weight shape, each labelled with its index. With --image, "
                        + "maps-NN-LAYER.png: the maps after every convolution and pooling layer, each scaled to its own "
                        + "min..max, labelled with its channel."})
final class VisualizeCommand implements Callable<Integer> {
    /** Filters shown at most (filters x input channels for gray tiles). */
    static final int MAX_FILTERS = 256;
    /** The size a filter or map tile is enlarged to, at least (nearest neighbour). */
    static final int TILE_PIXELS = 64;
    /** Maps shown at most per layer. */
    static final int MAX_MAPS = 64;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--image", paramLabel = "FILE",
            description = "An image (PNG or JPEG) to show the feature maps of; converted to the model's input channels and size.")
    Path image;

    @Mixin
    InputOption input;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory (default: visualize/ in the run directory, or beside the model file); its parent must exist.")
    Path out;

    @Option(names = "--mkdirs", description = "Create the parent directories of --out when they do not exist.")
    boolean mkdirs;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        threads.apply();
        ModelSource m = model.load(input.shape(), 10);
        Path dir = out;
        if (dir == null) {
            Path at = m.location();
            Path base = at == null ? Path.of("") : Files.isDirectory(at) ? at : at.toAbsolutePath().getParent();
            dir = base.resolve("visualize");
        }
        StringBuilder convName = new StringBuilder();
        Conv2d first = FeatureMaps.firstConv(m.model(), convName);
        if (first == null) throw new Main.UsageError("the model has no convolution layer to draw");
        if (image != null && Files.isDirectory(image)) throw new Main.UsageError(image + " is a directory, not an image file");
        if (image != null && !Files.isRegularFile(image)) throw new Main.UsageError("no such file: " + image);
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) throw new Main.UsageError("--out " + out + " is an existing file, not a directory");
        if (out != null) Outputs.parentExists(out, mkdirs, "--out");
        Files.createDirectories(dir);

        List<Object> files = new ArrayList<>();
        Path filters = dir.resolve("filters.png");
        Pictures.writePng(Pictures.labelledFilters(convName.toString(), first.weight().value(), MAX_FILTERS, 16, TILE_PIXELS), filters);
        files.add(entry(filters, convName.toString(), "Conv2d", first.weight().value().shape()));

        if (image != null) {
            Shape in = input.shape() != null ? input.shape() : m.inputShape() != null ? m.inputShape() : Shape.of(1, 28, 28);
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
        if (json.json) {
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
        List<Object> dims = new ArrayList<>();
        for (int d : shape.dims()) dims.add((long) d);
        e.put("shape", dims);
        return e;
    }
}
