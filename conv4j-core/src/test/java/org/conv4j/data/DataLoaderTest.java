package org.conv4j.data;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /** n samples of shape (c, h, w); sample i holds i*1000 + position, label i % classes. */
    private static ArrayDataset numbered(int n, int c, int h, int w, int classes) {
        int size = c * h * w;
        float[] x = new float[n * size];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int j = 0; j < size; j++) x[i * size + j] = i * 1000 + j;
        }
        return new ArrayDataset(x, y, Shape.of(c, h, w), classes);
    }

    private static List<Batch> all(DataLoader loader, int epoch) {
        List<Batch> out = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch)) {
            for (Batch b : e) out.add(b);
        }
        return out;
    }

    @Test
    void batchesCoverTheDatasetOnceInOrder() {
        ArrayDataset d = numbered(10, 2, 2, 3, 4);
        for (int prefetch : new int[] {0, 1, 3}) {
            DataLoader loader = new DataLoader(d, 3).prefetch(prefetch);
            assertEquals(4, loader.batchesPerEpoch());
            List<Batch> batches = all(loader, 0);
            assertEquals(4, batches.size());
            int next = 0;
            float[] x = new float[12];
            for (int b = 0; b < 4; b++) {
                Batch batch = batches.get(b);
                assertEquals(b, batch.index());
                assertEquals(0, batch.epoch());
                assertEquals(b < 3 ? 3 : 1, batch.size());
                assertEquals(Shape.of(batch.size(), 2, 2, 3), batch.images().shape());
                for (int i = 0; i < batch.size(); i++, next++) {
                    assertEquals(next, batch.indices()[i]);
                    assertEquals(next % 4, batch.labels()[i]);
                    d.copySample(next, x, 0);
                    assertArrayEquals(x, Arrays.copyOfRange(batch.images().data(), i * 12, i * 12 + 12), 0f);
                }
            }
            assertEquals(10, next);
        }
    }

    @Test
    void dropLastDropsTheShortBatch() {
        DataLoader loader = new DataLoader(numbered(10, 1, 1, 1, 2), 3).dropLast(true);
        assertEquals(3, loader.batchesPerEpoch());
        List<Batch> batches = all(loader, 0);
        assertEquals(3, batches.size());
        assertEquals(3, batches.get(2).size());
        var e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(numbered(2, 1, 1, 1, 2), 3).dropLast(true));
        assertEquals("DataLoader: dropLast leaves no batch: 2 samples, batch size 3", e.getMessage());
    }

    @Test
    void shufflingIsAPermutationPerSeedAndEpoch() {
        DataLoader loader = new DataLoader(numbered(50, 1, 1, 1, 2), 8).shuffle(true).seed(7);
        int[] e0 = loader.order(0), e1 = loader.order(1);
        int[] sorted = e0.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        assertArrayEquals(e0, loader.order(0));
        assertArrayEquals(e0, new DataLoader(numbered(50, 1, 1, 1, 2), 8).shuffle(true).seed(7).order(0), "reproducible on resume");
        assertFalse(Arrays.equals(e0, e1), "a new permutation each epoch");
        assertFalse(Arrays.equals(e0, new DataLoader(numbered(50, 1, 1, 1, 2), 8).shuffle(true).seed(8).order(0)));
        int[] seen = new int[50];
        for (Batch b : all(loader, 1)) {
            for (int idx : b.indices()) seen[idx]++;
        }
        for (int s : seen) assertEquals(1, s);
        int[] first = all(loader, 1).get(0).indices();
        assertArrayEquals(Arrays.copyOf(e1, 8), first);
        int[] identity = new DataLoader(numbered(5, 1, 1, 1, 2), 2).order(3);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, identity);
    }

    private static DataLoader augmented(int prefetch) {
        return new DataLoader(numbered(23, 3, 6, 5, 10), 4).shuffle(true).seed(99).prefetch(prefetch)
                .transforms(new RandomCrop(6, 5, 2), new RandomHorizontalFlip(), new Normalize(new float[] {1, 2, 3}, new float[] {2, 4, 8}));
    }

    @Test
    void resultsDoNotDependOnPrefetchThreads() {
        for (int epoch = 0; epoch < 2; epoch++) {
            List<Batch> direct = all(augmented(0), epoch), threaded = all(augmented(2), epoch);
            assertEquals(direct.size(), threaded.size());
            for (int b = 0; b < direct.size(); b++) {
                assertSameBits(direct.get(b).images(), threaded.get(b).images());
                assertArrayEquals(direct.get(b).labels(), threaded.get(b).labels());
            }
        }
        assertFalse(Arrays.equals(all(augmented(0), 0).get(0).images().toArray(), all(augmented(0), 1).get(0).images().toArray()),
                "augmentation differs between epochs");
    }

    @Test
    void augmentationDependsOnTheSampleNotItsPosition() {
        // the same dataset sample gets the same transform in an epoch, shuffled or not
        DataLoader shuffled = augmented(0), ordered = augmented(0).shuffle(false);
        Tensor inOrder = concat(all(ordered, 3));
        for (Batch b : all(shuffled, 3)) {
            int size = b.images().shape().sizeFrom(1);
            for (int i = 0; i < b.size(); i++) {
                int idx = b.indices()[i];
                assertArrayEquals(Arrays.copyOfRange(inOrder.data(), idx * size, idx * size + size),
                        Arrays.copyOfRange(b.images().data(), i * size, i * size + size), 0f);
            }
        }
    }

    private static Tensor concat(List<Batch> batches) {
        int n = 0;
        for (Batch b : batches) n += b.size();
        Shape s = batches.get(0).images().shape();
        Tensor t = Tensor.zeros(s.withDim(0, n));
        int at = 0;
        for (Batch b : batches) {
            System.arraycopy(b.images().data(), 0, t.data(), at, b.images().size());
            at += b.images().size();
        }
        return t;
    }

    @Test
    void anEpochResumesFromAnyBatch() {
        DataLoader loader = augmented(2);
        List<Batch> full = all(loader, 4);
        List<Batch> tail = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(4, 3)) {
            assertEquals(3, e.firstBatch());
            assertEquals(full.size() - 3, e.batches());
            for (Batch b : e) tail.add(b);
        }
        assertEquals(full.size() - 3, tail.size());
        for (int i = 0; i < tail.size(); i++) {
            assertEquals(i + 3, tail.get(i).index());
            assertSameBits(full.get(i + 3).images(), tail.get(i).images());
        }
        assertSameBits(full.get(5).images(), loader.batch(4, 5).images());
        assertEquals(0, loader.epoch(4, loader.batchesPerEpoch()).batches());
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(4, loader.batchesPerEpoch() + 1));
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(-1));
    }

    /** A dataset whose sample {@code bad} cannot be read. */
    private static Dataset failingAt(int bad) {
        ArrayDataset d = numbered(12, 1, 2, 2, 3);
        return new Dataset() {
            public int size() {
                return d.size();
            }

            public Shape sampleShape() {
                return d.sampleShape();
            }

            public int numClasses() {
                return d.numClasses();
            }

            public void copySample(int index, float[] dst, int dstOffset) {
                if (index == bad) throw new IllegalStateException("sample " + index + " is unreadable");
                d.copySample(index, dst, dstOffset);
            }

            public int label(int index) {
                return d.label(index);
            }
        };
    }

    @Test
    void anExceptionWhileBuildingABatchReachesTheCaller() {
        for (int prefetch : new int[] {0, 2}) {
            DataLoader loader = new DataLoader(failingAt(7), 3).prefetch(prefetch);
            List<Integer> got = new ArrayList<>();
            try (DataLoader.Epoch e = loader.epoch(0)) {
                Iterator<Batch> it = e.iterator();
                var ex = assertThrows(IllegalStateException.class, () -> {
                    while (it.hasNext()) got.add(it.next().index());
                });
                assertEquals("sample 7 is unreadable", ex.getMessage());
                assertFalse(it.hasNext(), "the epoch ends after the failure");
            }
            assertEquals(List.of(0, 1), got, "batches before the bad one arrive");
        }
    }

    @Test
    void closingAnEpochEarlyStopsItsThread() throws InterruptedException {
        DataLoader loader = new DataLoader(numbered(100, 1, 2, 2, 2), 2).prefetch(1);
        try (DataLoader.Epoch e = loader.epoch(17)) {
            Iterator<Batch> it = e.iterator();
            assertEquals(0, it.next().index());
            assertTrue(loaderThreadAlive(17), "the producer waits on the full queue");
        }
        assertFalse(loaderThreadAlive(17), "close() ended the producer");
        DataLoader.Epoch once = loader.epoch(0);
        once.iterator();
        var ex = assertThrows(IllegalStateException.class, once::iterator);
        assertEquals("an Epoch iterates once; call DataLoader.epoch(0) again", ex.getMessage());
        once.close();
    }

    private static boolean loaderThreadAlive(int epoch) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("conv4j-data-loader-epoch-" + epoch) && t.isAlive()) return true;
        }
        return false;
    }

    @Test
    void transformsChainShapesAndValidate() {
        DataLoader loader = new DataLoader(numbered(4, 1, 5, 5, 2), 2).transforms(new RandomCrop(3), new RandomHorizontalFlip());
        assertEquals(Shape.of(1, 3, 3), loader.sampleShape());
        assertEquals(Shape.of(2, 1, 3, 3), all(loader, 0).get(0).images().shape());
        var e = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(numbered(4, 1, 5, 5, 2), 2).transforms(new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1})));
        assertEquals("Normalize: expected 3 channels, got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(numbered(4, 1, 5, 5, 2), 0));
        assertEquals("DataLoader: batch size must be positive, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(numbered(4, 1, 5, 5, 2), 2).prefetch(-1));
        assertEquals("DataLoader(batch_size=2, shuffle=true, seed=3, drop_last=true)",
                new DataLoader(numbered(4, 1, 5, 5, 2), 2).shuffle(true).seed(3).dropLast(true).toString());
        assertNotEquals(DataLoader.sampleSeed(1, 0, 5), DataLoader.sampleSeed(1, 1, 5));
        assertNotEquals(DataLoader.sampleSeed(1, 0, 5), DataLoader.sampleSeed(1, 0, 6));
        assertEquals(DataLoader.sampleSeed(1, 0, 5), DataLoader.sampleSeed(1, 0, 5));
    }

    @Test
    void aDatasetWithAnOutOfRangeLabelIsReported() {
        ArrayDataset d = numbered(3, 1, 1, 1, 3);
        Dataset liar = new Dataset() {
            public int size() {
                return 3;
            }

            public Shape sampleShape() {
                return d.sampleShape();
            }

            public int numClasses() {
                return 2;
            }

            public void copySample(int index, float[] dst, int dstOffset) {
                d.copySample(index, dst, dstOffset);
            }

            public int label(int index) {
                return d.label(index);
            }
        };
        var e = assertThrows(IllegalStateException.class, () -> new DataLoader(liar, 3).prefetch(0).batch(0, 0));
        assertEquals("DataLoader: the dataset gave label 2 for sample 2, outside [0, 2)", e.getMessage());
    }
}
