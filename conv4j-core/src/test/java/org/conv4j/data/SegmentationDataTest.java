package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segmentation data: joint augmentation keeps image and mask aligned, the folder reader, the MNIST canvases. */
class SegmentationDataTest {
    private static final List<String> FIVE = List.of("a", "b", "c", "d", "e");

    @TempDir
    Path dir;

    /** Images whose pixel values are their mask's classes (plus 1, so a crop's zero padding stands out), with some ignored pixels. */
    private static SegmentationDataset selfDescribing(int n, int h, int w, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * h * w];
        byte[] m = new byte[n * h * w];
        for (int i = 0; i < m.length; i++) {
            int v = rng.nextInt(10) == 0 ? 255 : rng.nextInt(5);
            m[i] = (byte) v;
            x[i] = v == 255 ? 100 : v + 1;
        }
        return new SegmentationDataset(x, m, Shape.of(1, h, w), FIVE, 255);
    }

    @Test
    void jointAugmentationCropsAndFlipsImageAndMaskAlike() {
        SegmentationDataset data = selfDescribing(40, 7, 9, 1);
        DataLoader loader = new DataLoader(data, 8).shuffle(true).seed(5)
                .transforms(new RandomCrop(6, 8, 2), new Normalize(new float[] {0}, new float[] {1}), new RandomHorizontalFlip());
        JointMasks masks = new JointMasks(loader);
        int padded = 0, flippedOrMoved = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            for (Batch b : loader.epoch(epoch)) {
                Tensor m = masks.apply(b), x = b.images();
                assertEquals(Shape.of(b.size(), 6, 8), m.shape());
                for (int i = 0; i < m.size(); i++) {
                    float img = x.at(i), label = m.at(i);
                    if (img == 0) {
                        padded++;
                        assertEquals(255f, label, "a padded pixel is ignored");
                    } else {
                        assertEquals(img == 100 ? 255f : img - 1, label, "batch " + b + " pixel " + i);
                    }
                }
                // the batch is not simply the stored masks: the augmentation moved something
                for (int s = 0; s < b.size(); s++) if (m.at(s * 48) != data.mask(b.indices()[s], 0)) flippedOrMoved++;
            }
        }
        assertTrue(padded > 100, "crops reached into the padding: " + padded);
        assertTrue(flippedOrMoved > 20, "the augmentation moved the masks: " + flippedOrMoved);
    }

    @Test
    void withoutTransformsTheMasksAreTheStoredOnes() {
        SegmentationDataset data = selfDescribing(5, 3, 4, 2);
        DataLoader loader = new DataLoader(data, 5);
        Tensor m = new JointMasks(loader).apply(loader.batch(0, 0));
        for (int i = 0; i < 5; i++) for (int p = 0; p < 12; p++) assertEquals(data.mask(i, p), (int) m.at(i * 12 + p));
        var e = assertThrows(IllegalArgumentException.class, () -> new JointMasks(new DataLoader(new ArrayDataset(new float[4], new int[] {0}, Shape.of(1, 2, 2), 1), 1)));
        assertTrue(e.getMessage().startsWith("JointMasks: the loader's data set is not a SegmentationDataset"), e.getMessage());
    }

    @Test
    void maskValuesThatAreNoClassAreRefusedWithWhere() {
        byte[] m = new byte[8];
        m[6] = 7;
        var e = assertThrows(IllegalArgumentException.class, () -> new SegmentationDataset(new float[8], m, Shape.of(1, 2, 2), FIVE, 255));
        assertEquals("SegmentationDataset: the mask of sample 1 has 7 at row 1, column 0, which is not a class in [0, 5) nor the ignore index 255", e.getMessage());
    }

    private static void png(Path file, int w, int h, int type, int[] values) throws IOException {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int i = 0; i < values.length; i++) img.getRaster().setSample(i % w, i / w, 0, values[i]);
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void readsImageAndMaskFoldersMatchedByName() throws IOException {
        png(dir.resolve("images/b.png"), 3, 2, BufferedImage.TYPE_BYTE_GRAY, new int[] {0, 51, 102, 153, 204, 255});
        png(dir.resolve("masks/b.png"), 3, 2, BufferedImage.TYPE_BYTE_GRAY, new int[] {0, 1, 2, 255, 3, 0});
        png(dir.resolve("images/a.png"), 3, 2, BufferedImage.TYPE_BYTE_GRAY, new int[] {255, 255, 255, 0, 0, 0});
        png(dir.resolve("masks/a.png"), 3, 2, BufferedImage.TYPE_BYTE_GRAY, new int[] {1, 1, 1, 0, 0, 0});
        SegmentationDataset d = MaskFolders.load(dir, 1, 0, 255);
        assertEquals(2, d.size());
        assertEquals(4, d.numClasses(), "classes: the largest mask value but the ignore index, plus one");
        float[] x = new float[6];
        d.copySample(1, x, 0);
        assertArrayEquals(new float[] {0, 0.2f, 0.4f, 0.6f, 0.8f, 1}, x, 1e-6f);
        assertEquals(255, d.mask(1, 3));
        assertEquals(3, d.mask(1, 4));
        assertEquals(1, d.mask(0, 0), "a.png sorts first");

        png(dir.resolve("masks/b.png"), 3, 2, BufferedImage.TYPE_BYTE_GRAY, new int[] {0, 1, 2, 9, 3, 0});
        var e = assertThrows(DatasetFormatException.class, () -> MaskFolders.load(dir, 1, 4, 255));
        assertTrue(e.getMessage().endsWith("mask value 9 at row 1, column 0 is not a class in [0, 4) nor the ignore index 255"), e.getMessage());
        png(dir.resolve("masks/b.png"), 2, 2, BufferedImage.TYPE_BYTE_GRAY, new int[] {0, 1, 2, 3});
        e = assertThrows(DatasetFormatException.class, () -> MaskFolders.load(dir, 1, 0, 255));
        assertTrue(e.getMessage().endsWith("mask is 2x2 pixels but its image is 3x2"), e.getMessage());
        Files.delete(dir.resolve("masks/b.png"));
        e = assertThrows(DatasetFormatException.class, () -> MaskFolders.load(dir, 1, 0, 255));
        assertTrue(e.getMessage().contains("has no mask b.png"), e.getMessage());
    }

    @Test
    void mnistCanvasesAreRepeatableAndTheirMasksFollowTheInk() throws IOException {
        Dataset digits = Mnist.load(Path.of("data/mnist-sample"), Split.TEST);
        SegmentationDataset a = MnistSegmentation.generate(digits, 80, 48, 7), b = MnistSegmentation.generate(digits, 80, 48, 7);
        assertEquals(11, a.numClasses());
        assertEquals("background", a.classNames().get(0));
        int[] perClass = new int[11];
        float[] x = new float[48 * 48], y = new float[48 * 48];
        for (int i = 0; i < 80; i++) {
            a.copySample(i, x, 0);
            b.copySample(i, y, 0);
            assertArrayEquals(x, y, "the same seed gives the same canvas");
            for (int p = 0; p < x.length; p++) {
                int m = a.mask(i, p);
                assertEquals(m, b.mask(i, p));
                if (x[p] == 0) assertEquals(0, m, "blank pixels are background");
                else if (x[p] < 0.5f) assertEquals(255, m, "faint edges are ignored");
                else assertTrue(m >= 1 && m <= 10, "ink is a digit class: " + m);
                if (m < 11) perClass[m]++;
            }
        }
        for (int c = 0; c < 11; c++) assertTrue(perClass[c] > 0, "class " + c + " appears: " + java.util.Arrays.toString(perClass));
        SegmentationDataset other = MnistSegmentation.generate(digits, 30, 48, 8);
        other.copySample(0, y, 0);
        a.copySample(0, x, 0);
        assertTrue(!java.util.Arrays.equals(x, y), "another seed, another canvas");
    }
}
