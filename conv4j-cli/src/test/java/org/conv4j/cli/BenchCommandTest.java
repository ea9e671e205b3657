package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.conv4j.bench.GemmShape;
import org.conv4j.io.Json;
import org.conv4j.kernel.Parallel;
import org.junit.jupiter.api.Test;

/** {@code conv4j bench}: output structure and bad input; one repeat, no warm-up, no timed assertions. */
class BenchCommandTest {

    private static List<Map<String, Object>> lines(String out) {
        List<Map<String, Object>> l = new ArrayList<>();
        for (String line : out.split("\n")) if (!line.isBlank()) l.add(Json.parseObject(line));
        return l;
    }

    @Test
    void jsonLinesHaveTheEnvironmentThePeakAndOneRecordPerCase() {
        int threads = Parallel.threads();
        Cli r = Cli.run("bench", "--case", "lenet5", "--repeats", "1", "--warmup", "0", "--seconds", "0.01",
                "--threads", "1", "--max-other-load", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(threads, Parallel.threads(), "the thread count is restored");
        List<Map<String, Object>> l = lines(r.out());
        assertEquals(5, l.size(), r.out());
        assertEquals("env", l.get(0).get("record"));
        assertEquals(1L, l.get(0).get("threads"));
        assertEquals("peak", l.get(1).get("case"));
        assertEquals("fma-1t", l.get(1).get("mode"), "one thread: the peak on one thread only");
        double peak = ((Number) l.get(1).get("gflops")).doubleValue();
        assertTrue(peak > 0, "peak " + peak);
        assertEquals(List.of("train/64", "infer/64", "infer/1"),
                List.of(l.get(2).get("mode") + "/" + l.get(2).get("batch"), l.get(3).get("mode") + "/" + l.get(3).get("batch"),
                        l.get(4).get("mode") + "/" + l.get(4).get("batch")));
        for (Map<String, Object> m : l.subList(2, 5)) {
            assertEquals("lenet5", m.get("case"));
            for (String k : List.of("images_per_s", "images_per_s_min", "images_per_s_max", "ms_per_batch", "gflops", "peak_fraction",
                    "peak_heap_bytes", "peak_rss_bytes", "repeats", "discarded", "busy_kept")) {
                assertTrue(m.containsKey(k), k + " in " + m);
            }
            assertEquals(0L, m.get("discarded"), "--max-other-load 1 never discards");
            double ips = ((Number) m.get("images_per_s")).doubleValue(), gf = ((Number) m.get("gflops")).doubleValue();
            assertTrue(ips > 0, "images/s " + ips);
            long flops = m.get("mode").equals("train") ? 3 * 833_040L : 833_040L;
            assertEquals(ips * flops / 1e9, gf, 1e-9 * Math.max(1, gf));
            assertEquals(gf / peak, ((Number) m.get("peak_fraction")).doubleValue(), 1e-12, "the fraction is of the FMA peak");
        }
    }

    @Test
    void aModeRunsThatModesCasesOnlyInOneProcess() {
        Cli r = Cli.run("bench", "--case", "lenet5", "--mode", "infer", "--repeats", "1", "--warmup", "0", "--seconds", "0.01",
                "--threads", "1", "--max-other-load", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        List<Map<String, Object>> l = lines(r.out());
        assertEquals(4, l.size(), r.out());
        assertEquals(List.of("infer/64", "infer/1"), List.of(l.get(2).get("mode") + "/" + l.get(2).get("batch"),
                l.get(3).get("mode") + "/" + l.get(3).get("batch")));
        for (Map<String, Object> m : l.subList(2, 4)) {
            assertTrue(((Number) m.get("peak_rss_bytes")).longValue() > 0, m.toString());
            assertTrue(((Number) m.get("peak_heap_bytes")).longValue() > 0, m.toString());
        }
    }

    @Test
    void gemmJsonRowsStartWithTheSquarePeakThenTheLayersSizes() {
        Cli r = Cli.run("bench", "--case", "gemm", "--repeats", "1", "--warmup", "0", "--seconds", "0.005", "--threads", "1",
                "--max-other-load", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        List<Map<String, Object>> l = lines(r.out());
        assertEquals(2 + 1 + GemmShape.CASE_SHAPES.size(), l.size(), "env, the FMA peak on one thread, 1024^3, the layers' sizes: " + r.out());
        Map<String, Object> peak = l.get(2);
        assertEquals("gemm", peak.get("case"));
        assertEquals("peak-1024", peak.get("mode"));
        assertEquals(List.of(1024L, 1024L, 1024L, false, false), List.of(peak.get("m"), peak.get("n"), peak.get("k"), peak.get("trans_a"),
                peak.get("trans_b")));
        double fma = ((Number) l.get(1).get("gflops")).doubleValue(), gf = ((Number) peak.get("gflops")).doubleValue();
        assertTrue(gf > 0, peak.toString());
        assertEquals(gf / fma, ((Number) peak.get("peak_fraction")).doubleValue(), 1e-12, "the fraction is of the FMA peak");
        List<String> names = new ArrayList<>();
        for (Map<String, Object> m : l.subList(3, l.size())) names.add((String) m.get("mode"));
        assertEquals(GemmShape.CASE_SHAPES.stream().map(GemmShape::name).toList(), names);
    }

    @Test
    void textTableForTheGemmCase() {
        Cli r = Cli.run("bench", "--case", "gemm", "--repeats", "1", "--warmup", "0", "--seconds", "0.005", "--max-other-load", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("conv4j bench: "), r.out());
        assertTrue(r.out().contains("FP32 FMA peak, 1 thread (16 chains x "), r.out());
        for (String s : List.of("peak-1024", "lenet5-conv1", "lenet5-fc1 (B^T)", "vgg-conv4", "resnet-l3")) {
            assertTrue(r.out().contains(s), s + " in " + r.out());
        }
        assertFalse(r.out().contains("ms/batch"), "no model table for --case gemm");
    }

    @Test
    void peakCaseMeasuresOneThreadThenTheBenchThreads() {
        Cli r = Cli.run("bench", "--case", "peak", "--repeats", "1", "--warmup", "0", "--seconds", "0.01", "--threads", "2",
                "--max-other-load", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        List<Map<String, Object>> l = lines(r.out());
        assertEquals(3, l.size(), r.out());
        assertEquals(List.of("fma-1t", "fma-2t"), List.of(l.get(1).get("mode"), l.get(2).get("mode")));
        for (Map<String, Object> m : l.subList(1, 3)) {
            assertEquals("peak", m.get("case"));
            assertTrue(((Number) m.get("gflops")).doubleValue() > 0, m.toString());
            assertFalse(m.containsKey("images_per_s"), "a peak has no images: " + m);
        }
    }

    @Test
    void peakThreadsAreOneAndTheBenchThreads() {
        assertEquals(List.of(1), BenchCommand.peakThreads(1));
        assertEquals(List.of(1, 2), BenchCommand.peakThreads(2));
        assertEquals(List.of(1, 8), BenchCommand.peakThreads(8));
    }

    @Test
    void badInputGivesOneLineAndExitCode2() {
        String[][] bad = {
            {"--case", "alexnet"}, {"--mode", "eval"}, {"--repeats", "0"}, {"--warmup", "-1"}, {"--threads", "0"}, {"--seconds", "0"}, {"--max-other-load", "2"}};
        String[] expected = {"--case must be one of lenet5, vgg-small, resnet20, gemm, peak, all, got 'alexnet'",
            "--mode must be one of train, infer, all, got 'eval'", "--repeats must be >= 1, got 0",
            "--warmup must be >= 0, got -1", "--threads must be >= 1, got 0", "--seconds must be in (0, 600], got 0.0",
            "--max-other-load must be in [0, 1], got 2.0"};
        for (int i = 0; i < bad.length; i++) {
            String[] args = new String[bad[i].length + 1];
            args[0] = "bench";
            System.arraycopy(bad[i], 0, args, 1, bad[i].length);
            Cli r = Cli.run(args);
            assertEquals(2, r.exitCode(), r.err());
            assertEquals(1, r.errLines().length, r.err());
            assertEquals("conv4j bench: " + expected[i], r.errLines()[0]);
            assertEquals("", r.out());
        }
    }

    @Test
    void helpDescribesTheCases() {
        Cli r = Cli.run("bench", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("Usage: conv4j bench"), r.out());
        assertTrue(r.out().contains("--max-other-load"), r.out());
    }
}
