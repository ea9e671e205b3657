package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.conv4j.io.Json;
import org.junit.jupiter.api.Test;

/** The FMA peak's arithmetic, its self-check and its JSON row; no timed assertions. */
class FmaPeakTest {

    @Test
    void lanesAreTheJvmsPreferredFloatVector() {
        int lanes = FmaPeak.lanes();
        assertTrue(lanes == 4 || lanes == 8 || lanes == 16, "lanes " + lanes);
    }

    @Test
    void flopsCountTwoPerLanePerChainPerIterationPerThread() {
        assertEquals(2.0 * 16 * 16 * (1 << 20) * 2, FmaPeak.flopsPerStep(16, 16, 1 << 20, 2));
        assertEquals(1_073_741_824.0, FmaPeak.flopsPerStep(16, 16, 1 << 20, 2));
        assertEquals(2.0 * 8 * 16 * 1000, FmaPeak.flopsPerStep(8, 16, 1000, 1));
        assertEquals(16.0 * 16 * 1000, FmaPeak.expectedSum(16, 16, 1000));
    }

    @Test
    void chainsRunEveryCountedFma() {
        int lanes = FmaPeak.lanes();
        // a = b = 1: each lane counts its iterations
        assertEquals(FmaPeak.expectedSum(lanes, FmaPeak.CHAINS, 1000), FmaPeak.chains(1000, 1f, 1f));
        assertEquals(FmaPeak.expectedSum(lanes, FmaPeak.CHAINS, FmaPeak.ITERATIONS), FmaPeak.chains(FmaPeak.ITERATIONS, 1f, 1f));
        // a = 2, b = 1: 0 -> 1 -> 3 -> 7 per lane after three iterations
        assertEquals(7.0 * lanes * FmaPeak.CHAINS, FmaPeak.chains(3, 2f, 1f));
        assertEquals(0.0, FmaPeak.chains(0, 1f, 1f));
    }

    @Test
    void stepChecksEveryThreadsSum() {
        try (FmaPeak p = new FmaPeak(2)) {
            p.step(5000);
            p.step();
        }
    }

    @Test
    void threadsMustBePositive() {
        assertEquals("FmaPeak: threads must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new FmaPeak(0)).getMessage());
    }

    @Test
    void measuredRowIsThePeakCaseWithGflopsOnly() {
        Timing.Options o = new Timing.Options(0, 2, 0.01, 1.0, 6);
        BenchResult r = FmaPeak.measure(2, new Timing(), o);
        assertEquals(2, r.gflops().count());
        assertEquals(r.timing().rate().median() / 1e9, r.gflops().median(), 1e-9 * r.gflops().median());
        Map<String, Object> m = Json.parseObject(Json.write(r.toMap()));
        assertEquals("conv4j", m.get("framework"));
        assertEquals("peak", m.get("case"));
        assertEquals("fma-2t", m.get("mode"));
        assertEquals(0L, m.get("batch"));
        assertTrue(((Number) m.get("gflops")).doubleValue() > 0, m.toString());
        for (String k : new String[] {"images_per_s", "peak_fraction", "m"}) assertFalse(m.containsKey(k), k + " in " + m);
        assertEquals(2L, m.get("repeats"));
    }

    @Test
    void fractionIsOverThePeakOrNaN() {
        assertEquals(0.25, Bench.fraction(100, 400));
        assertTrue(Double.isNaN(Bench.fraction(100, Double.NaN)));
        assertTrue(Double.isNaN(Bench.fraction(100, 0)));
    }
}
