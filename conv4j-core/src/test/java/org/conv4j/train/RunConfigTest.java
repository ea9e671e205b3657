package org.conv4j.train;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Mnist;
import org.conv4j.data.RandomCrop;
import org.conv4j.data.RandomHorizontalFlip;
import org.conv4j.data.Split;
import org.conv4j.data.Subset;
import org.conv4j.io.ClassNames;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.optim.AdamW;
import org.conv4j.optim.Optimizer;
import org.conv4j.optim.RMSprop;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunConfigTest {
    @TempDir
    Path dir;

    private static final List<String> ODD_NAMES = List.of("T-shirt/top", "say \"hi\"", "caf\u00e9", "back\\slash", "\u732b");

    private static RunConfig config(String optimizer) {
        return new RunConfig("lenet5", Shape.of(1, 28, 28), List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), "mnist-sample",
                new RunConfig.DataSplit(RunConfig.DataSplit.GIVEN, 0.1, 0, 1), OptimizerConfig.standard(optimizer, 0.002, 0),
                "cosine", 20, 64, 1, true, "cross_entropy", 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "adamw", "sgd", "rmsprop"})
    void aConfigurationRoundTripsThroughJsonExactly(String optimizer) {
        RunConfig c = new RunConfig("vgg_small", Shape.of(3, 40, 36), ODD_NAMES, "/data/pets dir",
                new RunConfig.DataSplit(RunConfig.DataSplit.STRATIFIED, 0.15, 0.1 + 0.2, Long.MIN_VALUE),
                OptimizerConfig.standard(optimizer, 0.1 + 0.2, 1e-4 / 3), "step", 7, 13, Long.MAX_VALUE, false, "cross_entropy", 3);
        String json = c.toJson();
        RunConfig back = RunConfig.fromJson(json);
        assertEquals(c, back);
        assertEquals(json, back.toJson());
        assertEquals(0.1 + 0.2, back.optimizer().lr());
        assertEquals(0.1 + 0.2, back.split().test());
        assertEquals(ODD_NAMES, back.classNames());
        assertEquals(5, back.classes());
    }

    @Test
    void theJsonNamesEverySettingOfTheOptimizer() {
        assertEquals("{\"task\":\"classify\",\"model\":\"lenet5\",\"input_shape\":[1,28,28],\"classes\":10,\"class_names\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"],"
                + "\"data\":\"mnist-sample\",\"split\":{\"kind\":\"given\",\"validation\":0.1,\"test\":0.0,\"seed\":1},"
                + "\"optimizer\":{\"name\":\"sgd\",\"lr\":0.002,\"momentum\":0.9,\"nesterov\":true,\"weight_decay\":0.0},"
                + "\"schedule\":\"cosine\",\"epochs\":20,\"batch_size\":64,\"seed\":1,\"augment\":true,\"loss\":\"cross_entropy\",\"patience\":0}",
                config("sgd").toJson());
        assertTrue(config("adamw").toJson().contains("\"optimizer\":{\"name\":\"adamw\",\"lr\":0.002,\"beta1\":0.9,\"beta2\":0.999,\"eps\":1.0E-8,\"weight_decay\":0.0}"));
        assertTrue(config("rmsprop").toJson().contains("\"optimizer\":{\"name\":\"rmsprop\",\"lr\":0.002,\"alpha\":0.99,\"eps\":1.0E-8,\"momentum\":0.0,\"weight_decay\":0.0}"));
    }

    /** The message of the error reading {@code json}. */
    private static String error(String json) {
        return assertThrows(IllegalArgumentException.class, () -> RunConfig.fromJson(json)).getMessage();
    }

    @Test
    void readingIsStrictAndNamesTheProblem() {
        String good = config("sgd").toJson();
        assertEquals("run configuration: unknown key 'threads' in the configuration (expected task, model, input_shape, classes, class_names, data, split, "
                + "optimizer, schedule, epochs, batch_size, seed, augment, loss, patience)", error(good.replace("{\"task\"", "{\"threads\":2,\"task\"")));
        assertEquals("run configuration: missing key 'seed' in the configuration", error(good.replace("\"seed\":1,\"augment\"", "\"augment\"")));
        assertEquals("run configuration: missing key 'seed' in 'split'", error(good.replace(",\"seed\":1}", "}")));
        assertEquals("run configuration: 'epochs' in the configuration must be an integer, got string", error(good.replace("\"epochs\":20", "\"epochs\":\"20\"")));
        assertEquals("run configuration: 'epochs' in the configuration must be an integer, got number", error(good.replace("\"epochs\":20", "\"epochs\":20.5")));
        assertEquals("run configuration: 'batch_size' in the configuration must be in [1, 1000000], got 0", error(good.replace("\"batch_size\":64", "\"batch_size\":0")));
        assertEquals("run configuration: 'augment' in the configuration must be true or false, got string", error(good.replace("\"augment\":true", "\"augment\":\"yes\"")));
        assertEquals("run configuration: classes is 11 but class_names lists 10", error(good.replace("\"classes\":10", "\"classes\":11")));
        assertEquals("run configuration: class_names: the name '1' appears twice", error(good.replace("\"0\",\"1\"", "\"1\",\"1\"")));
        assertEquals("run configuration: input_shape must hold 3 integers in [1, 65536], got [1,0,28]", error(good.replace("[1,28,28]", "[1,0,28]")));
        assertEquals("run configuration: input_shape must be [C, H, W], got 2 values", error(good.replace("[1,28,28]", "[28,28]")));
        assertEquals("run configuration: sgd has no setting 'beta1' (its settings: [lr, momentum, nesterov, weight_decay])",
                error(good.replace("\"nesterov\":true", "\"nesterov\":true,\"beta1\":0.9")));
        assertEquals("run configuration: sgd needs the setting 'momentum'", error(good.replace("\"momentum\":0.9,", "")));
        assertEquals("run configuration: optimizer setting 'nesterov' must be a boolean, got 1", error(good.replace("\"nesterov\":true", "\"nesterov\":1")));
        assertEquals("run configuration: optimizer setting 'lr' must be positive and finite, got 0.0", error(good.replace("\"lr\":0.002", "\"lr\":0")));
        assertEquals("run configuration: optimizer must be one of [adam, adamw, sgd, rmsprop], got 'lbfgs'", error(good.replace("\"name\":\"sgd\"", "\"name\":\"lbfgs\"")));
        assertEquals("run configuration: a 'given' split takes the data set's own test part, so its test fraction must be 0, got 0.2",
                error(good.replace("\"test\":0.0", "\"test\":0.2")));
        assertEquals("run configuration: split kind must be 'given' or 'stratified', got 'random'", error(good.replace("\"given\"", "\"random\"")));
        assertEquals("run configuration: schedule must be one of [cosine, step, constant], got 'cyclic'", error(good.replace("\"cosine\"", "\"cyclic\"")));
        assertEquals("run configuration: loss must be one of [cross_entropy, dice, cross_entropy_dice], got 'mse'", error(good.replace("\"cross_entropy\"", "\"mse\"")));
        assertTrue(error(good.replace("\"lenet5\"", "\"lenet6\"")).startsWith("run configuration: unknown model 'lenet6'; known: "));
        assertEquals("run configuration: 'split' must be a JSON object, got array", error(good.replace("\"split\":{", "\"split\":[{").replace("\"seed\":1},", "\"seed\":1}],")));
        assertEquals("run configuration: the configuration must be a JSON object, got array", error("[]"));
    }

    @Test
    void theTaskIsSavedAndAConfigurationWrittenWithoutOneIsAClassificationRun() {
        RunConfig c = config("adam");
        assertEquals(RunConfig.CLASSIFY, c.task());
        assertFalse(c.segmentation());
        String old = c.toJson().replace("\"task\":\"classify\",", "");
        assertFalse(old.contains("task"));
        assertEquals(c, RunConfig.fromJson(old), "a config.json from before tasks reads as classification");
        RunConfig seg = new RunConfig("unet_small", Shape.of(1, 48, 48), List.of("background", "0", "1"), "mnist-seg", c.split(), c.optimizer(),
                "cosine", 3, 16, 1, true, "cross_entropy", 0, RunConfig.SEGMENT);
        assertTrue(seg.segmentation());
        assertTrue(seg.toJson().startsWith("{\"task\":\"segment\",\"model\":\"unet_small\""), seg.toJson());
        assertEquals(seg, RunConfig.fromJson(seg.toJson()));
        assertEquals(seg, RunConfig.fromMetadata(seg.metadata()));
        assertEquals("run configuration: task must be one of [classify, segment], got 'detect'", error(seg.toJson().replace("\"segment\"", "\"detect\"")));
        assertEquals("run configuration: loss 'dice' is for the task 'segment', not 'classify'", error(c.toJson().replace("\"cross_entropy\"", "\"dice\"")));
        assertEquals("cross_entropy_dice", RunConfig.fromJson(seg.toJson().replace("\"cross_entropy\"", "\"cross_entropy_dice\"")).loss());
        assertEquals("run configuration: 'task' in the configuration must be a string, got number", error(seg.toJson().replace("\"segment\"", "1")));
    }

    @Test
    void hostileJsonCostsAnErrorOnly() {
        String good = config("adam").toJson();
        assertTrue(error(good.replace("\"seed\":1,\"augment\"", "\"seed\":1,\"seed\":2,\"augment\"")).contains("duplicate key \"seed\""));
        assertTrue(error("[".repeat(100_000)).contains("nesting deeper than the limit of 4"));
        assertTrue(error(good.replace("\"epochs\":20", "\"epochs\":1e400")).contains("is out of range"));
        assertEquals("run configuration: 'epochs' in the configuration must be an integer, got number",
                error(good.replace("\"epochs\":20", "\"epochs\":99999999999999999999999")));
        assertTrue(error(good.substring(0, good.length() - 1)).startsWith("run configuration is not valid JSON: "));
        assertTrue(error(good.replace("\"0\"", "\"" + "x".repeat(ClassNames.MAX_NAME_LENGTH + 1) + "\"")).contains("at most 1000 characters"));
    }

    @Test
    void itBuildsTheOptimizerScheduleAugmentationAndModelItDescribes() {
        Layer net = config("sgd").buildModel();
        SGD sgd = assertInstanceOf(SGD.class, config("sgd").optimizer().build(net));
        assertEquals(0.9, sgd.momentum());
        assertTrue(sgd.nesterov());
        assertEquals(0.002, sgd.learningRate());
        AdamW adamw = assertInstanceOf(AdamW.class, OptimizerConfig.standard("adamw", 0.001, 0.05).build(net));
        assertEquals(0.05, adamw.weightDecay());
        assertEquals(0.999, adamw.beta2());
        RMSprop rms = assertInstanceOf(RMSprop.class, OptimizerConfig.standard("rmsprop", 0.001, 0).build(net));
        assertEquals(0.99, rms.alpha());

        RunConfig c = config("adam");
        assertEquals(0.002, c.lrSchedule().learningRate(0.002, 0));
        assertEquals(0.001, c.lrSchedule().learningRate(0.002, 10), 1e-15);
        RunConfig step = new RunConfig("lenet5", Shape.of(3, 32, 32), c.classNames(), "x", c.split(), c.optimizer(), "step", 9, 8, 1, true, "cross_entropy", 0);
        assertEquals(0.002 * 0.1, step.lrSchedule().learningRate(0.002, 3), 1e-18);
        assertEquals(0.002, step.withEpochs(12).lrSchedule().learningRate(0.002, 3), "the schedule spans the new total");
        assertEquals(2, step.augmentation().length);
        assertInstanceOf(RandomCrop.class, step.augmentation()[0]);
        assertInstanceOf(RandomHorizontalFlip.class, step.augmentation()[1]);
        assertEquals(1, c.augmentation().length, "grey images are cropped, not flipped");

        // the same configuration builds the same weights, bit for bit
        Layer a = c.buildModel(), b = c.buildModel();
        for (String k : Layers.namedParameters(a).keySet()) {
            assertSameBits(Layers.namedParameters(a).get(k).value(), Layers.namedParameters(b).get(k).value());
        }
        assertEquals(Shape.of(1, 10), a.outputShape(Shape.of(1, 1, 28, 28)));
    }

    @Test
    void checkpointsAndModelFilesCarryTheConfigurationAndTheClassNames() throws Exception {
        RunConfig c = new RunConfig("lenet5", Shape.of(1, 28, 28), Mnist.FASHION_CLASSES, "fashion-mnist",
                new RunConfig.DataSplit(RunConfig.DataSplit.GIVEN, 0, 0, 4), OptimizerConfig.standard("sgd", 0.01, 0), "constant", 1, 50, 4, false, "cross_entropy", 0);
        Layer net = c.buildModel();
        Optimizer opt = c.optimizer().build(net);
        var train = Subset.split(Mnist.load(Path.of("data/mnist-sample"), Split.TEST), 100, 1)[1];
        Trainer t = new Trainer(net, opt).epochs(1).metadata(c.metadata()).checkpoints(dir);
        t.fit(new DataLoader(train, c.batchSize()), null);
        Map<String, String> meta = ModelFile.read(dir.resolve("last.safetensors")).extraMetadata();
        assertEquals(c, RunConfig.fromMetadata(meta));
        assertEquals("1x28x28", meta.get(RunConfig.INPUT_SHAPE_KEY));
        assertEquals(Mnist.FASHION_CLASSES, ClassNames.read(meta));
        assertTrue(meta.containsKey(Trainer.STATE_KEY), "the trainer state is still there");

        ModelFile.save(net, dir.resolve("plain.safetensors"));
        Map<String, String> none = ModelFile.read(dir.resolve("plain.safetensors")).extraMetadata();
        assertNull(RunConfig.fromMetadata(none));
        assertNull(ClassNames.read(none));

        var e = assertThrows(IllegalArgumentException.class, () -> t.metadata(Map.of(Trainer.STATE_KEY, "{}")));
        assertEquals("Trainer: metadata key 'trainer' is reserved; keys must not start with \"conv4j.\" nor be \"format\" or \"trainer\"", e.getMessage());
    }

    @Test
    void aConfigFileIsReadAndWrittenAndABadOneIsNamed() throws Exception {
        Path file = dir.resolve("config.json");
        config("rmsprop").write(file);
        assertEquals(config("rmsprop"), RunConfig.read(file));
        assertEquals(config("rmsprop").toJson() + "\n", Files.readString(file));
        Files.writeString(file, "{\"data\": \"mnist-sample\"}");
        var e = assertThrows(IllegalArgumentException.class, () -> RunConfig.read(file));
        assertTrue(e.getMessage().startsWith(file + ": run configuration: missing key 'model' in the configuration"), e.getMessage());
    }

    @Test
    void classNamesInMetadataAreCheckedStrictly() {
        assertEquals(ODD_NAMES, ClassNames.read(Map.of(ClassNames.METADATA_KEY, ClassNames.toJson(ODD_NAMES))));
        for (String[] bad : new String[][] {
                {"{\"a\":1}", "metadata 'class_names' must be a JSON array of strings, got object"},
                {"[1]", "metadata 'class_names' must hold strings, got number"},
                {"[]", "metadata 'class_names' must list 1 to 65536 classes, got 0"},
                {"[\" \"]", "metadata 'class_names': every name must be non-blank and at most 1000 characters, got ' '"},
                {"[[[\"a\"]]]", "metadata 'class_names' is not valid JSON: nesting deeper than the limit of 2"}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ClassNames.read(Map.of(ClassNames.METADATA_KEY, bad[0])));
            assertTrue(e.getMessage().startsWith(bad[1]), bad[0] + ": " + e.getMessage());
        }
    }
}
