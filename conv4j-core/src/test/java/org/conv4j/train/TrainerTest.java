package org.conv4j.train;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.Mnist;
import org.conv4j.data.RandomCrop;
import org.conv4j.data.Split;
import org.conv4j.data.Subset;
import org.conv4j.kernel.Parallel;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.optim.Adam;
import org.conv4j.optim.LrSchedule;
import org.conv4j.optim.SGD;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static Dataset train;
    private static Dataset test;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        Dataset all = Mnist.load(Path.of("data/mnist-sample"), Split.TRAIN);
        train = Subset.split(all, 600, 3)[1]; // 600 digits keep these tests quick
        test = Mnist.load(Path.of("data/mnist-sample"), Split.TEST);
    }

    /** A small net with every kind of state a resume must restore: weights, BN statistics, dropout. */
    private static Layer smallNet(long seed) {
        Init.seed(seed);
        return new Sequential(new Conv2d(1, 4, 5).stride(2), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.25), new Linear(4 * 6 * 6, 10));
    }

    private static DataLoader loader() {
        return new DataLoader(train, 32).shuffle(true).seed(5).transforms(new RandomCrop(28, 2));
    }

    private static void assertSameWeights(Layer a, Layer b) {
        Map<String, Parameter> pa = Layers.namedParameters(a), pb = Layers.namedParameters(b);
        assertEquals(pa.keySet(), pb.keySet());
        for (String k : pa.keySet()) assertSameBits(pa.get(k).value(), pb.get(k).value());
    }

    @Test
    void aRunStoppedAfterAnEpochAndResumedEndsWithTheSameWeights() throws Exception {
        Layer whole = smallNet(1);
        Adam wholeOpt = new Adam(whole, 0.01);
        new Trainer(whole, wholeOpt).epochs(3).seed(9).schedule(LrSchedule.cosine(3, 0)).fit(loader(), null);

        Layer first = smallNet(1);
        Trainer t1 = new Trainer(first, new Adam(first, 0.01)).epochs(1).seed(9).schedule(LrSchedule.cosine(3, 0))
                .checkpoints(dir.resolve("ckpt"));
        t1.fit(loader(), null);

        Layer resumed = smallNet(2); // different initial weights: all must come from the checkpoint
        Trainer t2 = new Trainer(resumed, new Adam(resumed, 0.01)).epochs(3).seed(0).schedule(LrSchedule.cosine(3, 0))
                .resume(dir.resolve("ckpt/last.safetensors"));
        assertEquals(1, t2.epochsDone());
        List<EpochResult> history = t2.fit(loader(), null);
        assertEquals(3, history.size());
        assertSameWeights(whole, resumed);
    }

    @Test
    void weightsAreBitIdenticalWithOneAndTwoThreads() throws Exception {
        int saved = Parallel.threads();
        try {
            Layer[] nets = new Layer[2];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                nets[threads - 1] = smallNet(4);
                new Trainer(nets[threads - 1], new SGD(nets[threads - 1], 0.05).momentum(0.9)).epochs(1).seed(2).fit(loader(), null);
            }
            assertSameWeights(nets[0], nets[1]);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void metricsLogCheckpointsAndValidationAreWritten() throws Exception {
        Layer net = smallNet(3);
        Trainer t = new Trainer(net, new Adam(net, 0.01)).epochs(2).checkpoints(dir).metricsLog(dir.resolve("m.csv"));
        List<EpochResult> h = t.fit(loader(), new DataLoader(test, 200));
        List<String> csv = Files.readAllLines(dir.resolve("m.csv"));
        assertEquals("epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,val_top5,seconds,images_per_second", csv.get(0));
        assertEquals(3, csv.size());
        assertTrue(csv.get(2).startsWith("2,"), csv.get(2));
        assertTrue(Files.exists(dir.resolve("last.safetensors")) && Files.exists(dir.resolve("best.safetensors")));
        assertTrue(h.get(1).valAccuracy() > 0.5 && h.get(1).figure("val_top5") >= h.get(1).valAccuracy(), h.get(1).toString());
        assertTrue(h.get(1).trainLoss() < h.get(0).trainLoss(), "loss falls: " + h);

        Layer again = smallNet(3);
        new Trainer(again, new Adam(again, 0.01)).epochs(1).metricsLog(dir.resolve("m.jsonl")).fit(loader(), null);
        String line = Files.readAllLines(dir.resolve("m.jsonl")).get(0);
        assertTrue(line.startsWith("{\"epoch\": 1, \"lr\": 0.01, \"train_loss\": ") && line.contains("\"val_loss\": null"), line);
    }

    @Test
    void anOptimizerOfAnotherModelIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(smallNet(3), new Adam(smallNet(3), 0.01)));
        assertTrue(e.getMessage().contains("not a parameter of the model"), e.getMessage());
    }

    @Test
    void earlyStoppingEndsARunThatNoLongerImproves() throws Exception {
        Layer net = smallNet(5);
        Trainer t = new Trainer(net, new SGD(net, 0.0)).epochs(10).earlyStopping(2, false);
        List<EpochResult> h = t.fit(new DataLoader(train, 64), new DataLoader(test, 500));
        assertEquals(3, h.size(), "the first epoch sets the best, two more without improvement stop the run");
    }

    @Test
    void aNaNParameterStopsTrainingNamingIt() {
        Layer net = smallNet(6);
        Layers.namedParameters(net).get("6.weight").value().data()[7] = Float.NaN;
        Trainer t = new Trainer(net, new Adam(net, 0.01)).epochs(1);
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(loader(), null));
        assertTrue(e.getMessage().startsWith("parameter 6.weight is NaN or infinite at epoch 1, batch 1 (layer 6 (Linear))"), e.getMessage());
    }

    @Test
    void anOverflowingLayerIsNamed() {
        Layer net = smallNet(7);
        Layers.namedParameters(net).get("0.weight").value().fill(3e38f);
        Trainer t = new Trainer(net, new Adam(net, 0.01)).epochs(1);
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(loader(), null));
        assertTrue(e.getMessage().startsWith("the output of layer 0 (Conv2d) is NaN or infinite at epoch 1, batch 1"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherModelIsRefused() throws Exception {
        Layer net = smallNet(8);
        new Trainer(net, new Adam(net, 0.01)).epochs(1).checkpoints(dir).fit(loader(), null);
        Init.seed(1);
        Layer other = new Sequential(new Flatten(), new Linear(784, 10));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(other, new Adam(other, 0.01)).resume(dir.resolve("last.safetensors")));
        assertTrue(e.getMessage().contains("holds a different model"), e.getMessage());
        var notCkpt = dir.resolve("model.safetensors");
        org.conv4j.io.ModelFile.save(net, notCkpt);
        var e2 = assertThrows(java.io.IOException.class, () -> new Trainer(net, new Adam(net, 0.01)).resume(notCkpt));
        assertTrue(e2.getMessage().contains("not a training checkpoint"), e2.getMessage());
    }

    /** The net, data and seeds of the checkpoint written by the Trainer before it was split into listeners. */
    private static Layer legacyNet(long seed) {
        Init.seed(seed);
        return new Sequential(new MaxPool2d(4), new Flatten(), new Linear(49, 10));
    }

    private static Trainer legacyTrainer(Layer net) {
        return new Trainer(net, new Adam(net, 0.01)).epochs(2).seed(4);
    }

    @Test
    void aCheckpointOfTheTrainerBeforeListenersResumesExactly() throws Exception {
        Path old = dir.resolve("old.safetensors");
        try (var in = TrainerTest.class.getResourceAsStream("/checkpoints/before-listeners.safetensors")) {
            Files.copy(in, old);
        }
        Layer whole = legacyNet(11);
        List<EpochResult> fresh = legacyTrainer(whole).fit(new DataLoader(train, 32).shuffle(true).seed(5), new DataLoader(test, 200));
        assertEquals(2.1066455618540445, fresh.get(0).trainLoss(), "today's first epoch is the old code's to the bit");

        Layer resumed = legacyNet(99);
        Trainer t = legacyTrainer(resumed).resume(old);
        assertEquals(1, t.epochsDone());
        EpochResult first = t.history().get(0);
        assertEquals(2.1066455618540445, first.trainLoss());
        assertEquals(0.26, first.trainAccuracy());
        assertEquals(1.8906663179397583, first.valLoss());
        assertEquals(0.916, first.figure("val_top5"));
        assertEquals(1.8906663179397583, t.monitor().best());
        t.fit(new DataLoader(train, 32).shuffle(true).seed(5), new DataLoader(test, 200));
        assertSameWeights(whole, resumed);
    }

    @Test
    void metadataIsStoredInEveryCheckpointAndReadBackOnResume() throws Exception {
        Layer net = smallNet(10);
        new Trainer(net, new Adam(net, 0.01)).epochs(1).checkpoints(dir).metadata(Map.of("run.config", "{\"lr\": 0.01}"))
                .metadata(Map.of("classes", "zero,one")).fit(loader(), null);
        for (String f : List.of("last.safetensors", "best.safetensors")) {
            Map<String, String> meta = org.conv4j.io.ModelFile.read(dir.resolve(f)).extraMetadata();
            assertEquals("{\"lr\": 0.01}", meta.get("run.config"), f);
            assertEquals("zero,one", meta.get("classes"), f);
        }
        Layer again = smallNet(10);
        Trainer t = new Trainer(again, new Adam(again, 0.01)).metadata(Map.of("stale", "x")).resume(dir.resolve("last.safetensors"));
        assertEquals(Map.of("run.config", "{\"lr\": 0.01}", "classes", "zero,one"), t.metadata());
        for (String reserved : List.of("conv4j.version", "format", "trainer")) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.metadata(Map.of(reserved, "1")));
            assertTrue(e.getMessage().startsWith("Trainer: metadata key '" + reserved + "' is reserved"), e.getMessage());
        }
    }

    @Test
    void aUserListenerSeesEveryStepAndCanStopTheRun() throws Exception {
        List<String> calls = new java.util.ArrayList<>();
        Layer net = smallNet(12);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Trainer t = new Trainer(net, new Adam(net, 0.01)).epochs(5).progress(new java.io.PrintStream(out, true), false)
                .listener(new TrainingListener() {
                    @Override
                    public void onEpochStart(Trainer tr, int epoch) {
                        calls.add("start " + epoch);
                    }

                    @Override
                    public void onStep(Trainer tr, Step s) {
                        if (s.index() == s.batches() - 1) calls.add("last step " + s.where() + " loss>0 " + (s.loss() > 0));
                    }

                    @Override
                    public void onEpochEnd(Trainer tr, EpochResult r) {
                        calls.add("end " + r.epoch() + " history " + tr.history().size());
                        if (r.epoch() == 2) tr.stop("stopped by the user's listener");
                    }
                });
        List<EpochResult> h = t.fit(loader(), null);
        assertEquals(2, h.size());
        assertEquals(List.of("start 1", "last step epoch 1, batch 19 loss>0 true", "end 1 history 1",
                "start 2", "last step epoch 2, batch 19 loss>0 true", "end 2 history 2"), calls);
        assertTrue(out.toString().endsWith("stopped by the user's listener\n"), out.toString());
    }

    @Test
    void resumingWithOtherMetricsIsRefusedNamingTheFigures() throws Exception {
        Layer net = smallNet(13);
        new Trainer(net, new Adam(net, 0.01)).epochs(1).checkpoints(dir).fit(loader(), null);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(net, new Adam(net, 0.01)).validationMetrics(new TopKAccuracy(3)).resume(dir.resolve("last.safetensors")));
        assertTrue(e.getMessage().contains("val_top5") && e.getMessage().contains("val_top3") && e.getMessage().endsWith("resume with the same metrics"),
                e.getMessage());
    }
}
