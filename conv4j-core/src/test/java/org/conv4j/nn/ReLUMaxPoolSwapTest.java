package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Sequential runs a ReLU followed by a max pooling in the other order in TRAIN (pooling first):
 * outputs, input gradients and parameter gradients must be bit for bit those of the layers run
 * one by one in the written order, including windows with ties, exact zeros and no positive
 * value, padding, dilation, ceil mode, strides other than the window.
 */
class ReLUMaxPoolSwapTest {

    // values on a coarse grid: many ties, zeros and windows with no positive value
    private static Tensor coarse(SplittableRandom rng, int... dims) {
        Tensor t = Tensor.zeros(dims);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (rng.nextInt(5) - 2) * 0.5f;
        return t;
    }

    private static MaxPool2d randomPool(SplittableRandom rng) {
        int k = 1 + rng.nextInt(3);
        return new MaxPool2d(k).stride(1 + rng.nextInt(3)).padding(rng.nextInt(k / 2 + 1)).dilation(1 + rng.nextInt(2))
                .ceilMode(rng.nextBoolean());
    }

    @Test
    void swappedPairGivesTheWrittenOrdersOutputsAndGradients() {
        SplittableRandom rng = new SplittableRandom(41);
        for (int trial = 0; trial < 200; trial++) {
            MaxPool2d pool = randomPool(rng), pool2 = copyOf(pool);
            ReLU relu = new ReLU(), relu2 = new ReLU();
            Sequential net = new Sequential(new Identity(), relu, pool);
            Tensor x = coarse(rng, 1 + rng.nextInt(3), 1 + rng.nextInt(3), 5 + rng.nextInt(6), 5 + rng.nextInt(6));

            Tensor expected = pool2.forward(relu2.forward(x, Mode.TRAIN), Mode.TRAIN);
            Tensor actual = net.forward(x, Mode.TRAIN);
            assertArrayEquals(expected.shape().dims(), actual.shape().dims(), "trial " + trial);
            assertArrayEquals(expected.data(), actual.data(), "forward, trial " + trial + ": " + pool);

            Tensor dy = coarse(rng, expected.shape().dims());
            Tensor dxExpected = relu2.backward(pool2.backward(dy));
            Tensor dxActual = net.backward(dy.copy());
            assertArrayEquals(dxExpected.data(), dxActual.data(), "input gradient, trial " + trial + ": " + pool);
        }
    }

    @Test
    void theReLURunsOnThePooledValuesInTrainOnly() {
        SplittableRandom rng = new SplittableRandom(42);
        ReLU relu = new ReLU();
        Sequential net = new Sequential(new Identity(), relu, new MaxPool2d(2));
        Tensor x = coarse(rng, 2, 3, 8, 8);
        net.forward(x, Mode.TRAIN);
        // the ReLU kept the pooled shape: its backward takes dy of that shape and not of the input's
        assertDoesNotThrow(() -> relu.backward(Tensor.zeros(2, 3, 4, 4)));
        assertThrows(IllegalArgumentException.class, () -> relu.backward(Tensor.zeros(2, 3, 8, 8)));
        // the first layer is never swapped (its backwardParameters skips the input gradient)
        ReLU first = new ReLU();
        new Sequential(first, new MaxPool2d(2)).forward(x, Mode.TRAIN);
        assertDoesNotThrow(() -> first.backward(Tensor.zeros(2, 3, 8, 8)));
    }

    @Test
    void parameterGradientsOfALeNetLikeNetMatchTheWrittenOrder() {
        SplittableRandom rng = new SplittableRandom(43);
        for (int trial = 0; trial < 20; trial++) {
            Init.seed(trial);
            Conv2d conv = new Conv2d(2, 4, 3).padding(1);
            Linear fc = new Linear(4 * 4 * 4, 5);
            Sequential net = new Sequential(conv, new ReLU(), new MaxPool2d(2), new Flatten(), fc, new ReLU());
            Tensor x = coarse(rng, 1 + rng.nextInt(4), 2, 8, 8);
            Tensor dy = coarse(rng, x.dim(0), 5);

            Layers.zeroGrad(net);
            Tensor h = x;
            for (Layer l : net.layers()) h = l.forward(h, Mode.TRAIN);
            Tensor g = dy;
            List<Layer> layers = net.layers();
            for (int i = layers.size() - 1; i > 0; i--) g = layers.get(i).backward(g);
            layers.get(0).backwardParameters(g);
            float[][] expected = {conv.weight().grad().data().clone(), conv.biasParameter().grad().data().clone(),
                fc.weight().grad().data().clone(), h.data().clone()};

            Layers.zeroGrad(net);
            Tensor y = net.forward(x, Mode.TRAIN);
            net.backwardParameters(dy);
            assertArrayEquals(expected[3], y.data(), "output, trial " + trial);
            assertArrayEquals(expected[0], conv.weight().grad().data(), "conv weight gradient, trial " + trial);
            assertArrayEquals(expected[1], conv.biasParameter().grad().data(), "conv bias gradient, trial " + trial);
            assertArrayEquals(expected[2], fc.weight().grad().data(), "fc weight gradient, trial " + trial);
        }
    }

    private static MaxPool2d copyOf(MaxPool2d p) {
        return new MaxPool2d(p.kernelH(), p.kernelW()).stride(p.strideH(), p.strideW()).padding(p.paddingH(), p.paddingW())
                .dilation(p.dilationH(), p.dilationW()).ceilMode(p.ceilMode());
    }
}
