package org.conv4j.peers;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.List;
import org.conv4j.bench.Bench;
import org.conv4j.bench.BenchCase;
import org.conv4j.bench.PeerRunner;

/**
 * The bench cases in PyTorch (libtorch 2.7.1 through DJL 0.35.1), measured by conv4j's own
 * harness ({@link PeerRunner}): same networks, same batch, same step (zero grad, forward in training
 * mode, softmax cross-entropy, backward, SGD with momentum 0.9; or one forward in inference mode).
 * Threads: run with OMP_NUM_THREADS=N, -Dai.djl.pytorch.num_threads=N and
 * -Dai.djl.pytorch.num_interop_threads=1 (bench/compare.sh does), and -Dai.djl.offline=true.
 */
public final class DjlBench {
    private DjlBench() {
    }

    public static void main(String[] args) {
        PeerRunner.Args a = PeerRunner.parse(args);
        Engine engine = Engine.getEngine("PyTorch");
        String version = "PyTorch " + engine.getVersion() + " via DJL " + Engine.getDjlVersion();
        PeerRunner.run("pytorch", version, a, DjlBench::step, System.out);
        System.exit(0);
    }

    /** Builds the model, a fixed N(0, 1) batch and random labels, and returns one step of the case. */
    static Runnable step(BenchCase c) {
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        manager.getEngine().setRandomSeed((int) Bench.SEED);
        Model model = Model.newInstance(c.model(), Device.cpu());
        model.setBlock(network(c.model(), c.classes()));
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) Bench.LEARNING_RATE)).optMomentum(0.9f).build())
                .optDevices(new Device[] {Device.cpu()});
        Trainer trainer = model.newTrainer(config);
        Shape input = new Shape(c.batch(), c.channels(), c.height(), c.width());
        trainer.initialize(input);
        NDArray x = manager.randomNormal(input, DataType.FLOAT32);
        NDArray labels = manager.randomInteger(0, c.classes(), new Shape(c.batch()), DataType.INT64).toType(DataType.FLOAT32, false);
        if (!c.train()) {
            return () -> {
                try (NDManager step = manager.newSubManager()) {
                    NDList in = new NDList(x);
                    in.tempAttach(step);
                    NDList out = trainer.evaluate(in);
                    out.head().toType(DataType.FLOAT32, false); // the forward is eager; nothing is deferred
                }
            };
        }
        return () -> {
            try (NDManager step = manager.newSubManager()) {
                NDList in = new NDList(x), target = new NDList(labels);
                in.tempAttach(step);
                target.tempAttach(step);
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDList logits = trainer.forward(in);
                    NDArray loss = trainer.getLoss().evaluate(target, logits);
                    gc.backward(loss);
                }
                trainer.step();
            }
        };
    }

    static Block network(String name, int classes) {
        return switch (name) {
            case "lenet5" -> new SequentialBlock()
                    .add(conv(6, 5, 1, 2, true)).add(Activation.reluBlock()).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(conv(16, 5, 1, 0, true)).add(Activation.reluBlock()).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(120).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(84).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(classes).build());
            case "vgg-small" -> new SequentialBlock()
                    .add(conv(32, 3, 1, 1, true)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                    .add(conv(32, 3, 1, 1, true)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(conv(64, 3, 1, 1, true)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                    .add(conv(64, 3, 1, 1, true)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(256).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(classes).build());
            case "resnet20" -> resnet20(classes);
            default -> throw new IllegalArgumentException("no DJL network for " + name);
        };
    }

    // CIFAR ResNet-20: conv-bn-relu, 3 stages of 3 basic blocks (16, 32, 64), 1x1 conv + BN projection where it downsamples
    private static Block resnet20(int classes) {
        SequentialBlock net = new SequentialBlock()
                .add(conv(16, 3, 1, 1, false)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
        int in = 16;
        for (int planes : new int[] {16, 32, 64}) {
            for (int b = 0; b < 3; b++) {
                int stride = b == 0 && planes > 16 ? 2 : 1;
                net.add(basicBlock(planes, stride, stride != 1 || in != planes));
                in = planes;
            }
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Linear.builder().setUnits(classes).build());
    }

    private static Block basicBlock(int planes, int stride, boolean project) {
        SequentialBlock residual = new SequentialBlock()
                .add(conv(planes, 3, stride, 1, false)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(conv(planes, 3, 1, 1, false)).add(BatchNorm.builder().build());
        Block shortcut = project
                ? new SequentialBlock().add(conv(planes, 1, stride, 0, false)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        ParallelBlock sum = new ParallelBlock(
                (List<NDList> outs) -> new NDList(outs.get(0).singletonOrThrow().add(outs.get(1).singletonOrThrow())),
                Arrays.asList(residual, shortcut));
        return new SequentialBlock().add(sum).add(Activation.reluBlock());
    }

    private static Block conv(int filters, int k, int stride, int pad, boolean bias) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(k, k)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad)).optBias(bias).build();
    }
}
