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

class TrainablePoolTest {

    @Test
    void startsAsAveragePoolingWithOneWeightWindowPerChannel() {
        TrainablePool2d pool = new TrainablePool2d(3, 2, 3);
        assertEquals(1, pool.parameters().size());
        assertEquals("weight", pool.parameters().get(0).name());
        assertEquals(Shape.of(3, 2, 3), pool.weight().value().shape());
        assertEquals(18, Layers.parameterCount(pool));
        for (int i = 0; i < 18; i++) assertEquals(1f / 6, pool.weight().value().at(i));
        Tensor x = random(new SplittableRandom(71), 2, 3, 7, 9);
        assertClose(new AvgPool2d(2, 3).forward(x, Mode.EVAL), pool.forward(x, Mode.EVAL), 1e-6);
        assertClose(new AvgPool2d(3).stride(1).padding(1).forward(x, Mode.EVAL),
                new TrainablePool2d(3, 3).stride(1).padding(1).forward(x, Mode.EVAL), 1e-6);
        assertEquals(Shape.of(2, 3, 3, 3), pool.outputShape(x.shape()), "the stride defaults to the kernel");
    }

    @Test
    void handExampleForwardAndBothGradients() {
        TrainablePool2d pool = new TrainablePool2d(2, 2);
        // channel 0 picks each window's top-left element, channel 1 doubles its bottom-right one
        pool.weight().value().copyFrom(Tensor.of(new float[] {1, 0, 0, 0, 0, 0, 0, 2}, 2, 2, 2));
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = MaxPoolTest.X4[i % 16];
        Tensor y = pool.forward(Tensor.of(x, 1, 2, 4, 4), Mode.TRAIN);
        assertClose(new float[] {1, 2, 7, 9, 12, 4, 8, 2}, y, 0);
        Layers.zeroGrad(pool);
        Tensor ones = Tensor.zeros(1, 2, 2, 2);
        ones.fill(1f);
        Tensor dx = pool.backward(ones);
        assertClose(new float[] {
            1, 0, 1, 0,
            0, 0, 0, 0,
            1, 0, 1, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
            0, 2, 0, 2,
            0, 0, 0, 0,
            0, 2, 0, 2}, dx, 0);
        // dweight[c, ki, kj] = sum over the four windows of the element at (ki, kj)
        assertClose(new float[] {19, 17, 9, 13, 19, 17, 9, 13}, pool.weight().grad(), 0);
        pool.backward(ones);
        assertClose(new float[] {38, 34, 18, 26, 38, 34, 18, 26}, pool.weight().grad(), 0);
    }

    private static Object[] randomCase(SplittableRandom rng) {
        int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4), c = 1 + rng.nextInt(3);
        int ph = rng.nextInt(kh / 2 + 1), pw = rng.nextInt(kw / 2 + 1);
        TrainablePool2d pool = new TrainablePool2d(c, kh, kw).stride(1 + rng.nextInt(3), 1 + rng.nextInt(3)).padding(ph, pw);
        pool.weight().value().copyFrom(random(rng, c, kh, kw));
        int h = Math.max(1, kh - 2 * ph) + rng.nextInt(6), w = Math.max(1, kw - 2 * pw) + rng.nextInt(6);
        return new Object[] {pool, random(rng, 1 + rng.nextInt(2), c, h, w)};
    }

    @Test
    void layerMatchesReferenceKernelOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(72);
        for (int trial = 0; trial < 100; trial++) {
            Object[] c = randomCase(rng);
            TrainablePool2d pool = (TrainablePool2d) c[0];
            Tensor x = (Tensor) c[1];
            ConvGeometry g = Pool.geometry("test", x.dim(1), x.dim(2), x.dim(3), pool.kernelH(), pool.kernelW(),
                    pool.strideH(), pool.strideW(), 1, 1, pool.paddingH(), pool.paddingW(), false);
            Tensor w = pool.weight().value();
            Tensor expected = Tensor.zeros(x.dim(0), x.dim(1), g.oh, g.ow);
            PoolWeighted.referenceForward(g, w, x, expected);
            Tensor y = pool.forward(x, Mode.TRAIN);
            assertClose(expected, y, 1e-6);
            Tensor dy = random(rng, y.shape().dims()), dxRef = Tensor.zeros(x.shape()), dwRef = Tensor.zeros(w.shape());
            PoolWeighted.referenceBackward(g, w, x, dy, dxRef, dwRef);
            Layers.zeroGrad(pool);
            assertClose(dxRef, pool.backward(dy), 1e-5);
            assertClose(dwRef, pool.weight().grad(), 1e-5);
        }
    }

    @Test
    void gradientCheckPassesOnRandomConfigurations() {
        SplittableRandom rng = new SplittableRandom(73);
        for (int trial = 0; trial < 30; trial++) {
            Object[] c = randomCase(rng);
            TrainablePool2d pool = (TrainablePool2d) c[0];
            GradientCheck.Report r = new GradientCheck().seed(trial).check(pool, (Tensor) c[1]);
            assertTrue(r.passed(1e-2), pool + " on " + ((Tensor) c[1]).shape() + "\n" + r);
            assertEquals(2, r.errors().size(), "input and weight are each checked");
        }
    }

    @Test
    void badConfigurationAndInputFailWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainablePool2d(0, 2));
        assertEquals("TrainablePool2d: channels must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainablePool2d(2, 2, 0));
        assertEquals("TrainablePool2d: kernel width must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainablePool2d(2, 2).stride(-2));
        assertEquals("TrainablePool2d: stride must be positive, got -2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainablePool2d(2, 4).padding(0, 3));
        assertEquals("TrainablePool2d: padding must be at most half the kernel size, got padding 0x3 for kernel 4x4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainablePool2d(2, 2).forward(Tensor.zeros(1, 3, 4, 4), Mode.EVAL));
        assertEquals("TrainablePool2d: expected 2 input channels, got 3 (input shape [1, 3, 4, 4])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainablePool2d(2, 2).outputShape(Shape.of(1, 2, 4)));
        assertEquals("TrainablePool2d: expected a rank-4 input (N, C, H, W), got shape [1, 2, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainablePool2d(1, 4).padding(1).outputShape(Shape.of(1, 1, 1, 9)));
        assertEquals("TrainablePool2d: kernel 4x4 (dilated 4x4) is larger than the padded input 3x11 (input 1x9, padding 1x1)", e.getMessage());
        TrainablePool2d pool = new TrainablePool2d(1, 2);
        pool.forward(Tensor.zeros(1, 1, 4, 4), Mode.EVAL);
        assertThrows(IllegalStateException.class, () -> pool.backward(Tensor.zeros(1, 1, 2, 2)));
    }

    @Test
    void toStringPrintsOnlyNonDefaultOptions() {
        assertEquals("TrainablePool2d(3, kernel_size=2)", new TrainablePool2d(3, 2).toString());
        assertEquals("TrainablePool2d(1, kernel_size=(2, 3), stride=1, padding=1)",
                new TrainablePool2d(1, 2, 3).stride(1).padding(1).toString());
    }
}
