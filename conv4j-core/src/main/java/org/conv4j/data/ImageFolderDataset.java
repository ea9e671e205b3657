package org.conv4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.conv4j.tensor.Shape;

/**
 * Images in one sub-directory per class, as torchvision's {@code ImageFolder}: the sorted
 * sub-directory names are the classes 0, 1, ...; every {@code .png}, {@code .jpg} or
 * {@code .jpeg} file below a class directory (sorted by path) is a sample; other files are
 * ignored. Images are decoded with {@code javax.imageio}, resized to H x W with bilinear
 * interpolation (half-pixel centres, PyTorch's {@code align_corners=False}):
 * {@code src = (dst + 0.5) * in / out - 0.5}, clamped to the image, and scaled by 1/255.
 * One channel gives gray {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, as PIL's "L"), three
 * give R, G, B; alpha is ignored. Everything is decoded when loading, so a bad file fails
 * then, naming the file.
 */
public final class ImageFolderDataset implements Dataset {
    /**
     * The default largest image decoded, in pixels (4096 x 4096: about 270 MB decoded as RGB
     * floats); the system property {@value #MAX_PIXELS_PROPERTY} sets another.
     */
    public static final long MAX_PIXELS = 1L << 24;
    /** The system property that overrides {@link #MAX_PIXELS}. */
    public static final String MAX_PIXELS_PROPERTY = "conv4j.maxImagePixels";
    /**
     * The most pixels one byte of a file can hold, by format, beyond a first megapixel any file
     * may claim: a PNG's deflate stream expands at most 1032:1 and a pixel takes at least one
     * bit (8,256 pixels per byte); a JPEG codes each 8x8 block of a component in at least one
     * bit (512; twice that for margin). A header claiming more is lying about the file.
     */
    private static final long PNG_PIXELS_PER_BYTE = 8_300, JPEG_PIXELS_PER_BYTE = 1_024, FREE_PIXELS = 1L << 20;

    private final ArrayDataset data;
    private final List<String> classes;
    private final List<Path> files;

    private ImageFolderDataset(ArrayDataset data, List<String> classes, List<Path> files) {
        this.data = data;
        this.classes = classes;
        this.files = files;
    }

    /** Images decoded by {@link #inferShape} to decide whether a folder is grey. */
    public static final int GREY_SAMPLE = 100;

    /** Loads every image under {@code root} as (channels, height, width) samples; channels is 1 or 3. */
    public static ImageFolderDataset load(Path root, int channels, int height, int width) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("ImageFolderDataset: channels must be 1 (gray) or 3 (RGB), got " + channels);
        if (height < 1 || width < 1) throw new IllegalArgumentException("ImageFolderDataset: size must be positive, got " + height + "x" + width);
        Listing l = list(root);
        List<Path> files = l.files();
        int sampleSize = channels * height * width;
        if ((long) files.size() * sampleSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("ImageFolderDataset: " + files.size() + " images of " + channels + "x" + height + "x" + width + " do not fit one float array");
        }
        float[] x = new float[files.size() * sampleSize];
        int[] y = new int[files.size()];
        for (int i = 0; i < files.size(); i++) {
            Decoded img = decode(files.get(i), channels);
            resizeBilinear(img.pixels, channels, img.h, img.w, x, i * sampleSize, height, width);
            y[i] = l.labels().get(i);
        }
        for (int i = 0; i < x.length; i++) x[i] /= 255f;
        return new ImageFolderDataset(new ArrayDataset(x, y, Shape.of(channels, height, width), l.classes().size()), l.classes(), List.copyOf(files));
    }

    /**
     * The (C, H, W) to load the images under {@code root} at when none is asked for. C is 1 if the
     * first {@value #GREY_SAMPLE} images (in path order) are grey (R = G = B at every pixel, as in
     * any grey-scale file), else 3. H x W is the images' size, which must be the same for all of
     * them (only their headers are read beyond the first ones); otherwise the caller must choose.
     */
    public static Shape inferShape(Path root) throws IOException {
        List<Path> files = list(root).files();
        boolean grey = true;
        int h = 0, w = 0;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            int fh, fw;
            if (i < GREY_SAMPLE) {
                Decoded d = decode(f, 3);
                grey &= isGrey(d);
                fh = d.h;
                fw = d.w;
            } else {
                int[] size = readImage(f, reader -> new int[] {reader.getHeight(0), reader.getWidth(0)});
                fh = size[0];
                fw = size[1];
            }
            if (i == 0) {
                h = fh;
                w = fw;
            } else if (fh != h || fw != w) {
                throw new DatasetFormatException(f, "is " + fh + "x" + fw + " pixels but " + files.get(0) + " is " + h + "x" + w
                        + ": images of different sizes need a size chosen to resize them to");
            }
        }
        return Shape.of(grey ? 1 : 3, h, w);
    }

    private static boolean isGrey(Decoded d) {
        int plane = d.h * d.w;
        for (int i = 0; i < plane; i++) {
            if (d.pixels[i] != d.pixels[plane + i] || d.pixels[i] != d.pixels[2 * plane + i]) return false;
        }
        return true;
    }

    /** The class names (sorted sub-directory names) and every image file with its label, in path order. */
    private record Listing(List<String> classes, List<Path> files, List<Integer> labels) {
    }

    private static Listing list(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new FileNotFoundException("ImageFolderDataset: " + root + " is not a directory");
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        if (classDirs.isEmpty()) throw new FileNotFoundException("ImageFolderDataset: no class sub-directories in " + root);
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            Path dir = classDirs.get(c);
            classes.add(dir.getFileName().toString());
            List<Path> images;
            try (Stream<Path> s = Files.walk(dir)) {
                images = s.filter(Files::isRegularFile).filter(ImageFolderDataset::isImageName).sorted().toList();
            }
            if (images.isEmpty()) throw new FileNotFoundException("ImageFolderDataset: class directory " + dir + " holds no .png, .jpg or .jpeg files");
            for (Path p : images) {
                files.add(p);
                labels.add(c);
            }
        }
        return new Listing(List.copyOf(classes), files, labels);
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    /** A decoded image: (channels, h, w) values in [0, 255] at its own size. */
    record Decoded(float[] pixels, int h, int w) {
    }

    /** What {@link #readImage} does with an image reader set on the file. */
    private interface ReaderJob<T> {
        T run(ImageReader reader) throws IOException;
    }

    /** The largest image decoded, in pixels: {@link #MAX_PIXELS_PROPERTY} or {@link #MAX_PIXELS}. */
    public static long maxPixels() {
        String p = System.getProperty(MAX_PIXELS_PROPERTY);
        if (p == null) return MAX_PIXELS;
        try {
            long n = Long.parseLong(p.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(MAX_PIXELS_PROPERTY + " must be a positive number of pixels, got '" + p + "'");
    }

    /**
     * Runs {@code job} with a reader on {@code file}; any failure is a {@link DatasetFormatException}
     * naming the file, and so is any warning the reader gave (a truncated or corrupt JPEG decodes
     * "successfully" with a warning, its missing part grey).
     */
    private static <T> T readImage(Path file, ReaderJob<T> job) throws IOException {
        if (Files.isDirectory(file)) throw new DatasetFormatException(file, "is a directory, not an image file");
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString());
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new DatasetFormatException(file, "not a readable PNG or JPEG image");
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                T result = job.run(reader);
                if (!warnings.isEmpty()) throw new DatasetFormatException(file, "corrupt or truncated image (" + warnings.get(0) + ")");
                return result;
            } finally {
                reader.dispose();
            }
        } catch (DatasetFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // image decoders also throw unchecked exceptions on corrupt data
            throw new DatasetFormatException(file, "cannot decode image (" + describe(e) + ")", e);
        }
    }

    /** An exception as the words of its chain, e.g. "Error reading PNG image data: Unexpected end of ZLIB input stream". */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (sb.length() > 0) sb.append(": ");
            sb.append(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
        }
        return sb.toString();
    }

    /**
     * Refuses, before decoding, a claimed size over {@link #maxPixels()} or more than the file's
     * bytes can hold ({@link #PNG_PIXELS_PER_BYTE}, {@link #JPEG_PIXELS_PER_BYTE}).
     */
    private static void checkSize(Path file, ImageReader reader) throws IOException {
        long w = reader.getWidth(0), h = reader.getHeight(0), pixels = w * h, limit = maxPixels();
        if (pixels > limit) {
            throw new DatasetFormatException(file, "image of " + w + "x" + h + " pixels is over the limit of " + limit + " (" + pixels
                    + " pixels; -D" + MAX_PIXELS_PROPERTY + "=N raises the limit)");
        }
        long bytes = Files.size(file);
        boolean png = "png".equalsIgnoreCase(reader.getFormatName());
        long plausible = FREE_PIXELS + bytes * (png ? PNG_PIXELS_PER_BYTE : JPEG_PIXELS_PER_BYTE);
        if (pixels > plausible) {
            throw new DatasetFormatException(file, "image claims " + w + "x" + h + " = " + pixels + " pixels, more than its " + bytes
                    + " bytes can hold as " + reader.getFormatName().toUpperCase(Locale.ROOT) + " (at most " + plausible + "): a corrupt or hostile header");
        }
    }

    static Decoded decode(Path file, int channels) throws IOException {
        BufferedImage img = readImage(file, reader -> {
            // check the claimed size before decoding, so a hostile header cannot exhaust memory
            checkSize(file, reader);
            return reader.read(0);
        });
        int h = img.getHeight(), w = img.getWidth();
        float[] out = new float[channels * h * w];
        ColorModel cm = img.getColorModel();
        int plane = h * w;
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            // read gray samples from the raster: getRGB would apply a linear-to-sRGB curve
            Raster r = img.getRaster();
            double scale = 255.0 / ((1L << cm.getComponentSize(0)) - 1);
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    float v = (float) (r.getSample(xx, yy, 0) * scale);
                    for (int c = 0; c < channels; c++) out[c * plane + yy * w + xx] = v;
                }
            }
            return new Decoded(out, h, w);
        }
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < w; xx++) {
                int rgb = img.getRGB(xx, yy);
                float r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                int i = yy * w + xx;
                if (channels == 1) {
                    out[i] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    out[i] = r;
                    out[plane + i] = g;
                    out[2 * plane + i] = b;
                }
            }
        }
        return new Decoded(out, h, w);
    }

    /**
     * Bilinear resize of a (c, h, w) image into {@code dst} at {@code off} as (c, oh, ow), with
     * half-pixel centres: {@code src = (dst + 0.5) * h / oh - 0.5}, clamped to [0, h-1].
     */
    public static void resizeBilinear(float[] src, int c, int h, int w, float[] dst, int off, int oh, int ow) {
        for (int y = 0; y < oh; y++) {
            double sy = Math.min(Math.max((y + 0.5) * h / oh - 0.5, 0), h - 1);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < ow; x++) {
                double sx = Math.min(Math.max((x + 0.5) * w / ow - 0.5, 0), w - 1);
                int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                for (int ch = 0; ch < c; ch++) {
                    int p = ch * h * w;
                    double top = src[p + y0 * w + x0] * (1 - fx) + src[p + y0 * w + x1] * fx;
                    double bottom = src[p + y1 * w + x0] * (1 - fx) + src[p + y1 * w + x1] * fx;
                    dst[off + (ch * oh + y) * ow + x] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
    }

    /** The class names (sub-directory names), in label order. */
    @Override
    public List<String> classNames() {
        return classes;
    }

    /** The file sample {@code index} was read from. */
    public Path file(int index) {
        return files.get(index);
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public Shape sampleShape() {
        return data.sampleShape();
    }

    @Override
    public int numClasses() {
        return data.numClasses();
    }

    @Override
    public void copySample(int index, float[] dst, int dstOffset) {
        data.copySample(index, dst, dstOffset);
    }

    @Override
    public int label(int index) {
        return data.label(index);
    }

    @Override
    public String toString() {
        return "ImageFolderDataset(size=" + size() + ", sample=" + sampleShape() + ", classes=" + classes + ")";
    }
}
