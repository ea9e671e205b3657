package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Pool;
import org.conv4j.kernel.PoolWeighted;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GaussianPoolTest {

    @Test
    void windowIsTheNormalizedGaussianAroundTheCentre() {
        // 3x3, sigma 1: centre e^0, edges e^-1/2, corners e^-1, divided by their sum
        double e = Math.exp(-0.5), c = Math.exp(-1), sum = 1 + 4 * e + 4 * c;
        float ef = (float) (e / sum), cf = (float) (c / sum), mf = (float) (1 / sum);
        assertClose(new float[] {cf, ef, cf, ef, mf, ef, cf, ef, cf}, new GaussianPool2d(3, 1.0).window(), 1e-7);
        // 1x3, sigma 2: offsets -1, 0, 1 from the centre
        double s = Math.exp(-1.0 / 8);
        assertClose(new float[] {(float) (s / (1 + 2 * s)), (float) (1 / (1 + 2 * s)), (float) (s / (1 + 2 * s))},
                new GaussianPool2d(1, 3, 2.0).window(), 1e-7);
        // an even window's centre falls between pixels: every weight of a 2x2 window is equally far
        assertClose(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, new GaussianPool2d(2, 0.3).window(), 1e-7);
        // a very wide Gaussian is the plain mean
        Tensor wide = new GaussianPool2d(3, 1e4).window();
        for (int i = 0; i < 9; i++) assertEquals(1f / 9, wide.at(i), 1e-6);
    }

    @Test
    void handExampleAndAgreementWithAverageForTwoByTwo() {
        // a symmetric window over a linear ramp gives the centre value
        Tensor ramp = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        assertClose(new float[] {5}, new GaussianPool2d(3, 0.8).forward(ramp, Mode.EVAL), 1e-6);
        Tensor x = random(new SplittableRandom(61), 2, 3, 6, 8);
        assertClose(new AvgPool2d(2).forward(x, Mode.EVAL), new GaussianPool2d(2, 1.5).forward(x, Mode.EVAL), 1e-6);
    }

    @Test
    void backwardSpreadsTheGradientWithTheWindowWeights() {
        GaussianPool2d pool = new GaussianPool2d(3, 1.0);
        pool.forward(Tensor.zeros(1, 1, 3, 6), Mode.TRAIN);
        Tensor dx = pool.backward(Tensor.of(new float[] {1, 2}, 1, 1, 1, 2));
        Tensor w = pool.window();
        for (int ki = 0; ki < 3; ki++) {
            for (int kj = 0; kj < 3; kj++) {
                assertEquals(w.get(ki, kj), dx.get(0, 0, ki, kj), 1e-7);
                assertEquals(2 * w.get(ki, kj), dx.get(0, 0, ki, 3 + kj), 1e-7);
            }
        }
    }

    @Test
    void strideDefaultsToKernelKeepsChannelsAndHasNoParameters() {
        GaussianPool2d pool = new GaussianPool2d(2, 1.0);
        assertEquals(Shape.of(2, 3, 4, 3), pool.outputShape(Shape.of(2, 3, 8, 6)));
        assertEquals(Shape.of(2, 3, 8, 6), new GaussianPool2d(3, 1.0).stride(1).padding(1).outputShape(Shape.of(2, 3, 8, 6)));
        assertTrue(pool.parameters().isEmpty());
    }

    private static Object[] randomCase(SplittableRandom rng) {
        int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
        int ph = rng.nextInt(kh / 2 + 1), pw = rng.nextInt(kw / 2 + 1);
        GaussianPool2d pool = new GaussianPool2d(kh, kw, 0.3 + 2 * rng.nextDouble())
                .stride(1 + rng.nextInt(3), 1 + rng.nextInt(3)).padding(ph, pw);
        int h = Math.max(1, kh - 2 * ph) + rng.nextInt(6), w = Math.max(1, kw - 2 * pw) + rng.nextInt(6);
        return new Object[] {pool, random(rng, 1 + rng.nextInt(2), 1 + rng.nextInt(3), h, w)};
    }

    @Test
    void layerMatchesReferenceKernelOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(62);
        for (int trial = 0; trial < 100; trial++) {
            Object[] c = randomCase(rng);
            GaussianPool2d pool = (GaussianPool2d) c[0];
            Tensor x = (Tensor) c[1];
            ConvGeometry g = Pool.geometry("test", x.dim(1), x.dim(2), x.dim(3), pool.kernelH(), pool.kernelW(),
                    pool.strideH(), pool.strideW(), 1, 1, pool.paddingH(), pool.paddingW(), false);
            Tensor window = pool.window().reshape(1, pool.kernelH(), pool.kernelW());
            Tensor expected = Tensor.zeros(x.dim(0), x.dim(1), g.oh, g.ow);
            PoolWeighted.referenceForward(g, window, x, expected);
            Tensor y = pool.forward(x, Mode.TRAIN);
            assertClose(expected, y, 1e-6);
            Tensor dy = random(rng, y.shape().dims()), dxRef = Tensor.zeros(x.shape());
            PoolWeighted.referenceBackward(g, window, x, dy, dxRef, null);
            assertClose(dxRef, pool.backward(dy), 1e-6);
        }
    }

    @Test
    void gradientCheckPassesOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(63);
        for (int trial = 0; trial < 30; trial++) {
            Object[] c = randomCase(rng);
            GaussianPool2d pool = (GaussianPool2d) c[0];
            GradientCheck.Report r = new GradientCheck().seed(trial).check(pool, (Tensor) c[1]);
            assertTrue(r.passed(1e-2), pool + " on " + ((Tensor) c[1]).shape() + "\n" + r);
        }
    }

    @Test
    void badConfigurationAndInputFailWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class, () -> new GaussianPool2d(3, 0));
        assertEquals("GaussianPool2d: sigma must be positive and finite, got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GaussianPool2d(3, Double.NaN));
        assertEquals("GaussianPool2d: sigma must be positive and finite, got NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GaussianPool2d(0, 1.0));
        assertEquals("GaussianPool2d: kernel height must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GaussianPool2d(3, 1.0).padding(2));
        assertEquals("GaussianPool2d: padding must be at most half the kernel size, got padding 2x2 for kernel 3x3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GaussianPool2d(3, 1.0).forward(Tensor.zeros(9), Mode.EVAL));
        assertEquals("GaussianPool2d: expected a rank-4 input (N, C, H, W), got shape [9]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GaussianPool2d(5, 1.0).outputShape(Shape.of(1, 1, 4, 9)));
        assertEquals("GaussianPool2d: kernel 5x5 (dilated 5x5) is larger than the padded input 4x9 (input 4x9, padding 0x0)", e.getMessage());
        GaussianPool2d pool = new GaussianPool2d(2, 1.0);
        pool.forward(Tensor.zeros(1, 1, 4, 4), Mode.EVAL);
        assertThrows(IllegalStateException.class, () -> pool.backward(Tensor.zeros(1, 1, 2, 2)));
    }

    @Test
    void toStringPrintsOnlyNonDefaultOptions() {
        assertEquals("GaussianPool2d(kernel_size=3, sigma=1.0)", new GaussianPool2d(3, 1.0).toString());
        assertEquals("GaussianPool2d(kernel_size=(3, 5), sigma=0.5, stride=1, padding=(1, 2))",
                new GaussianPool2d(3, 5, 0.5).stride(1).padding(1, 2).toString());
    }
}
