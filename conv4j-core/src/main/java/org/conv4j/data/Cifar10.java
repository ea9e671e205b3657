package org.conv4j.data;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.conv4j.tensor.Shape;

/**
 * The CIFAR-10 binary format: files of 3073-byte records, one label byte (0..9) then
 * 3*32*32 pixel bytes in CHW order (the red plane, then green, then blue). The training split
 * is {@code data_batch_1.bin} .. {@code data_batch_5.bin}, the test split {@code test_batch.bin},
 * in a directory or its {@code cifar-10-batches-bin} sub-directory (as the archive unpacks).
 * Samples have shape (3, 32, 32) and values {@code x / 255}.
 */
public final class Cifar10 {
    public static final int NUM_CLASSES = 10;
    /** Bytes per record: 1 label + 3*32*32 pixels. */
    public static final int RECORD_BYTES = 1 + 3 * 32 * 32;
    /** The class names, in label order. */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private static final int PIXELS = RECORD_BYTES - 1;

    private Cifar10() {
    }

    /** The file names of a split, in load order. */
    public static List<String> fileNames(Split split) {
        if (split == Split.TEST) return List.of("test_batch.bin");
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 5; i++) names.add("data_batch_" + i + ".bin");
        return names;
    }

    /** The directory holding the split's files: {@code dir} or {@code dir/cifar-10-batches-bin}; null if neither has them all. */
    static Path splitDir(Path dir, Split split) {
        for (Path d : List.of(dir, dir.resolve("cifar-10-batches-bin"))) {
            boolean all = true;
            for (String name : fileNames(split)) all &= Files.isRegularFile(d.resolve(name));
            if (all) return d;
        }
        return null;
    }

    public static boolean hasSplit(Path dir, Split split) {
        return splitDir(dir, split) != null;
    }

    /** Loads a split from {@code dir}; fails listing the files looked for if any is absent. */
    public static ArrayDataset load(Path dir, Split split) throws IOException {
        Path d = splitDir(dir, split);
        if (d == null) {
            throw new FileNotFoundException("no CIFAR-10 " + split.label() + " split in " + dir + " or " + dir.resolve("cifar-10-batches-bin")
                    + ": looked for " + String.join(", ", fileNames(split)));
        }
        List<Path> files = new ArrayList<>();
        for (String name : fileNames(split)) files.add(d.resolve(name));
        return read(files);
    }

    /** Reads and concatenates record files, in order. */
    public static ArrayDataset read(List<Path> files) throws IOException {
        if (files.isEmpty()) throw new IllegalArgumentException("Cifar10: no files to read");
        long total = 0;
        long[] counts = new long[files.size()];
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            long length = Files.size(file);
            if (length == 0 || length % RECORD_BYTES != 0) {
                throw new DatasetFormatException(file, "length " + length + " is not a positive multiple of the " + RECORD_BYTES
                        + "-byte record (1 label byte + 3*32*32 pixel bytes)");
            }
            counts[f] = length / RECORD_BYTES;
            total += counts[f];
            if (total * PIXELS > Integer.MAX_VALUE - 8) {
                throw new DatasetFormatException(file, "too many records in all: " + total + " records do not fit one float array");
            }
        }
        float[] x = new float[(int) (total * PIXELS)];
        int[] y = new int[(int) total];
        byte[] record = new byte[RECORD_BYTES];
        int n = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                for (long r = 0; r < counts[f]; r++, n++) {
                    if (in.readNBytes(record, 0, RECORD_BYTES) != RECORD_BYTES) {
                        throw new DatasetFormatException(file, "truncated at record " + r + " (the file shrank while reading?)");
                    }
                    int label = record[0] & 0xff;
                    if (label >= NUM_CLASSES) {
                        throw new DatasetFormatException(file, "record " + r + " has label " + label + ", expected 0..9");
                    }
                    y[n] = label;
                    int base = n * PIXELS;
                    for (int i = 0; i < PIXELS; i++) x[base + i] = (record[1 + i] & 0xff) / 255f;
                }
            }
        }
        return new ArrayDataset(x, y, Shape.of(3, 32, 32), NUM_CLASSES).withClassNames(CLASSES);
    }
}
