package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.optim.Adam;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An imported model end to end: summarised, last layer replaced, trained a few steps, saved and loaded. */
class FineTuneTest {
    @TempDir
    Path dir;

    @Test
    void importedLeNetWithANewHeadTrainsSavesAndLoads() throws Exception {
        Sequential net = (Sequential) OnnxImport.load(Fixtures.model("lenet5"));
        assertEquals(61_706, ModelSummary.of(net, Shape.of(1, 1, 28, 28)).parameters());
        Sequential tuned = new Sequential();
        for (int i = 0; i < net.size() - 1; i++) tuned.add(net.names().get(i), net.get(i));
        tuned.add("head", new Linear(84, 3));
        float[] losses = train(tuned, Tensor.randn(new SplittableRandom(1), 1f, 6, 1, 28, 28), 30);
        assertTrue(losses[1] < 0.5 * losses[0], "loss " + losses[0] + " -> " + losses[1]);
        assertSavedAndLoadedAlike(tuned, Tensor.randn(new SplittableRandom(2), 1f, 2, 1, 28, 28));
    }

    @Test
    void importedResNetGraphWithBatchNormTrainsSavesAndLoads() throws Exception {
        Layer net = OnnxImport.load(Fixtures.model("resnet18_narrow_bn"));
        assertTrue(net instanceof Graph);
        assertEquals(Shape.of(1, 10), ModelSummary.of(net, Shape.of(1, 3, 64, 64)).output());
        float[] losses = train(net, Tensor.randn(new SplittableRandom(1), 1f, 4, 3, 32, 32), 8);
        assertTrue(losses[1] < losses[0], "loss " + losses[0] + " -> " + losses[1]);
        assertSavedAndLoadedAlike(net, Tensor.randn(new SplittableRandom(2), 1f, 2, 3, 32, 32));
    }

    /** The loss before and after {@code steps} Adam steps on one batch with labels 0, 1, 2, 0, ... */
    private static float[] train(Layer model, Tensor x, int steps) {
        int[] labels = new int[x.dim(0)];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 3;
        Adam adam = new Adam(model, 0.005);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        float first = 0, last = 0;
        for (int s = 0; s < steps; s++) {
            adam.zeroGrad();
            last = loss.forward(model.forward(x, Mode.TRAIN), labels);
            if (s == 0) first = last;
            model.backward(loss.backward());
            adam.step();
        }
        return new float[] {first, loss.forward(model.forward(x, Mode.TRAIN), labels)};
    }

    private void assertSavedAndLoadedAlike(Layer model, Tensor x) throws Exception {
        Path file = dir.resolve("tuned.safetensors");
        ModelFile.save(model, file);
        Layer back = ModelFile.load(file);
        assertArrayEquals(model.forward(x, Mode.EVAL).toArray(), back.forward(x, Mode.EVAL).toArray());
    }
}
