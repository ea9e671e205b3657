package org.conv4j.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.conv4j.data.DatasetFormatException;
import org.conv4j.data.Idx;
import org.conv4j.data.Images;
import org.conv4j.io.Architecture;
import org.conv4j.io.Json;
import org.conv4j.io.JsonException;
import org.conv4j.io.ModelFile;
import org.conv4j.io.ModelFormatException;
import org.conv4j.io.ReadLimits;
import org.conv4j.kernel.Parallel;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Identity;
import org.conv4j.nn.Layer;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21's measured defects, one regression test each (the ones that need a 512 MB heap run in {@link FuzzTest}). */
class HostileInputTest {
    @TempDir
    Path dir;

    @Test
    void jsonCountsValuesBeforeBuildingThem() {
        String many = "[" + "{},".repeat(1_000_000) + "{}]";
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(many));
        assertTrue(e.getMessage().startsWith("more than the limit of 1000000 values at position 2999998"), e.getMessage());
        assertEquals(11, ((java.util.List<?>) Json.parse("[" + "{},".repeat(10) + "{}]", 4, 100, 12)).size());
        assertThrows(JsonException.class, () -> Json.parse("[" + "{},".repeat(10) + "{}]", 4, 100, 11));
    }

    @Test
    void aHeaderOfEmptyObjectsFailsAsAFormatError() throws Exception {
        Path f = dir.resolve("objects.safetensors");
        Samples.manyEmptyObjects(f, 4_000_000);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().contains("header is not valid JSON: more than the limit of 1000000 values"), e.getMessage());
        // a caller's smaller limits apply too
        e = assertThrows(ModelFormatException.class, () -> ModelFile.load(f, new ReadLimits(1000, 10, 10)));
        assertTrue(e.getMessage().contains("header length 4000000 exceeds the limit of 1000 bytes"), e.getMessage());
    }

    @Test
    void twoHundredThousandLayersLoadInLinearTime() throws Exception {
        Sequential s = new Sequential();
        for (int i = 0; i < 200_000; i++) s.add(new Identity());
        Path f = dir.resolve("deep.safetensors");
        ModelFile.save(s, f);
        long t0 = System.nanoTime();
        Layer back = ModelFile.load(f);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(200_000, ((Sequential) back).size());
        // 23.8 s when quadratic; under 1 s measured on one core (SECURITY.md); 10 s leaves room for a busy CI machine
        assertTrue(seconds < 10, "loading took " + seconds + " s");
        // more layers than the caller allows are refused
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(f, new ReadLimits(100_000_000, 1_000_000, 1000)));
        assertTrue(e.getMessage().contains("the architecture has more than the limit of 1000 layers"), e.getMessage());
    }

    @Test
    void aLargeGraphBuildsInLinearTime() {
        long t0 = System.nanoTime();
        Graph g = new Graph();
        String prev = Graph.INPUT;
        for (int i = 0; i < 60_000; i++) {
            g.add("n" + i, new ReLU(), prev);
            prev = "n" + i;
        }
        g.output(prev);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(60_000, g.nodes().size());
        assertTrue(seconds < 10, "building took " + seconds + " s (12.3 s when quadratic)");
        ReLU shared = new ReLU();
        Graph twice = new Graph().add("a", shared, Graph.INPUT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> twice.add("b", shared, "a"));
        assertTrue(e.getMessage().contains("node 'b' reuses the ReLU instance of node 'a'"), e.getMessage());
    }

    @Test
    void threadCountIsBounded() {
        int before = Parallel.threads();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(10_000));
        assertTrue(e.getMessage().startsWith("thread count 10000 is over the maximum of " + Parallel.maxThreads()), e.getMessage());
        assertEquals(before, Parallel.threads());
        assertEquals(Math.max(64, 4 * Runtime.getRuntime().availableProcessors()), Parallel.maxThreads());
    }

    @Test
    void idleWorkersCostNothing() throws InterruptedException {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(64);
            long[] sum = new long[64];
            Parallel.forEach(64, t -> sum[t] = t);
            assertEquals(63, sum[63]);
            Thread.sleep(100);   // past the spin of the workers that spin
            long cpu0 = workerCpuNanos();
            Thread.sleep(1000);
            double cpuMs = (workerCpuNanos() - cpu0) / 1e6;
            // was 180 ms (63 workers each waking every millisecond); now 0
            assertTrue(cpuMs < 20, "63 idle kernel workers used " + cpuMs + " ms of CPU in one second");
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** The CPU time of the live kernel worker threads. */
    private static long workerCpuNanos() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("conv4j-kernel-")) sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
        }
        return sum;
    }

    @Test
    void aSmallJpegClaimingAHugeImageIsRefusedBeforeDecoding() throws Exception {
        byte[] small = Samples.image(16, 16, "jpg", 1);
        Path f = dir.resolve("huge.jpg");
        Files.write(f, Samples.jpegClaiming(small, 8192, 8192));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Images.read(f, 3));
        assertTrue(e.getMessage().contains("image of 8192x8192 pixels is over the limit of 16777216 (67108864 pixels; -Dconv4j.maxImagePixels=N raises the limit)"), e.getMessage());
        Files.write(f, Samples.jpegClaiming(small, 4000, 4000));
        e = assertThrows(DatasetFormatException.class, () -> Images.read(f, 3));
        assertTrue(e.getMessage().contains("image claims 4000x4000 = 16000000 pixels, more than its " + Files.size(f) + " bytes can hold as JPEG"), e.getMessage());
    }

    @Test
    void truncatedImagesAreRejected() throws Exception {
        for (String format : new String[] {"jpg", "png"}) {
            byte[] whole = Samples.image(96, 64, format, 2);
            Path ok = dir.resolve("ok." + format);
            Files.write(ok, whole);
            assertEquals(Shape.of(1, 3, 64, 96), Images.read(ok, 3).shape());
            for (double keep : new double[] {0.3, 0.6, 0.9}) {
                Path cut = dir.resolve("cut" + keep + "." + format);
                Files.write(cut, Arrays.copyOf(whole, (int) (whole.length * keep)));
                DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Images.read(cut, 3), format + " cut to " + keep);
                assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
            }
        }
        Path cut = dir.resolve("half.jpg");
        byte[] jpg = Samples.image(96, 64, "jpg", 3);
        Files.write(cut, Arrays.copyOf(jpg, jpg.length / 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Images.read(cut, 3));
        assertTrue(e.getMessage().contains("corrupt or truncated image (") || e.getMessage().contains("cannot decode image ("), e.getMessage());
    }

    @Test
    void aDirectoryIsNotAnImage() {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Images.read(dir, 3));
        assertEquals(dir + ": is a directory, not an image file", e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Images.read(dir.resolve("none.png"), 3));
    }

    @Test
    void gzipDecompressionStopsAtTheLimit() throws Exception {
        Path bomb = dir.resolve("bomb-idx1-ubyte.gz");
        Samples.idxBomb(bomb, 5_000_000);
        String old = System.getProperty(Idx.MAX_BYTES_PROPERTY);
        System.setProperty(Idx.MAX_BYTES_PROPERTY, "1000000");
        try {
            DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Idx.read(bomb));
            assertTrue(e.getMessage().contains("the gzip stream expands beyond the limit of 1000000 bytes (its header claims sizes [5000, 1000] = 5000000 bytes"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(Idx.MAX_BYTES_PROPERTY);
            else System.setProperty(Idx.MAX_BYTES_PROPERTY, old);
        }
        assertEquals(5_000_000, Idx.read(bomb).size());
        // a cut stream says what is wrong, never "(null)"
        byte[] gz = Samples.gzip(Samples.idx(3, 1));
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length - 20));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Idx.read(cut));
        assertEquals(cut + ": corrupt gzip stream: truncated, the compressed data end before the gzip trailer", e.getMessage());
    }

    @Test
    void activationsOverTheBudgetFailBeforeAllocatingNamingTheLayer() throws Exception {
        Path f = dir.resolve("lenet.safetensors");
        Files.write(f, Samples.lenet(dir));
        String arch = Architecture.toJson(ModelFile.load(f));
        // "padding": 5000 (issue 21): 6 x 10024 x 10024 outputs, the im2col matrix over the largest array
        Layer p5000 = ModelFile.load(HostileFiles.withArchitecture(f, padding(arch, 5000), dir.resolve("p5000.safetensors")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSummary.checkActivations(p5000, Shape.of(1, 1, 28, 28), 1L << 30));
        assertTrue(e.getMessage().startsWith("layer features.0: Conv2d: the im2col matrix of one image, 1*5*5 rows x 10024*10024 columns has 2,512,014,400 elements"),
                e.getMessage());
        // "padding": 3000 fits the arrays: 6 x 6024 x 6024 floats = 870,925,824 bytes
        Layer p3000 = ModelFile.load(HostileFiles.withArchitecture(f, padding(arch, 3000), dir.resolve("p3000.safetensors")));
        e = assertThrows(IllegalArgumentException.class, () -> ModelSummary.checkActivations(p3000, Shape.of(1, 1, 28, 28), 1L << 29));
        assertTrue(e.getMessage().startsWith("layer features.0 (Conv2d): the activations of a forward pass of [1, 1, 28, 28] need 870,925,824 bytes by its output [1, 6, 6024, 6024]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("over the budget of 536,870,912 bytes (-Dconv4j.maxActivationBytes=N sets it)"), e.getMessage());
        ModelSummary.checkActivations(ModelFile.load(f), Shape.of(64, 1, 28, 28), 1L << 30);
    }

    private static String padding(String arch, int p) {
        String out = arch.replaceFirst("\"padding\":\\[[0-9]+,[0-9]+,[0-9]+,[0-9]+\\]", "\"padding\":[" + p + "," + p + "," + p + "," + p + "]");
        assertTrue(!out.equals(arch), arch);
        return out;
    }
}
