package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.kernel.Conv;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.kernel.Simd;
import org.conv4j.kernel.Winograd;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(2x2, 3x3), EVAL's inference path for 3x3 stride-1 layers, against the exact sum.
 * Error bound: every output is within 1e-5 * sum over its window of |w||x| (times |scale| when a
 * batch norm is folded in) of the sum taken in double; the direct path meets the same bound.
 */
class WinogradTest {
    private static final double BOUND = 1e-5;

    private static ConvGeometry geometry(int c, int h, int w, int p) {
        return new ConvGeometry(c, h, w, 3, 3, 1, 1, 1, 1, p, p, p, p, PaddingMode.ZEROS).validate("test");
    }

    /** Asserts f(scale * (x * w) + shift) of y against double sums, within BOUND of sum |w||x|; returns the largest error / bound seen. */
    private static double check(ConvGeometry g, Tensor x, Tensor wt, float[] scale, float[] shift, boolean relu, Tensor y) {
        int n = x.dim(0), oc = wt.dim(0);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < oc; o++) {
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        double s = 0, a = 0;
                        for (int ci = 0; ci < g.c; ci++) {
                            for (int ki = 0; ki < 3; ki++) {
                                int iy = oy - g.pt + ki;
                                if (iy < 0 || iy >= g.h) continue;
                                for (int kj = 0; kj < 3; kj++) {
                                    int ix = ox - g.pl + kj;
                                    if (ix < 0 || ix >= g.w) continue;
                                    double p = (double) wt.get(o, ci, ki, kj) * x.get(i, ci, iy, ix);
                                    s += p;
                                    a += Math.abs(p);
                                }
                            }
                        }
                        double sc = scale == null ? 1 : scale[o], want = sc * s + (shift == null ? 0 : shift[o]);
                        if (relu) want = Math.max(want, 0);
                        double err = Math.abs(y.get(i, o, oy, ox) - want), allowed = BOUND * Math.abs(sc) * a + 1e-30;
                        if (err > allowed) {
                            throw new AssertionError(String.format("image %d channel %d at (%d, %d) of %s: got %s, want %s (allowed %s)",
                                    i, o, oy, ox, g, y.get(i, o, oy, ox), want, allowed));
                        }
                        worst = Math.max(worst, err / allowed);
                    }
                }
            }
        }
        return worst;
    }

    @Test
    void kernelMeetsTheBoundOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(22);
        double worst = 0;
        for (int trial = 0; trial < 12; trial++) {
            int n = trial % 2 == 0 ? 1 : 3, c = 1 + rng.nextInt(40), oc = 1 + rng.nextInt(40), p = rng.nextInt(2);
            int h = 3 - 2 * p + rng.nextInt(14), w = 3 - 2 * p + rng.nextInt(38);   // up to 19 tiles wide: vector and scalar tiles
            ConvGeometry g = geometry(c, h, w, p);
            Tensor x = Tensor.uniform(rng, -1f, 1f, n, c, h, w), wt = Tensor.uniform(rng, -1f, 1f, oc, c, 3, 3);
            float[] u = new float[Winograd.filterSize(oc, c)];
            Winograd.transformFilters(wt.data(), 0, oc, c, u);
            boolean fused = trial % 3 == 0;
            float[] scale = fused ? Tensor.uniform(rng, -2f, 2f, oc).toArray() : null;
            float[] shift = trial % 3 != 2 ? Tensor.uniform(rng, -1f, 1f, oc).toArray() : null;
            Tensor y = Tensor.zeros(n, oc, g.oh, g.ow), direct = Tensor.zeros(n, oc, g.oh, g.ow);
            Conv.forwardWinograd(g, x, u, oc, scale, shift, fused, y);
            worst = Math.max(worst, check(g, x, wt, scale, shift, fused, y));
            Conv.forward(g, 1, x, wt, scale, shift, null, fused, direct);
            check(g, x, wt, scale, shift, fused, direct);
        }
        // the bound is not loose by orders of magnitude: the transform's rounding is visible in it
        assertTrue(worst > 1e-3, "largest error / bound " + worst);
    }

    private static Sequential convBnRelu(SplittableRandom rng, int c, int oc) {
        BatchNorm2d bn = new BatchNorm2d(oc).eps(1e-3);
        bn.runningMean().value().copyFrom(Tensor.uniform(rng, -1f, 1f, oc));
        bn.runningVar().value().copyFrom(Tensor.uniform(rng, 0.2f, 3f, oc));
        bn.weight().value().copyFrom(Tensor.uniform(rng, -2f, 2f, oc));
        bn.biasParameter().value().copyFrom(Tensor.uniform(rng, -1f, 1f, oc));
        return new Sequential(new Conv2d(c, oc, 3).padding(1), bn, new ReLU());
    }

    @Test
    void fusedEvalMatchesTheLayersOneByOneWithinTheBound() {
        SplittableRandom rng = new SplittableRandom(5);
        Sequential net = convBnRelu(rng, 128, 257);
        Conv2d conv = (Conv2d) net.layers().get(0);
        ConvGeometry g = geometry(128, 5, 7, 1);
        assertTrue(!Simd.enabled() || Conv.usesWinograd(g, 1, 257), "a 128 -> 257 channel 3x3 layer runs by Winograd");
        assertFalse(Conv.usesWinograd(geometry(64, 5, 7, 1), 1, 64), "64 -> 64 channels stay direct, measured faster");
        Tensor x = Tensor.uniform(rng, -1f, 1f, 3, 128, 5, 7);
        Tensor fused = net.forward(x, Mode.EVAL).copy();
        Tensor direct = Tensor.zeros(3, 257, 5, 7);
        Conv.forward(g, 1, x, conv.weight().value(), conv.biasParameter().value(), direct);
        Tensor oneByOne = net.layers().get(2).forward(net.layers().get(1).forward(direct, Mode.EVAL), Mode.EVAL);
        // the batch norm after the exact sum: its scale times the bound, plus a float rounding of the shift
        BatchNorm2d bn = (BatchNorm2d) net.layers().get(1);
        float[] scale = new float[257];
        float[] shift = bn.fold(conv.biasParameter().value().toArray(), scale);
        check(g, x, conv.weight().value(), scale, shift, true, fused);
        for (int i = 0; i < fused.size(); i++) {
            int o = i / 35 % 257;
            assertTrue(Math.abs(fused.at(i) - oneByOne.at(i)) <= 2e-5 * (1 + Math.abs(oneByOne.at(i))) + 20 * BOUND * Math.abs(scale[o]),
                    "element " + i + ": fused " + fused.at(i) + ", one by one " + oneByOne.at(i));
        }
    }

    @Test
    void switchedOffEvalIsBitIdenticalToTheDirectPath() {
        SplittableRandom rng = new SplittableRandom(9);
        Conv2d conv = new Conv2d(128, 256, 3).padding(1);
        Tensor x = Tensor.uniform(rng, -1f, 1f, 3, 128, 3, 5);
        Tensor direct = Tensor.zeros(3, 256, 3, 5);
        Conv.forward(geometry(128, 3, 5, 1), 1, x, conv.weight().value(), conv.biasParameter().value(), direct);
        String saved = System.getProperty("conv4j.winograd");
        try {
            System.setProperty("conv4j.winograd", "false");
            assertFalse(Conv.usesWinograd(geometry(128, 3, 5, 1), 1, 256));
            assertArrayEquals(direct.toArray(), conv.forward(x, Mode.EVAL).toArray());
        } finally {
            if (saved == null) System.clearProperty("conv4j.winograd");
            else System.setProperty("conv4j.winograd", saved);
        }
        boolean differs = false;
        Tensor on = conv.forward(x, Mode.EVAL);
        for (int i = 0; i < on.size(); i++) differs |= Float.floatToIntBits(on.at(i)) != Float.floatToIntBits(direct.at(i));
        assertTrue(!Simd.enabled() || differs, "switched on, the EVAL forward takes the Winograd path");
    }

    @Test
    void aChangedWeightRemakesTheFilters() {
        SplittableRandom rng = new SplittableRandom(3);
        Conv2d conv = new Conv2d(128, 256, 3);
        Tensor x = Tensor.uniform(rng, -1f, 1f, 1, 128, 5, 4);
        ConvGeometry g = geometry(128, 5, 4, 0);
        conv.forward(x, Mode.EVAL);
        conv.weight().value().data()[conv.weight().value().offset() + 100] += 0.5f;   // an optimizer step in place
        Tensor y = conv.forward(x, Mode.EVAL);
        float[] shift = conv.biasParameter().value().toArray();
        check(g, x, conv.weight().value(), null, shift, false, y);
    }

    @Test
    void threadsSharingTheModelInEvalGetTheSameOutputs() throws Exception {
        SplittableRandom rng = new SplittableRandom(12);
        Conv2d conv = new Conv2d(128, 256, 3).padding(1);
        Tensor x = Tensor.uniform(rng, -1f, 1f, 2, 128, 6, 6);
        for (int round = 0; round < 5; round++) {
            // a changed weight: the threads race to remake the filters
            conv.weight().value().data()[conv.weight().value().offset()] += 0.25f;
            java.util.List<java.util.concurrent.Callable<float[]>> calls = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) calls.add(() -> conv.forward(x, Mode.EVAL).toArray());
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                float[] first = null;
                for (java.util.concurrent.Future<float[]> f : pool.invokeAll(calls)) {
                    float[] got = f.get();
                    if (first == null) first = got;
                    else assertArrayEquals(first, got, "round " + round + ": threads sharing the layer got different outputs");
                }
                assertArrayEquals(conv.forward(x, Mode.EVAL).toArray(), first, "round " + round + ": a lone forward after the race");
            } finally {
                pool.shutdown();
            }
        }
    }
}
