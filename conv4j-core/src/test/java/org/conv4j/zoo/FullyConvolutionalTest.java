package org.conv4j.zoo;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Softmax;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.nn.Tanh;
import org.conv4j.optim.Adam;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FullyConvolutionalTest {

    /** Scores (N, K, 1, 1) read as (N, K). */
    private static Tensor squeeze(Tensor y) {
        assertEquals(1, y.dim(2));
        assertEquals(1, y.dim(3));
        return y.reshape(y.dim(0), y.dim(1));
    }

    /** x[:, :, top : top + h, left : left + w], copied. */
    private static Tensor crop(Tensor x, int top, int left, int h, int w) {
        int n = x.dim(0), c = x.dim(1);
        Tensor out = Tensor.zeros(n, c, h, w);
        for (int i = 0; i < n; i++) for (int ch = 0; ch < c; ch++) for (int y = 0; y < h; y++) for (int z = 0; z < w; z++) {
            out.set(x.get(i, ch, top + y, left + z), i, ch, y, z);
        }
        return out;
    }

    /** scores[:, :, i, j] as (N, K). */
    private static Tensor window(Tensor scores, int i, int j) {
        int n = scores.dim(0), k = scores.dim(1);
        Tensor out = Tensor.zeros(n, k);
        for (int a = 0; a < n; a++) for (int b = 0; b < k; b++) out.set(scores.get(a, b, i, j), a, b);
        return out;
    }

    /** A few Adam steps so the weights are not just the initial draw, and BatchNorm's running statistics move. */
    private static void train(Layer model, Shape input, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Adam opt = new Adam(model, 1e-3);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        for (int s = 0; s < 3; s++) {
            Tensor x = random(rng, input.dims());
            int[] labels = new int[input.dim(0)];
            for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(classes);
            opt.zeroGrad();
            loss.forward(model.forward(x, Mode.TRAIN), labels);
            model.backward(loss.backward());
            opt.step();
        }
    }

    @Test
    void leNet5ReproducesTheClassifierAndMapsALargerInput() {
        Init.seed(31);
        Sequential lenet = LeNet5.build(1, 28, 28, 10);
        train(lenet, Shape.of(4, 1, 28, 28), 10, 31);
        Sequential fcn = FullyConvolutional.convert(lenet, 1, 28, 28);

        // the first Linear (120, 16*5*5) is a 5x5 conv over the 16x5x5 map, the others 1x1 convs; names carry over
        Map<String, Parameter> before = Layers.namedParameters(lenet), after = Layers.namedParameters(fcn);
        assertEquals(before.keySet(), after.keySet());
        assertEquals(Shape.of(120, 16, 5, 5), after.get("classifier.0.weight").value().shape());
        assertEquals(Shape.of(84, 120, 1, 1), after.get("classifier.2.weight").value().shape());
        assertEquals(Shape.of(10, 84, 1, 1), after.get("classifier.4.weight").value().shape());
        for (String name : before.keySet()) {
            Tensor b = before.get(name).value();
            assertSameBits(b, after.get(name).value().reshape(b.shape()));
        }
        assertEquals(List.of("features", "classifier"), fcn.names());
        Sequential body = (Sequential) lenet.children().get("features"), newBody = (Sequential) fcn.children().get("features");
        for (int i = 0; i < body.size(); i++) assertSame(body.get(i), newBody.get(i), "the body's layers are shared");
        assertEquals(Layers.parameterCount(lenet), Layers.parameterCount(fcn));

        Tensor x = random(new SplittableRandom(32), 3, 1, 28, 28);
        assertClose(lenet.forward(x, Mode.EVAL), squeeze(fcn.forward(x, Mode.EVAL)), 1e-5);

        // 36x36: 36 -> 18 -> 14 -> 7, and a 5x5 kernel over 7x7 gives a 3x3 score map
        assertEquals(Shape.of(2, 10, 3, 3), fcn.forward(random(new SplittableRandom(33), 2, 1, 36, 36), Mode.EVAL).shape());
        assertEquals(Shape.of(1, 10, 3, 5), fcn.outputShape(Shape.of(1, 1, 36, 44)));
    }

    @Test
    void eachWindowOfTheScoreMapIsTheClassifierOnThatCrop() {
        // an unpadded body, so a crop sees exactly what the large image's window sees
        Init.seed(41);
        Sequential features = new Sequential(new Conv2d(3, 4, 3), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 6, 3), new Tanh(), new MaxPool2d(2));
        // 16x16 -> 14 -> 7 -> 5 -> 2 (the pool drops the last row): a 6x2x2 map
        Sequential classifier = new Sequential(new Linear(6 * 2 * 2, 8), new BatchNorm1d(8), new ReLU(), new Dropout(0.5),
                new Linear(8, 8, false), new ReLU(), new Linear(8, 5));
        Sequential model = new Sequential().add("features", features).add("flatten", new Flatten()).add("classifier", classifier);
        train(model, Shape.of(6, 3, 16, 16), 5, 41);
        Sequential fcn = FullyConvolutional.convert(model, 3, 16, 16);
        assertTrue(((Sequential) fcn.children().get("classifier")).get(1) instanceof BatchNorm2d);
        assertFalse(((Conv2d) ((Sequential) fcn.children().get("classifier")).get(4)).hasBias());

        // the body's total stride is 4 (ModelSummary's jump), the window 16x16
        int jump = ModelSummary.of(features, Shape.of(1, 3, 16, 16)).rows().get(5).jumpH();
        assertEquals(4, jump);
        assertEquals(4, ModelSummary.of(fcn, Shape.of(1, 3, 16, 16)).rows().get(6).jumpH(), "the HxW conv has stride 1");

        // 24x28: 22x26 -> 11x13 -> 9x11 -> 4x5, so the 2x2 conv gives a 3x4 map
        Tensor big = random(new SplittableRandom(42), 2, 3, 24, 28);
        Tensor scores = fcn.forward(big, Mode.EVAL);
        assertEquals(Shape.of(2, 5, 3, 4), scores.shape());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                Tensor expected = model.forward(crop(big, i * jump, j * jump, 16, 16), Mode.EVAL);
                assertClose(expected, window(scores, i, j), 1e-5);
            }
        }
        // and on the training size itself the map is 1x1
        Tensor x = random(new SplittableRandom(43), 3, 3, 16, 16);
        assertClose(model.forward(x, Mode.EVAL), squeeze(fcn.forward(x, Mode.EVAL)), 1e-5);
    }

    @Test
    void zooNetworksConvert() {
        // vgg_small: padded convs and BatchNorm2d in the body, a 64x7x7 map into the first Linear
        Init.seed(51);
        Sequential vgg = VGG.small(1, 28, 28, 10);
        train(vgg, Shape.of(4, 1, 28, 28), 10, 51);
        Sequential fcn = FullyConvolutional.convert(vgg, 1, 28, 28);
        Tensor x = random(new SplittableRandom(52), 2, 1, 28, 28);
        assertClose(vgg.forward(x, Mode.EVAL), squeeze(fcn.forward(x, Mode.EVAL)), 1e-5);
        assertEquals(Shape.of(1, 10, 3, 5), fcn.outputShape(Shape.of(1, 1, 36, 44)));

        // ResNet-20 ends in global pooling: fc becomes a 1x1 conv and any input gives a 1x1 map
        Init.seed(53);
        Sequential resnet = ResNet.cifar(20, 3, 16, 16, 10);
        Sequential rfcn = FullyConvolutional.convert(resnet, 3, 16, 16);
        assertEquals(Shape.of(10, 64, 1, 1), Layers.namedParameters(rfcn).get("fc.weight").value().shape());
        Tensor r = random(new SplittableRandom(54), 2, 3, 16, 16);
        assertClose(resnet.forward(r, Mode.EVAL), squeeze(rfcn.forward(r, Mode.EVAL)), 1e-5);
        assertEquals(Shape.of(1, 10, 1, 1), rfcn.outputShape(Shape.of(1, 3, 40, 24)));
    }

    @Test
    void unsupportedModelsAreRejectedWithTheReason() {
        Init.seed(61);
        IllegalArgumentException graph = assertThrows(IllegalArgumentException.class, () -> FullyConvolutional.convert(
                new Graph().add("fc", new Linear(4, 2), Graph.INPUT).output("fc"), 1, 2, 2));
        assertTrue(graph.getMessage().contains("expected a Sequential classifier") && graph.getMessage().contains("got Graph"), graph.getMessage());

        IllegalArgumentException noHead = assertThrows(IllegalArgumentException.class,
                () -> FullyConvolutional.convert(new Sequential(new Conv2d(1, 2, 3), new ReLU()), 1, 8, 8));
        assertTrue(noHead.getMessage().contains("has no Flatten or Linear layer"), noHead.getMessage());

        Sequential softmax = new Sequential().add("features", new Sequential(new Conv2d(1, 2, 3)))
                .add("head", new Sequential(new Flatten(), new Linear(2 * 6 * 6, 3), new Softmax()));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> FullyConvolutional.convert(softmax, 1, 8, 8));
        assertTrue(bad.getMessage().contains("layer head.2 (Softmax) is in the head"), bad.getMessage());

        Sequential convAfter = new Sequential(new Linear(16, 4), new Conv2d(4, 4, 1));
        IllegalArgumentException conv = assertThrows(IllegalArgumentException.class, () -> FullyConvolutional.convert(convAfter, 1, 4, 4));
        assertTrue(conv.getMessage().contains("does not accept the training input"), conv.getMessage());

        IllegalArgumentException input = assertThrows(IllegalArgumentException.class,
                () -> FullyConvolutional.convert(LeNet5.build(1, 28, 28, 10), 3, 28, 28));
        assertTrue(input.getMessage().contains("does not accept the training input [1, 3, 28, 28]"), input.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FullyConvolutional.convert(LeNet5.build(1, 28, 28, 10), 1, 0, 28));
    }

    @Test
    void aLinearStraightAfterTheBodyConvertsToo() {
        // Linear flattens an (N, C, H, W) input itself, so no Flatten is needed
        Init.seed(71);
        Sequential model = new Sequential(new Conv2d(2, 3, 3), new ReLU(), new Linear(3 * 4 * 4, 5));
        Sequential fcn = FullyConvolutional.convert(model, 2, 6, 6);
        assertEquals(Shape.of(5, 3, 4, 4), ((Conv2d) fcn.get(2)).weight().value().shape());
        Tensor x = random(new SplittableRandom(72), 2, 2, 6, 6);
        assertClose(model.forward(x, Mode.EVAL), squeeze(fcn.forward(x, Mode.EVAL)), 1e-5);
        Tensor big = random(new SplittableRandom(73), 1, 2, 9, 7);
        Tensor scores = fcn.forward(big, Mode.EVAL);
        assertEquals(Shape.of(1, 5, 4, 2), scores.shape());
        // stride 1 everywhere: window (i, j) is the crop at (i, j)
        assertClose(model.forward(crop(big, 3, 1, 6, 6), Mode.EVAL), window(scores, 3, 1), 1e-5);
    }
    @Test
    void torchvisionsAdaptivePoolIsDroppedWhereItIsTheIdentity() {
        // AlexNet's shape in small: features to a 4x4 map at 6x6 input, avgpool to 4x4 (the identity there), flatten, classifier
        Init.seed(61);
        Sequential model = new Sequential().add("features", new Sequential(new Conv2d(2, 3, 3), new ReLU()))
                .add("avgpool", new AdaptiveAvgPool2d(4)).add("flatten", new Flatten())
                .add("classifier", new Sequential(new Linear(48, 5), new ReLU(), new Linear(5, 3)));
        Sequential fcn = FullyConvolutional.convert(model, 2, 6, 6);
        assertEquals(List.of("features", "classifier"), fcn.names());
        Tensor big = random(new SplittableRandom(62), 2, 2, 9, 8);
        Tensor scores = fcn.forward(big, Mode.EVAL);
        assertEquals(Shape.of(2, 3, 4, 3), scores.shape());
        for (int[] at : new int[][] {{0, 0}, {3, 2}, {1, 2}}) {
            assertClose(model.forward(crop(big, at[0], at[1], 6, 6), Mode.EVAL), window(scores, at[0], at[1]), 1e-5);
        }
        // trained at 5x5 the map is 3x3 and the pool is not the identity: it stays, and the result is the model's own
        Sequential kept = FullyConvolutional.convert(model, 2, 5, 5);
        assertEquals(List.of("features", "avgpool", "classifier"), kept.names());
        Tensor small = random(new SplittableRandom(63), 2, 2, 5, 5);
        assertClose(model.forward(small, Mode.EVAL), squeeze(kept.forward(small, Mode.EVAL)), 1e-5);
    }
}
