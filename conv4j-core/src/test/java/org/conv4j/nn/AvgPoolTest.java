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

class AvgPoolTest {

    @Test
    void spec1HandExampleForwardAndEvenBackward() {
        AvgPool2d pool = new AvgPool2d(2);
        Tensor y = pool.forward(Tensor.of(MaxPoolTest.X4.clone(), 1, 1, 4, 4), Mode.TRAIN);
        // (1+3+5+6)/4, (2+4+1+2)/4, (7+2+3+4)/4, (9+8+0+1)/4
        assertClose(new float[] {3.75f, 2.25f, 4f, 4.5f}, y, 0);
        Tensor dx = pool.backward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        assertClose(new float[] {
            0.25f, 0.25f, 0.5f, 0.5f,
            0.25f, 0.25f, 0.5f, 0.5f,
            0.75f, 0.75f, 1f, 1f,
            0.75f, 0.75f, 1f, 1f}, dx, 0);
    }

    @Test
    void spec1TwoByTwoStrideTwoHalvesHeightAndWidthKeepsChannelsAndHasNoParameters() {
        AvgPool2d pool = new AvgPool2d(2);
        assertEquals(Shape.of(2, 3, 4, 3), pool.outputShape(Shape.of(2, 3, 8, 6)));
        assertEquals(Shape.of(2, 3, 5, 4), pool.ceilMode(true).outputShape(Shape.of(2, 3, 9, 7)));
        assertTrue(pool.parameters().isEmpty());
        assertTrue(pool.countIncludePad(), "PyTorch's default counts padding");
    }

    @Test
    void countIncludePadDecidesWhetherPaddedZerosCountInTheDivisor() {
        // 2x2 input, kernel 2, padding 1: each of the four windows holds one input element and three zeros
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor ones = Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);
        AvgPool2d counted = new AvgPool2d(2).padding(1);
        assertClose(new float[] {0.25f, 0.5f, 0.75f, 1f}, counted.forward(x, Mode.TRAIN), 0);
        assertClose(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, counted.backward(ones), 0);
        AvgPool2d notCounted = new AvgPool2d(2).padding(1).countIncludePad(false);
        assertClose(new float[] {1, 2, 3, 4}, notCounted.forward(x, Mode.TRAIN), 0);
        assertClose(new float[] {1, 1, 1, 1}, notCounted.backward(ones), 0);
    }

    @Test
    void ceilModeOverhangIsNotCountedEvenWhenPaddingIs() {
        // PyTorch: avg_pool2d(ones(1,1,4,4), 3, stride=2, padding=1, ceil_mode=True); the last window
        // [3, 6) is clipped to the padded input [-1, 5), so its divisor counts 2 rows, not 3
        Tensor ones = Tensor.zeros(1, 1, 4, 4);
        ones.fill(1f);
        Tensor y = new AvgPool2d(3).stride(2).padding(1).ceilMode(true).forward(ones, Mode.EVAL);
        assertClose(new float[] {4f / 9, 6f / 9, 1f / 3, 6f / 9, 1f, 0.5f, 1f / 3, 0.5f, 0.25f}, y, 1e-7);
    }

    /** A random average pooling layer and an input it accepts. */
    private static Object[] randomCase(SplittableRandom rng) {
        int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
        int ph = rng.nextInt(kh / 2 + 1), pw = rng.nextInt(kw / 2 + 1);
        AvgPool2d pool = new AvgPool2d(kh, kw).stride(1 + rng.nextInt(3), 1 + rng.nextInt(3)).padding(ph, pw)
                .ceilMode(rng.nextBoolean()).countIncludePad(rng.nextBoolean());
        int h = Math.max(1, kh - 2 * ph) + rng.nextInt(6), w = Math.max(1, kw - 2 * pw) + rng.nextInt(6);
        return new Object[] {pool, random(rng, 1 + rng.nextInt(2), 1 + rng.nextInt(3), h, w)};
    }

    @Test
    void layerMatchesReferenceKernelOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(41);
        for (int trial = 0; trial < 100; trial++) {
            Object[] c = randomCase(rng);
            AvgPool2d pool = (AvgPool2d) c[0];
            Tensor x = (Tensor) c[1];
            ConvGeometry g = Pool.geometry("test", x.dim(1), x.dim(2), x.dim(3), pool.kernelH(), pool.kernelW(),
                    pool.strideH(), pool.strideW(), 1, 1, pool.paddingH(), pool.paddingW(), pool.ceilMode());
            Tensor expected = Tensor.zeros(x.dim(0), x.dim(1), g.oh, g.ow);
            Pool.referenceAvgForward(g, pool.countIncludePad(), x, expected);
            Tensor y = pool.forward(x, Mode.TRAIN);
            assertSameBits(expected, y);
            Tensor dy = random(rng, y.shape().dims()), dxRef = Tensor.zeros(x.shape());
            Pool.referenceAvgBackward(g, pool.countIncludePad(), dy, dxRef);
            assertSameBits(dxRef, pool.backward(dy));
        }
    }

    @Test
    void gradientCheckPassesOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(42);
        for (int trial = 0; trial < 30; trial++) {
            Object[] c = randomCase(rng);
            AvgPool2d pool = (AvgPool2d) c[0];
            GradientCheck.Report r = new GradientCheck().seed(trial).check(pool, (Tensor) c[1]);
            assertTrue(r.passed(1e-2), pool + " on " + ((Tensor) c[1]).shape() + "\n" + r);
        }
    }

    @Test
    void evalForwardKeepsNothingForBackward() {
        AvgPool2d pool = new AvgPool2d(2);
        pool.forward(Tensor.zeros(1, 1, 4, 4), Mode.EVAL);
        assertThrows(IllegalStateException.class, () -> pool.backward(Tensor.zeros(1, 1, 2, 2)));
    }

    @Test
    void badConfigurationAndInputFailWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2, -3));
        assertEquals("AvgPool2d: kernel width must be positive, got -3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2).stride(1, 0));
        assertEquals("AvgPool2d: stride must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2).padding(2));
        assertEquals("AvgPool2d: padding must be at most half the kernel size, got padding 2x2 for kernel 2x2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2).outputShape(Shape.of(4, 4)));
        assertEquals("AvgPool2d: expected a rank-4 input (N, C, H, W), got shape [4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(3, 2).forward(Tensor.zeros(1, 1, 2, 8), Mode.EVAL));
        assertEquals("AvgPool2d: kernel 3x2 (dilated 3x2) is larger than the padded input 2x8 (input 2x8, padding 0x0)", e.getMessage());
    }

    @Test
    void toStringPrintsOnlyNonDefaultOptions() {
        assertEquals("AvgPool2d(kernel_size=2)", new AvgPool2d(2).toString());
        assertEquals("AvgPool2d(kernel_size=3, stride=(2, 1), padding=1, ceil_mode=true, count_include_pad=false)",
                new AvgPool2d(3).stride(2, 1).padding(1).ceilMode(true).countIncludePad(false).toString());
    }
}
