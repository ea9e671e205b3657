package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AddTest {

    @Test
    void forwardSumsElementwiseAndBackwardPassesTheGradientToEveryInput() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {10, 20, 30, 40, 50, 60}, 2, 3);
        Tensor c = Tensor.of(new float[] {-1, -1, -1, 0.5f, 0.5f, 0.5f}, 2, 3);
        Add add = new Add();
        Tensor y = add.forward(List.of(a, b, c), Mode.TRAIN);
        assertClose(new float[] {10, 21, 32, 44.5f, 55.5f, 66.5f}, y, 0);
        assertEquals(Shape.of(2, 3), add.outputShape(List.of(a.shape(), b.shape(), c.shape())));

        Tensor dy = Tensor.of(new float[] {1, -2, 3, -4, 5, -6}, 2, 3);
        List<Tensor> dxs = add.backward(dy);
        assertEquals(3, dxs.size());
        for (Tensor dx : dxs) assertClose(new float[] {1, -2, 3, -4, 5, -6}, dx, 0);
        assertClose(new float[] {1, 2, 3, 4, 5, 6}, a, 0); // inputs untouched
    }

    @Test
    void forwardAddsLeftToRightOnLargeRandomInputsAndAcceptsViews() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor big = random(rng, 4, 3, 70, 70); // several parallel blocks
        Tensor a = big.slice(1, 3), b = random(rng, 2, 3, 70, 70), c = random(rng, 2, 3, 70, 70);
        Tensor y = new Add().forward(List.of(a, b, c), Mode.EVAL);
        Tensor expected = Tensor.zeros(a.shape());
        for (int i = 0; i < expected.size(); i++) expected.data()[i] = (a.at(i) + b.at(i)) + c.at(i);
        assertSameBits(expected, y);
    }

    @Test
    void gradientCheckThroughATinyGraph() {
        Init.seed(11);
        Graph g = new Graph()
                .add("conv", new Conv2d(2, 2, 3).padding(1), "input")
                .add("sum", new Add(), "conv", "input", "conv")
                .output("sum");
        GradientCheck.Report r = new GradientCheck().check(g, random(new SplittableRandom(12), 2, 2, 5, 4));
        assertTrue(r.passed(1e-2), r.toString());
        assertEquals(List.of("input", "conv.weight", "conv.bias"), List.copyOf(r.errors().keySet()));
    }

    @Test
    void evalKeepsNothingAndBackwardChecksItsState() {
        Add add = new Add();
        Tensor x = Tensor.zeros(1, 2);
        add.forward(List.of(x, x), Mode.EVAL);
        assertThrows(IllegalStateException.class, () -> add.backward(Tensor.zeros(1, 2)));
        add.forward(List.of(x, x), Mode.TRAIN);
        var e = assertThrows(IllegalArgumentException.class, () -> add.backward(Tensor.zeros(1, 3)));
        assertTrue(e.getMessage().startsWith("Add: gradient shape [1, 3]"), e.getMessage());
        Tensor dy = Tensor.zeros(1, 2);
        assertSame(dy, add.backward(dy).get(1));
    }

    @Test
    void badInputsFailWithClearMessages() {
        Add add = new Add();
        var e = assertThrows(IllegalArgumentException.class,
                () -> add.outputShape(List.of(Shape.of(2, 4, 5, 5), Shape.of(2, 3, 5, 5))));
        assertEquals("Add: input 1 has shape [2, 3, 5, 5], expected [2, 4, 5, 5] (the shape of input 0); "
                + "inputs of an element-wise sum must have the same shape", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> add.forward(List.of(Tensor.zeros(2, 2)), Mode.EVAL));
        assertEquals("Add: expected two or more inputs, got 1", e.getMessage());
        assertEquals("Add()", add.toString());
    }
}
