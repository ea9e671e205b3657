package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.kernel.Conv;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv2dTest {

    private static Conv2d withWeights(Conv2d conv, float[] w, float... b) {
        conv.weight().value().copyFrom(Tensor.of(w, conv.weight().value().shape().dims()));
        if (conv.hasBias()) conv.biasParameter().value().copyFrom(Tensor.of(b, b.length));
        return conv;
    }

    @Test
    void spec2Example1ThreeByThreeWithTwoByTwoKernel() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Conv2d noBias = withWeights(new Conv2d(1, 1, 2).bias(false), new float[] {0, 1, 2, 3});
        assertClose(new float[] {25, 31, 43, 49}, noBias.forward(x, Mode.EVAL), 0);
        Conv2d withBias = withWeights(new Conv2d(1, 1, 2), new float[] {0, 1, 2, 3}, 1f);
        assertClose(new float[] {26, 32, 44, 50}, withBias.forward(x, Mode.EVAL), 0);
    }

    @Test
    void spec2OutputSizes() {
        assertEquals(Shape.of(1, 1, 4, 4), new Conv2d(1, 1, 3).padding(1).outputShape(Shape.of(1, 1, 4, 4)));
        assertEquals(Shape.of(1, 1, 6, 6), new Conv2d(1, 1, 3).padding(2).outputShape(Shape.of(1, 1, 4, 4)));
        assertEquals(Shape.of(1, 1, 50, 50), new Conv2d(1, 1, 3).padding(1).stride(2).outputShape(Shape.of(1, 1, 100, 100)));
        assertEquals(Shape.of(1, 1, 3, 3), new Conv2d(1, 1, 2).outputShape(Shape.of(1, 1, 4, 4)));
    }

    @Test
    void spec2Example4TwoFiltersOverPaddedRgbHave56Parameters() {
        Conv2d conv = new Conv2d(3, 2, 3).stride(2).padding(1);
        assertEquals(Shape.of(1, 2, 3, 3), conv.outputShape(Shape.of(1, 3, 5, 5)));
        assertEquals(56, Layers.parameterCount(conv));
    }

    @Test
    void spec2Example8GradientCheckWithSumOfOutput() {
        Init.seed(8);
        Conv2d conv = new Conv2d(3, 2, 3).stride(2).padding(1);
        Tensor x = random(new SplittableRandom(8), 1, 3, 5, 5);
        GradientCheck.Report r = new GradientCheck().sumOfOutput(true).check(conv, x);
        assertTrue(r.passed(1e-2), r.toString());
        assertEquals(3, r.errors().size(), "input, weight and bias are each checked");
    }

    @Test
    void samePaddingKeepsSizeAndPutsOddExtraBottomRight() {
        Conv2d conv = new Conv2d(1, 1, 4).padding("same");
        assertEquals(Shape.of(2, 1, 7, 9), conv.outputShape(Shape.of(2, 1, 7, 9)));
        assertEquals(java.util.List.of(1, 2, 1, 2), java.util.Arrays.stream(conv.padding()).boxed().toList());
    }

    /** A random convolution configuration, with its input. */
    private static Object[] randomCase(SplittableRandom rng) {
        int groups = new int[] {1, 1, 2, 3}[rng.nextInt(4)];
        boolean depthwise = rng.nextInt(5) == 0;
        int cin = groups * (1 + rng.nextInt(3));
        int cout = depthwise ? cin : groups * (1 + rng.nextInt(3));
        if (depthwise) groups = cin;
        int kh = 1 + rng.nextInt(7), kw = 1 + rng.nextInt(7);
        int dh = 1 + rng.nextInt(3), dw = 1 + rng.nextInt(3);
        int pt = rng.nextInt(4), pb = rng.nextInt(4), pl = rng.nextInt(4), pr = rng.nextInt(4);
        PaddingMode mode = PaddingMode.values()[rng.nextInt(4)];
        int h = Math.max(dh * (kh - 1) + 1, Math.max(pt, pb) + 1) + rng.nextInt(6);
        int w = Math.max(dw * (kw - 1) + 1, Math.max(pl, pr) + 1) + rng.nextInt(6);
        Conv2d conv = new Conv2d(cin, cout, kh, kw).stride(1 + rng.nextInt(3), 1 + rng.nextInt(3))
                .padding(pt, pb, pl, pr).dilation(dh, dw).groups(groups).paddingMode(mode).bias(rng.nextBoolean());
        Tensor x = random(rng, 1 + rng.nextInt(3), cin, h, w);
        return new Object[] {conv, x};
    }

    @Test
    void fastPathMatchesReferenceOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(2024);
        for (int trial = 0; trial < 300; trial++) {
            Object[] c = randomCase(rng);
            Conv2d conv = (Conv2d) c[0];
            Tensor x = (Tensor) c[1];
            int[] p = conv.padding();
            ConvGeometry g = new ConvGeometry(conv.inChannels(), x.dim(2), x.dim(3), conv.kernelH(), conv.kernelW(),
                    conv.strideH(), conv.strideW(), conv.dilationH(), conv.dilationW(), p[0], p[1], p[2], p[3], conv.paddingMode());
            Tensor bias = conv.hasBias() ? conv.biasParameter().value() : null;
            Tensor expected = Tensor.zeros(x.dim(0), conv.outChannels(), g.oh, g.ow);
            Conv.referenceForward(g, conv.groups(), x, conv.weight().value(), bias, expected);
            Tensor y = conv.forward(x, Mode.TRAIN);
            String what = conv + " on " + x.shape();
            assertClose(expected, y, 1e-5);

            Tensor dy = random(rng, y.shape().dims());
            Tensor dxRef = Tensor.zeros(x.shape());
            Tensor dwRef = Tensor.zeros(conv.weight().value().shape());
            Tensor dbRef = bias == null ? null : Tensor.zeros(bias.shape());
            Conv.referenceBackward(g, conv.groups(), x, conv.weight().value(), dy, dxRef, dwRef, dbRef);
            Layers.zeroGrad(conv);
            Tensor dx = conv.backward(dy);
            assertClose(dxRef, dx, 1e-4);
            assertClose(dwRef, conv.weight().grad(), 1e-4);
            if (bias != null) assertClose(dbRef, conv.biasParameter().grad(), 1e-4);
            assertTrue(trial >= 0, what);
        }
    }

    /** conv's forward, input gradient and weight gradient on x against the direct loop nests, for a random dy. */
    private static void assertForwardAndBackwardMatchTheReference(Conv2d conv, ConvGeometry g, Tensor x, SplittableRandom rng) {
        Tensor bias = conv.hasBias() ? conv.biasParameter().value() : null;
        Tensor expected = Tensor.zeros(x.dim(0), conv.outChannels(), g.oh, g.ow);
        Conv.referenceForward(g, conv.groups(), x, conv.weight().value(), bias, expected);
        assertClose(expected, conv.forward(x, Mode.TRAIN), 1e-5);
        Tensor dy = random(rng, expected.shape().dims());
        Tensor dxRef = Tensor.zeros(x.shape()), dwRef = Tensor.zeros(conv.weight().value().shape());
        Conv.referenceBackward(g, conv.groups(), x, conv.weight().value(), dy, dxRef, dwRef, null);
        Layers.zeroGrad(conv);
        assertClose(dxRef, conv.backward(dy), 1e-4);
        assertClose(dwRef, conv.weight().grad(), 1e-4);
    }

    @Test
    void strideOneZeroPaddedMatchesTheReference() {
        // stride 1, zero padding: the products read padded copies of the images (forward: output rows of
        // whole vectors (8, 16, 32 floats), or at least 2/3 of the padded rows (5, 10, 13, 28 wide); the
        // weight gradient where the output rows are at least 2/3 of the padded rows: tiles for groups of
        // 16 or more output channels, dot products for fewer) and of dy (input gradient) instead of im2col
        // matrices; odd channels (K not a multiple of 4), dilation, groups, batch 1 to 9
        SplittableRandom rng = new SplittableRandom(77);
        int checked = 0;
        for (int trial = 0; trial < 80; trial++) {
            int groups = new int[] {1, 1, 2, 4}[rng.nextInt(4)];
            // a group of 16 or more output channels fills a column panel: the weight gradient's direct path
            int cin = groups * (1 + rng.nextInt(3)), cout = groups * new int[] {1, 2, 5, 6, 16, 20}[rng.nextInt(6)];
            int kh = 1 + rng.nextInt(5), kw = 1 + rng.nextInt(5), dh = 1 + rng.nextInt(2), dw = 1 + rng.nextInt(2);
            int pt = rng.nextInt(3), pb = rng.nextInt(3), pl = rng.nextInt(3), pr = rng.nextInt(3);
            if (trial % 2 == 0) {
                // "same" padding: the input is as wide as the output, so dy's product applies too
                pl = dw * (kw - 1) / 2;
                pr = dw * (kw - 1) - pl;
                pt = dh * (kh - 1) / 2;
                pb = dh * (kh - 1) - pt;
            }
            int ow = new int[] {8, 16, 32, 24, 5, 10, 13, 28}[trial % 8], oh = ow % 8 == 0 ? 2 * (1 + rng.nextInt(3)) : 1 + rng.nextInt(7);
            int w = ow + dw * (kw - 1) - pl - pr, h = oh + dh * (kh - 1) - pt - pb;
            if (w < 1 || h < 1 || Math.max(pt, pb) >= h + dh * (kh - 1) || kh * kw == 1 && pt + pb + pl + pr == 0) continue;
            Conv2d conv = new Conv2d(cin, cout, kh, kw).padding(pt, pb, pl, pr).dilation(dh, dw).groups(groups).bias(rng.nextBoolean());
            Tensor x = random(rng, 1 + rng.nextInt(9), cin, h, w);
            ConvGeometry g = new ConvGeometry(cin, h, w, kh, kw, 1, 1, dh, dw, pt, pb, pl, pr, PaddingMode.ZEROS);
            assertEquals(ow, g.ow);
            assertForwardAndBackwardMatchTheReference(conv, g, x, rng);
            checked++;
        }
        assertTrue(checked >= 50, checked + " configurations");
    }

    @Test
    void stridedZeroPaddedMatchesTheReference() {
        // strides 2 and 3 with kernels that read every phase: the forward and (16 or more output channels
        // a group) the weight gradient read the padded images split into stride x stride phase planes;
        // output 8 or 16 wide (whole vectors) or 5, 7, 10 wide (rows of the phase planes' width),
        // asymmetric padding, dilation, groups, batch 1 to 5
        SplittableRandom rng = new SplittableRandom(91);
        int checked = 0;
        for (int trial = 0; trial < 60; trial++) {
            int s = 2 + rng.nextInt(2), groups = new int[] {1, 1, 2}[rng.nextInt(3)];
            int kh = s + rng.nextInt(3), kw = s + rng.nextInt(3), dh = 1 + rng.nextInt(2), dw = 1 + rng.nextInt(2);
            int pt = rng.nextInt(3), pb = rng.nextInt(3), pl = rng.nextInt(3), pr = rng.nextInt(3);
            int ow = new int[] {8, 16, 5, 7, 10}[trial % 5], oh = 1 + rng.nextInt(6);
            // the smallest input with these output sizes, plus up to s - 1 rows and columns the windows skip
            int h = (oh - 1) * s + dh * (kh - 1) + 1 - pt - pb + rng.nextInt(s), w = (ow - 1) * s + dw * (kw - 1) + 1 - pl - pr + rng.nextInt(s);
            if (h < Math.max(pt, pb) + 1 || w < Math.max(pl, pr) + 1) continue;
            int cin = groups * (1 + rng.nextInt(3)), cout = groups * new int[] {1, 3, 6, 16, 20}[rng.nextInt(5)];
            Conv2d conv = new Conv2d(cin, cout, kh, kw).stride(s).padding(pt, pb, pl, pr).dilation(dh, dw).groups(groups).bias(rng.nextBoolean());
            Tensor x = random(rng, 1 + rng.nextInt(5), cin, h, w);
            ConvGeometry g = new ConvGeometry(cin, h, w, kh, kw, s, s, dh, dw, pt, pb, pl, pr, PaddingMode.ZEROS);
            assertEquals(ow, g.ow);
            assertForwardAndBackwardMatchTheReference(conv, g, x, rng);
            checked++;
        }
        assertTrue(checked >= 40, checked + " configurations");
    }

    @Test
    void gradientCheckPassesOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(77);
        for (int trial = 0; trial < 25; trial++) {
            Object[] c = randomCase(rng);
            Conv2d conv = (Conv2d) c[0];
            GradientCheck.Report r = new GradientCheck().seed(trial).check(conv, (Tensor) c[1]);
            assertTrue(r.passed(2e-2), conv + "\n" + r);
        }
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        // 16 output channels: the weight gradient's tiles; 6 (LeNet-5's first layer): its dot products
        Init.seed(3);
        for (Conv2d conv : new Conv2d[] {new Conv2d(8, 16, 3).padding(1), new Conv2d(1, 6, 5).padding(2)}) {
            SplittableRandom rng = new SplittableRandom(5);
            Tensor x = random(rng, 16, conv.inChannels(), 20, 20);
            Tensor dy = random(rng, 16, conv.outChannels(), 20, 20);
            int saved = Parallel.threads();
            try {
                Tensor[] results = new Tensor[6];
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    Layers.zeroGrad(conv);
                    results[3 * (threads - 1)] = conv.forward(x, Mode.TRAIN).copy();
                    results[3 * (threads - 1) + 1] = conv.backward(dy).copy();
                    results[3 * (threads - 1) + 2] = conv.weight().grad().copy();
                }
                for (int i = 0; i < 3; i++) assertSameBits(results[i], results[i + 3]);
            } finally {
                Parallel.setThreads(saved);
            }
        }
    }

    @Test
    void backwardParametersGivesTheSameParameterGradientsWithoutTheInputGradient() {
        Init.seed(12);
        Sequential net = new Sequential(new Conv2d(2, 3, 3).stride(2).padding(1), new ReLU(), new Flatten(), new Linear(3 * 4 * 4, 4));
        Tensor x = random(new SplittableRandom(12), 3, 2, 7, 8);
        Tensor dy = random(new SplittableRandom(13), 3, 4);
        net.forward(x, Mode.TRAIN);
        net.backward(dy);
        java.util.Map<String, Tensor> full = new java.util.LinkedHashMap<>();
        Layers.namedParameters(net).forEach((k, p) -> full.put(k, p.grad().copy()));
        Layers.zeroGrad(net);
        net.forward(x, Mode.TRAIN);
        net.backwardParameters(dy);
        Layers.namedParameters(net).forEach((k, p) -> assertSameBits(full.get(k), p.grad()));
    }

    @Test
    void badConfigurationAndInputFailWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3).groups(2));
        assertTrue(e.getMessage().contains("in_channels (3) must be divisible by groups (2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3).forward(Tensor.zeros(1, 2, 8, 8), Mode.EVAL));
        assertTrue(e.getMessage().contains("expected 3 input channels, got 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 5).forward(Tensor.zeros(1, 1, 3, 3), Mode.EVAL));
        assertTrue(e.getMessage().contains("larger than the padded input 3x3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 3).forward(Tensor.zeros(1, 9), Mode.EVAL));
        assertTrue(e.getMessage().contains("rank-4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 2).stride(2).strict(true).outputShape(Shape.of(1, 1, 5, 5)));
        assertTrue(e.getMessage().startsWith("Conv2d: strict"), e.getMessage());
        assertEquals(Shape.of(1, 1, 2, 2), new Conv2d(1, 1, 2).stride(2).outputShape(Shape.of(1, 1, 5, 5)));
        assertThrows(IllegalStateException.class, () -> new Conv2d(1, 1, 2).backward(Tensor.zeros(1, 1, 1, 1)));
    }
}
