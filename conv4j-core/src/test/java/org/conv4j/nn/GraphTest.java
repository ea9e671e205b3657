package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.conv4j.check.GradientCheck;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GraphTest {

    /** relu(conv2(relu(conv1(x))) + x), ResNet's basic block. */
    private static Graph residualBlock(int channels) {
        return new Graph()
                .add("conv1", new Conv2d(channels, channels, 3).padding(1), "input")
                .add("relu1", new ReLU(), "conv1")
                .add("conv2", new Conv2d(channels, channels, 3).padding(1), "relu1")
                .add("sum", new Add(), "conv2", "input")
                .add("relu2", new ReLU(), "sum")
                .output("relu2");
    }

    /** Four branches over the input (1x1, 3x3, 5x5 convolutions and a ReLU) joined along channels. */
    private static Graph inceptionBlock(int in) {
        return new Graph()
                .add("b1", new Conv2d(in, 2, 1), "input")
                .add("b3", new Conv2d(in, 3, 3).padding(1), "input")
                .add("b5", new Conv2d(in, 1, 5).padding(2), "input")
                .add("act", new ReLU(), "input")
                .add("cat", new Concat(), "b1", "b3", "b5", "act")
                .output("cat");
    }

    private static Conv2d conv(Graph g, String name) {
        return (Conv2d) g.node(name).layer();
    }

    private static Tensor plus(Tensor a, Tensor b) {
        Tensor s = Tensor.zeros(a.shape());
        for (int i = 0; i < s.size(); i++) s.data()[i] = a.at(i) + b.at(i);
        return s;
    }

    private static Tensor relu(Tensor a) {
        Tensor s = Tensor.zeros(a.shape());
        for (int i = 0; i < s.size(); i++) s.data()[i] = Math.max(0f, a.at(i));
        return s;
    }

    private static Map<String, Tensor> gradients(Layer root) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        Layers.namedParameters(root).forEach((k, p) -> { if (p.isTrainable()) m.put(k, p.grad().copy()); });
        return m;
    }

    @Test
    void residualBlockEqualsTheSameComputationByHand() {
        SplittableRandom rng = new SplittableRandom(1);
        int[][] shapes = {{1, 3, 5, 6}, {3, 3, 4, 4}, {2, 4, 7, 5}};
        for (int[] shape : shapes) {
            Init.seed(shape[0] * 10 + shape[1]);
            Graph g = residualBlock(shape[1]);
            Conv2d c1 = conv(g, "conv1"), c2 = conv(g, "conv2");
            Layer r1 = g.node("relu1").layer();
            Tensor x = random(rng, shape);

            // forward by hand with the same layers
            Tensor h = c2.forward(r1.forward(c1.forward(x, Mode.EVAL), Mode.EVAL), Mode.EVAL);
            Tensor s = plus(h, x);
            assertSameBits(relu(s), g.forward(x, Mode.EVAL));
            assertEquals(Shape.of(shape), g.outputShape(Shape.of(shape)));

            // backward through the graph
            Tensor dy = random(rng, shape);
            Layers.zeroGrad(g);
            g.forward(x, Mode.TRAIN);
            Tensor dx = g.backward(dy);
            Map<String, Tensor> graphGrads = gradients(g);

            // backward by hand: ds = dy where s > 0; the input gets ds (shortcut) + the conv path
            Layers.zeroGrad(g);
            c2.forward(r1.forward(c1.forward(x, Mode.TRAIN), Mode.TRAIN), Mode.TRAIN);
            Tensor ds = Tensor.zeros(dy.shape());
            for (int i = 0; i < ds.size(); i++) ds.data()[i] = s.at(i) > 0 ? dy.at(i) : 0f;
            Tensor dxPath = c1.backward(r1.backward(c2.backward(ds)));
            assertSameBits(plus(ds, dxPath), dx);
            Map<String, Tensor> byHand = gradients(g);
            assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"), List.copyOf(graphGrads.keySet()));
            for (String k : graphGrads.keySet()) assertSameBits(byHand.get(k), graphGrads.get(k));
        }
    }

    @Test
    void inceptionBlockEqualsManualConcatAndSumsBranchGradientsInReverseOrder() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int[] shape : new int[][] {{1, 3, 6, 6}, {2, 2, 5, 7}}) {
            Init.seed(shape[1]);
            Graph g = inceptionBlock(shape[1]);
            Layer[] branches = {g.node("b1").layer(), g.node("b3").layer(), g.node("b5").layer(), g.node("act").layer()};
            int[] channels = {2, 3, 1, shape[1]};
            Tensor x = random(rng, shape);
            int n = shape[0], h = shape[2], w = shape[3];

            Tensor expected = Tensor.zeros(n, 6 + shape[1], h, w);
            int at = 0;
            for (int k = 0; k < 4; k++) {
                Tensor yk = branches[k].forward(x, Mode.EVAL);
                for (int b = 0; b < n; b++) for (int c = 0; c < channels[k]; c++) for (int r = 0; r < h; r++) for (int q = 0; q < w; q++) {
                    expected.set(yk.get(b, c, r, q), b, at + c, r, q);
                }
                at += channels[k];
            }
            assertSameBits(expected, g.forward(x, Mode.EVAL));
            assertEquals(expected.shape(), g.outputShape(x.shape()));

            Tensor dy = random(rng, expected.shape().dims());
            Layers.zeroGrad(g);
            g.forward(x, Mode.TRAIN);
            Tensor dx = g.backward(dy);
            Map<String, Tensor> graphGrads = gradients(g);

            // by hand: each branch gets its channel slice of dy; the input's gradient is the sum of
            // the branch gradients in the documented order, the latest consumer (act) first
            Layers.zeroGrad(g);
            Tensor[] dxs = new Tensor[4];
            at = 0;
            for (int k = 0; k < 4; k++) {
                branches[k].forward(x, Mode.TRAIN);
                Tensor dyk = Tensor.zeros(n, channels[k], h, w);
                for (int b = 0; b < n; b++) for (int c = 0; c < channels[k]; c++) for (int r = 0; r < h; r++) for (int q = 0; q < w; q++) {
                    dyk.set(dy.get(b, at + c, r, q), b, c, r, q);
                }
                at += channels[k];
                dxs[k] = branches[k].backward(dyk);
            }
            assertSameBits(plus(plus(plus(dxs[3], dxs[2]), dxs[1]), dxs[0]), dx);
            Map<String, Tensor> byHand = gradients(g);
            for (String k : graphGrads.keySet()) assertSameBits(byHand.get(k), graphGrads.get(k));
        }
    }

    @Test
    void nodeWithTwoConsumersGetsTheSumOfTheirGradients() {
        Init.seed(5);
        Graph g = new Graph()
                .add("stem", new Conv2d(2, 3, 3).padding(1), "input")
                .add("a", new Conv2d(3, 2, 1), "stem")
                .add("b", new Conv2d(3, 2, 3).padding(1), "stem")
                .add("sum", new Add(), "a", "b")
                .output("sum");
        Conv2d stem = conv(g, "stem"), a = conv(g, "a"), b = conv(g, "b");
        SplittableRandom rng = new SplittableRandom(6);
        Tensor x = random(rng, 2, 2, 5, 6), dy = random(rng, 2, 2, 5, 6);

        Layers.zeroGrad(g);
        g.forward(x, Mode.TRAIN);
        Tensor dx = g.backward(dy);
        Tensor dStemWeight = stem.weight().grad().copy();

        Layers.zeroGrad(g);
        Tensor s = stem.forward(x, Mode.TRAIN);
        a.forward(s, Mode.TRAIN);
        b.forward(s, Mode.TRAIN);
        Tensor da = a.backward(dy), db = b.backward(dy);
        Tensor dStem = plus(da, db);
        assertSameBits(stem.backward(dStem), dx);
        assertSameBits(stem.weight().grad(), dStemWeight);

        // and the sum really matters: one consumer alone gives a different gradient
        Layers.zeroGrad(g);
        stem.forward(x, Mode.TRAIN);
        stem.backward(da);
        assertNotEquals(dStemWeight.at(0), stem.weight().grad().at(0));
    }

    @Test
    void inputConsumedTwiceByOneAddDoublesAndLeavesTheCallersGradientAlone() {
        Graph g = new Graph().add("twice", new Add(), "input", "input").output("twice");
        Tensor x = Tensor.of(new float[] {1, -2, 3.5f, 0}, 2, 2);
        assertClose(new float[] {2, -4, 7, 0}, g.forward(x, Mode.TRAIN), 0);
        Tensor dy = Tensor.of(new float[] {0.5f, 1, -1, 2}, 2, 2);
        assertClose(new float[] {1, 2, -2, 4}, g.backward(dy), 0);
        assertClose(new float[] {0.5f, 1, -1, 2}, dy, 0);
    }

    /** A graph without kinks in which the input is consumed three times and node "a" twice. */
    private static Graph sharedInputs() {
        return new Graph()
                .add("a", new Conv2d(2, 2, 3).padding(1), "input")
                .add("b", new Conv2d(2, 2, 1), "input")
                .add("sum", new Add(), "a", "b", "input")
                .add("cat", new Concat(), "sum", "a")
                .add("head", new Sequential(new Conv2d(4, 3, 3), new Flatten(), new Linear(3 * 3 * 2, 5)), "cat")
                .output("head");
    }

    @Test
    void gradientCheckPassesWhenNodesHaveSeveralConsumers() {
        for (int seed = 0; seed < 3; seed++) {
            Init.seed(40 + seed);
            Graph g = sharedInputs();
            Tensor x = random(new SplittableRandom(50 + seed), 1 + seed, 2, 5, 4);
            GradientCheck.Report r = new GradientCheck().seed(seed).check(g, x);
            assertTrue(r.passed(1e-2), r.toString());
            assertEquals(List.of("input", "a.weight", "a.bias", "b.weight", "b.bias", "head.0.weight", "head.0.bias",
                    "head.2.weight", "head.2.bias"), List.copyOf(r.errors().keySet()));
        }
        Init.seed(45);
        GradientCheck.Report r = new GradientCheck().sumOfOutput(true).check(sharedInputs(), random(new SplittableRandom(46), 2, 2, 5, 4));
        assertTrue(r.passed(1e-2), r.toString());
    }

    @Test
    void parameterNamesArePrefixedByNodeNamesIncludingNestedContainers() {
        Init.seed(7);
        Graph inner = new Graph()
                .add("conv", new Conv2d(4, 4, 3).padding(1), "input")
                .add("sum", new Add(), "conv", "input")
                .output("sum");
        Graph g = new Graph()
                .add("conv1", new Conv2d(3, 4, 3).padding(1), "input")
                .add("relu", new ReLU(), "conv1")
                .add("block1", new Sequential(new Conv2d(4, 4, 1), new ReLU()), "relu")
                .add("block2", inner, "block1")
                .add("flat", new Flatten(), "block2")
                .add("fc", new Linear(4 * 6 * 6, 10), "flat")
                .output("fc");
        assertEquals(List.of("conv1.weight", "conv1.bias", "block1.0.weight", "block1.0.bias",
                "block2.conv.weight", "block2.conv.bias", "fc.weight", "fc.bias"), List.copyOf(Layers.namedParameters(g).keySet()));
        assertEquals(List.of("conv1", "relu", "block1", "block2", "flat", "fc"), List.copyOf(g.children().keySet()));
        assertEquals(Shape.of(2, 10), g.outputShape(Shape.of(2, 3, 6, 6)));
        assertEquals(Shape.of(2, 10), g.forward(random(new SplittableRandom(8), 2, 3, 6, 6), Mode.EVAL).shape());
        assertSame(inner, g.node("block2").layer());
        assertEquals(List.of("conv", "sum"), inner.nodes().stream().map(Graph.Node::name).toList());
        assertEquals(List.of("conv2", "input"), residualBlock(2).node("sum").inputs());
        assertTrue(residualBlock(2).node("sum").isMerge());
        assertEquals("relu2", residualBlock(2).outputName());
    }

    @Test
    void brokenBuildsFailWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Graph().add("conv1", new Conv2d(1, 1, 1), "input").add("relu", new ReLU(), "conv9"));
        assertEquals("Graph: node 'relu' consumes 'conv9', which is not defined yet; a node may only consume 'input' "
                + "or earlier nodes (so the graph is acyclic); defined so far: [input, conv1]", e.getMessage());
        // a cycle cannot be written: a node cannot consume itself or a later node
        e = assertThrows(IllegalArgumentException.class, () -> new Graph().add("a", new ReLU(), "a"));
        assertTrue(e.getMessage().contains("node 'a' consumes 'a', which is not defined yet"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Graph().add("a", new Add(), "input", "b"));
        assertTrue(e.getMessage().contains("node 'a' consumes 'b', which is not defined yet"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new Graph().add("r", new ReLU(), "input").add("r", new ReLU(), "r"));
        assertEquals("Graph: duplicate node name 'r'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Graph().add("input", new ReLU(), "input"));
        assertEquals("Graph: 'input' is reserved for the graph input; choose another node name", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Graph().add("conv.1", new ReLU(), "input"));
        assertTrue(e.getMessage().contains("node name 'conv.1' must not contain '.'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Graph().add("", new ReLU(), "input"));
        assertEquals("Graph: node names must be non-empty", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Graph().add("sum", new Add(), "input"));
        assertEquals("Graph: node 'sum' (Add) is a merge and takes two or more inputs, got 1 [input]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Graph().add("r", new ReLU(), "input").add("conv", new Conv2d(1, 1, 1), "input", "r"));
        assertTrue(e.getMessage().startsWith("Graph: node 'conv' (Conv2d) is a layer and takes exactly one input, got 2 [input, r]"), e.getMessage());
        ReLU shared = new ReLU();
        e = assertThrows(IllegalArgumentException.class, () -> new Graph().add("r1", shared, "input").add("r2", shared, "r1"));
        assertTrue(e.getMessage().contains("node 'r2' reuses the ReLU instance of node 'r1'"), e.getMessage());
        Graph self = new Graph();
        e = assertThrows(IllegalArgumentException.class, () -> self.add("me", self, "input"));
        assertEquals("Graph: node 'me': a graph cannot contain itself", e.getMessage());
    }

    @Test
    void shapeMismatchesNameTheNodeAndTheShapes() {
        Graph add = new Graph()
                .add("conv", new Conv2d(3, 4, 3).padding(1), "input")
                .add("sum", new Add(), "conv", "input")
                .output("sum");
        var e = assertThrows(IllegalArgumentException.class, () -> add.outputShape(Shape.of(2, 3, 5, 5)));
        assertEquals("Graph: node 'sum' (Add; inputs conv [2, 4, 5, 5], input [2, 3, 5, 5]): Add: input 1 has shape "
                + "[2, 3, 5, 5], expected [2, 4, 5, 5] (the shape of input 0); inputs of an element-wise sum must have the same shape",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> add.forward(Tensor.zeros(2, 3, 5, 5), Mode.EVAL));
        assertTrue(e.getMessage().startsWith("Graph: node 'sum' (Add; inputs conv [2, 4, 5, 5], input [2, 3, 5, 5]): Add: "), e.getMessage());

        Graph cat = new Graph()
                .add("down", new Conv2d(3, 2, 3).stride(2), "input")
                .add("cat", new Concat(), "input", "down")
                .output("cat");
        e = assertThrows(IllegalArgumentException.class, () -> cat.outputShape(Shape.of(1, 3, 7, 7)));
        assertTrue(e.getMessage().startsWith("Graph: node 'cat' (Concat; inputs input [1, 3, 7, 7], down [1, 2, 3, 3]): "
                + "Concat: input 1 has shape [1, 2, 3, 3], expected [1, *, 7, 7]"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> add.forward(Tensor.zeros(2, 5, 5, 5), Mode.EVAL));
        assertTrue(e.getMessage().startsWith("Graph: node 'conv' (Conv2d; inputs input [2, 5, 5, 5]): Conv2d: expected 3 input channels, got 5"),
                e.getMessage());
    }

    @Test
    void outputMustBeDefinedReachEveryNodeAndCloseTheGraph() {
        Graph dangling = new Graph()
                .add("a", new ReLU(), "input")
                .add("unused", new Conv2d(1, 1, 1), "input")
                .add("b", new ReLU(), "a");
        var e = assertThrows(IllegalArgumentException.class, () -> dangling.output("b"));
        assertEquals("Graph: nodes [unused] do not lead to the output 'b'; every node must contribute to the output "
                + "(remove them or merge them into the output path)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> dangling.output("c"));
        assertEquals("Graph: output 'c' is not defined; defined: [input, a, unused, b]", e.getMessage());
        var s = assertThrows(IllegalStateException.class, () -> dangling.forward(Tensor.zeros(1, 1, 1, 1), Mode.EVAL));
        assertTrue(s.getMessage().contains("output(name) was not called"), s.getMessage());
        // a failed output() leaves the graph open: wire the branch in and close it
        dangling.add("sum", new Add(), "b", "unused").output("sum");
        assertEquals("sum", dangling.outputName());
        s = assertThrows(IllegalStateException.class, () -> dangling.add("late", new ReLU(), "sum"));
        assertEquals("Graph: output is already set to 'sum'; add every node before calling output()", s.getMessage());

        Graph identity = new Graph().output("input");
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2);
        assertClose(new float[] {1, 2}, identity.forward(x, Mode.TRAIN), 0);
        assertClose(new float[] {3, 4}, identity.backward(Tensor.of(new float[] {3, 4}, 1, 2)), 0);
    }

    @Test
    void evalKeepsNothingAndBackwardChecksTheGradientShape() {
        Init.seed(9);
        Graph g = residualBlock(2);
        Tensor x = random(new SplittableRandom(9), 1, 2, 4, 4);
        g.forward(x, Mode.EVAL);
        var s = assertThrows(IllegalStateException.class, () -> g.backward(Tensor.zeros(1, 2, 4, 4)));
        assertEquals("Graph: backward called without a preceding forward in TRAIN mode", s.getMessage());
        g.forward(x, Mode.TRAIN);
        var e = assertThrows(IllegalArgumentException.class, () -> g.backward(Tensor.zeros(1, 2, 4, 5)));
        assertTrue(e.getMessage().startsWith("Graph: gradient shape [1, 2, 4, 5] does not match the output shape [1, 2, 4, 4]"), e.getMessage());
    }

    /** A small network: stem, a residual block, an inception block, a classifier. */
    private static Graph network() {
        return new Graph()
                .add("stem", new Conv2d(3, 4, 3).padding(1), "input")
                .add("res", residualBlock(4), "stem")
                .add("inc", inceptionBlock(4), "res")
                .add("skip", new Conv2d(4, 10, 1), "res")
                .add("join", new Add(), "inc", "skip")
                .add("flat", new Flatten(), "join")
                .add("fc", new Linear(10 * 9 * 8, 7), "flat")
                .output("fc");
    }

    @Test
    void inferenceFromFourThreadsGivesTheSameBitsAsOneThread() throws Exception {
        Init.seed(10);
        Graph g = network();
        SplittableRandom rng = new SplittableRandom(10);
        int inputs = 8;
        List<Tensor> xs = new ArrayList<>(), expected = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            xs.add(random(rng, 1 + i % 3, 3, 9, 8));
            expected.add(g.forward(xs.get(i), Mode.EVAL));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Tensor>> results = new ArrayList<>();
            for (int rep = 0; rep < 200; rep++) {
                Tensor x = xs.get(rep % inputs);
                results.add(pool.submit(() -> g.forward(x, Mode.EVAL)));
            }
            for (int rep = 0; rep < results.size(); rep++) assertSameBits(expected.get(rep % inputs), results.get(rep).get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        Init.seed(11);
        Graph g = network();
        Tensor x = random(new SplittableRandom(12), 4, 3, 9, 8);
        Tensor dy = random(new SplittableRandom(13), 4, 7);
        int saved = Parallel.threads();
        try {
            List<Tensor> one = new ArrayList<>(), two = new ArrayList<>();
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                List<Tensor> out = threads == 1 ? one : two;
                Layers.zeroGrad(g);
                out.add(g.forward(x, Mode.TRAIN));
                out.add(g.backward(dy));
                out.addAll(gradients(g).values());
            }
            assertEquals(one.size(), two.size());
            for (int i = 0; i < one.size(); i++) assertSameBits(one.get(i), two.get(i));
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void toStringListsNodesTheirInputsAndTheOutput() {
        Graph g = new Graph()
                .add("conv", new Conv2d(2, 2, 1), "input")
                .add("inner", new Graph().add("r", new ReLU(), "input").output("r"), "conv")
                .add("sum", new Add(), "inner", "input")
                .output("sum");
        assertEquals("Graph(\n"
                + "  (conv): Conv2d(2, 2, kernel_size=1) <- input\n"
                + "  (inner): Graph(\n"
                + "    (r): ReLU() <- input\n"
                + "    output: r\n"
                + "  ) <- conv\n"
                + "  (sum): Add() <- inner, input\n"
                + "  output: sum\n"
                + ")", g.toString());
        assertEquals("Graph()", new Graph().toString());
    }
}
