package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.cli.report.Pictures;
import org.conv4j.data.Images;
import org.conv4j.io.Json;
import org.conv4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conv4j filter}: one fixed convolution kernel over an image, written as an 8-bit PNG (SPEC 4). */
@Command(name = "filter", mixinStandardHelpOptions = true,
        description = {"Filters an image with a fixed convolution kernel (edges, blurs, your own).",
                "",
                "Kernels: edge ([1, 0, -1]), laplacian, prewitt-x, prewitt-y, prewitt (magnitude), sobel-x, sobel-y, "
                        + "sobel (magnitude), meanK (mean3, mean5 ...), gaussian (--sigma); or a matrix such as "
                        + "\"[[1,0,-1]]\" or \"[[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]/8\".",
                "",
                "A colour image is filtered as the sources do: the kernel is repeated over the 3 channels into one "
                        + "gray output; --per-channel filters each channel (colour out). No padding by default: the "
                        + "output is smaller by the kernel's size minus 1; --padding same keeps the input's size (any "
                        + "kernel shape), repeating the border pixels so the picture's frame is not an edge; --padding N "
                        + "adds N zero pixels on every side.",
                "",
                "Output pixels (--scale): abs = 255 sqrt(|v| / p), p the 99.5th percentile of |v|, clamped to 255, "
                        + "so weak edges show too (the default for edge kernels); minmax = min..max to 0..255; "
                        + "clamp = 255 v clamped to 0..255, v averaged over the channels summed (the default for blurs)."})
final class FilterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-k", "--kernel"}, required = true, paramLabel = "NAME|MATRIX", description = "Kernel name or matrix literal (see above).")
    String kernel;

    @Parameters(index = "0", paramLabel = "IN", description = "Input image (PNG or JPEG).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT.png", description = "Output PNG file.")
    Path out;

    @Option(names = "--mkdirs", description = "Create the output's directory when it does not exist.")
    boolean mkdirs;

    @Option(names = "--stride", paramLabel = "N", defaultValue = "1", description = "Stride (default: ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--padding", paramLabel = "N|same", defaultValue = "0",
            description = "Zero padding on each side, or 'same': the input's size, border pixels repeated (default: ${DEFAULT-VALUE}, as in the sources).")
    String padding;

    @Option(names = "--per-channel", description = "Filter each colour channel separately (a depthwise convolution, groups = 3): colour out.")
    boolean perChannel;

    @Option(names = "--scale", paramLabel = "MODE", description = "abs, minmax or clamp (default: abs for edge and derivative kernels, clamp for blurs).")
    String scale;

    @Option(names = "--sigma", paramLabel = "S", defaultValue = "1.0",
            description = "Standard deviation of the gaussian kernel, which is 2*ceil(3 sigma)+1 wide (default: ${DEFAULT-VALUE}).")
    double sigma;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        if (stride < 1) throw new Main.UsageError("--stride must be >= 1, got " + stride);
        int pad = parsePadding();
        if (pad < 0 && stride != 1) throw new Main.UsageError("--padding same needs --stride 1, got " + stride);
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new Main.UsageError("the output must be a .png file, got " + out);
        }
        threads.apply();
        Kernels.Kernel k = Kernels.resolve(kernel, sigma);
        ImageFilter.Scale sc = scale == null ? ImageFilter.Scale.defaultFor(k) : ImageFilter.Scale.parse(scale);
        if (!Files.exists(in)) throw new Main.UsageError("no such file: " + in);
        if (Files.isDirectory(in)) throw new Main.UsageError(in + " is a directory, not an image file");
        if (!Files.isRegularFile(in)) throw new Main.UsageError("not a file: " + in);
        if (Files.isDirectory(out)) throw new Main.UsageError("the output " + out + " is a directory, not a .png file");
        Outputs.parentExists(out, mkdirs, "the output");

        Tensor image = ImageFilter.grayIfEqual(Images.read(in, 3)); // x is (1, C, H, W) in [0, 1]
        int h = image.dim(2), w = image.dim(3);
        if (pad >= 0 && (h + 2 * pad < k.height() || w + 2 * pad < k.width())) {
            throw new Main.UsageError("the image " + in + " is " + h + "x" + w + " pixels (height x width"
                    + (pad > 0 ? "; " + (h + 2 * pad) + "x" + (w + 2 * pad) + " with padding " + pad : "") + "), smaller than the "
                    + k.height() + "x" + k.width() + " kernel");
        }
        ImageFilter.Result r = ImageFilter.apply(image, k, perChannel, stride, pad);
        Tensor y = r.values(); // y is (1, C', OH, OW)
        int[] px = ImageFilter.to8Bit(r, sc);
        Pictures.writePng(ImageFilter.image(px, y.dim(1), y.dim(2), y.dim(3)), out);

        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : y.toArray()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        var o = spec.commandLine().getOut();
        String mode = image.dim(1) == 1 ? "gray" : perChannel ? "per channel" : "3 channels summed";
        if (json.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kernel", k.name());
            m.put("kernel_size", List.of((long) k.height(), (long) k.width()));
            m.put("input", List.of((long) image.dim(1), (long) h, (long) w));
            m.put("output", List.of((long) y.dim(1), (long) y.dim(2), (long) y.dim(3)));
            m.put("channels", mode);
            m.put("scale", sc.name().toLowerCase(Locale.ROOT));
            m.put("min", (double) min);
            m.put("max", (double) max);
            m.put("file", out.toString());
            o.println(Json.write(m));
        } else {
            // sizes as height x width, like the kernel's
            o.printf("%s: %dx%d %s from %dx%d %s (kernel %s, %dx%d; %s; values %.4g..%.4g; scale %s)%n", out, y.dim(2), y.dim(3),
                    y.dim(1) == 1 ? "gray" : "colour", h, w, image.dim(1) == 1 ? "gray" : "colour",
                    k.name(), k.height(), k.width(), mode, min, max, sc.name().toLowerCase(Locale.ROOT));
        }
        o.flush();
        return 0;
    }

    /** --padding as a number of pixels, or -1 for "same". */
    private int parsePadding() {
        if (padding.equalsIgnoreCase("same")) return -1;
        try {
            int p = Integer.parseInt(padding.trim());
            if (p >= 0 && p <= 1000) return p;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Main.UsageError("--padding must be a number of pixels (0..1000) or 'same', got '" + padding + "'");
    }
}
