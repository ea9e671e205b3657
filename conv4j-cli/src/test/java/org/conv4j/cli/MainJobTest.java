package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job: {@code conv4j train} with its defaults trains LeNet-5 on the bundled
 * MNIST sample, and {@code conv4j eval} scores the model at least 97.5% on the 1,000 test digits
 * it never saw, given as an IDX directory.
 */
class MainJobTest {
    @TempDir
    Path dir;

    @Test
    void defaultTrainingReachesAtLeast97Point5PercentOnUnseenDigits() throws Exception {
        Path run = dir.resolve("run");
        Cli train = Cli.run("train", "--out", run.toString());
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(train.out().contains("test: accuracy "), train.out());
        for (String f : List.of("model.safetensors", "metrics.csv", "config.json", "test.json", "checkpoints/last.safetensors", "checkpoints/best.safetensors")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        assertEquals(21, Files.readAllLines(run.resolve("metrics.csv")).size(), "a header and 20 epochs");

        // only the test digits, in a directory of their own: nothing of it was used in training
        Path unseen = dir.resolve("unseen");
        Files.createDirectories(unseen);
        Path sample = Path.of(System.getProperty("conv4j.home"), "data", "mnist-sample");
        for (String f : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) Files.copy(sample.resolve(f), unseen.resolve(f));
        Cli eval = Cli.run("eval", "--model-file", run.resolve("model.safetensors").toString(), "--data", unseen.toString(), "--json");
        assertEquals(0, eval.exitCode(), eval.err());
        Map<String, Object> m = Json.parseObject(eval.out().trim());
        double accuracy = ((Number) m.get("accuracy")).doubleValue();
        assertTrue(accuracy >= 0.975, "test accuracy " + accuracy);
        Map<String, Object> fromTrain = Json.parseObject(Files.readString(run.resolve("test.json")));
        assertEquals(accuracy, ((Number) fromTrain.get("accuracy")).doubleValue(), 1e-12, "train's own test figure agrees");
    }
}
