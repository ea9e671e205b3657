package org.conv4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.conv4j.data.Batch;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Sequential;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each listener on its own, driven by hand-made epoch results (the Trainer's loop: TrainerTest). */
class ListenersTest {
    @TempDir
    Path dir;

    private static Trainer trainer(int epochs) {
        Init.seed(1);
        Layer net = new Sequential(new Flatten(), new Linear(4, 2));
        return new Trainer(net, new SGD(net, 0.01)).epochs(epochs);
    }

    /** An epoch with the default figures; NaN validation figures when valLoss is NaN. */
    private static EpochResult epoch(int n, double loss, double acc, double valLoss, double valAcc) {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("train_loss", loss);
        f.put("train_accuracy", acc);
        f.put("val_loss", valLoss);
        f.put("val_accuracy", valAcc);
        f.put("val_top5", Double.isNaN(valLoss) ? Double.NaN : 0.99);
        return new EpochResult(n, 0.01, f, 2.0, 100);
    }

    @Test
    void theMonitorReadsValidationFiguresElseTrainingOnes() {
        Monitor loss = new Monitor("loss", false);
        assertTrue(loss.update(epoch(1, 0.9, 0.5, 0.8, 0.6)));
        assertEquals(0.8, loss.best());
        assertFalse(loss.update(epoch(2, 0.1, 0.9, 0.85, 0.7)), "the validation loss rose, whatever the training loss did");
        assertEquals(1, loss.epochsWithoutImprovement());
        Monitor acc = new Monitor("accuracy", true);
        assertTrue(acc.update(epoch(1, 0.9, 0.5, Double.NaN, Double.NaN)));
        assertEquals(0.5, acc.best(), "no validation data: the training accuracy");
        assertTrue(acc.update(epoch(2, 0.9, 0.6, Double.NaN, Double.NaN)));
        var e = assertThrows(IllegalArgumentException.class, () -> new Monitor("iou", true).update(epoch(1, 1, 1, 1, 1)));
        assertTrue(e.getMessage().contains("no figure 'iou'"), e.getMessage());
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() {
        Trainer t = trainer(10);
        EarlyStopping stopping = new EarlyStopping(2);
        double[] valLosses = {1.0, 1.5, 0.9, 1.1, 1.2};
        for (int i = 0; i < valLosses.length; i++) {
            assertNull(t.stopReason(), "epoch " + i);
            EpochResult r = epoch(i + 1, 1, 0.5, valLosses[i], 0.5);
            t.monitor().update(r);
            stopping.onEpochEnd(t, r);
        }
        assertEquals("early stopping: no improvement for 2 epochs", t.stopReason());
        Trainer never = trainer(10);
        for (int i = 0; i < 5; i++) {
            EpochResult r = epoch(i + 1, 1, 0.5, 1 + i, 0.5);
            never.monitor().update(r);
            new EarlyStopping(0).onEpochEnd(never, r);
        }
        assertNull(never.stopReason(), "patience 0 never stops");
    }

    @Test
    void checkpointsWriteLastEveryEpochAndBestWhenImprovedAtomically() throws Exception {
        Trainer t = trainer(3);
        Checkpoints c = new Checkpoints(dir.resolve("ckpt"));
        EpochResult first = epoch(1, 1, 0.5, 0.7, 0.5);
        t.monitor().update(first);
        c.onEpochEnd(t, first);
        EpochResult worse = epoch(2, 1, 0.5, 0.9, 0.5);
        t.monitor().update(worse);
        c.onEpochEnd(t, worse);
        assertEquals(0L, state(dir.resolve("ckpt/best.safetensors")).get("epochs_without_improvement"));
        assertEquals(1L, state(dir.resolve("ckpt/last.safetensors")).get("epochs_without_improvement"));
        assertEquals(0.7, state(dir.resolve("ckpt/last.safetensors")).get("best"));
        try (Stream<Path> files = Files.list(dir.resolve("ckpt"))) {
            assertEquals(List.of("best.safetensors", "last.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left behind");
        }
    }

    private static Map<String, Object> state(Path checkpoint) throws Exception {
        return Json.parseObject(ModelFile.read(checkpoint).extraMetadata().get(Trainer.STATE_KEY));
    }

    @Test
    void theMetricsLogWritesCsvOrJsonLinesOfEveryColumn() throws Exception {
        List<EpochResult> h = List.of(epoch(1, 0.5, 0.75, Double.NaN, Double.NaN), epoch(2, 0.25, 0.875, 0.5, 0.8));
        new MetricsLog(dir.resolve("m.csv")).write(h);
        assertEquals(List.of("epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,val_top5,seconds,images_per_second",
                "1,0.01,0.5,0.75,,,,2.0,100.0", "2,0.01,0.25,0.875,0.5,0.8,0.99,2.0,100.0"), Files.readAllLines(dir.resolve("m.csv")));
        new MetricsLog(dir.resolve("m.jsonl")).write(h.subList(0, 1));
        assertEquals(List.of("{\"epoch\": 1, \"lr\": 0.01, \"train_loss\": 0.5, \"train_accuracy\": 0.75, \"val_loss\": null, "
                + "\"val_accuracy\": null, \"val_top5\": null, \"seconds\": 2.0, \"images_per_second\": 100.0}"), Files.readAllLines(dir.resolve("m.jsonl")));
    }

    @Test
    void progressPrintsEachEpochWithTheTimeLeftInTheRun() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Trainer t = trainer(3);
        ProgressBar p = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        p.onFitStart(t);
        p.onEpochStart(t, 1);
        EpochResult r = epoch(1, 0.5, 0.75, 0.6, 0.7);
        t.monitor().update(r);
        p.onEpochEnd(t, r);
        t.stop("early stopping: no improvement for 2 epochs");
        p.onFitEnd(t);
        assertEquals("epoch 1/3  loss 0.5000  acc 75.00%  val_loss 0.6000  val_acc 70.00%  val_top5 99.00%  lr 0.0100  2.0s  100 img/s  ETA 0:04  *\n"
                + "early stopping: no improvement for 2 epochs\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void onATerminalTheBarShowsTheTimeLeftInTheEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Trainer t = trainer(2);
        ProgressBar p = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        p.onEpochStart(t, 1);
        Batch b = new Batch(Tensor.zeros(4, 1, 2, 2), new int[4], new int[4], 0, 0);
        p.onStep(t, new Step(1, 0, 4, b, Tensor.zeros(4, 2), Trainer.classIndices(b), 0.5f));
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\repoch 1/2 [======                  ] 1/4 loss ") && s.contains(" acc ") && s.matches("(?s).* img/s ETA \\d+:\\d\\d +"), s);
        assertEquals("1:15", ProgressBar.duration(75));
        assertEquals("1:02:05", ProgressBar.duration(3725));
        assertEquals("0:00", ProgressBar.duration(0.4));
    }
}
