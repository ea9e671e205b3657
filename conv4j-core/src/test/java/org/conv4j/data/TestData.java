package org.conv4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** Small generated data files for the data tests. */
final class TestData {
    private TestData() {
    }

    /** An IDX file: magic 0x00 0x00 type rank, big-endian sizes, then the data. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    static byte[] idx(int[] dims, byte[] data) {
        return idx(0x08, dims, data);
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] randomBytes(SplittableRandom rng, int n, int bound) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) rng.nextInt(bound);
        return b;
    }

    /** The pixels and labels of a generated MNIST-style split. */
    record Split(byte[] images, byte[] labels, int n, int rows, int cols) {
    }

    /** Writes {@code <prefix>-images-idx3-ubyte[.gz]} and labels into {@code dir}; returns what was written. */
    static Split writeMnist(Path dir, String prefix, int n, int rows, int cols, long seed, boolean gz) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = randomBytes(rng, n * rows * cols, 256);
        byte[] labels = randomBytes(rng, n, 10);
        Files.createDirectories(dir);
        byte[] img = idx(new int[] {n, rows, cols}, pixels), lab = idx(new int[] {n}, labels);
        String ext = gz ? ".gz" : "";
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), gz ? gzip(img) : img);
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), gz ? gzip(lab) : lab);
        return new Split(pixels, labels, n, rows, cols);
    }
}
