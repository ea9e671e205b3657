package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.conv4j.io.Json;
import org.junit.jupiter.api.Test;

class PeerRunnerTest {

    @Test
    void parsesEveryFlag() {
        PeerRunner.Args a = PeerRunner.parse(new String[] {"--case", "resnet20", "--mode", "infer", "--repeats", "7", "--warmup", "1",
            "--seconds", "0.25", "--max-other-load", "0.2", "--threads", "2"});
        assertEquals("resnet20", a.caseName());
        assertEquals("infer", a.mode());
        assertEquals("all", PeerRunner.parse(new String[0]).mode());
        assertEquals(new Timing.Options(1, 7, 0.25, 0.2, 21, 1.0), a.options());
        assertEquals(2, a.threads());
        assertEquals(Timing.Options.defaults(), PeerRunner.parse(new String[0]).options());
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerRunner.parse(new String[] {"--case"})).getMessage()
                .contains("missing value after --case"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerRunner.parse(new String[] {"--repeats", "x"})).getMessage()
                .contains("--repeats: not a number: 'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerRunner.parse(new String[] {"--case", "gemm"})).getMessage()
                .contains("unknown case 'gemm'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerRunner.parse(new String[] {"--mode", "eval"})).getMessage()
                .contains("unknown mode 'eval'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerRunner.parse(new String[] {"--fast", "1"})).getMessage()
                .contains("unknown flag --fast"));
    }

    @Test
    void printsTheEnvironmentAndOneJsonLinePerCase() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PeerRunner.Args a = PeerRunner.parse(new String[] {"--case", "lenet5", "--repeats", "1", "--warmup", "0", "--seconds", "0.001",
            "--max-other-load", "1"});
        int[] built = {0};
        PeerRunner.run("fake", "1.0", a, c -> {
            built[0]++;
            return () -> { };
        }, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size());
        assertEquals(3, built[0], "one workload per case");
        Map<String, Object> env = Json.parseObject(lines.get(0));
        assertEquals("fake", env.get("framework"));
        assertEquals("1.0", env.get("version"));
        Map<String, Object> last = Json.parseObject(lines.get(3));
        assertEquals("fake", last.get("framework"));
        assertEquals("lenet5", last.get("case"));
        assertEquals(1L, last.get("batch"));
    }

    @Test
    void aModeRunsThatModesCasesOnly() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PeerRunner.Args a = PeerRunner.parse(new String[] {"--case", "lenet5", "--mode", "train", "--repeats", "1", "--warmup", "0",
            "--seconds", "0.001", "--max-other-load", "1"});
        List<String> built = new java.util.ArrayList<>();
        PeerRunner.run("fake", "1.0", a, c -> {
            built.add(c.mode() + "/" + c.batch());
            return () -> { };
        }, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(List.of("train/64"), built);
        assertEquals(2, bytes.toString(StandardCharsets.UTF_8).lines().count(), "the environment and one result");
    }

    @Test
    void anInferenceOnlyPeerRunsTheInferenceCasesOnly() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PeerRunner.Args a = PeerRunner.parse(new String[] {"--case", "lenet5", "--repeats", "1", "--warmup", "0", "--seconds", "0.001",
            "--max-other-load", "1"});
        List<String> built = new java.util.ArrayList<>();
        PeerRunner.run("fake", "1.0", a, c -> !c.train(), c -> {
            built.add(c.mode() + "/" + c.batch());
            return () -> { };
        }, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(List.of("infer/64", "infer/1"), built);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size());
        assertEquals("infer", Json.parseObject(lines.get(1)).get("mode"));
        assertEquals(1L, Json.parseObject(lines.get(2)).get("batch"));
    }
}
