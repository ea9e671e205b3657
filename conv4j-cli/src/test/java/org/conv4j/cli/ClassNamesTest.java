package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.data.Mnist;
import org.conv4j.io.ClassNames;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Init;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class names travel in the model file from the data set (MNIST's digits, Fashion-MNIST's names) to eval and predict. */
class ClassNamesTest {
    @TempDir
    static Path dir;
    static Path fashionRun, digitsRun, fashionData;

    @BeforeAll
    static void trainOneEpochOnEach() throws IOException {
        // Fashion-MNIST is recognised by its folder's name (the cache's and Debian's are called fashion-mnist)
        fashionData = SmallData.mnist(dir.resolve("fashion-mnist"), 200, 50);
        Path digits = SmallData.mnist(dir.resolve("digits"), 200, 50);
        fashionRun = dir.resolve("fashion-run");
        digitsRun = dir.resolve("digits-run");
        for (Path[] p : new Path[][] {{fashionData, fashionRun}, {digits, digitsRun}}) {
            CliRun r = CliRun.of("train", "--data", p[0].toString(), "--epochs", "1", "--out", p[1].toString(), "--json");
            assertEquals(0, r.code(), r.err());
        }
    }

    @Test
    void theModelFileAndCheckpointsRecordTheNames() throws IOException {
        assertEquals(Mnist.FASHION_CLASSES, ClassNames.read(ModelFile.read(fashionRun.resolve("model.safetensors")).extraMetadata()));
        assertEquals(Mnist.FASHION_CLASSES, ClassNames.read(ModelFile.read(fashionRun.resolve("checkpoints/last.safetensors")).extraMetadata()));
        assertEquals(Mnist.DIGITS, ClassNames.read(ModelFile.read(digitsRun.resolve("model.safetensors")).extraMetadata()));
    }

    @Test
    void evalPrintsFashionMnistsNames() {
        CliRun text = CliRun.of("eval", "--model-file", fashionRun.toString(), "--data", fashionData.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("class  name         accuracy  images\n    0  T-shirt/top  "), text.out());
        assertTrue(text.out().contains("\n    9  Ankle boot   "), text.out());
        assertTrue(java.util.regex.Pattern.compile("\n    9  Ankle boot ( +\\d+){10}\n").matcher(text.out()).find(), "the confusion matrix rows are named: " + text.out());
        CliRun digits = CliRun.of("eval", "--model-file", digitsRun.toString(), "--data", fashionData.toString());
        assertTrue(digits.out().contains("class  accuracy  images\n    0  "), "no name column when the names are the indices: " + digits.out());
        Map<String, Object> json = Json.parseObject(CliRun.of("eval", "--model-file", fashionRun.toString(), "--data", fashionData.toString(), "--json").out().trim());
        List<?> perClass = (List<?>) json.get("per_class");
        for (int c = 0; c < 10; c++) {
            assertEquals((long) c, ((Map<?, ?>) perClass.get(c)).get("class"));
            assertEquals(Mnist.FASHION_CLASSES.get(c), ((Map<?, ?>) perClass.get(c)).get("name"));
        }
    }

    @Test
    void predictPrintsNamesAndJsonGivesIndexAndName() {
        String idx = fashionData.resolve("t10k-images-idx3-ubyte").toString();
        CliRun r = CliRun.of("predict", "--model-file", fashionRun.toString(), idx, "--limit", "2", "--top", "10", "--json");
        assertEquals(0, r.code(), r.err());
        for (Object image : (List<?>) Json.parse(r.out().trim())) {
            List<?> preds = (List<?>) ((Map<?, ?>) image).get("predictions");
            assertEquals(10, preds.size());
            for (Object p : preds) {
                Map<?, ?> m = (Map<?, ?>) p;
                assertEquals(Mnist.FASHION_CLASSES.get((int) (long) (Long) m.get("class")), m.get("name"));
            }
        }
        CliRun text = CliRun.of("predict", "--model-file", fashionRun.toString(), idx, "--limit", "1", "--top", "10");
        for (String name : Mnist.FASHION_CLASSES) assertTrue(text.out().contains("  " + name + " ("), name + " in " + text.out());

        CliRun digits = CliRun.of("predict", "--model-file", digitsRun.toString(), idx, "--limit", "1", "--top", "1", "--json");
        Map<?, ?> top = (Map<?, ?>) ((List<?>) ((Map<?, ?>) ((List<?>) Json.parse(digits.out().trim())).get(0)).get("predictions")).get(0);
        assertEquals(String.valueOf(top.get("class")), top.get("name"), "MNIST's names are its digits");
    }

    @Test
    void aModelFileWithoutNamesStillWorksByIndex() throws IOException {
        Init.seed(1);
        Path plain = dir.resolve("plain.safetensors");
        ModelFile.save(Zoo.build("lenet5", 1, 28, 28, 10), plain);
        String idx = fashionData.resolve("t10k-images-idx3-ubyte").toString();
        CliRun r = CliRun.of("predict", "--model-file", plain.toString(), idx, "--limit", "1", "--top", "1", "--json");
        assertEquals(0, r.code(), r.err());
        Map<?, ?> top = (Map<?, ?>) ((List<?>) ((Map<?, ?>) ((List<?>) Json.parse(r.out().trim())).get(0)).get("predictions")).get(0);
        assertNull(top.get("name"));
        CliRun text = CliRun.of("predict", "--model-file", plain.toString(), idx, "--limit", "1", "--top", "1");
        assertTrue(text.out().matches("t10k-images-idx3-ubyte\\[0\\]:  \\d \\(\\d+\\.\\d%\\)\\R"), text.out());
        // eval falls back to the data set's names
        CliRun ev = CliRun.of("eval", "--model-file", plain.toString(), "--data", fashionData.toString());
        assertTrue(ev.out().contains("\n    0  T-shirt/top  "), ev.out());
    }
}
