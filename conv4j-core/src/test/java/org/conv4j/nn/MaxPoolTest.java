package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Pool;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MaxPoolTest {

    /** The 4x4 hand example shared with AvgPoolTest: four 2x2 windows. */
    static final float[] X4 = {
        1, 3, 2, 4,
        5, 6, 1, 2,
        7, 2, 9, 8,
        3, 4, 0, 1};

    @Test
    void spec1HandExampleForwardAndBackwardRouting() {
        MaxPool2d pool = new MaxPool2d(2);
        Tensor y = pool.forward(Tensor.of(X4.clone(), 1, 1, 4, 4), Mode.TRAIN);
        assertClose(new float[] {6, 4, 7, 9}, y, 0);
        // each gradient goes to its window's maximum: 6 at (1,1), 4 at (0,3), 7 at (2,0), 9 at (2,2)
        Tensor dx = pool.backward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        assertClose(new float[] {
            0, 0, 0, 2,
            0, 1, 0, 0,
            3, 0, 4, 0,
            0, 0, 0, 0}, dx, 0);
    }

    @Test
    void spec1TwoByTwoStrideTwoHalvesHeightAndWidthKeepsChannelsAndHasNoParameters() {
        MaxPool2d pool = new MaxPool2d(2);
        assertEquals(2, pool.strideH(), "the stride defaults to the kernel");
        assertEquals(Shape.of(2, 3, 4, 3), pool.outputShape(Shape.of(2, 3, 8, 6)));
        assertEquals(Shape.of(2, 3, 4, 3), pool.outputShape(Shape.of(2, 3, 9, 7)), "floor mode drops the odd row and column");
        assertTrue(pool.parameters().isEmpty());
        assertEquals(0, Layers.parameterCount(pool));
    }

    @Test
    void tiesGoToTheFirstElementInWindowOrderAndNaNPropagates() {
        MaxPool2d pool = new MaxPool2d(2);
        Tensor x = Tensor.of(new float[] {5, 5, Float.NaN, 1, 5, 5, 2, 3}, 1, 1, 2, 4);
        Tensor y = pool.forward(x, Mode.TRAIN);
        assertEquals(5f, y.at(0));
        assertTrue(Float.isNaN(y.at(1)));
        Tensor dx = pool.backward(Tensor.of(new float[] {1, 1}, 1, 1, 1, 2));
        assertClose(new float[] {1, 0, 1, 0, 0, 0, 0, 0}, dx, 0);
    }

    @Test
    void ceilModeKeepsAPartialLastWindowAndPaddingIsMinusInfinity() {
        Tensor x = Tensor.zeros(1, 1, 5, 5);
        for (int i = 0; i < 25; i++) x.data()[i] = i; // x[r][c] = 5r + c
        assertClose(new float[] {6, 8, 16, 18}, new MaxPool2d(2).forward(x, Mode.EVAL), 0);
        Tensor y = new MaxPool2d(2).ceilMode(true).forward(x, Mode.EVAL);
        assertClose(new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, y, 0);
        // negative inputs with padding 1: padded cells must not win (they are -inf, not 0)
        Tensor neg = Tensor.zeros(1, 1, 5, 5);
        for (int i = 0; i < 25; i++) neg.data()[i] = -1 - i;
        // padding 1, stride 2: windows start at -1, 1, 3; a 4th would start at 5, past the input: dropped
        Tensor yp = new MaxPool2d(2).padding(1).ceilMode(true).forward(neg, Mode.EVAL);
        assertEquals(Shape.of(1, 1, 3, 3), yp.shape());
        assertClose(new float[] {-1, -2, -4, -6, -7, -9, -16, -17, -19}, yp, 0);
    }

    @Test
    void dilatedWindowsSkipTaps() {
        Tensor x = Tensor.zeros(1, 1, 5, 5);
        for (int i = 0; i < 25; i++) x.data()[i] = (i * 7) % 25; // a permutation: distinct values
        MaxPool2d pool = new MaxPool2d(2).stride(1).dilation(2);
        Tensor y = pool.forward(x, Mode.EVAL);
        assertEquals(Shape.of(1, 1, 3, 3), y.shape());
        for (int oy = 0; oy < 3; oy++) {
            for (int ox = 0; ox < 3; ox++) {
                float m = Math.max(Math.max(x.get(0, 0, oy, ox), x.get(0, 0, oy, ox + 2)),
                        Math.max(x.get(0, 0, oy + 2, ox), x.get(0, 0, oy + 2, ox + 2)));
                assertEquals(m, y.get(0, 0, oy, ox), "window at " + oy + "," + ox);
            }
        }
    }

    /** A random max pooling layer and an input it accepts, with distinct values 0.05 apart (no ties within the check's epsilon). */
    private static Object[] randomCase(SplittableRandom rng) {
        while (true) {
            int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4), dh = 1 + rng.nextInt(2), dw = 1 + rng.nextInt(2);
            int ph = rng.nextInt(kh / 2 + 1), pw = rng.nextInt(kw / 2 + 1);
            MaxPool2d pool = new MaxPool2d(kh, kw).stride(1 + rng.nextInt(3), 1 + rng.nextInt(3)).padding(ph, pw)
                    .dilation(dh, dw).ceilMode(rng.nextBoolean());
            Shape in = Shape.of(1 + rng.nextInt(2), 1 + rng.nextInt(3), 1 + rng.nextInt(8), 1 + rng.nextInt(8));
            try {
                pool.outputShape(in);
            } catch (IllegalArgumentException windowDoesNotFit) {
                continue;
            }
            return new Object[] {pool, distinct(rng, in)};
        }
    }

    /** A random permutation of 0.05 * (k - size/2): every pair of values at least 0.05 apart. */
    static Tensor distinct(SplittableRandom rng, Shape shape) {
        int n = shape.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < n; i++) t.data()[i] = 0.05f * (perm[i] - n / 2);
        return t;
    }

    @Test
    void layerMatchesReferenceKernelOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(31);
        for (int trial = 0; trial < 100; trial++) {
            Object[] c = randomCase(rng);
            MaxPool2d pool = (MaxPool2d) c[0];
            Tensor x = random(rng, ((Tensor) c[1]).shape().dims());
            ConvGeometry g = Pool.geometry("test", x.dim(1), x.dim(2), x.dim(3), pool.kernelH(), pool.kernelW(),
                    pool.strideH(), pool.strideW(), pool.dilationH(), pool.dilationW(), pool.paddingH(), pool.paddingW(), pool.ceilMode());
            Tensor expected = Tensor.zeros(x.dim(0), x.dim(1), g.oh, g.ow);
            int[] argmax = new int[expected.size()];
            Pool.referenceMaxForward(g, x, expected, argmax);
            Tensor y = pool.forward(x, Mode.TRAIN);
            assertSameBits(expected, y);
            Tensor dy = random(rng, y.shape().dims()), dxRef = Tensor.zeros(x.shape());
            Pool.referenceMaxBackward(g, dy, argmax, dxRef);
            assertSameBits(dxRef, pool.backward(dy));
        }
    }

    @Test
    void gradientCheckPassesOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(32);
        for (int trial = 0; trial < 30; trial++) {
            Object[] c = randomCase(rng);
            MaxPool2d pool = (MaxPool2d) c[0];
            GradientCheck.Report r = new GradientCheck().seed(trial).check(pool, (Tensor) c[1]);
            assertTrue(r.passed(1e-2), pool + " on " + ((Tensor) c[1]).shape() + "\n" + r);
            assertEquals(1, r.errors().size(), "only the input has a gradient");
        }
    }

    @Test
    void evalForwardKeepsNothingForBackward() {
        MaxPool2d pool = new MaxPool2d(2);
        pool.forward(Tensor.zeros(1, 1, 4, 4), Mode.EVAL);
        assertThrows(IllegalStateException.class, () -> pool.backward(Tensor.zeros(1, 1, 2, 2)));
    }

    @Test
    void badConfigurationAndInputFailWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(0));
        assertEquals("MaxPool2d: kernel height must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).stride(0));
        assertEquals("MaxPool2d: stride must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).dilation(-1));
        assertEquals("MaxPool2d: dilation must be positive, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).padding(-1));
        assertEquals("MaxPool2d: padding must be >= 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(3, 4).padding(2, 2));
        assertEquals("MaxPool2d: padding must be at most half the kernel size, got padding 2x2 for kernel 3x4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).forward(Tensor.zeros(1, 4, 4), Mode.EVAL));
        assertEquals("MaxPool2d: expected a rank-4 input (N, C, H, W), got shape [1, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(5).padding(1).outputShape(Shape.of(1, 1, 2, 2)));
        assertEquals("MaxPool2d: kernel 5x5 (dilated 5x5) is larger than the padded input 4x4 (input 2x2, padding 1x1)", e.getMessage());
        MaxPool2d pool = new MaxPool2d(2);
        pool.forward(Tensor.zeros(1, 1, 4, 4), Mode.TRAIN);
        e = assertThrows(IllegalArgumentException.class, () -> pool.backward(Tensor.zeros(1, 1, 3, 3)));
        assertEquals("MaxPool2d: gradient shape [1, 1, 3, 3] does not match the output shape [1, 1, 2, 2]", e.getMessage());
    }

    @Test
    void toStringPrintsOnlyNonDefaultOptions() {
        assertEquals("MaxPool2d(kernel_size=2)", new MaxPool2d(2).toString());
        assertEquals("MaxPool2d(kernel_size=(3, 2), stride=1, padding=(1, 0), dilation=2, ceil_mode=true)",
                new MaxPool2d(3, 2).stride(1).padding(1, 0).dilation(2).ceilMode(true).toString());
    }
}
