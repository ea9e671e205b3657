package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.check.GradientCheckSuite;
import org.conv4j.io.ModelFile;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AdaptiveAvgPool2d and AdaptiveMaxPool2d: hand examples, the kernels against a naive loop nest
 * written from PyTorch's definition (windows [floor(i*H/OH), ceil((i+1)*H/OH))), the special cases
 * that must equal AvgPool2d and GlobalAvgPool2d, gradient checks, saving, summary and errors.
 */
class AdaptivePoolTest {
    @TempDir
    Path dir;

    // PyTorch's window bounds, computed in double arithmetic as a separate route from the kernel's integer one
    private static int lo(int i, int in, int out) {
        return (int) Math.floor((double) i * in / out);
    }

    private static int hi(int i, int in, int out) {
        return (int) Math.ceil((double) (i + 1) * in / out);
    }

    /** Naive forward; for max also the arg-max (flat in the plane) of each output. */
    private static Tensor naiveForward(Tensor x, int oh, int ow, boolean max, int[] argmax) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.zeros(n, c, oh, ow);
        for (int b = 0; b < n; b++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            float acc = max ? Float.NEGATIVE_INFINITY : 0f;
            int best = -1;
            for (int iy = lo(i, h, oh); iy < hi(i, h, oh); iy++) {
                for (int ix = lo(j, w, ow); ix < hi(j, w, ow); ix++) {
                    float v = x.get(b, ch, iy, ix);
                    if (!max) acc += v;
                    else if (v > acc) {
                        acc = v;
                        best = iy * w + ix;
                    }
                }
            }
            int count = (hi(i, h, oh) - lo(i, h, oh)) * (hi(j, w, ow) - lo(j, w, ow));
            y.set(max ? acc : acc / count, b, ch, i, j);
            if (max) argmax[((b * c + ch) * oh + i) * ow + j] = best;
        }
        return y;
    }

    /** Naive backward: every output's gradient spread over (avg) or routed to the arg-max of (max) its window. */
    private static Tensor naiveBackward(Shape xShape, Tensor dy, boolean max, int[] argmax) {
        int n = xShape.dim(0), c = xShape.dim(1), h = xShape.dim(2), w = xShape.dim(3), oh = dy.dim(2), ow = dy.dim(3);
        Tensor dx = Tensor.zeros(xShape);
        for (int b = 0; b < n; b++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            float g = dy.get(b, ch, i, j);
            if (max) {
                int a = argmax[((b * c + ch) * oh + i) * ow + j];
                dx.set(dx.get(b, ch, a / w, a % w) + g, b, ch, a / w, a % w);
                continue;
            }
            int count = (hi(i, h, oh) - lo(i, h, oh)) * (hi(j, w, ow) - lo(j, w, ow));
            for (int iy = lo(i, h, oh); iy < hi(i, h, oh); iy++) {
                for (int ix = lo(j, w, ow); ix < hi(j, w, ow); ix++) dx.set(dx.get(b, ch, iy, ix) + g / count, b, ch, iy, ix);
            }
        }
        return dx;
    }

    @Test
    void fiveToTwoUsesOverlappingWindowsByHand() {
        // a 1x5 row to 1x2: windows [0, 3) and [2, 5) share column 2
        Tensor x = Tensor.of(new float[] {1, 2, 9, 4, 5}, 1, 1, 1, 5);
        AdaptiveAvgPool2d avg = new AdaptiveAvgPool2d(1, 2);
        assertClose(new float[] {4, 6}, avg.forward(x, Mode.TRAIN), 1e-6);
        assertClose(new float[] {1, 1, 3, 2, 2}, avg.backward(Tensor.of(new float[] {3, 6}, 1, 1, 1, 2)), 1e-6);
        AdaptiveMaxPool2d max = new AdaptiveMaxPool2d(1, 2);
        assertClose(new float[] {9, 9}, max.forward(x, Mode.TRAIN), 0);
        assertClose(new float[] {0, 0, 5, 0, 0}, max.backward(Tensor.of(new float[] {2, 3}, 1, 1, 1, 2)), 0);
        // 7 -> 3: windows [0, 3), [2, 5), [4, 7)
        Tensor row = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6}, 1, 1, 1, 7);
        assertClose(new float[] {1, 3, 5}, new AdaptiveAvgPool2d(1, 3).forward(row, Mode.EVAL), 1e-6);
        assertClose(new float[] {2, 4, 6}, new AdaptiveMaxPool2d(1, 3).forward(row, Mode.EVAL), 0);
    }

    @Test
    void kernelsMatchTheNaiveLoopsOnRandomSizes() {
        SplittableRandom rng = new SplittableRandom(71);
        for (int trial = 0; trial < 60; trial++) {
            int n = 1 + rng.nextInt(3), c = 1 + rng.nextInt(4), h = 1 + rng.nextInt(15), w = 1 + rng.nextInt(15);
            int oh = 1 + rng.nextInt(9), ow = 1 + rng.nextInt(9);
            // a view at an offset, as a slice of a larger batch
            Tensor batch = random(rng, n + 1, c, h, w), x = batch.slice(1, n + 1);
            Tensor dy = random(rng, n, c, oh, ow);
            String what = h + "x" + w + " -> " + oh + "x" + ow;

            AdaptiveAvgPool2d avg = new AdaptiveAvgPool2d(oh, ow);
            assertClose(naiveForward(x, oh, ow, false, null), avg.forward(x, Mode.TRAIN), 1e-6);
            assertClose(naiveBackward(x.shape(), dy, false, null), avg.backward(dy), 1e-6);

            int[] argmax = new int[n * c * oh * ow];
            Tensor expected = naiveForward(x, oh, ow, true, argmax);
            AdaptiveMaxPool2d max = new AdaptiveMaxPool2d(oh, ow);
            assertSameBits(expected, max.forward(x, Mode.TRAIN));
            assertSameBits(naiveBackward(x.shape(), dy, true, argmax), max.backward(dy));
            assertEquals(Shape.of(n, c, oh, ow), max.outputShape(x.shape()), what);
        }
    }

    @Test
    void dividingSizesAreAvgPoolAndOneByOneIsGlobalPooling() {
        SplittableRandom rng = new SplittableRandom(72);
        Tensor x = random(rng, 2, 3, 12, 8);
        assertClose(new AvgPool2d(3, 2).forward(x, Mode.EVAL), new AdaptiveAvgPool2d(4, 4).forward(x, Mode.EVAL), 1e-6);
        assertSameBits(new MaxPool2d(3, 2).forward(x, Mode.EVAL), new AdaptiveMaxPool2d(4, 4).forward(x, Mode.EVAL));
        assertSameBits(new GlobalAvgPool2d().forward(x, Mode.EVAL), new AdaptiveAvgPool2d(1).forward(x, Mode.EVAL));
        // the same size is the identity
        assertSameBits(x, new AdaptiveAvgPool2d(12, 8).forward(x, Mode.EVAL));
    }

    @Test
    void nanWinsTheMaxAndTiesGoToTheFirst() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, Float.NaN, 0, 2}, 1, 1, 2, 3);
        AdaptiveMaxPool2d max = new AdaptiveMaxPool2d(1, 2); // columns [0, 2) and [1, 3)
        Tensor y = max.forward(x, Mode.TRAIN);
        assertTrue(Float.isNaN(y.at(0)), y.toString());
        assertEquals(3f, y.at(1));
        // the NaN takes the first window's gradient; the second window's 3s tie and the first one wins
        assertClose(new float[] {0, 3, 0, 2, 0, 0}, max.backward(Tensor.of(new float[] {2, 3}, 1, 1, 1, 2)), 0);
        Tensor ties = Tensor.of(new float[] {1, 3, 3}, 1, 1, 1, 3);
        max.forward(ties, Mode.TRAIN);
        assertClose(new float[] {0, 5, 0}, max.backward(Tensor.of(new float[] {2, 3}, 1, 1, 1, 2)), 0);
    }

    @Test
    void gradientChecksPassOnNonDividingSizes() {
        SplittableRandom rng = new SplittableRandom(73);
        int[][] sizes = {{7, 7, 3, 3}, {5, 5, 2, 2}, {6, 10, 4, 3}, {3, 2, 5, 4}, {5, 6, 1, 1}};
        for (int[] s : sizes) {
            // smooth values for the average; well separated ones for the max, so no finite-difference step moves a maximum
            Layer avg = new AdaptiveAvgPool2d(s[2], s[3]), max = new AdaptiveMaxPool2d(s[2], s[3]);
            Tensor x = random(rng, 2, 2, s[0], s[1]), xd = GradientCheckSuite.distinct(rng, 2, 2, s[0], s[1]);
            GradientCheck.Report r = new GradientCheck().seed(s[0] * 31 + s[2]).check(avg, x);
            assertTrue(r.passed(1e-2), avg + " on " + x.shape() + "\n" + r);
            r = new GradientCheck().seed(s[0] * 31 + s[2]).check(max, xd);
            assertTrue(r.passed(1e-2), max + " on " + x.shape() + "\n" + r);
        }
    }

    @Test
    void savesAndLoadsInAModelFile() throws Exception {
        Init.seed(5);
        Sequential model = new Sequential().add("conv", new Conv2d(2, 3, 3)).add("avgpool", new AdaptiveAvgPool2d(3, 2))
                .add("maxpool", new AdaptiveMaxPool2d(2)).add("flatten", new Flatten()).add("fc", new Linear(12, 4));
        Path file = dir.resolve("adaptive.safetensors");
        ModelFile.save(model, file);
        Layer loaded = ModelFile.load(file);
        assertEquals(model.toString(), loaded.toString());
        assertTrue(loaded.toString().contains("AdaptiveAvgPool2d(output_size=(3, 2))"), loaded.toString());
        assertTrue(loaded.toString().contains("AdaptiveMaxPool2d(output_size=2)"), loaded.toString());
        Tensor x = random(new SplittableRandom(6), 2, 2, 9, 11);
        assertSameBits(model.forward(x, Mode.EVAL), loaded.forward(x, Mode.EVAL));
    }

    @Test
    void summaryGivesShapesNoParametersNoFlopsAndTheLargestWindow() {
        // 3x3 conv (RF 3, jump 1) over 12x12, then 12 -> 3 (windows of 4, stride 4): RF 3 + 3 = 6, jump 4
        Sequential even = new Sequential().add("conv", new Conv2d(1, 2, 3).padding(1)).add("pool", new AdaptiveAvgPool2d(3));
        ModelSummary s = ModelSummary.of(even, Shape.of(1, 1, 12, 12));
        ModelSummary.Row pool = s.rows().get(1);
        assertEquals(Shape.of(1, 2, 3, 3), pool.output());
        assertEquals(0, pool.parameters());
        assertEquals(0, pool.flops());
        assertEquals(6, pool.receptiveH());
        assertEquals(4, pool.jumpH());
        // 7 -> 3: the largest window has 3 rows ([0, 3), [2, 5), [4, 7)), starts 2 apart; 5 -> 1 is the whole map
        Sequential odd = new Sequential().add("pool", new AdaptiveMaxPool2d(3, 1));
        ModelSummary t = ModelSummary.of(odd, Shape.of(1, 1, 7, 5));
        ModelSummary.Row row = t.rows().get(0);
        assertEquals(Shape.of(1, 1, 3, 1), row.output());
        assertEquals(3, row.receptiveH());
        assertEquals(2, row.jumpH());
        assertEquals(5, row.receptiveW());
        assertEquals(5, row.jumpW());
    }

    @Test
    void badSizesFailWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0, 3));
        assertEquals("AdaptiveAvgPool2d: output height must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveMaxPool2d(2, -1));
        assertEquals("AdaptiveMaxPool2d: output width must be positive, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(2).outputShape(Shape.of(2, 3)));
        assertTrue(e.getMessage().startsWith("AdaptiveAvgPool2d: "), e.getMessage());
        assertTrue(e.getMessage().contains("(N, C, H, W)"), e.getMessage());
        var s = assertThrows(IllegalStateException.class, () -> new AdaptiveMaxPool2d(2).backward(Tensor.zeros(1, 1, 2, 2)));
        assertTrue(s.getMessage().startsWith("AdaptiveMaxPool2d: "), s.getMessage());
    }
}
