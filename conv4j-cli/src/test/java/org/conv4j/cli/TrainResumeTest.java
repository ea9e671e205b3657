package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.train.RunConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code conv4j train --resume}: a stopped run continues from its folder alone, with its saved
 * configuration, in the same folder, to the weights the uninterrupted run reaches, bit for bit;
 * a flag that contradicts the saved run is refused in one line. LeNet-5 on 480 training digits.
 */
class TrainResumeTest {
    @TempDir
    static Path dir;
    static Path digits;

    @BeforeAll
    static void smallMnist() throws IOException {
        digits = SmallData.mnist(dir.resolve("digits"), 480, 100);
    }

    private static CliRun train(List<String> flags, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", digits.toString()));
        args.addAll(flags);
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(new String[0]));
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("sgd", List.of("--optimizer", "sgd", "--lr", "0.01", "--schedule", "step", "--batch-size", "32", "--no-augment", "--weight-decay", "0.0005")),
                Arguments.of("adamw", List.of("--optimizer", "adamw", "--lr", "0.001", "--schedule", "constant", "--batch-size", "48", "--weight-decay", "0.01", "--seed", "3")),
                Arguments.of("rmsprop", List.of("--optimizer", "rmsprop", "--lr", "0.0005", "--schedule", "step", "--batch-size", "16", "--no-augment", "--val-split", "0.2")));
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void aStoppedRunResumedWithResumeAloneEndsWithTheUninterruptedRunsWeights(String name, List<String> flags) throws IOException {
        Path whole = dir.resolve(name).resolve("whole"), parent = Files.createDirectories(dir.resolve(name).resolve("runs")), run = parent.resolve("run");
        CliRun w = train(flags, "--epochs", "3", "--out", whole.toString(), "--json");
        assertEquals(0, w.code(), w.err());

        CliRun stopped = train(flags, "--epochs", "3", "--stop-after", "1", "--out", run.toString());
        assertEquals(0, stopped.code(), stopped.err());
        assertTrue(stopped.out().contains("stopped after epoch 1 of 3; continue with: conv4j train --resume " + run), stopped.out());
        assertFalse(Files.exists(run.resolve("model.safetensors")), "a stopped run has no final model");
        assertEquals(2, Files.readAllLines(run.resolve("metrics.csv")).size());

        CliRun resumed = CliRun.of("train", "--resume", run.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().startsWith("resuming " + run + " after epoch 1 of 3 (from " + run.resolve("checkpoints/last.safetensors") + ")"), resumed.out());
        assertTrue(resumed.out().contains("run directory " + run), resumed.out());

        assertSameWeights(ModelFile.load(whole.resolve("model.safetensors")), ModelFile.load(run.resolve("model.safetensors")));
        assertSameWeights(ModelFile.load(whole.resolve("checkpoints/last.safetensors")), ModelFile.load(run.resolve("checkpoints/last.safetensors")));
        assertEquals(Files.readString(whole.resolve("config.json")), Files.readString(run.resolve("config.json")));
        assertEquals(name, RunConfig.read(run.resolve("config.json")).optimizer().name());
        assertEquals(figures(whole), figures(run), "the same losses, accuracies and learning rates per epoch");
        assertEquals(json(whole, "test.json").get("accuracy"), json(run, "test.json").get("accuracy"));
        assertEquals(List.of("latest", "run"), list(parent), "resumed in the same folder, nothing else made but runs/latest");
        assertEquals(run.toRealPath(), parent.resolve("latest").toRealPath());
    }

    private static void assertSameWeights(Layer a, Layer b) {
        Map<String, Parameter> pa = Layers.namedParameters(a), pb = Layers.namedParameters(b);
        assertEquals(pa.keySet(), pb.keySet());
        for (String k : pa.keySet()) {
            float[] x = pa.get(k).value().toArray(), y = pb.get(k).value().toArray();
            int[] bx = new int[x.length], by = new int[y.length];
            for (int i = 0; i < x.length; i++) bx[i] = Float.floatToRawIntBits(x[i]);
            for (int i = 0; i < y.length; i++) by[i] = Float.floatToRawIntBits(y[i]);
            assertArrayEquals(bx, by, k + " differs");
        }
    }

    /** metrics.csv without the timing columns. */
    private static List<String> figures(Path run) throws IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.csv"))) rows.add(String.join(",", Arrays.asList(line.split(",")).subList(0, 7)));
        return rows;
    }

    private static Map<String, Object> json(Path run, String file) throws IOException {
        return Json.parseObject(Files.readString(run.resolve(file)));
    }

    private static List<String> list(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theReadmesResumeExampleExtendsAFinishedRunInItsFolder() throws IOException {
        // ./conv4j train --model vgg_small --data fashion-mnist --epochs 10 --out runs/vgg, then --resume runs/vgg --epochs 15
        Path runs = Files.createDirectories(dir.resolve("readme").resolve("runs")), vgg = runs.resolve("vgg");
        CliRun first = CliRun.of("train", "--model", "lenet5", "--data", digits.toString(), "--epochs", "2", "--out", vgg.toString(), "--json");
        assertEquals(0, first.code(), first.err());
        CliRun more = CliRun.of("train", "--resume", vgg.toString(), "--epochs", "3", "--json");
        assertEquals(0, more.code(), more.err());
        Map<String, Object> result = Json.parseObject(more.out().trim());
        assertEquals(3L, result.get("epochs"));
        assertEquals(vgg.toString(), result.get("run_dir"));
        assertEquals(4, Files.readAllLines(vgg.resolve("metrics.csv")).size(), "a header and 3 epochs");
        assertEquals(3, RunConfig.read(vgg.resolve("config.json")).epochs());
        assertEquals(3, RunConfig.fromMetadata(ModelFile.read(vgg.resolve("model.safetensors")).extraMetadata()).epochs());
        assertEquals(3L, json(vgg, "test.json").get("epochs"));

        // a checkpoint file of a run continues that run, too
        CliRun fromFile = CliRun.of("train", "--resume", vgg.resolve("checkpoints/last.safetensors").toString(), "--epochs", "4", "--json");
        assertEquals(0, fromFile.code(), fromFile.err());
        assertEquals(vgg.toString(), Json.parseObject(fromFile.out().trim()).get("run_dir"));
        assertEquals(5, Files.readAllLines(vgg.resolve("metrics.csv")).size());
        assertEquals(List.of("latest", "vgg"), list(runs));
    }

    @Test
    void aFlagThatContradictsTheSavedRunIsRefusedInOneLine() throws IOException {
        Path runs = Files.createDirectories(dir.resolve("refuse")), run = runs.resolve("run");
        CliRun stopped = train(List.of("--optimizer", "sgd", "--lr", "0.01", "--batch-size", "32"), "--epochs", "2", "--stop-after", "1", "--out", run.toString(), "--json");
        assertEquals(0, stopped.code(), stopped.err());
        String config = Files.readString(run.resolve("config.json"));
        Path saved = run.resolve("config.json");
        String[][] cases = {
                {"--lr", "0.002", "--lr 0.002 contradicts the run's saved lr 0.01"},
                {"--optimizer", "adam", "--optimizer adam contradicts the run's saved optimizer sgd"},
                {"--model", "vgg_small", "--model vgg_small contradicts the run's saved model lenet5"},
                {"--batch-size", "64", "--batch-size 64 contradicts the run's saved batch size 32"},
                {"--schedule", "step", "--schedule step contradicts the run's saved schedule cosine"},
                {"--no-augment", null, "--no-augment contradicts the run's saved augment true"},
                {"--seed", "2", "--seed 2 contradicts the run's saved seed 1"},
                {"--val-split", "0.2", "--val-split 0.2 contradicts the run's saved validation split 0.1"},
                {"--weight-decay", "0.1", "--weight-decay 0.1 contradicts the run's saved weight decay 0.0"},
                {"--data", SmallData.SAMPLE.toString(), "--data " + SmallData.SAMPLE + " contradicts the run's saved data " + digits},
                {"--out", runs.resolve("elsewhere").toString(), "--out " + runs.resolve("elsewhere") + " contradicts the run's saved directory " + run}};
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("train", "--resume", run.toString(), c[0]));
            if (c[1] != null) args.add(c[1]);
            CliRun r = CliRun.of(args.toArray(new String[0]));
            assertEquals(2, r.code(), r.err());
            assertArrayEquals(new String[] {"conv4j train: " + c[2] + " (" + saved + "); resume without it"}, r.errLines());
            assertEquals("", r.out());
        }
        assertEquals(config, Files.readString(saved), "a refused resume changes nothing");
        assertEquals(List.of("run"), list(runs));

        // the saved value itself, --threads and --epochs are accepted
        CliRun same = CliRun.of("train", "--resume", run.toString(), "--lr", "0.01", "--optimizer", "sgd", "--threads", "1", "--json");
        assertEquals(0, same.code(), same.err());
        assertEquals(2L, Json.parseObject(same.out().trim()).get("epochs"));
        CliRun fewer = CliRun.of("train", "--resume", run.toString(), "--epochs", "1");
        assertEquals(2, fewer.code());
        assertArrayEquals(new String[] {"conv4j train: --epochs 1 is fewer than the 2 epochs " + run + " has done"}, fewer.errLines());
        assertEquals(List.of("run"), list(runs));
    }
}
