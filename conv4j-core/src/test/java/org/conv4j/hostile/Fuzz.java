package org.conv4j.hostile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.conv4j.data.Idx;
import org.conv4j.data.Images;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.io.SafeTensors;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * The fuzz suite of issue 21, run in its own JVM at a small heap by {@link FuzzTest}: seeded
 * mutations of a LeNet-5 model file (loaded, then checked against an activation budget and run
 * forward), of IDX files (raw and gzip) and of PNG and JPEG images, plus the hand-made attacks
 * of the issue. A case passes when it loads or is refused with the documented checked exception
 * (ModelFormatException, DatasetFormatException; IllegalArgumentException only for a loaded
 * model's shapes and budget), within the time limit. Counts and limits are system properties:
 * conv4j.fuzz.models, .idx, .images, .seed, .seconds (per case). The limit is on the CPU time
 * the process spent on the case (GC and JIT included): on a shared machine wall time measures
 * the other processes too, so it is reported beside (slow_wall) but not judged. A case still
 * running after max(10 x the limit, 60 s) of wall time halts the JVM (a hang).
 */
public final class Fuzz {
    private static final long[] INTERESTING = {0, -1, 1, 2, 3, 7, 255, 256, 5000, 65535, 65536, 1 << 24, (1 << 24) + 1,
            Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 31, 1L << 32, Long.MAX_VALUE, -(1L << 40)};
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+");
    private static final long BUDGET = 64L << 20;

    private final SplittableRandom rng;
    private final long limitNanos;
    private final Path dir;
    private final PrintStream log;
    private long cases, accepted, rejected, slow, slowWall, oom, unchecked, maxNanos, maxWallNanos, lastNanos;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private final List<String> failures = new ArrayList<>();
    private volatile String current = "";
    private volatile long startedAt;

    private Fuzz(long seed, double seconds, Path dir, PrintStream log) {
        this.rng = new SplittableRandom(seed);
        this.limitNanos = (long) (seconds * 1e9);
        this.dir = dir;
        this.log = log;
    }

    /** One case: returns normally when accepted, throws the expected exception when refused. */
    private interface Case {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int models = Integer.getInteger("conv4j.fuzz.models", 1500), idx = Integer.getInteger("conv4j.fuzz.idx", 1000),
                images = Integer.getInteger("conv4j.fuzz.images", 300);
        long seed = Long.getLong("conv4j.fuzz.seed", 1);
        double seconds = Double.parseDouble(System.getProperty("conv4j.fuzz.seconds", "2"));
        Path dir = Files.createTempDirectory("conv4j-fuzz");
        Fuzz f = new Fuzz(seed, seconds, dir, System.out);
        f.watchdog();
        long t0 = System.nanoTime();
        f.regressions();
        f.models(models);
        f.idx(idx);
        f.images(images);
        System.out.printf("FUZZ models=%d idx=%d images=%d seed=%d heap=%dMB limit_s=%s cases=%d accepted=%d rejected=%d oom=%d unchecked=%d slow=%d "
                + "max_cpu_ms=%.1f slow_wall=%d max_wall_ms=%.1f wall_s=%.1f%n",
                models, idx, images, seed, Runtime.getRuntime().maxMemory() >> 20, seconds, f.cases, f.accepted, f.rejected, f.oom, f.unchecked, f.slow,
                f.maxNanos / 1e6, f.slowWall, f.maxWallNanos / 1e6, (System.nanoTime() - t0) / 1e9);
        for (String s : f.failures) System.out.println("FAILURE " + s);
        System.exit(f.oom + f.unchecked + f.slow == 0 ? 0 : 1);
    }

    private void watchdog() {
        Thread t = new Thread(() -> {
            while (true) {
                long at = startedAt;
                long hang = Math.max(10 * limitNanos, 60_000_000_000L);
                if (at != 0 && System.nanoTime() - at > hang) {
                    System.out.println("HANG " + current + " ran over " + hang / 1e9 + " s");
                    System.out.flush();
                    Runtime.getRuntime().halt(3);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fuzz-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** Runs one case; {@code refusals} are the exception types that mean "refused cleanly". */
    @SafeVarargs
    private void check(String name, Case c, Class<? extends Throwable>... refusals) {
        cases++;
        current = name;
        long cpu0 = os.getProcessCpuTime();
        startedAt = System.nanoTime();
        try {
            c.run();
            accepted++;
        } catch (OutOfMemoryError e) {
            oom++;
            fail(name, e);
        } catch (Throwable e) {
            boolean expected = false;
            for (Class<? extends Throwable> r : refusals) expected |= r.isInstance(e);
            if (expected) {
                rejected++;
            } else {
                unchecked++;
                fail(name, e);
            }
        } finally {
            if (cases % 10_000 == 0) {
                log.printf("progress: %d cases, %d accepted, %d rejected, oom=%d unchecked=%d slow=%d, max %.1f ms%n", cases, accepted, rejected, oom, unchecked, slow, maxNanos / 1e6);
                log.flush();
            }
            long wall = System.nanoTime() - startedAt, took = os.getProcessCpuTime() - cpu0;
            startedAt = 0;
            maxNanos = Math.max(maxNanos, took);
            maxWallNanos = Math.max(maxWallNanos, wall);
            lastNanos = took;
            if (wall > limitNanos) slowWall++;
            if (took > limitNanos) {
                slow++;
                if (failures.size() < 20) failures.add(name + ": took " + took / 1e6 + " ms of CPU");
            }
        }
    }

    private void fail(String name, Throwable e) {
        if (failures.size() >= 20) return;
        StackTraceElement[] st = e.getStackTrace();
        failures.add(name + ": " + e + (st.length > 0 ? " at " + st[0] : ""));
    }

    // ---- the hand-made attacks

    private void regressions() throws IOException {
        Path header = dir.resolve("objects.safetensors");
        Samples.manyEmptyObjects(header, 30_000_000);
        check("30 MB header of [{},{},...]", () -> ModelFile.load(header), IOException.class);
        log.printf("regression: 30 MB header refused in %.0f ms of CPU%n", lastNanos / 1e6);
        Files.delete(header);
        Path bomb = dir.resolve("bomb-idx3-ubyte.gz");
        Samples.idxBomb(bomb, 747_000_000);
        log.printf("regression: IDX bomb of %d bytes expanding to 747,000,000%n", Files.size(bomb));
        check("gzip'd IDX expanding to 747 MB", () -> Idx.read(bomb), IOException.class);
        log.printf("regression: IDX bomb refused in %.0f ms of CPU%n", lastNanos / 1e6);
        Files.delete(bomb);
        Path jpeg = dir.resolve("huge.jpg");
        Files.write(jpeg, Samples.jpegClaiming(Samples.image(16, 16, "jpg", 1), 8192, 8192));
        check("small JPEG claiming 8192x8192", () -> Images.read(jpeg, 3), IOException.class);
        long before = rejected;
        if (before != 3) failures.add("regressions: expected 3 refusals, got " + before + " (accepted " + accepted + ")");
    }

    // ---- model files

    private void models(int n) throws IOException {
        byte[] lenet = Samples.lenet(dir);
        Path f = dir.resolve("model.safetensors");
        Tensor x = Tensor.zeros(1, 1, 28, 28);
        for (int i = 0; i < n; i++) {
            int kind = rng.nextInt(6);
            Files.write(f, mutateModel(lenet, kind));
            Layer[] loaded = new Layer[1];
            check("model " + i + " (mutation " + kind + ")", () -> loaded[0] = ModelFile.load(f), IOException.class);
            if (loaded[0] == null) continue;
            // a service would check a loaded model against its budget, then run it
            check("model " + i + " forward", () -> {
                ModelSummary.checkActivations(loaded[0], x.shape(), BUDGET);
                loaded[0].forward(x, Mode.EVAL);
            }, IllegalArgumentException.class);
        }
    }

    private byte[] mutateModel(byte[] file, int kind) {
        switch (kind) {
            case 0: return flip(file, 1 + rng.nextInt(8));
            case 1: return Arrays.copyOf(file, rng.nextInt(file.length));
            case 2: return withArchitecture(file, numbers(architecture(file), 1 + rng.nextInt(3)));
            case 3: return withArchitecture(file, splice(architecture(file)));
            case 4: return headerNumbers(file);
            default: return insert(file);
        }
    }

    private static String architecture(byte[] file) {
        return (String) meta(HostileFiles.header(file)).get(ModelFile.ARCHITECTURE_KEY);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> meta(Map<String, Object> header) {
        return (Map<String, Object>) header.get(SafeTensors.METADATA_KEY);
    }

    private static byte[] withArchitecture(byte[] file, String arch) {
        Map<String, Object> h = HostileFiles.header(file);
        meta(h).put(ModelFile.ARCHITECTURE_KEY, arch);
        return HostileFiles.withHeader(file, Json.write(h).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code count} numbers of the text replaced by interesting or random values. */
    private String numbers(String text, int count) {
        for (int k = 0; k < count; k++) {
            Matcher m = NUMBER.matcher(text);
            List<int[]> spans = new ArrayList<>();
            while (m.find()) spans.add(new int[] {m.start(), m.end()});
            if (spans.isEmpty()) return text;
            int[] s = spans.get(rng.nextInt(spans.size()));
            long v = rng.nextInt(3) == 0 ? rng.nextInt(-10, 100_000) : INTERESTING[rng.nextInt(INTERESTING.length)];
            text = text.substring(0, s[0]) + v + text.substring(s[1]);
        }
        return text;
    }

    /** A piece of the text deleted, or copied to another place. */
    private String splice(String text) {
        int a = rng.nextInt(text.length()), b = Math.min(text.length(), a + rng.nextInt(1, 200));
        if (rng.nextBoolean()) return text.substring(0, a) + text.substring(b);
        int at = rng.nextInt(text.length());
        return text.substring(0, at) + text.substring(a, b) + text.substring(at);
    }

    /** Numbers of the safetensors header (shapes, offsets, the header length field) changed. */
    private byte[] headerNumbers(byte[] file) {
        if (rng.nextInt(4) == 0) {
            byte[] b = file.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, INTERESTING[rng.nextInt(INTERESTING.length)]);
            return b;
        }
        int n = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, n, StandardCharsets.UTF_8);
        int archAt = header.indexOf("\"" + ModelFile.ARCHITECTURE_KEY + "\"");
        // numbers outside the architecture string: the tensor table and the version
        String tensors = archAt < 0 ? header : header.substring(0, archAt);
        String mutated = numbers(tensors, 1 + rng.nextInt(2)) + (archAt < 0 ? "" : header.substring(archAt));
        return HostileFiles.withHeader(file, mutated.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] flip(byte[] b, int count) {
        byte[] out = b.clone();
        for (int i = 0; i < count; i++) {
            // half the flips in the first 4 KB, where the header is
            int at = rng.nextBoolean() ? rng.nextInt(Math.min(out.length, 4096)) : rng.nextInt(out.length);
            out[at] = (byte) rng.nextInt(256);
        }
        return out;
    }

    private byte[] insert(byte[] b) {
        int at = rng.nextInt(b.length), len = rng.nextInt(1, 64);
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at);
        for (int i = 0; i < len; i++) out[at + i] = (byte) rng.nextInt(256);
        System.arraycopy(b, at, out, at + len, b.length - at);
        return out;
    }

    // ---- IDX files

    private void idx(int n) throws IOException {
        byte[] raw = Samples.idx(5, 7), gz = Samples.gzip(raw);
        Path f = dir.resolve("fuzz-idx3-ubyte");
        for (int i = 0; i < n; i++) {
            int kind = rng.nextInt(5);
            byte[] b;
            switch (kind) {
                case 0: b = flip(raw, 1 + rng.nextInt(4)); break;
                case 1: b = Samples.gzip(idxHeader(raw)); break;
                case 2: b = flip(gz, 1 + rng.nextInt(4)); break;
                case 3: b = Arrays.copyOf(rng.nextBoolean() ? gz : raw, rng.nextInt(gz.length)); break;
                default: b = idxHeader(raw); break;
            }
            Files.write(f, b);
            check("idx " + i + " (mutation " + kind + ")", () -> Idx.read(f), IOException.class);
        }
    }

    /** An IDX file with its type, rank or a size replaced. */
    private byte[] idxHeader(byte[] raw) {
        byte[] b = raw.clone();
        ByteBuffer buf = ByteBuffer.wrap(b);
        int field = rng.nextInt(4);
        if (field == 0) b[2 + rng.nextInt(2)] = (byte) rng.nextInt(256);
        else buf.putInt(4 * field, (int) INTERESTING[rng.nextInt(INTERESTING.length)]);
        return b;
    }

    // ---- images

    private void images(int n) throws IOException {
        byte[][] bases = {Samples.image(40, 30, "png", 3), Samples.image(40, 30, "jpg", 4), Samples.image(9, 70, "jpg", 5)};
        for (int i = 0; i < n; i++) {
            byte[] base = bases[rng.nextInt(bases.length)];
            boolean png = base[1] == 'P';
            int kind = rng.nextInt(4);
            byte[] b;
            switch (kind) {
                case 0: b = flip(base, 1 + rng.nextInt(6)); break;
                case 1: b = Arrays.copyOf(base, rng.nextInt(base.length)); break;
                case 2: b = png ? pngClaiming(base) : Samples.jpegClaiming(base, rng.nextInt(1, 65536), rng.nextInt(1, 65536)); break;
                default: b = insert(base); break;
            }
            Path f = dir.resolve("fuzz-" + i % 4 + (png ? ".png" : ".jpg"));
            Files.write(f, b);
            check("image " + i + " (mutation " + kind + ", " + (png ? "png" : "jpeg") + ")", () -> Images.read(f, 3), IOException.class);
        }
    }

    /** A PNG whose header chunk claims another width or height (its CRC left as it was). */
    private byte[] pngClaiming(byte[] png) {
        byte[] b = png.clone();
        ByteBuffer.wrap(b).putInt(rng.nextBoolean() ? 16 : 20, (int) INTERESTING[rng.nextInt(INTERESTING.length)]);
        return b;
    }
}
