package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.data.Idx;
import org.conv4j.data.IdxArray;
import org.conv4j.data.Images;
import org.conv4j.io.Json;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Softmax;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conv4j predict}: the top classes with probabilities for images or an IDX file. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Prints the most probable classes of images, with their probabilities, by the class names the model file records (by index for a file without names).",
                "PNG and JPEG files are converted to the model's input channels and size; an IDX image file "
                        + "(e.g. t10k-images-idx3-ubyte.gz) gives one line per image.",
                "A gray model learns light on dark, as MNIST: an image whose border is lighter than mid-grey (a dark digit on white paper) is inverted, and a line on stderr says so.",
                "JSON: a list of {image, inverted, predictions: [{class, name, probability}]} (name is null for a model file without class names)."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files, or IDX image files.")
    List<Path> images;

    @Option(names = "--top", paramLabel = "N", defaultValue = "3", description = "Classes to show per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Images to predict from an IDX file (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--invert", description = "Invert gray levels (for dark digits on a light background; MNIST is light on dark).")
    boolean invert;

    @Option(names = "--no-invert", description = "Never invert, not even an image with a light background.")
    boolean noInvert;

    @Mixin
    InputOption input;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        if (top < 1) throw new Main.UsageError("--top must be >= 1, got " + top);
        if (limit < 1) throw new Main.UsageError("--limit must be >= 1, got " + limit);
        if (invert && noInvert) throw new Main.UsageError("--invert and --no-invert contradict each other: give one of them");
        threads.apply();
        ModelSource m = model.load(input.shape(), 10);
        Shape in = input.shape() != null ? input.shape() : m.inputShape() != null ? m.inputShape() : Shape.of(1, 28, 28);
        int classes = ModelSource.classesFor(m.model(), in, "--input");
        List<String> names = m.classNames(classes);
        List<Object> results = new ArrayList<>();
        var out = spec.commandLine().getOut();
        for (Path p : images) {
            if (Files.isDirectory(p)) throw new Main.UsageError(p + " is a directory, not an image file");
            if (!Files.isRegularFile(p)) throw new Main.UsageError("no such file: " + p);
            for (Map.Entry<String, Tensor> e : load(p, in).entrySet()) {
                Tensor x = e.getValue();
                double border = borderMean(x);
                // gray models are trained light on dark (MNIST, Fashion-MNIST); colour photos have no such rule
                boolean inverted = invert || !noInvert && in.dim(0) == 1 && border > 0.5;
                if (inverted) for (int i = 0; i < x.size(); i++) x.data()[i] = 1f - x.data()[i];
                if (inverted && !invert) {
                    spec.commandLine().getErr().printf("conv4j predict: %s has a light background (border mean %.2f): inverted it to light on dark,"
                            + " as the model was trained; --no-invert keeps it as it is%n", e.getKey(), border);
                }
                Tensor prob = Softmax.apply(m.model().forward(x, Mode.EVAL));
                List<Object> preds = new ArrayList<>();
                StringBuilder line = new StringBuilder(e.getKey()).append(':');
                boolean[] used = new boolean[classes];
                for (int k = 0; k < Math.min(top, classes); k++) {
                    int best = -1;
                    for (int c = 0; c < classes; c++) if (!used[c] && (best < 0 || prob.at(c) > prob.at(best))) best = c;
                    used[best] = true;
                    Map<String, Object> pr = new LinkedHashMap<>();
                    pr.put("class", (long) best);
                    pr.put("name", names == null ? null : names.get(best));
                    pr.put("probability", (double) prob.at(best));
                    preds.add(pr);
                    line.append(String.format("  %s (%.1f%%)", names == null ? Integer.toString(best) : names.get(best), 100 * prob.at(best)));
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("image", e.getKey());
                r.put("inverted", inverted);
                r.put("predictions", preds);
                results.add(r);
                if (!json.json) out.println(line);
            }
        }
        if (json.json) out.println(Json.write(results));
        out.flush();
        return 0;
    }

    /** The images of one file, each (1, C, H, W) in [0, 1] at the model's input size, by display name. */
    private Map<String, Tensor> load(Path p, Shape in) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        String name = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.contains("idx3") || name.contains("ubyte")) {
            IdxArray a = Idx.read(p);
            if (a.rank() != 3) throw new Main.UsageError(p + " is not an IDX image file (rank " + a.rank() + ", expected 3)");
            int n = Math.min(limit, a.dim(0)), h = a.dim(1), w = a.dim(2);
            for (int i = 0; i < n; i++) {
                float[] px = new float[h * w];
                for (int j = 0; j < px.length; j++) px[j] = a.unsigned(i * h * w + j) / 255f;
                Tensor img = Tensor.of(px, 1, 1, h, w);
                if (in.dim(0) == 3) img = toRgb(img);
                m.put(p.getFileName() + "[" + i + "]", Images.resize(img, in.dim(1), in.dim(2)));
            }
            return m;
        }
        m.put(p.toString(), Images.resize(Images.read(p, in.dim(0)), in.dim(1), in.dim(2)));
        return m;
    }

    /** The mean of an image's (1, C, H, W) outermost ring of pixels, over its channels: the background, for a centred object. */
    static double borderMean(Tensor x) {
        int c = x.dim(1), h = x.dim(2), w = x.dim(3);
        double sum = 0;
        int n = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    if (i == 0 || j == 0 || i == h - 1 || j == w - 1) {
                        sum += x.get(0, ch, i, j);
                        n++;
                    }
                }
            }
        }
        return sum / n;
    }

    private static Tensor toRgb(Tensor gray) {
        int plane = gray.dim(2) * gray.dim(3);
        Tensor rgb = Tensor.zeros(1, 3, gray.dim(2), gray.dim(3));
        for (int c = 0; c < 3; c++) System.arraycopy(gray.data(), gray.offset(), rgb.data(), c * plane, plane);
        return rgb;
    }
}
