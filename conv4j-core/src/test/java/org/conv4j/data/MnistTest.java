package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
    @TempDir
    Path dir;

    private static void assertMatches(TestData.Split expected, Dataset d) {
        assertEquals(expected.n(), d.size());
        assertEquals(Shape.of(1, expected.rows(), expected.cols()), d.sampleShape());
        assertEquals(10, d.numClasses());
        float[] x = new float[d.sampleSize()];
        for (int i = 0; i < expected.n(); i++) {
            assertEquals(expected.labels()[i], d.label(i));
            d.copySample(i, x, 0);
            for (int j = 0; j < x.length; j++) {
                assertEquals((expected.images()[i * x.length + j] & 0xff) / 255f, x[j], 0f);
            }
        }
    }

    @Test
    void loadsBothSplitsRawOrGzipped() throws IOException {
        TestData.Split train = TestData.writeMnist(dir, "train", 7, 5, 4, 1, true);
        TestData.Split test = TestData.writeMnist(dir, "t10k", 3, 5, 4, 2, false);
        assertTrue(Mnist.hasSplit(dir, Split.TRAIN));
        assertMatches(train, Mnist.load(dir, Split.TRAIN));
        assertMatches(test, Mnist.load(dir, Split.TEST));
    }

    @Test
    void pixelValuesAreScaledToTheUnitInterval() throws IOException {
        Path img = Files.write(dir.resolve("img"), TestData.idx(new int[] {1, 1, 3}, new byte[] {0, (byte) 128, (byte) 255}));
        Path lab = Files.write(dir.resolve("lab"), TestData.idx(new int[] {1}, new byte[] {9}));
        ArrayDataset d = Mnist.load(img, lab, 10);
        float[] x = new float[3];
        d.copySample(0, x, 0);
        assertEquals(0f, x[0], 0f);
        assertEquals(128 / 255f, x[1], 0f);
        assertEquals(1f, x[2], 0f);
        assertEquals(9, d.label(0));
    }

    @Test
    void acceptsTheDottedNameVariant() throws IOException {
        TestData.Split s = TestData.writeMnist(dir, "t10k", 2, 3, 3, 5, false);
        Files.move(dir.resolve("t10k-images-idx3-ubyte"), dir.resolve("t10k-images.idx3-ubyte"));
        assertMatches(s, Mnist.load(dir, Split.TEST));
    }

    @Test
    void aMissingSplitListsWhatWasLookedFor() throws IOException {
        TestData.writeMnist(dir, "train", 2, 3, 3, 1, true);
        Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));
        assertFalse(Mnist.hasSplit(dir, Split.TRAIN));
        var e = assertThrows(FileNotFoundException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertTrue(e.getMessage().startsWith("no MNIST-style train split in " + dir + ": missing train-labels-idx1-ubyte[.gz]"), e.getMessage());
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz, train-labels-idx1-ubyte, train-labels.idx1-ubyte.gz"), e.getMessage());
        e = assertThrows(FileNotFoundException.class, () -> Mnist.load(dir, Split.TEST));
        assertTrue(e.getMessage().contains("missing t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]"), e.getMessage());
    }

    @Test
    void rejectsDisagreeingFiles() throws IOException {
        Path img = Files.write(dir.resolve("img"), TestData.idx(new int[] {3, 2, 2}, new byte[12]));
        Path lab2 = Files.write(dir.resolve("lab2"), TestData.idx(new int[] {2}, new byte[] {1, 2}));
        var e = assertThrows(DatasetFormatException.class, () -> Mnist.load(img, lab2, 10));
        assertEquals(lab2 + ": holds 2 labels but the images file " + img + " holds 3 images", e.getMessage());
        Path labBig = Files.write(dir.resolve("labBig"), TestData.idx(new int[] {3}, new byte[] {1, 10, 2}));
        e = assertThrows(DatasetFormatException.class, () -> Mnist.load(img, labBig, 10));
        assertEquals(labBig + ": label 10 at index 1 is not below the number of classes 10", e.getMessage());
        e = assertThrows(DatasetFormatException.class, () -> Mnist.load(lab2, lab2, 10));
        assertTrue(e.getMessage().contains("expected images of rank 3 (count, rows, cols), got rank 1"), e.getMessage());
        e = assertThrows(DatasetFormatException.class, () -> Mnist.load(img, img, 10));
        assertTrue(e.getMessage().contains("expected labels of rank 1 (count), got rank 3"), e.getMessage());
    }

    @Test
    void classNamesAreTheDigitsOrFashionMnistsByTheDirectory() throws IOException {
        TestData.writeMnist(dir, "t10k", 3, 5, 4, 2, false);
        assertEquals(Mnist.DIGITS, Mnist.load(dir, Split.TEST).classNames());
        Path fashion = dir.resolve("fashion-mnist");
        TestData.writeMnist(fashion, "t10k", 3, 5, 4, 2, false);
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
                Mnist.load(fashion, Split.TEST).classNames());
        assertEquals(Mnist.FASHION_CLASSES, Mnist.classNames(Path.of("/usr/share/datasets/fashion-mnist")));
        assertEquals(Mnist.DIGITS, Mnist.classNames(Path.of("/data/mnist")));
    }
}
