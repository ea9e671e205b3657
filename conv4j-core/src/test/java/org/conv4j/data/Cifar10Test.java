package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    @TempDir
    Path dir;

    /** {@code n} random records with labels 0..9. */
    private static byte[] records(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] b = TestData.randomBytes(rng, n * Cifar10.RECORD_BYTES, 256);
        for (int i = 0; i < n; i++) b[i * Cifar10.RECORD_BYTES] = (byte) rng.nextInt(10);
        return b;
    }

    private static void assertRecords(byte[] expected, Dataset d, int first) {
        float[] x = new float[3 * 32 * 32];
        int n = expected.length / Cifar10.RECORD_BYTES;
        for (int i = 0; i < n; i++) {
            int base = i * Cifar10.RECORD_BYTES;
            assertEquals(expected[base], d.label(first + i));
            d.copySample(first + i, x, 0);
            for (int j = 0; j < x.length; j++) assertEquals((expected[base + 1 + j] & 0xff) / 255f, x[j], 0f);
        }
    }

    @Test
    void readsRecordsInChwOrder() throws IOException {
        byte[] r = new byte[Cifar10.RECORD_BYTES];
        r[0] = 7;
        r[1] = (byte) 255;                 // red (0, 0, 0)
        r[1 + 1024 + 33] = (byte) 51;      // green (1, 1, 1)
        r[1 + 2048 + 1023] = (byte) 102;   // blue (2, 31, 31)
        Path f = Files.write(dir.resolve("one.bin"), r);
        ArrayDataset d = Cifar10.read(List.of(f));
        assertEquals(Shape.of(3, 32, 32), d.sampleShape());
        assertEquals(10, d.numClasses());
        assertEquals(7, d.label(0));
        float[] x = new float[3 * 32 * 32];
        d.copySample(0, x, 0);
        assertEquals(1f, x[0], 0f);
        assertEquals(0.2f, x[1024 + 32 + 1], 0f);
        assertEquals(0.4f, x[2 * 1024 + 31 * 32 + 31], 0f);
        assertEquals(0f, x[5], 0f);
    }

    @Test
    void loadsTheTrainBatchesInOrderAndTheTestBatch() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        byte[][] train = new byte[5][];
        for (int i = 0; i < 5; i++) {
            train[i] = records(2 + i % 2, i);
            Files.write(sub.resolve("data_batch_" + (i + 1) + ".bin"), train[i]);
        }
        byte[] test = records(3, 99);
        Files.write(sub.resolve("test_batch.bin"), test);
        Dataset d = Cifar10.load(dir, Split.TRAIN);
        assertEquals(2 + 3 + 2 + 3 + 2, d.size());
        int first = 0;
        for (byte[] t : train) {
            assertRecords(t, d, first);
            first += t.length / Cifar10.RECORD_BYTES;
        }
        Dataset testSet = Cifar10.load(sub, Split.TEST);
        assertRecords(test, testSet, 0);
        assertEquals(java.util.List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"), testSet.classNames());
    }

    @Test
    void rejectsBadFilesWithClearMessages() throws IOException {
        Path shortFile = Files.write(dir.resolve("short.bin"), new byte[Cifar10.RECORD_BYTES + 5]);
        var e = assertThrows(DatasetFormatException.class, () -> Cifar10.read(List.of(shortFile)));
        assertEquals(shortFile + ": length 3078 is not a positive multiple of the 3073-byte record (1 label byte + 3*32*32 pixel bytes)", e.getMessage());
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertThrows(DatasetFormatException.class, () -> Cifar10.read(List.of(empty)));
        byte[] r = records(3, 4);
        r[2 * Cifar10.RECORD_BYTES] = 10;
        Path badLabel = Files.write(dir.resolve("label.bin"), r);
        e = assertThrows(DatasetFormatException.class, () -> Cifar10.read(List.of(badLabel)));
        assertEquals(badLabel + ": record 2 has label 10, expected 0..9", e.getMessage());
        var missing = assertThrows(FileNotFoundException.class, () -> Cifar10.load(dir, Split.TEST));
        assertTrue(missing.getMessage().contains("no CIFAR-10 test split in " + dir) && missing.getMessage().contains("looked for test_batch.bin"), missing.getMessage());
    }
}
