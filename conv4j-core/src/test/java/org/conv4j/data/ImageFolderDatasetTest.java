package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    private static BufferedImage gray(int[][] v) {
        BufferedImage img = new BufferedImage(v[0].length, v.length, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < v.length; y++) {
            for (int x = 0; x < v[0].length; x++) img.getRaster().setSample(x, y, 0, v[y][x]);
        }
        return img;
    }

    private static BufferedImage rgb(int h, int w, int... pixels) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h * w; i++) img.setRGB(i % w, i / w, pixels[i]);
        return img;
    }

    private Path save(BufferedImage img, String format, String... path) throws IOException {
        Path p = root.resolve(String.join("/", path));
        Files.createDirectories(p.getParent());
        assertTrue(ImageIO.write(img, format, p.toFile()), "no writer for " + format);
        return p;
    }

    private static float[] sample(Dataset d, int i) {
        float[] x = new float[d.sampleSize()];
        d.copySample(i, x, 0);
        return x;
    }

    @Test
    void grayImagesKeepTheirExactValues() throws IOException {
        save(gray(new int[][] {{0, 17, 128}, {200, 254, 255}}), "png", "digits", "a.png");
        ImageFolderDataset d = ImageFolderDataset.load(root, 1, 2, 3);
        assertEquals(Shape.of(1, 2, 3), d.sampleShape());
        float[] expected = {0, 17 / 255f, 128 / 255f, 200 / 255f, 254 / 255f, 1};
        assertArrayEquals(expected, sample(d, 0), 1e-7f);
        ImageFolderDataset three = ImageFolderDataset.load(root, 3, 2, 3);
        float[] x = sample(three, 0);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 6; i++) assertEquals(expected[i], x[c * 6 + i], 1e-7f);
        }
    }

    @Test
    void rgbImagesGiveChannelsOrBt601Gray() throws IOException {
        int[] px = {0xff0000, 0x00ff00, 0x0000ff, 0x102030};
        save(rgb(2, 2, px), "png", "c", "x.png");
        float[] x = sample(ImageFolderDataset.load(root, 3, 2, 2), 0);
        assertArrayEquals(new float[] {1, 0, 0, 16 / 255f, 0, 1, 0, 32 / 255f, 0, 0, 1, 48 / 255f}, x, 1e-7f);
        float[] g = sample(ImageFolderDataset.load(root, 1, 2, 2), 0);
        assertArrayEquals(new float[] {0.299f, 0.587f, 0.114f, (0.299f * 16 + 0.587f * 32 + 0.114f * 48) / 255f}, g, 1e-6f);
    }

    @Test
    void resizesBilinearlyWithHalfPixelCentres() throws IOException {
        // src = (dst + 0.5) * 2 / 4 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
        save(gray(new int[][] {{0, 100}, {0, 100}}), "png", "c", "x.png");
        float[] x = sample(ImageFolderDataset.load(root, 1, 2, 4), 0);
        float[] row = {0, 25 / 255f, 75 / 255f, 100 / 255f};
        for (int i = 0; i < 8; i++) assertEquals(row[i % 4], x[i], 1e-6f);
        // halving averages 2x2 blocks: src = (dst + 0.5) * 2 - 0.5 = 0.5, 2.5
        float[] src = {0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60};
        float[] dst = new float[5];
        ImageFolderDataset.resizeBilinear(src, 1, 4, 4, dst, 1, 2, 2);
        assertArrayEquals(new float[] {0, 10, 18, 42, 50}, dst, 1e-5f);
        float[] same = new float[16];
        ImageFolderDataset.resizeBilinear(src, 1, 4, 4, same, 0, 4, 4);
        assertArrayEquals(src, same, 0f);
    }

    @Test
    void classesAreSortedSubDirectoriesAndOtherFilesAreIgnored() throws IOException {
        save(gray(new int[][] {{10}}), "png", "zebra", "2.png");
        save(gray(new int[][] {{20}}), "png", "zebra", "1.PNG");
        save(gray(new int[][] {{30}}), "png", "ant", "deep", "q.png");
        Files.writeString(root.resolve("ant/notes.txt"), "not an image");
        Files.writeString(root.resolve("README"), "ignored: not a directory");
        Files.createDirectories(root.resolve(".hidden"));
        ImageFolderDataset d = ImageFolderDataset.load(root, 1, 1, 1);
        assertEquals(List.of("ant", "zebra"), d.classNames());
        assertEquals(2, d.numClasses());
        assertEquals(3, d.size());
        assertEquals(0, d.label(0));
        assertEquals(30 / 255f, sample(d, 0)[0], 0f);
        assertEquals(root.resolve("zebra/1.PNG"), d.file(1));
        assertEquals(20 / 255f, sample(d, 1)[0], 0f);
        assertEquals(1, d.label(2));
        assertEquals(10 / 255f, sample(d, 2)[0], 0f);
    }

    @Test
    void readsJpegs() throws IOException {
        int[] px = new int[64];
        java.util.Arrays.fill(px, 0x80c040);
        save(rgb(8, 8, px), "jpg", "c", "x.jpeg");
        float[] x = sample(ImageFolderDataset.load(root, 3, 4, 4), 0);
        float[] expected = {0x80 / 255f, 0xc0 / 255f, 0x40 / 255f};
        for (int i = 0; i < x.length; i++) assertEquals(expected[i / 16], x[i], 4 / 255f); // lossy, within a few levels
    }

    @Test
    void badFilesAndFoldersFailNamingThem() throws IOException {
        save(gray(new int[][] {{1}}), "png", "ok", "a.png");
        Path junk = Files.createDirectories(root.resolve("zz")).resolve("broken.png");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5});
        var e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.load(root, 1, 2, 2));
        assertEquals(junk + ": not a readable PNG or JPEG image", e.getMessage());

        Files.write(junk, hugePngHeader(100_000, 100_000));
        e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.load(root, 1, 2, 2));
        assertTrue(e.getMessage().startsWith(junk + ": image of 100000x100000 pixels is over the limit"), e.getMessage());

        Files.write(junk, java.util.Arrays.copyOf(hugePngHeader(4, 4), 40));
        e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.load(root, 1, 2, 2));
        assertTrue(e.getMessage().startsWith(junk + ": cannot decode image"), e.getMessage());

        Files.delete(junk);
        var missing = assertThrows(FileNotFoundException.class, () -> ImageFolderDataset.load(root, 1, 2, 2));
        assertEquals("ImageFolderDataset: class directory " + root.resolve("zz") + " holds no .png, .jpg or .jpeg files", missing.getMessage());
        missing = assertThrows(FileNotFoundException.class, () -> ImageFolderDataset.load(root.resolve("ok"), 1, 2, 2));
        assertTrue(missing.getMessage().contains("no class sub-directories in " + root.resolve("ok")), missing.getMessage());
        missing = assertThrows(FileNotFoundException.class, () -> ImageFolderDataset.load(root.resolve("none"), 1, 2, 2));
        assertTrue(missing.getMessage().contains("is not a directory"), missing.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> ImageFolderDataset.load(root, 2, 2, 2));
        assertTrue(bad.getMessage().contains("channels must be 1 (gray) or 3 (RGB), got 2"), bad.getMessage());
    }

    /** A PNG signature and an IHDR chunk (8-bit gray) claiming {@code w x h}, with a valid CRC, and no image data. */
    private static byte[] hugePngHeader(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 17 + 4);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void theShapeIsInferredFromTheImages() throws IOException {
        // grey files, and colour files whose pixels are all grey, give one channel
        save(gray(new int[][] {{1, 2, 3}, {4, 5, 6}}), "png", "a", "1.png");
        save(rgb(2, 3, 0x101010, 0x202020, 0x303030, 0x404040, 0x505050, 0x606060), "png", "b", "2.png");
        assertEquals(Shape.of(1, 2, 3), ImageFolderDataset.inferShape(root));
        ImageFolderDataset grey = ImageFolderDataset.load(root, 1, 2, 3);
        assertEquals(0x60 / 255f, sample(grey, 1)[5], 1e-6f);

        // one coloured pixel makes the set colour
        save(rgb(2, 3, 0x101010, 0x202020, 0x303030, 0x404040, 0x505050, 0x605f60), "png", "b", "3.png");
        assertEquals(Shape.of(3, 2, 3), ImageFolderDataset.inferShape(root));
    }

    @Test
    void imagesOfDifferentSizesHaveNoInferredShape() throws IOException {
        save(gray(new int[][] {{1, 2, 3}, {4, 5, 6}}), "png", "a", "1.png");
        Path odd = save(gray(new int[][] {{1, 2}, {4, 5}}), "png", "b", "2.png");
        var e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.inferShape(root));
        assertEquals(odd + ": is 2x2 pixels but " + root.resolve("a/1.png") + " is 2x3: images of different sizes need a size chosen to resize them to",
                e.getMessage());
    }
}
