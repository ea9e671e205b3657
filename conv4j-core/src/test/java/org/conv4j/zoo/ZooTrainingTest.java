package org.conv4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.optim.Adam;
import org.conv4j.optim.Optimizer;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.testing.Assertions2;
import org.junit.jupiter.api.Test;

/** Every zoo network trains: forward, loss, backward at a small valid input; the small ones overfit a tiny set. */
class ZooTrainingTest {

    /** One TRAIN step's forward and backward; checks shapes, finiteness and that every trainable parameter got a gradient. */
    static void forwardBackward(String name, Layer model, int batch, int channels, int size, int classes) {
        SplittableRandom rng = new SplittableRandom(name.hashCode());
        Tensor x = Assertions2.random(rng, batch, channels, size, size);
        // the segmentation networks score every pixel: a class per pixel as the target
        boolean dense = name.equals("unet_small") || name.equals("fcn8s_small");
        float[] labels = new float[dense ? batch * size * size : batch];
        for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(classes);
        Layers.zeroGrad(model);
        Tensor logits = model.forward(x, Mode.TRAIN);
        assertEquals(dense ? Shape.of(batch, classes, size, size) : Shape.of(batch, classes), logits.shape(), name);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        float l = loss.forward(logits, dense ? Tensor.of(labels, batch, size, size) : Tensor.of(labels, batch));
        assertTrue(Float.isFinite(l) && l > 0, name + " loss " + l);
        Tensor dx = model.backward(loss.backward());
        assertEquals(x.shape(), dx.shape(), name);
        assertEquals("finite, not all zero", check(dx), name + " dx");
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : Layers.namedParameters(model).entrySet()) {
            Tensor g = e.getValue().grad();
            if (g != null && !check(g).equals("finite, not all zero")) bad.add(e.getKey() + " " + check(g));
        }
        assertTrue(bad.isEmpty(), name + ": parameters whose gradient is zero or not finite " + bad);
    }

    private static String check(Tensor t) {
        boolean any = false;
        for (int i = 0; i < t.size(); i++) {
            float v = t.at(i);
            if (!Float.isFinite(v)) return "not finite at " + i;
            any |= v != 0;
        }
        return any ? "finite, not all zero" : "all zero";
    }

    /** Every network but the VGGs (in {@link ZooVggTrainingTest}, to keep each class short). */
    @Test
    void everyNetworkRunsForwardAndBackwardAtASmallInput() {
        for (String name : Zoo.names()) {
            if (name.matches("vgg\\d+(_bn)?")) continue;
            Init.seed(11);
            int channels = name.equals("lenet5") ? 1 : 3;
            int classes = 5;
            // the smallest valid size where it is enough; the global-pool nets at CIFAR's 32 (16 for the deep ImageNet ResNets)
            int size = switch (name) {
                case "lenet5" -> 28;
                case "googlenet", "resnet20", "resnet32", "resnet56" -> 32;
                case "resnet18", "resnet34", "resnet50" -> 16;
                case "vgg_small" -> 8;
                default -> Zoo.minimumSize(name); // alexnet 63, zfnet 47
            };
            // no BatchNorm in AlexNet and ZF Net: batch 1; BN over a 1x1 map needs a batch of 2
            int batch = name.equals("alexnet") || name.equals("zfnet") ? 1 : 2;
            forwardBackward(name, Zoo.build(name, channels, size, size, classes), batch, channels, size, classes);
        }
        Init.seed(12);
        forwardBackward("googlenet (aux)", GoogLeNet.build(3, 79, 79, 4, true), 2, 3, 79, 3 * 4);
    }

    /** Full-batch steps on a tiny random set; returns the losses. */
    private static float[] fit(Layer model, Optimizer opt, Tensor x, int[] labels, int steps) {
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        float[] losses = new float[steps];
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            losses[s] = loss.forward(model.forward(x, Mode.TRAIN), labels);
            model.backward(loss.backward());
            opt.step();
        }
        return losses;
    }

    private static void assertOverfits(String name, float[] losses, double factor) {
        float first = losses[0], last = losses[losses.length - 1];
        assertTrue(last < factor * first, name + ": loss " + first + " -> " + last + " " + java.util.Arrays.toString(losses));
    }

    @Test
    void smallNetworksOverfitATinyDataSet() {
        int n = 8, classes = 4;
        SplittableRandom rng = new SplittableRandom(2024);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % classes;

        Init.seed(21);
        Tensor mnistLike = Assertions2.random(rng, n, 1, 28, 28);
        Layer lenet = Zoo.build("lenet5", 1, 28, 28, classes);
        assertOverfits("lenet5 (Adam)", fit(lenet, new Adam(lenet, 3e-3), mnistLike, labels, 12), 0.25);

        Init.seed(23);
        Tensor cifarLike = Assertions2.random(rng, n, 3, 16, 16);
        Layer vgg = Zoo.build("vgg_small", 3, 16, 16, classes);
        assertOverfits("vgg_small (Adam)", fit(vgg, new Adam(vgg, 1e-3), cifarLike, labels, 8), 0.25);

        Init.seed(22);
        Layer vggSgd = Zoo.build("vgg_small", 3, 16, 16, classes);
        assertOverfits("vgg_small (SGD)", fit(vggSgd, new SGD(vggSgd, 0.05).momentum(0.9), cifarLike, labels, 10), 0.25);

        Init.seed(24);
        Tensor tiny = Assertions2.random(rng, n, 3, 8, 8);
        Layer resnet = Zoo.build("resnet20", 3, 8, 8, classes);
        assertOverfits("resnet20", fit(resnet, new Adam(resnet, 3e-3), tiny, labels, 12), 0.25);
    }
}
