package org.conv4j.kernel;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PoolKernelTest {

    @Test
    void outputSizeFollowsPytorchFloorAndCeilRules() {
        assertEquals(2, Pool.outSize(5, 2, 2, 1, 0, false));
        assertEquals(3, Pool.outSize(5, 2, 2, 1, 0, true)); // the last window covers column 4 alone
        assertEquals(4, Pool.outSize(8, 2, 2, 1, 0, true)); // exact tiling: ceil changes nothing
        // ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window would start at 6 >= H + p = 6: dropped
        assertEquals(3, Pool.outSize(5, 2, 2, 1, 1, true));
        assertEquals(3, Pool.outSize(6, 3, 3, 1, 1, true)); // starts at 5 < 7: kept
        assertEquals(2, Pool.outSize(6, 3, 3, 1, 1, false));
        assertEquals(2, Pool.outSize(7, 3, 2, 2, 0, false)); // dilated span 5: (7 - 5) / 2 + 1
        assertEquals(0, Pool.outSize(2, 3, 1, 1, 0, false)); // the window does not fit
        assertEquals(1, Pool.outSize(2, 3, 2, 1, 0, true)); // PyTorch: ceil mode lets one window hang over
        assertEquals(-1, Pool.outSize(1, 5, 2, 1, 0, true)); // floor division rounds down for negatives
    }

    @Test
    void geometryRejectsEmptyOutputsAndWindowsThatMissTheInput() {
        var e = assertThrows(IllegalArgumentException.class, () -> Pool.geometry("L", 1, 2, 5, 3, 3, 1, 1, 1, 1, 0, 0, false));
        assertEquals("L: kernel 3x3 (dilated 3x3) is larger than the padded input 2x5 (input 2x5, padding 0x0)", e.getMessage());
        // kernel 2, padding 1, dilation 5 on 3 rows: ceil mode gives one window, whose taps -1 and 4 both miss
        e = assertThrows(IllegalArgumentException.class, () -> Pool.geometry("L", 1, 3, 3, 2, 1, 2, 1, 5, 1, 1, 0, true));
        assertTrue(e.getMessage().startsWith("L: a window covers no input element (output row 0"), e.getMessage());
        ConvGeometry g = Pool.geometry("L", 3, 5, 7, 2, 3, 2, 2, 1, 1, 1, 1, true);
        assertEquals(3, g.oh);
        assertEquals(4, g.ow);
    }

    /** A random pooling geometry that {@link Pool#geometry} accepts; dilation and ceil mode only when asked. */
    private static ConvGeometry randomGeometry(SplittableRandom rng, boolean dilation, boolean ceil) {
        while (true) {
            int kh = 1 + rng.nextInt(5), kw = 1 + rng.nextInt(5);
            int dh = dilation ? 1 + rng.nextInt(3) : 1, dw = dilation ? 1 + rng.nextInt(3) : 1;
            int ph = rng.nextInt(kh / 2 + 1), pw = rng.nextInt(kw / 2 + 1);
            int h = Math.max(1, dh * (kh - 1) + 1 - 2 * ph) + rng.nextInt(7);
            int w = Math.max(1, dw * (kw - 1) + 1 - 2 * pw) + rng.nextInt(7);
            try {
                return Pool.geometry("test", 1 + rng.nextInt(3), h, w, kh, kw, 1 + rng.nextInt(3), 1 + rng.nextInt(3),
                        dh, dw, ph, pw, ceil && rng.nextBoolean());
            } catch (IllegalArgumentException tooSmall) {
                // draw again: some dilated windows miss the input entirely
            }
        }
    }

    private static String describe(ConvGeometry g) {
        return String.format("c=%d h=%d w=%d k=%dx%d s=%dx%d d=%dx%d p=%dx%d out=%dx%d",
                g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow);
    }

    @Test
    void maxMatchesReferenceBitForBitIncludingArgmax() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int trial = 0; trial < 300; trial++) {
            ConvGeometry g = randomGeometry(rng, true, true);
            int n = 1 + rng.nextInt(3);
            Tensor x = random(rng, n, g.c, g.h, g.w);
            if (trial % 3 == 0) {
                // coarse values make ties, so "first maximum" is exercised
                for (int i = 0; i < x.size(); i++) x.data()[i] = Math.round(x.data()[i] * 2);
            }
            Tensor y = Tensor.zeros(n, g.c, g.oh, g.ow), yRef = Tensor.zeros(y.shape());
            int[] a = new int[y.size()], aRef = new int[y.size()];
            Pool.maxForward(g, x, y, a);
            Pool.referenceMaxForward(g, x, yRef, aRef);
            assertSameBits(yRef, y);
            assertArrayEquals(aRef, a, describe(g));
            Tensor dy = random(rng, y.shape().dims());
            Tensor dx = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            dx.fill(7f); // overwritten, not added to
            Pool.maxBackward(g, dy, a, dx);
            Pool.referenceMaxBackward(g, dy, aRef, dxRef);
            assertSameBits(dxRef, dx);
        }
    }

    @Test
    void twoByTwoMaxMatchesReferenceWithTiesSignedZerosAndNaN() {
        // the 2x2 stride-2 fast path (vectors over blocks of outputs, a scalar tail), odd sizes included
        SplittableRandom rng = new SplittableRandom(17);
        float[] specials = {0f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 1f, -1f};
        for (int trial = 0; trial < 120; trial++) {
            int c = 1 + rng.nextInt(3), h = 2 + rng.nextInt(30), w = 2 + rng.nextInt(30);
            ConvGeometry g = Pool.geometry("test", c, h, w, 2, 2, 2, 2, 1, 1, 0, 0, false);
            Tensor x = random(rng, 2, c, h, w);
            for (int i = 0; i < x.size(); i++) {
                int r = rng.nextInt(100);
                if (r < 30) x.data()[i] = Math.round(x.data()[i]);                 // ties
                else if (r < 30 + trial % 8) x.data()[i] = specials[rng.nextInt(specials.length)];
            }
            Tensor y = Tensor.zeros(2, c, g.oh, g.ow), yRef = Tensor.zeros(y.shape());
            int[] a = new int[y.size()], aRef = new int[y.size()];
            Pool.maxForward(g, x, y, a);
            Pool.referenceMaxForward(g, x, yRef, aRef);
            assertSameBits(yRef, y);
            assertArrayEquals(aRef, a, describe(g));
            // the values alone (EVAL: no arg-max), from contiguous rows
            Tensor values = Tensor.zeros(y.shape());
            Pool.maxForward(g, x, values, null);
            assertSameBits(yRef, values);
            // and the backward, with signed zeros in dy (a -0 lands in a zeroed dx as +0)
            Tensor dy = random(rng, y.shape().dims());
            for (int i = 0; i < dy.size(); i += 1 + rng.nextInt(4)) dy.data()[i] = rng.nextBoolean() ? -0f : 0f;
            Tensor dx = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            dx.fill(7f);
            Pool.maxBackward(g, dy, a, dx);
            Pool.referenceMaxBackward(g, dy, aRef, dxRef);
            assertSameBits(dxRef, dx);
        }
    }

    @Test
    void twoByTwoValuesOverManyTasksStayInsideTheOutputAndMatchForOneAndTwoThreads() {
        // blocks of outputs that run past their row: never past the task's planes (another thread's) nor the tensor
        SplittableRandom rng = new SplittableRandom(19);
        int[][] sizes = {{8, 16, 29, 27}, {64, 16, 10, 10}, {3, 6, 28, 28}, {5, 7, 3, 33}, {2, 40, 2, 2}};
        for (int[] s : sizes) {
            int n = s[0], c = s[1], h = s[2], w = s[3];
            ConvGeometry g = Pool.geometry("test", c, h, w, 2, 2, 2, 2, 1, 1, 0, 0, false);
            Tensor x = random(rng, n, c, h, w), yRef = Tensor.zeros(n, c, g.oh, g.ow);
            Pool.referenceMaxForward(g, x, yRef, new int[yRef.size()]);
            int size = yRef.size();
            assertThreadIndependent(() -> {
                // y inside a larger array, guard values before and after it
                float[] data = new float[size + 70];
                java.util.Arrays.fill(data, 5f);
                Tensor y = Tensor.view(data, 35, yRef.shape());
                Pool.maxForward(g, x, y, null);
                assertSameBits(yRef, y);
                for (int i = 0; i < 35; i++) {
                    assertEquals(5f, data[i], "before y");
                    assertEquals(5f, data[35 + size + i], "after y");
                }
                return new Tensor[] {y};
            });
        }
    }

    @Test
    void maxTakesTheFirstMaximumAndPropagatesNaN() {
        ConvGeometry g = Pool.geometry("test", 1, 2, 4, 2, 2, 2, 2, 1, 1, 0, 0, false);
        float nan = Float.NaN, inf = Float.NEGATIVE_INFINITY;
        // window 0: ties 3 at (0,1) and (1,0); window 1: NaN at (0,2) and (1,3)
        Tensor x = Tensor.of(new float[] {1, 3, nan, 5, 3, 2, 9, nan}, 1, 1, 2, 4);
        for (boolean reference : new boolean[] {false, true}) {
            Tensor y = Tensor.zeros(1, 1, 1, 2);
            int[] a = new int[2];
            if (reference) Pool.referenceMaxForward(g, x, y, a);
            else Pool.maxForward(g, x, y, a);
            assertEquals(3f, y.at(0));
            assertTrue(Float.isNaN(y.at(1)));
            assertArrayEquals(new int[] {1, 7}, a, "first of the tied maxima; the last NaN, as PyTorch");
        }
        Tensor values = Tensor.zeros(1, 1, 1, 2);
        Pool.maxForward(g, x, values, null);
        assertEquals(3f, values.at(0));
        assertTrue(Float.isNaN(values.at(1)));
        // an all -infinity window points at its first element
        Tensor allInf = Tensor.of(new float[] {inf, inf, inf, inf}, 1, 1, 2, 2);
        ConvGeometry g1 = Pool.geometry("test", 1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, false);
        Tensor y = Tensor.zeros(1, 1, g1.oh, g1.ow);
        int[] a = new int[y.size()];
        Pool.maxForward(g1, allInf, y, a);
        assertArrayEquals(new int[] {0, 1, 2, 3}, a);
        assertEquals(inf, y.at(3));
    }

    @Test
    void averageMatchesReferenceWithAndWithoutPadding() {
        SplittableRandom rng = new SplittableRandom(12);
        for (int trial = 0; trial < 300; trial++) {
            ConvGeometry g = randomGeometry(rng, false, true);
            boolean countPad = rng.nextBoolean();
            int n = 1 + rng.nextInt(3);
            Tensor x = random(rng, n, g.c, g.h, g.w);
            Tensor y = Tensor.zeros(n, g.c, g.oh, g.ow), yRef = Tensor.zeros(y.shape());
            Pool.avgForward(g, countPad, x, y);
            Pool.referenceAvgForward(g, countPad, x, yRef);
            assertSameBits(yRef, y);
            Tensor dy = random(rng, y.shape().dims());
            Tensor dx = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            dx.fill(7f);
            Pool.avgBackward(g, countPad, dy, dx);
            Pool.referenceAvgBackward(g, countPad, dy, dxRef);
            assertSameBits(dxRef, dx);
        }
    }

    @Test
    void averageDivisorsFollowPytorchInCeilModeWithPadding() {
        // avg_pool2d(ones(4x4), kernel 3, stride 2, padding 1, ceil_mode): windows start at -1, 1, 3;
        // each is clipped to the padded input [-1, 5): extents 3, 3, 2, covering 2, 3, 1 input rows
        ConvGeometry g = Pool.geometry("test", 1, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, true);
        Tensor ones = Tensor.zeros(1, 1, 4, 4);
        ones.fill(1f);
        Tensor y = Tensor.zeros(1, 1, 3, 3);
        Pool.avgForward(g, true, ones, y);
        assertClose(new float[] {4f / 9, 6f / 9, 2f / 6, 6f / 9, 1f, 3f / 6, 2f / 6, 3f / 6, 1f / 4}, y, 1e-7);
        Pool.avgForward(g, false, ones, y);
        assertClose(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, y, 1e-7);
        // backward with dy = 1 and padding counted: corner x[0,0] is read by window (0,0) only
        Tensor dy = Tensor.zeros(1, 1, 3, 3);
        dy.fill(1f);
        Tensor dx = Tensor.zeros(1, 1, 4, 4);
        Pool.avgBackward(g, true, dy, dx);
        assertEquals(1f / 9, dx.get(0, 0, 0, 0), 1e-7);
        // x[3,3] is read by windows (1,1), (1,2), (2,1), (2,2): 1/9 + 1/6 + 1/6 + 1/4
        assertEquals(1f / 9 + 1f / 6 + 1f / 6 + 1f / 4, dx.get(0, 0, 3, 3), 1e-6);
    }

    @Test
    void weightedMatchesReferenceForSharedAndPerChannelWindows() {
        SplittableRandom rng = new SplittableRandom(13);
        for (int trial = 0; trial < 200; trial++) {
            ConvGeometry g = randomGeometry(rng, false, false);
            boolean shared = rng.nextBoolean();
            int n = 1 + rng.nextInt(3);
            Tensor weight = random(rng, shared ? 1 : g.c, g.kh, g.kw);
            Tensor x = random(rng, n, g.c, g.h, g.w);
            Tensor y = Tensor.zeros(n, g.c, g.oh, g.ow), yRef = Tensor.zeros(y.shape());
            PoolWeighted.forward(g, weight, x, y);
            PoolWeighted.referenceForward(g, weight, x, yRef);
            assertClose(yRef, y, 1e-6);
            Tensor dy = random(rng, y.shape().dims());
            Tensor dx = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            dx.fill(7f);
            Tensor dw = Tensor.zeros(weight.shape()), dwRef = Tensor.zeros(weight.shape());
            dw.fill(0.5f); // added to
            dwRef.fill(0.5f);
            PoolWeighted.backward(g, weight, x, dy, dx, dw);
            PoolWeighted.referenceBackward(g, weight, x, dy, dxRef, dwRef);
            assertClose(dxRef, dx, 1e-5);
            assertClose(dwRef, dw, 1e-5);
        }
    }

    @Test
    void globalAverageMatchesReference() {
        SplittableRandom rng = new SplittableRandom(14);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + rng.nextInt(3), c = 1 + rng.nextInt(4), h = 1 + rng.nextInt(9), w = 1 + rng.nextInt(9);
            Tensor x = random(rng, n, c, h, w);
            Tensor y = Tensor.zeros(n, c, 1, 1), yRef = Tensor.zeros(n, c, 1, 1);
            Pool.globalAvgForward(x, y);
            Pool.referenceGlobalAvgForward(x, yRef);
            assertSameBits(yRef, y);
            Tensor dy = random(rng, n, c, 1, 1), dx = Tensor.zeros(x.shape()), dxRef = Tensor.zeros(x.shape());
            Pool.globalAvgBackward(dy, dx);
            Pool.referenceGlobalAvgBackward(dy, dxRef);
            assertSameBits(dxRef, dx);
        }
    }

    /** Runs {@code work} with 1 and with 2 threads and checks every returned tensor is bit-identical. */
    private static void assertThreadIndependent(Supplier<Tensor[]> work) {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor[] one = work.get();
            Parallel.setThreads(2);
            Tensor[] two = work.get();
            for (int i = 0; i < one.length; i++) assertSameBits(one[i], two[i]);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        SplittableRandom rng = new SplittableRandom(15);
        int n = 8, c = 16, h = 33, w = 31;
        Tensor x = random(rng, n, c, h, w);
        ConvGeometry g = Pool.geometry("test", c, h, w, 3, 3, 2, 2, 1, 1, 1, 1, true);
        Tensor dy = random(rng, n, c, g.oh, g.ow);
        Tensor perChannel = random(rng, c, 3, 3), shared = random(rng, 1, 3, 3);
        ConvGeometry gw = Pool.geometry("test", c, h, w, 3, 3, 2, 2, 1, 1, 1, 1, false);
        Tensor dyw = random(rng, n, c, gw.oh, gw.ow);
        Tensor dyGlobal = random(rng, n, c, 1, 1);
        assertThreadIndependent(() -> {
            Tensor ym = Tensor.zeros(dy.shape()), dxm = Tensor.zeros(x.shape());
            int[] a = new int[ym.size()];
            Pool.maxForward(g, x, ym, a);
            Pool.maxBackward(g, dy, a, dxm);
            Tensor ya = Tensor.zeros(dy.shape()), dxa = Tensor.zeros(x.shape());
            Pool.avgForward(g, false, x, ya);
            Pool.avgBackward(g, false, dy, dxa);
            Tensor yw = Tensor.zeros(n, c, gw.oh, gw.ow), dxw = Tensor.zeros(x.shape());
            Tensor dw = Tensor.zeros(perChannel.shape()), dws = Tensor.zeros(shared.shape());
            PoolWeighted.forward(gw, perChannel, x, yw);
            PoolWeighted.backward(gw, perChannel, x, dyw, dxw, dw);
            PoolWeighted.backward(gw, shared, x, dyw, null, dws);
            Tensor yg = Tensor.zeros(n, c, 1, 1), dxg = Tensor.zeros(x.shape());
            Pool.globalAvgForward(x, yg);
            Pool.globalAvgBackward(dyGlobal, dxg);
            return new Tensor[] {ym, dxm, ya, dxa, yw, dxw, dw, dws, yg, dxg};
        });
    }
}
