package org.conv4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.conv4j.data.ArrayDataset;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.RandomCrop;
import org.conv4j.data.Split;
import org.conv4j.data.Subset;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Loss;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.optim.Adam;
import org.conv4j.optim.Optimizer;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Tensor;
import org.conv4j.train.Checkpoints;
import org.conv4j.train.EpochResult;
import org.conv4j.train.Trainer;
import org.conv4j.train.TrainingDivergedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SparkTrainerTest {
    private static final int BATCH = 64, DATA_SEED = 5, INIT_SEED = 3;

    // the first 640 training digits: 10 steps of 64 per epoch
    private static Dataset sample() throws IOException {
        int[] first = new int[640];
        for (int i = 0; i < first.length; i++) first[i] = i;
        return new Subset(SparkTests.mnist(Split.TRAIN), first);
    }

    private static DataLoader order(DataLoader loader) {
        return loader.shuffle(true).seed(DATA_SEED).transforms(new RandomCrop(28, 28, 2));
    }

    // the command line's SGD: momentum 0.9, Nesterov
    private static Optimizer sgd(Layer net) {
        return new SGD(net, 0.05).momentum(0.9).nesterov(true);
    }

    /** LeNet-5 through Spark on the data cut into as many shards as the master has cores. */
    private static Trainer sparkRun(JavaSparkContext sc, Dataset data, int epochs, Function<Layer, Optimizer> optimizer) throws IOException {
        Layer net = SparkTests.lenet(INIT_SEED);
        Trainer t = new Trainer(net, optimizer.apply(net)).epochs(epochs).seed(1);
        SparkData d = SparkData.of(sc, data, sc.defaultParallelism());
        new SparkTrainer(sc, t, d, order(d.loader(BATCH))).fit();
        return t;
    }

    /**
     * 20 steps of LeNet-5 with SGD end within 1e-5 of the single-machine run (measured: about 1e-7); with
     * Adam, which divides each element's step by its gradient's size, the float rounding of a gradient
     * element that nearly cancels becomes a step of its own, and the weights end within 2e-4 (measured:
     * 3e-5 to 9e-5).
     */
    @ParameterizedTest
    @CsvSource({"local[2], sgd, 1e-5", "local[4], sgd, 1e-5", "local[2], adam, 2e-4", "local[4], adam, 2e-4"})
    void equalsTheSingleMachineTrainerFromTheSameSeedAndOrder(String master, String optimizer, double tolerance) throws IOException {
        Function<Layer, Optimizer> opt = optimizer.equals("sgd") ? SparkTrainerTest::sgd : net -> new Adam(net, 0.002);
        Dataset data = sample();
        Layer single = SparkTests.lenet(INIT_SEED);
        Trainer one = new Trainer(single, opt.apply(single)).epochs(2).seed(1);
        one.fit(order(new DataLoader(data, BATCH)), null);
        try (JavaSparkContext sc = SparkTests.context(master)) {
            assertEquals(Integer.parseInt(master.substring(6, 7)), sc.defaultParallelism());
            Trainer spark = sparkRun(sc, data, 2, opt);
            double diff = SparkTests.relativeDifference(spark.model(), single);
            System.out.printf("%s %s: relative difference from the single-machine weights after 20 steps %.3g%n", master, optimizer, diff);
            assertTrue(diff <= tolerance, master + ": weights differ by " + diff + " (relative) from the single-machine run");
            SparkTests.assertMoved(spark.model(), INIT_SEED);
            for (int e = 0; e < 2; e++) {
                EpochResult a = spark.history().get(e), b = one.history().get(e);
                assertEquals(b.trainLoss(), a.trainLoss(), 1e-5 * b.trainLoss(), "train loss of epoch " + (e + 1));
                assertEquals(b.trainAccuracy(), a.trainAccuracy(), "train accuracy of epoch " + (e + 1));
            }
        }
    }

    /** Fails the first attempt of one task in the middle of the first epoch. */
    static final class FailingLoss implements Loss {
        static final AtomicInteger CALLS = new AtomicInteger();
        static volatile boolean failed;
        private final SoftmaxCrossEntropy inner = new SoftmaxCrossEntropy();

        @Override
        public float forward(Tensor output, Tensor target) {
            TaskContext task = TaskContext.get();
            if (task != null && task.attemptNumber() == 0 && CALLS.incrementAndGet() == 7) {
                failed = true;
                throw new IllegalStateException("injected failure in partition " + task.partitionId());
            }
            return inner.forward(output, target);
        }

        @Override
        public Tensor backward() {
            return inner.backward();
        }
    }

    @Test
    void aFailedTaskIsRetriedAndTheRunEndsAsWithoutTheFailure() throws IOException {
        Dataset data = sample();
        try (JavaSparkContext sc = SparkTests.context("local[2,3]")) { // two cores, three attempts per task
            Trainer clean = sparkRun(sc, data, 1, net -> new Adam(net, 0.002));
            Layer net = SparkTests.lenet(INIT_SEED);
            Trainer t = new Trainer(net, new Adam(net, 0.002)).epochs(1).seed(1).loss(new FailingLoss());
            SparkData d = SparkData.of(sc, data, 2);
            new SparkTrainer(sc, t, d, order(d.loader(BATCH))).loss(FailingLoss::new).fit();
            assertTrue(FailingLoss.failed, "the failure was injected");
            assertTrue(SparkTests.identical(clean.model(), t.model()), "the retried run ends with the same weights as the clean one");
            assertEquals(clean.history().get(0).trainLoss(), t.history().get(0).trainLoss());
        }
    }

    @Test
    void checkpointsResumeExactlyAndTheLogAndProgressCoverEveryEpoch(@TempDir Path dir) throws IOException {
        Dataset data = sample();
        try (JavaSparkContext sc = SparkTests.context("local[2]")) {
            Trainer straight = sparkRun(sc, data, 2, net -> new Adam(net, 0.002));

            SparkData d = SparkData.of(sc, data, 2);
            SparkData val = SparkData.of(sc, new Subset(SparkTests.mnist(Split.TEST), new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), 2);
            Layer first = SparkTests.lenet(INIT_SEED);
            Trainer t1 = new Trainer(first, new Adam(first, 0.002)).epochs(1).seed(1).checkpoints(dir).metricsLog(dir.resolve("metrics.csv"));
            new SparkTrainer(sc, t1, d, order(d.loader(BATCH))).validation(val, 4).fit();

            Layer resumed = SparkTests.lenet(99); // other weights, replaced by the checkpoint's
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Trainer t2 = new Trainer(resumed, new Adam(resumed, 0.002)).epochs(2).seed(0).checkpoints(dir).metricsLog(dir.resolve("metrics.csv"))
                    .progress(new PrintStream(out, true, StandardCharsets.UTF_8), false).resume(dir.resolve(Checkpoints.LAST));
            assertEquals(1, t2.epochsDone());
            new SparkTrainer(sc, t2, d, order(d.loader(BATCH))).validation(val, 4).fit();

            assertTrue(SparkTests.identical(straight.model(), resumed), "resumed after epoch 1, the run ends as the straight one");
            List<String> log = Files.readAllLines(dir.resolve("metrics.csv"));
            assertEquals(3, log.size(), "a header and two epochs: " + log);
            assertTrue(log.get(0).startsWith("epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,val_top5,"), log.get(0));
            double valAccuracy = t2.history().get(1).valAccuracy();
            assertTrue(valAccuracy >= 0 && valAccuracy <= 1 && valAccuracy * 10 == Math.rint(valAccuracy * 10), "accuracy over 10 digits: " + valAccuracy);
            String progress = out.toString(StandardCharsets.UTF_8);
            assertTrue(progress.matches("(?s)epoch 2/2  loss \\d\\.\\d{4}  acc \\d+\\.\\d\\d%  val_loss .* img/s\\s*\\*?\\s*"), progress);
            assertTrue(Files.isRegularFile(dir.resolve(Checkpoints.BEST)));
        }
    }

    /** A loss that is NaN from the first step. */
    static final class NaNLoss implements Loss {
        private final SoftmaxCrossEntropy inner = new SoftmaxCrossEntropy();

        @Override
        public float forward(Tensor output, Tensor target) {
            inner.forward(output, target);
            return Float.NaN;
        }

        @Override
        public Tensor backward() {
            return inner.backward();
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunBeforeTheUpdate() throws IOException {
        Dataset data = sample();
        try (JavaSparkContext sc = SparkTests.context("local[2]")) {
            Layer net = SparkTests.lenet(INIT_SEED);
            Trainer t = new Trainer(net, new SGD(net, 0.1)).epochs(1).loss(new NaNLoss());
            SparkData d = SparkData.of(sc, data, 2);
            SparkTrainer st = new SparkTrainer(sc, t, d, d.loader(BATCH)).loss(NaNLoss::new);
            var e = assertThrows(TrainingDivergedException.class, st::fit);
            assertEquals("the loss (NaN) is NaN or infinite at epoch 1, batch 1; lower the learning rate or clip gradients", e.getMessage());
            assertTrue(SparkTests.identical(net, SparkTests.lenet(INIT_SEED)), "no update was applied");
        }
    }

    @Test
    void refusesWhatItCannotTrainAsOneMachineWould() throws IOException {
        ArrayDataset data = SparkTests.mnist(Split.TEST);
        try (JavaSparkContext sc = SparkTests.context("local[2]")) {
            SparkData d = SparkData.of(sc, data, 2);
            Layer net = SparkTests.lenet(1);
            Trainer t = new Trainer(net, new Adam(net, 0.002));
            var e = assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(sc, t, d, new DataLoader(SparkTests.mnist(Split.TRAIN), 64)));
            assertEquals("SparkTrainer: the order's data set has 7000 samples, the Spark data 1000", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(sc, t, d, d.loader(64)).loss(FailingLoss::new).fit());
            assertEquals("SparkTrainer: the loss factory makes FailingLoss but the trainer minimizes SoftmaxCrossEntropy; "
                    + "give SparkTrainer.loss a factory of the trainer's loss", e.getMessage());
            Layer bn = new org.conv4j.nn.Sequential(new org.conv4j.nn.Conv2d(1, 2, 3), new org.conv4j.nn.BatchNorm2d(2), new org.conv4j.nn.Flatten(),
                    new org.conv4j.nn.Linear(2 * 26 * 26, 10));
            e = assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(sc, new Trainer(bn, new Adam(bn, 0.01)), d, d.loader(64)));
            assertEquals("SparkTrainer: the model keeps the buffer 1.running_mean, which data-parallel training would update separately on every shard; "
                    + "train a model without batch normalization, or on one machine", e.getMessage());
        }
    }
}
