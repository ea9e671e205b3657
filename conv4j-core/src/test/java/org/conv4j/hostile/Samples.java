package org.conv4j.hostile;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Init;
import org.conv4j.zoo.LeNet5;

/** The valid files the hostile tests and the fuzz suite start from, and the hand-made attacks of issue 21. */
final class Samples {
    private Samples() {
    }

    /** A LeNet-5 model file for 1x28x28 digits (seed 1), as bytes. */
    static byte[] lenet(Path dir) throws IOException {
        Init.seed(1);
        Path f = dir.resolve("lenet-sample.safetensors");
        ModelFile.save(LeNet5.build(1, 28, 28, 10), f);
        byte[] b = Files.readAllBytes(f);
        Files.delete(f);
        return b;
    }

    /** An IDX file of {@code n} noisy 28x28 images. */
    static byte[] idx(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        ByteBuffer b = ByteBuffer.allocate(16 + n * 784);
        b.putInt(0x00000803).putInt(n).putInt(28).putInt(28);
        for (int i = 0; i < n * 784; i++) b.put((byte) rng.nextInt(256));
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    /** A gzip'd IDX file whose header claims and whose stream holds {@code bytes} zero bytes: a decompression bomb. */
    static void idxBomb(Path file, int bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(ByteBuffer.allocate(12).putInt(0x00000802).putInt(bytes / 1000).putInt(1000).array());
            byte[] zeros = new byte[1 << 20];
            for (long left = (long) bytes / 1000 * 1000; left > 0; left -= zeros.length) out.write(zeros, 0, (int) Math.min(left, zeros.length));
        }
    }

    /** A w x h picture with edges and noise, encoded as "png" or "jpg". */
    static byte[] image(int w, int h, String format, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, ((x * 5) & 0xff) << 16 | ((y * 7) & 0xff) << 8 | rng.nextInt(256));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no " + format + " writer");
        return out.toByteArray();
    }

    /** A JPEG's bytes with the size in its start-of-frame marker replaced: a small file claiming a huge image. */
    static byte[] jpegClaiming(byte[] jpeg, int w, int h) {
        byte[] b = jpeg.clone();
        for (int i = 2; i + 9 < b.length; i++) {
            int m = b[i + 1] & 0xff;
            if ((b[i] & 0xff) == 0xff && (m == 0xc0 || m == 0xc1 || m == 0xc2)) {
                b[i + 5] = (byte) (h >> 8);
                b[i + 6] = (byte) h;
                b[i + 7] = (byte) (w >> 8);
                b[i + 8] = (byte) w;
                return b;
            }
        }
        throw new IllegalArgumentException("no start-of-frame marker");
    }

    /** A safetensors file whose header is {@code {"a":[{},{},...]}} of {@code bytes} bytes: cheap text, a costly tree. */
    static void manyEmptyObjects(Path file, int bytes) throws IOException {
        int n = (bytes - 8) / 3;
        StringBuilder sb = new StringBuilder(bytes).append("{\"a\":[");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "{}" : ",{}");
        sb.append("]}");
        while (sb.length() % 8 != 0) sb.append(' ');
        byte[] h = sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h);
        Files.write(file, out.array());
    }
}
