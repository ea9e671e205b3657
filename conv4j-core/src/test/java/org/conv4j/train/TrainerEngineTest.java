package org.conv4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Sequential;
import org.conv4j.optim.LrSchedule;
import org.conv4j.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trainer.fit(Engine): another engine's epochs with the trainer's schedule, state, listeners and checkpoints. */
class TrainerEngineTest {
    private static Trainer trainer() {
        Init.seed(1);
        Layer net = new Sequential(new Flatten(), new Linear(4, 2));
        return new Trainer(net, new SGD(net, 0.1)).schedule(LrSchedule.step(1, 0.5)).earlyStopping(1, false);
    }

    // an epoch whose validation loss is the given one
    private static EpochResult result(int epoch, double lr, double valLoss) {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("train_loss", 1.0);
        f.put("train_accuracy", 0.5);
        f.put("val_loss", valLoss);
        f.put("val_accuracy", 0.5);
        f.put("val_top5", 1.0);
        return new EpochResult(epoch, lr, f, 1.0, 10);
    }

    @Test
    void anEnginesEpochsRunUnderTheTrainersScheduleListenersAndCheckpoints(@TempDir Path dir) throws IOException {
        double[] valLosses = {0.5, 0.4, 0.45, 0.3};
        List<String> seen = new ArrayList<>();
        Trainer t = trainer().epochs(4).checkpoints(dir);
        List<EpochResult> history = t.fit((trainer, epoch) -> {
            seen.add(epoch + "@" + trainer.optimizer().learningRate());
            return result(epoch + 1, trainer.optimizer().learningRate(), valLosses[epoch]);
        });
        assertEquals(List.of("0@0.1", "1@0.05", "2@0.025"), seen, "0-based epochs, each after the schedule set its rate");
        assertEquals(3, history.size(), "early stopping (patience 1) ended the run after the third epoch's rise");
        assertEquals(3, t.epochsDone());
        assertEquals(0.4, t.monitor().best());

        Trainer resumed = trainer().epochs(4).resume(dir.resolve(Checkpoints.LAST));
        assertEquals(3, resumed.epochsDone());
        assertEquals(history, resumed.history());
    }
}
