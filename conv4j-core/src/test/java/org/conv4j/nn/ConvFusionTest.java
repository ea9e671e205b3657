package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * EVAL's fused convolution + batch norm + ReLU (ConvFusion) against the same layers run one by
 * one, on the im2col path (strides, dilation, groups, padding modes, odd sizes, batch 1) and on
 * the padded-image path (stride 1, output rows of whole vectors), inside Sequential and Graph.
 */
class ConvFusionTest {

    /** A batch norm with random running statistics, gamma, beta and eps: a trained one, not the identity. */
    private static BatchNorm2d trainedBatchNorm(SplittableRandom rng, int channels) {
        BatchNorm2d bn = new BatchNorm2d(channels).eps(rng.nextDouble(1e-5, 1e-2));
        bn.runningMean().value().copyFrom(Tensor.uniform(rng, -1f, 1f, channels));
        bn.runningVar().value().copyFrom(Tensor.uniform(rng, 0.2f, 3f, channels));
        bn.weight().value().copyFrom(Tensor.uniform(rng, -2f, 2f, channels));
        bn.biasParameter().value().copyFrom(Tensor.uniform(rng, -1f, 1f, channels));
        return bn;
    }

    private static Tensor oneByOne(Sequential net, Tensor x) {
        for (Layer l : net.layers()) x = l.forward(x, Mode.EVAL);
        return x;
    }

    private static Conv2d randomConv(SplittableRandom rng, boolean wholeVectorRows, int[] inputSize) {
        int groups = new int[] {1, 1, 2, 3}[rng.nextInt(4)];
        int cin = groups * (1 + rng.nextInt(3)), cout = groups * (1 + rng.nextInt(6));
        if (wholeVectorRows) {
            // stride 1, zero "same" padding, output 8, 16 or 32 wide and an even number of rows high
            int k = 1 + 2 * rng.nextInt(3), d = 1 + rng.nextInt(2);
            inputSize[0] = 2 * (1 + rng.nextInt(4));
            inputSize[1] = new int[] {8, 16, 32}[rng.nextInt(3)];
            int pad = d * (k - 1) / 2;
            return new Conv2d(cin, cout, k).padding(pad).dilation(d).groups(groups).bias(rng.nextBoolean());
        }
        int kh = 1 + rng.nextInt(5), kw = 1 + rng.nextInt(5), dh = 1 + rng.nextInt(2), dw = 1 + rng.nextInt(2);
        int pt = rng.nextInt(3), pb = rng.nextInt(3), pl = rng.nextInt(3), pr = rng.nextInt(3);
        inputSize[0] = Math.max(dh * (kh - 1) + 1, 3) + rng.nextInt(6);
        inputSize[1] = Math.max(dw * (kw - 1) + 1, 3) + rng.nextInt(6);
        return new Conv2d(cin, cout, kh, kw).stride(1 + rng.nextInt(3), 1 + rng.nextInt(3)).padding(pt, pb, pl, pr)
                .dilation(dh, dw).groups(groups).paddingMode(PaddingMode.values()[rng.nextInt(4)]).bias(rng.nextBoolean());
    }

    @Test
    void sequentialFusedEqualsLayerByLayer() {
        SplittableRandom rng = new SplittableRandom(31);
        for (int trial = 0; trial < 120; trial++) {
            int[] size = new int[2];
            Conv2d conv = randomConv(rng, trial % 2 == 0, size);
            Sequential net = new Sequential(conv);
            int variant = trial % 3; // conv + BN + ReLU, conv + BN, conv + ReLU
            if (variant != 2) net.add(trainedBatchNorm(rng, conv.outChannels()));
            if (variant != 1) net.add(new ReLU());
            net.add(new Flatten());
            Tensor x = random(rng, 1 + rng.nextInt(5), conv.inChannels(), size[0], size[1]);
            Tensor y = net.forward(x, Mode.EVAL);
            assertClose(oneByOne(net, x), y, 1e-5);
            if (variant != 1) for (int i = 0; i < y.size(); i++) assertTrue(y.at(i) >= 0, net + ": negative after the ReLU");
        }
    }

    @Test
    void convReLUWithRowsNotWholeVectorsMatchesTheReference() {
        // the padded-image path over rows wider than the output (LeNet-5's 28 and 10 wide, odd widths below
        // and above a vector), the bias and ReLU applied as the rows are copied out; groups, batch 1 to 4
        SplittableRandom rng = new SplittableRandom(41);
        int[][] layers = {{1, 6, 5, 2, 28, 28}, {6, 16, 5, 0, 14, 14}, {2, 4, 3, 1, 5, 7}, {3, 6, 3, 1, 9, 13}, {4, 4, 3, 1, 6, 19},
            {2, 2, 5, 2, 4, 37}};
        for (int[] l : layers) {
            for (int groups : new int[] {1, 2}) {
                if (l[0] % groups != 0 || l[1] % groups != 0) continue;
                Conv2d conv = new Conv2d(l[0], l[1], l[2]).padding(l[3]).groups(groups);
                Tensor x = random(rng, 1 + rng.nextInt(4), l[0], l[4], l[5]);
                var g = new org.conv4j.kernel.ConvGeometry(l[0], l[4], l[5], l[2], l[2], 1, 1, 1, 1, l[3], l[3], l[3], l[3], PaddingMode.ZEROS);
                Tensor expected = Tensor.zeros(x.dim(0), l[1], g.oh, g.ow);
                org.conv4j.kernel.Conv.referenceForward(g, groups, x, conv.weight().value(), conv.biasParameter().value(), expected);
                for (int i = 0; i < expected.size(); i++) expected.data()[i] = Math.max(expected.at(i), 0f);
                assertClose(expected, new Sequential(conv, new ReLU()).forward(x, Mode.EVAL), 1e-5);
            }
        }
    }

    @Test
    void sequentialPoolsWithTheConvolutionAsLayerByLayer() {
        // conv (+ BN) (+ ReLU) + max pooling: 2x2, 3x3 stride 2 padded, ceil mode, dilated; padded-image and
        // im2col convolutions, batch 1 to 5 and a batch of many tasks; grouped convolutions pool on their own
        SplittableRandom rng = new SplittableRandom(43);
        MaxPool2d[] pools = {new MaxPool2d(2), new MaxPool2d(3).stride(2).padding(1), new MaxPool2d(2).ceilMode(true),
            new MaxPool2d(2, 3).dilation(2, 1), new MaxPool2d(2).stride(1)};
        for (int trial = 0; trial < 60; trial++) {
            int[] size = new int[2];
            Conv2d conv = randomConv(rng, trial % 2 == 0, size);
            Sequential net = new Sequential(conv);
            int variant = trial % 4; // conv + BN + ReLU, conv + BN, conv + ReLU, conv
            if (variant < 2) net.add(trainedBatchNorm(rng, conv.outChannels()));
            if (variant % 2 == 0) net.add(new ReLU());
            net.add(pools[trial % pools.length]).add(new Flatten());
            try {
                net.outputShape(org.conv4j.tensor.Shape.of(1, conv.inChannels(), size[0] + 4, size[1] + 4));
            } catch (IllegalArgumentException tooSmallToPool) {
                continue;
            }
            Tensor x = random(rng, trial % 10 == 1 ? 37 : 1 + rng.nextInt(5), conv.inChannels(), size[0] + 4, size[1] + 4);
            assertClose(oneByOne(net, x), net.forward(x, Mode.EVAL), 1e-5);
        }
    }

    @Test
    void pooledForwardIsBitIdenticalForOneAndTwoThreadsAndNamesAFailingPool() {
        SplittableRandom rng = new SplittableRandom(47);
        org.conv4j.nn.Init.seed(3);
        Sequential net = org.conv4j.zoo.LeNet5.build(1, 28, 28, 10);
        Tensor x = random(rng, 64, 1, 28, 28);
        int saved = org.conv4j.kernel.Parallel.threads();
        try {
            org.conv4j.kernel.Parallel.setThreads(1);
            Tensor one = net.forward(x, Mode.EVAL);
            org.conv4j.kernel.Parallel.setThreads(2);
            org.conv4j.testing.Assertions2.assertSameBits(one, net.forward(x, Mode.EVAL));
        } finally {
            org.conv4j.kernel.Parallel.setThreads(saved);
        }
        // a 5x5 convolution of a 5x5 map leaves 1x1, too small for the 2x2 pooling after it
        Sequential small = new Sequential(new Conv2d(1, 2, 5), new ReLU(), new MaxPool2d(2));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> small.forward(Tensor.zeros(1, 1, 5, 5), Mode.EVAL));
        assertTrue(e.getMessage().startsWith("layer 2 (MaxPool2d(kernel_size=2)): MaxPool2d: "), e.getMessage());
    }

    @Test
    void resNetBlockFusedEqualsNodeByNode() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int stride : new int[] {1, 2}) {
            Graph block = org.conv4j.zoo.ResNet.basicBlock(8, stride == 1 ? 8 : 16, stride);
            for (var p : Layers.namedParameters(block).entrySet()) {
                // a trained network's batch norms: gamma, beta, running mean and variance away from 1 and 0
                if (!p.getKey().contains("conv") && !p.getKey().endsWith("0.weight")) {
                    boolean positive = p.getKey().endsWith("running_var");
                    p.getValue().value().copyFrom(Tensor.uniform(rng, positive ? 0.2f : -1.5f, 1.5f, p.getValue().value().size()));
                }
            }
            Tensor x = random(rng, 3, 8, 16, 16);
            // node by node: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
            Tensor h = x;
            for (String name : new String[] {"conv1", "bn1", "relu1", "conv2", "bn2"}) h = block.node(name).layer().forward(h, Mode.EVAL);
            Tensor shortcut = stride == 1 ? x : oneByOne((Sequential) block.node("downsample").layer(), x);
            Tensor expected = Tensor.zeros(h.shape());
            for (int i = 0; i < h.size(); i++) expected.data()[i] = Math.max(h.at(i) + shortcut.at(i), 0f);
            assertClose(expected, block.forward(x, Mode.EVAL), 1e-5);
        }
    }

    @Test
    void residualSumFusedIntoTheConvolutionEqualsTheSumAfterItBitForBit() {
        // relu(bn(conv(x)) + x) with the sum made as the convolution stores its output, against the
        // conv (+ bn) fused alone and the sum and ReLU after it: every path the forward takes (whole-vector
        // rows, shifted copies for rows of odd widths, im2col for 1 x 1 and dilated-by-3 kernels, Winograd
        // for 128 -> 128+ channels), with and without the batch norm and the ReLU
        SplittableRandom rng = new SplittableRandom(21);
        int[][] cases = {{8, 3, 1, 16, 16}, {6, 3, 1, 7, 9}, {5, 1, 1, 6, 5}, {4, 3, 3, 11, 12}, {128, 3, 1, 6, 6}, {3, 5, 1, 28, 28}};
        for (int[] c : cases) {
            for (int variant = 0; variant < 4; variant++) {
                boolean withBn = variant % 2 == 0, withRelu = variant < 2;
                int ch = c[0], k = c[1], d = c[2];
                Conv2d conv = new Conv2d(ch, ch, k).padding(d * (k - 1) / 2).dilation(d).bias(rng.nextBoolean());
                conv.weight().value().copyFrom(Tensor.uniform(rng, -0.3f, 0.3f, conv.weight().value().size()));
                BatchNorm2d bn = trainedBatchNorm(rng, ch);
                Graph g = new Graph().add("conv", conv, Graph.INPUT);
                String last = "conv";
                if (withBn) g.add(last = "bn", bn, "conv");
                g.add("sum", new Add(), last, Graph.INPUT);
                if (withRelu) g.add("relu", new ReLU(), "sum");
                g.output(withRelu ? "relu" : "sum");
                Tensor x = random(rng, 1 + rng.nextInt(3), ch, c[3], c[4]);
                Tensor h = (withBn ? new Sequential(conv, bn) : new Sequential(conv)).forward(x, Mode.EVAL);
                float[] expected = new float[h.size()];
                for (int i = 0; i < h.size(); i++) expected[i] = withRelu ? Math.max(h.at(i) + x.at(i), 0f) : h.at(i) + x.at(i);
                Tensor y = g.forward(x, Mode.EVAL);
                String where = java.util.Arrays.toString(c) + " bn " + withBn + " relu " + withRelu;
                assertEquals(h.shape(), y.shape(), where);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(y.at(i)), where + " at " + i);
                }
            }
        }
    }

    @Test
    void resNetBlockWithReusedBuffersSumsIntoTheConvolutionsOutput() {
        SplittableRandom rng = new SplittableRandom(6);
        Graph block = org.conv4j.zoo.ResNet.basicBlock(8, 8, 1);
        block.reuseBuffers(true);
        Conv2d conv2 = (Conv2d) block.node("conv2").layer();
        Tensor first = null;
        for (int call = 0; call < 2; call++) {
            Tensor x = random(rng, 2, 8, 10, 12);
            Tensor h = x;
            for (String name : new String[] {"conv1", "bn1", "relu1", "conv2", "bn2"}) h = block.node(name).layer().forward(h, Mode.EVAL);
            Tensor expected = Tensor.zeros(h.shape());
            for (int i = 0; i < h.size(); i++) expected.data()[i] = Math.max(h.at(i) + x.at(i), 0f);
            Tensor y = block.forward(x, Mode.EVAL);
            assertClose(expected, y, 1e-5);
            // the sum + ReLU overwrote conv2's output (conv2's kept buffer), which nothing else reads
            assertTrue(y == conv2.forward(h, Mode.EVAL), "the block's output is conv2's kept buffer");
            if (first == null) first = y;
            else assertTrue(first == y, "the same buffer on the next call");
        }
    }

    @Test
    void residualComputedAfterTheConvolutionIsNotFusedAndStillSummed() {
        // the shortcut node comes after conv + bn in insertion order (as a ResNet block's downsample): the
        // convolution runs before the value it would add exists, so the sum runs as its own node
        SplittableRandom rng = new SplittableRandom(22);
        Conv2d conv = new Conv2d(4, 4, 3).padding(1);
        BatchNorm2d bn = trainedBatchNorm(rng, 4);
        Graph g = new Graph().add("conv", conv, Graph.INPUT).add("bn", bn, "conv").add("short", new Tanh(), Graph.INPUT)
                .add("sum", new Add(), "bn", "short").add("relu", new ReLU(), "sum").output("relu");
        Tensor x = random(rng, 2, 4, 9, 10);
        Tensor h = new Sequential(conv, bn).forward(x, Mode.EVAL);
        Tensor y = g.forward(x, Mode.EVAL);
        for (int i = 0; i < h.size(); i++) {
            assertEquals(Math.max(h.at(i) + (float) Math.tanh(x.at(i)), 0f), y.at(i), 1e-6f);
        }
    }

    @Test
    void aSumDoesNotOverwriteAConvolutionOutputReadAfterIt() {
        // bn's value feeds the first sum and, after it, the second: the first sum needs its own tensor
        SplittableRandom rng = new SplittableRandom(10);
        Conv2d conv = new Conv2d(4, 4, 3).padding(1);
        BatchNorm2d bn = trainedBatchNorm(rng, 4);
        Graph g = new Graph()
                .add("conv", conv, Graph.INPUT)
                .add("bn", bn, "conv")
                .add("sum", new Add(), "bn", Graph.INPUT)
                .add("relu", new ReLU(), "sum")
                .add("sum2", new Add(), "relu", "bn")
                .output("sum2");
        g.reuseBuffers(true);
        Tensor x = random(rng, 2, 4, 8, 16);
        Tensor b = bn.forward(conv.forward(x, Mode.EVAL), Mode.EVAL);
        Tensor expected = Tensor.zeros(b.shape());
        for (int i = 0; i < b.size(); i++) expected.data()[i] = Math.max(b.at(i) + x.at(i), 0f) + b.at(i);
        assertClose(expected, g.forward(x, Mode.EVAL), 1e-5);
    }

    @Test
    void graphDoesNotFuseAValueAnotherNodeReads() {
        // bn's value feeds relu and the sum: relu cannot be folded into the convolution
        SplittableRandom rng = new SplittableRandom(9);
        Conv2d conv = new Conv2d(3, 4, 3).padding(1);
        BatchNorm2d bn = trainedBatchNorm(rng, 4);
        Graph g = new Graph()
                .add("conv", conv, Graph.INPUT)
                .add("bn", bn, "conv")
                .add("relu", new ReLU(), "bn")
                .add("sum", new Add(), "relu", "bn")
                .output("sum");
        Tensor x = random(rng, 2, 3, 8, 16);
        Tensor b = bn.forward(conv.forward(x, Mode.EVAL), Mode.EVAL);
        Tensor expected = Tensor.zeros(b.shape());
        for (int i = 0; i < b.size(); i++) expected.data()[i] = Math.max(b.at(i), 0f) + b.at(i);
        assertClose(expected, g.forward(x, Mode.EVAL), 1e-5);
    }

    @Test
    void residualSumAndReLUFuseOnlyWhereTheSumHasNoOtherReader() {
        SplittableRandom rng = new SplittableRandom(12);
        Tensor x = random(rng, 2, 3, 5, 7);
        // input + tanh(input), then ReLU: fused; the same with the sum also read by the output sum: not fused;
        // a three-input sum: not fused
        Graph fused = new Graph().add("t", new Tanh(), Graph.INPUT).add("sum", new Add(), Graph.INPUT, "t")
                .add("relu", new ReLU(), "sum").output("relu");
        Graph shared = new Graph().add("t", new Tanh(), Graph.INPUT).add("sum", new Add(), Graph.INPUT, "t")
                .add("relu", new ReLU(), "sum").add("out", new Add(), "relu", "sum").output("out");
        Graph three = new Graph().add("t", new Tanh(), Graph.INPUT).add("sum", new Add(), Graph.INPUT, "t", "t")
                .add("relu", new ReLU(), "sum").output("relu");
        Tensor a = fused.forward(x, Mode.EVAL), b = shared.forward(x, Mode.EVAL), c = three.forward(x, Mode.EVAL);
        for (int i = 0; i < x.size(); i++) {
            float v = x.at(i), s = v + (float) Math.tanh(v);
            assertEquals(Math.max(s, 0f), a.at(i), 1e-6);
            assertEquals(Math.max(s, 0f) + s, b.at(i), 1e-6);
            assertEquals(Math.max(s + (float) Math.tanh(v), 0f), c.at(i), 1e-6);
        }
    }

    @Test
    void spanCoversConvolutionThenBatchNormOfItsChannelsThenReLU() {
        Conv2d conv = new Conv2d(3, 4, 3);
        BatchNorm2d bn4 = new BatchNorm2d(4), bn5 = new BatchNorm2d(5);
        ReLU relu = new ReLU();
        assertEquals(3, ConvFusion.span(conv, bn4, relu));
        assertEquals(2, ConvFusion.span(conv, bn4, new Tanh()));
        assertEquals(2, ConvFusion.span(conv, relu, bn4));
        assertEquals(1, ConvFusion.span(conv, bn5, relu), "a batch norm of other channels is left to report its error");
        assertEquals(1, ConvFusion.span(conv, null, null));
        assertEquals(1, ConvFusion.span(bn4, relu, null));
        assertEquals(1, ConvFusion.span(null, null, null));
    }

    @Test
    void trainingIsNotFused() {
        // TRAIN normalizes with the batch statistics: the output has mean 0 per channel before the ReLU
        SplittableRandom rng = new SplittableRandom(3);
        Conv2d conv = new Conv2d(2, 3, 3).padding(1);
        Sequential net = new Sequential(conv, trainedBatchNorm(rng, 3));
        Tensor y = net.forward(random(rng, 4, 2, 6, 6), Mode.TRAIN);
        for (int c = 0; c < 3; c++) {
            double beta = ((BatchNorm2d) net.get(1)).biasParameter().value().at(c), sum = 0;
            for (int i = 0; i < 4; i++) for (int j = 0; j < 36; j++) sum += y.at((i * 3 + c) * 36 + j) - beta;
            assertEquals(0, sum / (4 * 36), 1e-5);
        }
    }
}
