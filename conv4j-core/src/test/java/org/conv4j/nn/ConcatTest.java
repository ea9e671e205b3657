package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConcatTest {

    @Test
    void forwardJoinsChannelsPerItemAndBackwardSplitsThem() {
        // a is (2, 2, 1, 2), b is (2, 1, 1, 2): per item, a's two channels then b's one
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 1, 2);
        Tensor b = Tensor.of(new float[] {-1, -2, -3, -4}, 2, 1, 1, 2);
        Concat cat = new Concat();
        Tensor y = cat.forward(List.of(a, b), Mode.TRAIN);
        assertEquals(Shape.of(2, 3, 1, 2), y.shape());
        assertClose(new float[] {1, 2, 3, 4, -1, -2, 5, 6, 7, 8, -3, -4}, y, 0);

        Tensor dy = Tensor.of(new float[] {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120}, 2, 3, 1, 2);
        List<Tensor> dxs = cat.backward(dy);
        assertEquals(2, dxs.size());
        assertClose(new float[] {10, 20, 30, 40, 70, 80, 90, 100}, dxs.get(0), 0);
        assertClose(new float[] {50, 60, 110, 120}, dxs.get(1), 0);
    }

    @Test
    void randomShapesMatchElementwiseDefinition() {
        SplittableRandom rng = new SplittableRandom(21);
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + rng.nextInt(3), h = 1 + rng.nextInt(5), w = 1 + rng.nextInt(5), k = 2 + rng.nextInt(3);
            Tensor[] xs = new Tensor[k];
            int[] offsets = new int[k + 1];
            for (int i = 0; i < k; i++) {
                xs[i] = random(rng, n, 1 + rng.nextInt(4), h, w);
                offsets[i + 1] = offsets[i] + xs[i].dim(1);
            }
            Concat cat = new Concat();
            Tensor y = cat.forward(List.of(xs), Mode.TRAIN);
            assertEquals(Shape.of(n, offsets[k], h, w), y.shape());
            Tensor dy = random(rng, y.shape().dims());
            List<Tensor> dxs = cat.backward(dy);
            for (int i = 0; i < k; i++) {
                for (int b = 0; b < n; b++) for (int c = 0; c < xs[i].dim(1); c++) for (int r = 0; r < h; r++) for (int q = 0; q < w; q++) {
                    assertEquals(xs[i].get(b, c, r, q), y.get(b, offsets[i] + c, r, q));
                    assertEquals(dy.get(b, offsets[i] + c, r, q), dxs.get(i).get(b, c, r, q));
                }
            }
        }
    }

    @Test
    void rankTwoFeaturesConcatenateAlongAxisOne() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), b = Tensor.of(new float[] {5, 6, 7, 8, 9, 10}, 2, 3);
        assertClose(new float[] {1, 2, 5, 6, 7, 3, 4, 8, 9, 10}, new Concat().forward(List.of(a, b), Mode.EVAL), 0);
    }

    @Test
    void gradientCheckThroughATinyGraph() {
        Init.seed(31);
        Graph g = new Graph()
                .add("conv", new Conv2d(2, 3, 3).padding(1), "input")
                .add("cat", new Concat(), "input", "conv", "input")
                .add("mix", new Conv2d(7, 2, 1), "cat")
                .output("mix");
        GradientCheck.Report r = new GradientCheck().check(g, random(new SplittableRandom(32), 2, 2, 4, 5));
        assertTrue(r.passed(1e-2), r.toString());
        assertEquals(5, r.errors().size(), "input and the weight and bias of both convolutions");
    }

    @Test
    void badInputsFailWithClearMessages() {
        Concat cat = new Concat();
        var e = assertThrows(IllegalArgumentException.class,
                () -> cat.outputShape(List.of(Shape.of(2, 4, 5, 5), Shape.of(2, 3, 5, 4))));
        assertEquals("Concat: input 1 has shape [2, 3, 5, 4], expected [2, *, 5, 5] with any channel count "
                + "(every dimension but axis 1 must match input 0's shape [2, 4, 5, 5])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cat.outputShape(List.of(Shape.of(2, 4, 5, 5), Shape.of(3, 4, 5, 5))));
        assertTrue(e.getMessage().contains("input 1 has shape [3, 4, 5, 5], expected [2, *, 5, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cat.outputShape(List.of(Shape.of(2, 4, 5, 5), Shape.of(2, 4, 25))));
        assertTrue(e.getMessage().contains("input 1 has shape [2, 4, 25]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cat.outputShape(List.of(Shape.of(6), Shape.of(6))));
        assertEquals("Concat: expected inputs of rank >= 2 (N, C, ...) to join along axis 1, got shape [6]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cat.outputShape(List.of(Shape.of(2, 2))));
        assertEquals("Concat: expected two or more inputs, got 1", e.getMessage());
        Concat fresh = new Concat();
        fresh.forward(List.of(Tensor.zeros(1, 1), Tensor.zeros(1, 1)), Mode.EVAL);
        assertThrows(IllegalStateException.class, () -> fresh.backward(Tensor.zeros(1, 2)), "EVAL keeps nothing");
        assertEquals("Concat()", fresh.toString());
    }
}
