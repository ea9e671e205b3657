package org.conv4j.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.conv4j.tensor.Shape;

/**
 * MNIST-style data (MNIST, Fashion-MNIST, KMNIST ...): a directory holding
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}
 * and {@code t10k-labels-idx1-ubyte}, each raw or gzip'd ({@code .gz}); the variant spelling
 * {@code train-images.idx3-ubyte} some mirrors use is accepted too.
 *
 * <p>Images are (count, rows, cols) unsigned bytes and become samples of shape (1, rows, cols)
 * with values {@code x / 255} in [0, 1]; labels are (count) unsigned bytes below the number
 * of classes.
 */
public final class Mnist {
    /** MNIST and Fashion-MNIST both have ten classes. */
    public static final int NUM_CLASSES = 10;
    /** MNIST's class names: the digits. */
    public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** Fashion-MNIST's class names, as Zalando's README lists them. */
    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final float[] SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) SCALE[v] = v / 255f;
    }

    private Mnist() {
    }

    /** The file-name prefix of a split: "train" or "t10k". */
    public static String prefix(Split split) {
        return split == Split.TRAIN ? "train" : "t10k";
    }

    /** The names tried for a split's images (kind "images", rank 3) or labels (kind "labels", rank 1), in order. */
    public static List<String> candidates(Split split, boolean images) {
        String p = prefix(split);
        String kind = images ? "images" : "labels";
        String idx = images ? "idx3-ubyte" : "idx1-ubyte";
        List<String> names = new ArrayList<>();
        for (String base : List.of(p + "-" + kind + "-" + idx, p + "-" + kind + "." + idx)) {
            names.add(base + ".gz");
            names.add(base);
        }
        return names;
    }

    /** The first existing file among the candidates in {@code dir}, or null. */
    static Path find(Path dir, Split split, boolean images) {
        for (String name : candidates(split, images)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /** True if {@code dir} holds both files of the split. */
    public static boolean hasSplit(Path dir, Split split) {
        return find(dir, split, true) != null && find(dir, split, false) != null;
    }

    /** What is missing for a split in {@code dir}, for messages; empty if nothing. */
    static String missing(Path dir, Split split) {
        List<String> parts = new ArrayList<>();
        if (find(dir, split, true) == null) parts.add(prefix(split) + "-images-idx3-ubyte[.gz]");
        if (find(dir, split, false) == null) parts.add(prefix(split) + "-labels-idx1-ubyte[.gz]");
        return String.join(" and ", parts);
    }

    /**
     * The class names of the data in {@code dir}: Fashion-MNIST's when a part of its path names
     * Fashion-MNIST (the cache's {@code fashion-mnist}, Debian's {@code /usr/share/datasets/fashion-mnist},
     * any folder with "fashion" in its name), else the digits.
     */
    public static List<String> classNames(Path dir) {
        for (Path part : dir.toAbsolutePath().normalize()) {
            if (part.toString().toLowerCase(java.util.Locale.ROOT).contains("fashion")) return FASHION_CLASSES;
        }
        return DIGITS;
    }

    /**
     * Loads the split with {@link #NUM_CLASSES} classes named as {@link #classNames(Path)} says;
     * fails listing the names looked for if a file is absent.
     */
    public static ArrayDataset load(Path dir, Split split) throws IOException {
        Path images = find(dir, split, true), labels = find(dir, split, false);
        if (images == null || labels == null) {
            throw new FileNotFoundException("no MNIST-style " + split.label() + " split in " + dir + ": missing " + missing(dir, split)
                    + " (looked for " + String.join(", ", candidates(split, true)) + " and " + String.join(", ", candidates(split, false)) + ")");
        }
        return load(images, labels, NUM_CLASSES).withClassNames(classNames(dir));
    }

    /** Loads an images file and a labels file with labels below {@code numClasses}. */
    public static ArrayDataset load(Path imagesFile, Path labelsFile, int numClasses) throws IOException {
        if (numClasses < 1 || numClasses > 256) throw new IllegalArgumentException("numClasses must be in [1, 256], got " + numClasses);
        IdxArray images = Idx.read(imagesFile);
        if (images.rank() != 3) {
            throw new DatasetFormatException(imagesFile, "expected images of rank 3 (count, rows, cols), got rank " + images.rank());
        }
        IdxArray labels = Idx.read(labelsFile);
        if (labels.rank() != 1) {
            throw new DatasetFormatException(labelsFile, "expected labels of rank 1 (count), got rank " + labels.rank());
        }
        int n = images.dim(0);
        if (labels.dim(0) != n) {
            throw new DatasetFormatException(labelsFile, "holds " + labels.dim(0) + " labels but the images file " + imagesFile + " holds " + n + " images");
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.unsigned(i);
            if (y[i] >= numClasses) {
                throw new DatasetFormatException(labelsFile, "label " + y[i] + " at index " + i + " is not below the number of classes " + numClasses);
            }
        }
        byte[] src = images.data();
        float[] x = new float[src.length];
        for (int i = 0; i < x.length; i++) x[i] = SCALE[src[i] & 0xff];
        return new ArrayDataset(x, y, Shape.of(1, images.dim(1), images.dim(2)), numClasses);
    }
}
