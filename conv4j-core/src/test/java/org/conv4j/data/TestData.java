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

    /**
     * One tar entry: a 512-byte ustar header (name, octal size, type, checksum) then the data
     * padded to 512 bytes. {@code claimedSize} is written as the size (a hostile header may lie).
     */
    static byte[] tarEntry(String name, char type, byte[] data, long claimedSize) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        putOctal(h, 100, 8, 0644);
        putOctal(h, 124, 12, claimedSize);
        putOctal(h, 136, 12, 1_234_567_890);
        h[156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        putOctal(h, 148, 7, sum);
        byte[] out = new byte[512 + (data.length + 511) / 512 * 512];
        System.arraycopy(h, 0, out, 0, 512);
        System.arraycopy(data, 0, out, 512, data.length);
        return out;
    }

    /** An octal number of {@code length - 1} digits and a NUL. */
    private static void putOctal(byte[] h, int from, int length, long v) {
        String s = Long.toOctalString(v);
        s = "0".repeat(Math.max(0, length - 1 - s.length())) + s;
        System.arraycopy(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, from, length - 1);
    }

    /** Entries followed by the two zero blocks that end a tar file, gzip'd. */
    static byte[] tarGz(byte[]... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : entries) out.writeBytes(e);
        out.writeBytes(new byte[1024]);
        return gzip(out.toByteArray());
    }
}
