package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;

class EvalChunksTest {
    private static float[] evalWith(int threads, Layer model, Tensor x) {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            return model.forward(x, Mode.EVAL).toArray();
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void chunkedEvalGivesTheSameBitsOnOneAndTwoThreadsAndMatchesImageByImage() {
        // 40 images: chunks of 16, 16 and 8; a Sequential (VGG-small) and a Graph (ResNet-20), with and
        // without buffer reuse (each pool thread keeps its own buffers)
        SplittableRandom rng = new SplittableRandom(31);
        for (String name : new String[] {"vgg_small", "resnet20"}) {
            Layer model = Zoo.build(name, 3, 32, 32, 10);
            Tensor x = random(rng, 40, 3, 32, 32);
            float[] one = evalWith(1, model, x), two = evalWith(2, model, x);
            assertArrayEquals(one, two, name);
            model.reuseBuffers(true);
            for (int round = 0; round < 3; round++) assertArrayEquals(one, evalWith(2, model, x), name + " reusing buffers, round " + round);
            model.reuseBuffers(false);
            // each image alone (no chunks) agrees up to the products' summation order
            for (int i = 0; i < 40; i += 13) {
                Tensor image = Tensor.view(x.data(), i * 3 * 32 * 32, org.conv4j.tensor.Shape.of(1, 3, 32, 32));
                float[] alone = model.forward(image, Mode.EVAL).toArray();
                for (int c = 0; c < 10; c++) assertEquals(alone[c], one[i * 10 + c], 1e-4f * (1 + Math.abs(alone[c])), name + " image " + i);
            }
        }
    }

    @Test
    void aLayerThatMixesTheBatchKeepsItWhole() {
        // softmax over dimension 0: each column of the 40 x 3 output sums to 1 over the whole batch
        Sequential net = new Sequential(new Linear(5, 3), new Softmax(0));
        Tensor y = net.forward(random(new SplittableRandom(32), 40, 5), Mode.EVAL);
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int i = 0; i < 40; i++) sum += y.at(i * 3 + c);
            assertEquals(1.0, sum, 1e-5);
        }
        assertNull(EvalChunks.forward(net, random(new SplittableRandom(33), 40, 5)));
    }

    @Test
    void smallBatchesAndRefusedInputsRunWhole() {
        Sequential net = new Sequential(new Linear(5, 3), new ReLU());
        assertNull(EvalChunks.forward(net, random(new SplittableRandom(34), 2 * EvalChunks.IMAGES - 1, 5)));
        // a wrong input: the forward reports it as usual, naming the layer
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> net.forward(random(new SplittableRandom(35), 40, 6), Mode.EVAL));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("layer 0 (Linear"), e.getMessage());
    }
}
