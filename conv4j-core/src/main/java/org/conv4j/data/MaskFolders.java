package org.conv4j.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Reads a segmentation data set from two folders: {@code images/} (PNG or JPEG) and
 * {@code masks/} (PNG), matched by file name without the extension ({@code images/a.jpg} with
 * {@code masks/a.png}). A mask's pixel values are class indices: an 8-bit grey PNG, or a palette
 * PNG whose palette indices are the classes (as PASCAL VOC's); the value of the ignore index
 * (255 by default) marks pixels of no class. Every image must have the size of the first, and
 * its mask the size of its image.
 */
public final class MaskFolders {
    private MaskFolders() {
    }

    /** True when {@code dir} has both an images/ and a masks/ folder. */
    public static boolean isMaskFolders(Path dir) {
        return Files.isDirectory(dir.resolve("images")) && Files.isDirectory(dir.resolve("masks"));
    }

    /**
     * Loads {@code dir} with images of {@code channels} (1 or 3); {@code classes} > 0 fixes the
     * class count, 0 takes the largest mask value that is not the ignore index, plus one.
     */
    public static SegmentationDataset load(Path dir, int channels, int classes, int ignoreIndex) throws IOException {
        TreeMap<String, Path> images = list(dir.resolve("images")), masks = list(dir.resolve("masks"));
        if (images.isEmpty()) throw new DatasetFormatException(dir.resolve("images"), "holds no PNG or JPEG image");
        for (String name : images.keySet()) {
            if (!masks.containsKey(name)) throw new DatasetFormatException(images.get(name), "has no mask " + name + ".png in " + dir.resolve("masks"));
        }
        for (String name : masks.keySet()) {
            if (!images.containsKey(name)) throw new DatasetFormatException(masks.get(name), "has no image " + name + ".png or .jpg in " + dir.resolve("images"));
        }
        Shape shape = null;
        float[] x = null;
        byte[] m = null;
        int i = 0, max = -1;
        for (String name : images.keySet()) {
            Tensor img = Images.read(images.get(name), channels);
            Shape s = Shape.of(channels, img.dim(2), img.dim(3));
            if (shape == null) {
                shape = s;
                x = new float[images.size() * s.size()];
                m = new byte[images.size() * s.dim(1) * s.dim(2)];
            } else if (!s.equals(shape)) {
                throw new DatasetFormatException(images.get(name), "is " + s.dim(2) + "x" + s.dim(1) + " pixels but the first image is " + shape.dim(2) + "x" + shape.dim(1));
            }
            System.arraycopy(img.data(), img.offset(), x, i * s.size(), s.size());
            max = Math.max(max, readMask(masks.get(name), s.dim(1), s.dim(2), m, i * s.dim(1) * s.dim(2), classes, ignoreIndex));
            i++;
        }
        int k = classes > 0 ? classes : max + 1;
        if (k < 1) throw new DatasetFormatException(dir.resolve("masks"), "every mask pixel is the ignore index " + ignoreIndex);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < k; c++) names.add(Integer.toString(c));
        return new SegmentationDataset(x, m, shape, names, ignoreIndex);
    }

    // file name without extension -> file, for PNG and JPEG files
    private static TreeMap<String, Path> list(Path folder) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        try (var s = Files.list(folder)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString(), lower = name.toLowerCase(Locale.ROOT);
                if (!Files.isRegularFile(p) || !(lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg"))) continue;
                Path before = files.put(name.substring(0, name.lastIndexOf('.')), p);
                if (before != null) throw new DatasetFormatException(p, "has the same name as " + before + " but another extension");
            }
        }
        return files;
    }

    /**
     * Reads a mask of h x w class indices (below {@code classes} when that is > 0) into {@code dst};
     * returns its largest value other than the ignore index.
     */
    private static int readMask(Path file, int h, int w, byte[] dst, int off, int classes, int ignoreIndex) throws IOException {
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new DatasetFormatException(file, "not a readable PNG mask");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // the size is checked before decoding, so a hostile header cannot exhaust memory
                if (reader.getWidth(0) != w || reader.getHeight(0) != h) {
                    throw new DatasetFormatException(file, "mask is " + reader.getWidth(0) + "x" + reader.getHeight(0) + " pixels but its image is " + w + "x" + h);
                }
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (DatasetFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DatasetFormatException(file, "cannot decode mask (" + e + ")", e);
        }
        Raster r = img.getRaster();
        if (r.getNumBands() != 1) {
            throw new DatasetFormatException(file, "mask has " + r.getNumBands() + " channels; expected a grey or palette PNG whose values are class indices");
        }
        int max = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = r.getSample(x, y, 0);
                if (v > 255 || classes > 0 && v >= classes && v != ignoreIndex) {
                    throw new DatasetFormatException(file, "mask value " + v + " at row " + y + ", column " + x + " is not a class in [0, "
                            + (classes > 0 ? classes : 255) + ") nor the ignore index " + ignoreIndex);
                }
                dst[off + y * w + x] = (byte) v;
                if (v != ignoreIndex) max = Math.max(max, v);
            }
        }
        return max;
    }
}
