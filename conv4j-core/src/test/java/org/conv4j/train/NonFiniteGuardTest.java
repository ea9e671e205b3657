package org.conv4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.data.ArrayDataset;
import org.conv4j.data.Batch;
import org.conv4j.data.DataLoader;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Loss;
import org.conv4j.nn.Mode;
import org.conv4j.nn.ReLU;
import org.conv4j.optim.Adam;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.ResNet;
import org.junit.jupiter.api.Test;

/** The guard names the input, the parameter and its layer, or the innermost layer that went bad, in any model. */
class NonFiniteGuardTest {

    /** A small ResNet as one Graph: stem, a residual block (itself a Graph), pooling and a classifier. */
    private static Graph resnetLike() {
        Init.seed(5);
        return new Graph()
                .add("stem", new Conv2d(1, 4, 3).padding(1).bias(false), Graph.INPUT)
                .add("bn", new BatchNorm2d(4), "stem")
                .add("relu", new ReLU(), "bn")
                .add("block", ResNet.basicBlock(4, 4, 1), "relu")
                .add("pool", new GlobalAvgPool2d(), "block")
                .add("flat", new Flatten(), "pool")
                .add("fc", new Linear(4, 3), "flat")
                .output("fc");
    }

    private static DataLoader data() {
        SplittableRandom rng = new SplittableRandom(1);
        int n = 32;
        float[] x = new float[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble();
        for (int i = 0; i < n; i++) labels[i] = i % 3;
        return new DataLoader(new ArrayDataset(x, labels, Shape.of(1, 8, 8), 3), 8);
    }

    @Test
    void aNaNParameterInANestedGraphIsNamedWithItsLayer() {
        Graph net = resnetLike();
        Layers.namedParameters(net).get("block.conv2.weight").value().data()[3] = Float.NaN;
        Trainer t = new Trainer(net, new Adam(net, 0.01)).epochs(1);
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(data(), null));
        assertEquals("parameter block.conv2.weight is NaN or infinite at epoch 1, batch 1 (layer block.conv2 (Conv2d)); "
                + "lower the learning rate or clip gradients", e.getMessage());
    }

    @Test
    void anOverflowingLayerInsideAGraphBlockIsNamed() {
        Graph net = resnetLike();
        Layers.namedParameters(net).get("block.conv2.weight").value().fill(3e38f);
        Trainer t = new Trainer(net, new Adam(net, 0.01)).epochs(1);
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(data(), null));
        assertEquals("the output of layer block.conv2 (Conv2d) is NaN or infinite at epoch 1, batch 1; its input and every parameter are "
                + "finite, so a value overflowed (largest parameter: block.conv2.weight, |value| 3.00e+38): lower the learning rate or clip gradients",
                e.getMessage());
    }

    @Test
    void anOverflowingLearningRateIsCaughtNamingTheLayerAndItsParameter() {
        Graph net = resnetLike();
        Trainer t = new Trainer(net, new SGD(net, 1e36)).epochs(3);
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(data(), null));
        // the first step's gradients are finite; the step makes the weights huge and the next forward overflows
        assertTrue(e.getMessage().matches("the output of layer block\\.conv1 \\(Conv2d\\) is NaN or infinite at epoch 1, batch 2; .*"
                + "\\(largest parameter: block\\.conv1\\.weight, \\|value\\| [0-9.]+e\\+3[0-8]\\): lower the learning rate or clip gradients"),
                e.getMessage());
    }

    @Test
    void aLossThatGoesBadOnFiniteOutputsIsReportedAsTheLoss() {
        Init.seed(1);
        Layer net = new Graph().add("flat", new Flatten(), Graph.INPUT).add("fc", new Linear(64, 3), "flat").output("fc");
        Trainer t = new Trainer(net, new SGD(net, 0.1)).epochs(1).loss(new Loss() {
            @Override
            public float forward(Tensor output, Tensor target) {
                return Float.POSITIVE_INFINITY;
            }

            @Override
            public Tensor backward() {
                return Tensor.zeros(8, 3);
            }
        });
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(data(), null));
        assertEquals("the loss (Infinity) is NaN or infinite at epoch 1, batch 1, though every layer's output is finite", e.getMessage());
    }

    @Test
    void onItsOwnTheGuardChecksAStepsOutputAndInput() {
        Graph net = resnetLike();
        Trainer t = new Trainer(net, new Adam(net, 0.01));
        Tensor images = Tensor.zeros(2, 1, 8, 8);
        Batch b = new Batch(images, new int[] {0, 1}, new int[] {0, 1}, 0, 4);
        Tensor out = net.forward(images, Mode.EVAL);
        NonFiniteGuard guard = new NonFiniteGuard();
        guard.onForward(t, new Step(2, 4, 10, b, out, Trainer.classIndices(b), Float.NaN)); // finite: passes
        images.data()[5] = Float.NaN;
        out.data()[0] = Float.NaN;
        var e = assertThrows(TrainingDivergedException.class,
                () -> guard.onForward(t, new Step(2, 4, 10, b, out, Trainer.classIndices(b), Float.NaN)));
        assertEquals("the input batch contains NaN or infinity at epoch 2, batch 5", e.getMessage());
    }
}
