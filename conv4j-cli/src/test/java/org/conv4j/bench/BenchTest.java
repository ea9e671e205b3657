package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.conv4j.io.Json;
import org.junit.jupiter.api.Test;

/** The engine end to end on a scripted clock, so nothing here depends on this machine's speed. */
class BenchTest {

    @Test
    void aCaseResultCarriesImagesGflopsAndTheFractionOfPeak() {
        long[] now = {0};
        Timing t = new Timing(() -> now[0], () -> null);
        BenchCase c = BenchCase.of("lenet5").get(2); // infer, batch 1
        int[] steps = {0};
        Runnable real = Bench.conv4jStep(c);
        // each step is the real forward, and the fake clock says it took 1 ms
        BenchResult r = Bench.runCase("conv4j", c, () -> () -> {
            real.run();
            steps[0]++;
            now[0] += 1_000_000;
        }, t, new Timing.Options(0, 3, 0.01, 0.1, 0), 10.0);
        assertEquals(1000, r.imagesPerSecond().median(), 1e-9);
        assertEquals(1.0, r.msPerBatch(), 1e-12);
        assertEquals(1000 * 833_040 / 1e9, r.gflops().median(), 1e-12);
        assertEquals(r.gflops().median() / 10.0, r.peakFraction(), 1e-15);
        assertEquals(1 + 3 * 10, steps[0]);
        Map<String, Object> m = r.toMap();
        assertEquals("lenet5", m.get("case"));
        assertEquals("infer", m.get("mode"));
        assertEquals(1L, m.get("batch"));
        assertEquals(3L, m.get("repeats"));
        assertEquals(0L, m.get("discarded"));
        assertTrue((Long) m.get("peak_heap_bytes") > 0);
        // plain keys, and it round-trips through the JSON writer and reader
        assertEquals(m.keySet(), Json.parseObject(Json.write(m)).keySet());
    }

    @Test
    void aGemmResultHasTheSizeAndNoImages() {
        long[] now = {0};
        Timing t = new Timing(() -> now[0], () -> null);
        GemmShape s = GemmShape.CASE_SHAPES.get(0);
        Runnable real = Bench.gemmStep(s);
        BenchResult r = Bench.runGemm("conv4j", s, () -> {
            real.run();
            now[0] += 10_000; // 10 us per call
        }, t, new Timing.Options(0, 2, 0.001, 0.1, 0), Double.NaN);
        assertEquals(s.flops() / 1e-5 / 1e9, r.gflops().median(), 1e-9);
        Map<String, Object> m = r.toMap();
        assertEquals("gemm", m.get("case"));
        assertEquals("lenet5-conv1", m.get("mode"));
        assertEquals(6L, m.get("m"));
        assertEquals(784L, m.get("n"));
        assertEquals(25L, m.get("k"));
        assertFalse(m.containsKey("images_per_s"));
        assertFalse(m.containsKey("peak_fraction"), "no peak measured");
    }

    @Test
    void theEnvironmentRecordNamesTheMachine() {
        Map<String, Object> env = Bench.environment();
        assertEquals("env", env.get("record"));
        assertEquals("conv4j", env.get("framework"));
        assertTrue(env.containsKey("cpu") && env.containsKey("threads") && env.containsKey("date"));
    }
}
