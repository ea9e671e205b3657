package org.conv4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.api.java.JavaSparkContext;
import org.conv4j.data.Split;
import org.conv4j.nn.Layer;
import org.conv4j.optim.Adam;
import org.conv4j.optim.LrSchedule;
import org.conv4j.train.EpochResult;
import org.conv4j.train.Trainer;
import org.junit.jupiter.api.Test;

class SparkAccuracyTest {
    private static final int EPOCHS = 20;

    /**
     * LeNet-5 on the 7,000 training digits of the MNIST sample, through Spark on two cores, classifies
     * the 1,000 test digits: at least 97.5% after these 20 epochs, as `./conv4j train` runs them (about 1.5 minutes here; 97.1% after 10).
     */
    @Test
    void leNet5LearnsTheTestDigits() throws IOException {
        try (JavaSparkContext sc = SparkTests.context("local[2]")) {
            SparkData train = SparkData.of(sc, SparkTests.mnist(Split.TRAIN), 2), test = SparkData.of(sc, SparkTests.mnist(Split.TEST), 2);
            Layer net = SparkTests.lenet(1);
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            Trainer t = new Trainer(net, new Adam(net, 0.002)).epochs(EPOCHS).schedule(LrSchedule.cosine(EPOCHS, 0)).seed(1)
                    .progress(new PrintStream(progress, true, StandardCharsets.UTF_8), false);
            new SparkTrainer(sc, t, train, train.loader(64).shuffle(true).seed(1)).validation(test, 256).fit();
            System.out.print(progress.toString(StandardCharsets.UTF_8));
            EpochResult last = t.history().get(EPOCHS - 1);
            assertTrue(last.valAccuracy() >= 0.975, "test accuracy " + last.valAccuracy());
            assertEquals(EPOCHS, progress.toString(StandardCharsets.UTF_8).lines().filter(l -> l.matches("epoch \\d+/20  .* \\d+ img/s.*")).count());
        }
    }
}
