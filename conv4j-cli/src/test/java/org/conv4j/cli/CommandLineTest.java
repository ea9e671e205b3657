package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Init;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command's help, JSON output and bad input, run in-process through Main.run. */
class CommandLineTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void untrainedLeNet() throws Exception {
        Init.seed(1);
        model = dir.resolve("lenet.safetensors");
        ModelFile.save(Zoo.build("lenet5", 1, 28, 28, 10), model, Map.of(), Map.of("input_shape", "1x28x28"));
    }

    /** Exit code 2 or 1 and exactly one line on stderr, naming the program once, that contains {@code text}; nothing on stdout. */
    private static void assertOneLineError(Cli r, int code, String text) {
        assertEquals(code, r.exitCode(), r.err());
        String[] lines = r.errLines();
        assertEquals(1, lines.length, "one clear line, got: " + r.err());
        assertTrue(lines[0].contains(text), "stderr: " + r.err());
        assertTrue(lines[0].startsWith("conv4j") && !lines[0].startsWith("conv4j conv4j"), lines[0]);
        assertEquals("", r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "eval", "predict", "summary", "gradcheck", "download", "filter", "visualize", "report", "bench", "export"})
    void everyCommandHasHelp(String command) {
        Cli r = Cli.run(command, "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("Usage: conv4j " + command), r.out());
    }

    @Test
    void evalJsonHasPlainKeysAndAccuracyAsAFraction() {
        Cli r = Cli.run("eval", "--model", model.toString(), "--data", "mnist-sample", "--json");
        assertEquals(0, r.exitCode(), r.err());
        Map<String, Object> m = Json.parseObject(r.out().trim());
        double acc = ((Number) m.get("accuracy")).doubleValue();
        assertTrue(acc >= 0 && acc <= 1, "accuracy is a fraction: " + acc);
        assertEquals(1000L, m.get("images"));
        assertTrue(m.containsKey("loss") && m.containsKey("top5_accuracy"));
        assertEquals(10, ((List<?>) m.get("per_class")).size());
        List<?> cm = (List<?>) m.get("confusion_matrix");
        long total = 0;
        for (Object row : cm) for (Object v : (List<?>) row) total += (Long) v;
        assertEquals(1000, total);
    }

    @Test
    void evalTextShowsPerClassAccuracyAndTheConfusionMatrix() {
        Cli r = Cli.run("eval", "--model-file", model.toString(), "--data", "../data/mnist-sample".replace("..", System.getProperty("conv4j.home")));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("1000 images: accuracy "), r.out());
        assertTrue(r.out().contains("confusion matrix (rows: true class, columns: predicted)"), r.out());
    }

    @Test
    void predictReadsIdxFilesAndPrintsTopClasses() {
        Path idx = Path.of(System.getProperty("conv4j.home"), "data/mnist-sample/t10k-images-idx3-ubyte.gz");
        Cli r = Cli.run("predict", "--model", model.toString(), idx.toString(), "--limit", "3", "--top", "2", "--json");
        assertEquals(0, r.exitCode(), r.err());
        List<?> results = (List<?>) Json.parse(r.out().trim());
        assertEquals(3, results.size());
        Map<?, ?> first = (Map<?, ?>) results.get(0);
        assertEquals("t10k-images-idx3-ubyte.gz[0]", first.get("image"));
        List<?> preds = (List<?>) first.get("predictions");
        assertEquals(2, preds.size());
        double p0 = ((Number) ((Map<?, ?>) preds.get(0)).get("probability")).doubleValue();
        double p1 = ((Number) ((Map<?, ?>) preds.get(1)).get("probability")).doubleValue();
        assertTrue(p0 >= p1 && p0 <= 1 && p1 >= 0);
    }

    @Test
    void predictConvertsAColourPngToTheModelsInput() throws Exception {
        Path png = dir.resolve("digit.png");
        var img = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
        img.setRGB(10, 10, 0xffffff);
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        Cli r = Cli.run("predict", "--model-file", model.toString(), png.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith(png + ":  "), r.out());
    }

    @Test
    void summaryJsonMatchesTheTable() {
        Cli r = Cli.run("summary", "--model", "lenet5", "--json");
        assertEquals(0, r.exitCode(), r.err());
        Map<String, Object> m = Json.parseObject(r.out().trim());
        assertEquals(61_706L, m.get("parameters"));
        assertEquals(12, ((List<?>) m.get("layers")).size());
        Cli table = Cli.run("summary", "--model", model.toString());
        assertTrue(table.out().contains("parameters: 61,706"), table.out());
    }

    @Test
    void gradcheckJsonPassesForOneLayerType() {
        Cli r = Cli.run("gradcheck", "--layer", "Conv2d", "--cases", "3", "--json");
        assertEquals(0, r.exitCode(), r.err());
        Map<String, Object> m = Json.parseObject(r.out().trim());
        assertEquals(Boolean.TRUE, m.get("passed"));
    }

    @Test
    void badInputGivesOneClearLineAndANonZeroExit() throws Exception {
        assertOneLineError(Cli.run("eval", "--model-file", "nope.safetensors"), 2, "conv4j eval: no such model file or run directory: nope.safetensors");
        assertOneLineError(Cli.run("eval", "--model-file", model.toString(), "--data", "/no/such/dir"), 2, "no such directory: /no/such/dir");
        assertOneLineError(Cli.run("eval", "--model-file", model.toString(), "--data", "imagenet"), 2, "unknown data set 'imagenet'");
        assertOneLineError(Cli.run("eval", "--model-file", model.toString(), "--split", "val"), 2, "--split must be train or test");
        assertOneLineError(Cli.run("eval", "--model-file", model.toString(), "--batch-size", "0"), 2, "--batch-size must be >= 1");
        assertOneLineError(Cli.run("eval"), 2, "conv4j eval: missing --model=NAME|FILE|RUN_DIR; see 'conv4j eval --help'");
        assertOneLineError(Cli.run("filter", "-k", "edge"), 2, "conv4j filter: missing IN; see 'conv4j filter --help'");
        assertOneLineError(Cli.run("train", "--epochs", "ten"), 2, "Invalid value for option '--epochs': 'ten' is not an int");
        assertOneLineError(Cli.run("train", "--epochs", "0"), 2, "--epochs must be >= 1, got 0");
        assertOneLineError(Cli.run("train", "--lr", "-1"), 2, "--lr must be a positive number");
        assertOneLineError(Cli.run("train", "--model", "resnet1000"), 2, "unknown model 'resnet1000'");
        assertOneLineError(Cli.run("train", "--optimizer", "lbfgs"), 2, "--optimizer must be adam, adamw, sgd or rmsprop");
        assertOneLineError(Cli.run("train", "--val-split", "1.5"), 2, "--val-split must be in [0, 1)");
        assertOneLineError(Cli.run("train", "--resume", dir.resolve("nothing").toString(), "--out", dir.resolve("r").toString()), 2, "no checkpoint at");
        assertOneLineError(Cli.run("summary", "--model", "lenet5", "--input", "1x28"), 2, "--input must be CxHxW");
        assertOneLineError(Cli.run("summary", "--model", "vgg16", "--input", "3x16x16"), 2, "vgg16: input 3x16x16 is too small (the minimum input is 32x32)");
        assertOneLineError(Cli.run("summary", "--model", "nothing-here"), 2, "'nothing-here' is neither a zoo network");
        assertOneLineError(Cli.run("predict", "--model-file", model.toString(), "missing.png"), 2, "no such file: missing.png");
        assertOneLineError(Cli.run("gradcheck", "--layer", "Conv4d"), 1, "unknown layer type 'Conv4d'");
        assertOneLineError(Cli.run("download", "imagenet"), 2, "unknown data set 'imagenet'");
        assertOneLineError(Cli.run("frobnicate"), 2, "conv4j: unknown command 'frobnicate'; see 'conv4j --help'");
        assertOneLineError(Cli.run("report", "a", "b"), 2, "conv4j report: unexpected argument 'b'; see 'conv4j report --help'");
        assertOneLineError(Cli.run("train", "--model", dir.toString()), 2, "train --model takes a zoo network name");
        assertOneLineError(Cli.run("eval", "--model", model.toString(), "--threads", "0"), 2, "--threads must be >= 1, got 0");

        Path notAnImage = dir.resolve("notes.png");
        Files.writeString(notAnImage, "hello");
        assertOneLineError(Cli.run("predict", "--model-file", model.toString(), notAnImage.toString()), 1, "not a readable PNG or JPEG image");

        Path corrupt = dir.resolve("corrupt.safetensors");
        Files.write(corrupt, new byte[] {1, 2, 3});
        assertOneLineError(Cli.run("eval", "--model-file", corrupt.toString()), 1, "corrupt.safetensors");

        Path colour = dir.resolve("rgb.safetensors");
        Init.seed(2);
        ModelFile.save(Zoo.build("lenet5", 3, 32, 32, 10), colour, Map.of(), Map.of("input_shape", "3x32x32"));
        assertOneLineError(Cli.run("eval", "--model-file", colour.toString()), 2, "the model does not accept the images of mnist-sample (1x28x28)");
        Path fewClasses = dir.resolve("five.safetensors");
        ModelFile.save(Zoo.build("lenet5", 1, 28, 28, 5), fewClasses, Map.of(), Map.of("input_shape", "1x28x28"));
        assertOneLineError(Cli.run("eval", "--model-file", fewClasses.toString()), 2, "the data has 10 classes but the model predicts 5");
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        Path corrupt = dir.resolve("corrupt2.safetensors");
        Files.write(corrupt, new byte[] {1, 2, 3});
        Cli r = Cli.run("eval", "--model-file", corrupt.toString(), "--verbose");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("\tat "), r.err());
    }
}
