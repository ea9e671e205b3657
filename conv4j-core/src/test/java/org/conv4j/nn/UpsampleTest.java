package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Upsample against PyTorch's formulas written out per output pixel, on random sizes and factors. */
class UpsampleTest {

    // the source coordinate of output index d on one axis, and whether the layer interpolates
    private static double source(Upsample u, int d, int in, int out, double factor) {
        if (u.interpolation() == Upsample.Interpolation.NEAREST) {
            float scale = factor > 0 ? (float) (1.0 / factor) : (float) in / out;
            return Math.min((int) Math.floor(d * scale), in - 1);
        }
        if (out == in) return d;
        if (u.alignCorners()) return out > 1 ? d * (in - 1.0) / (out - 1) : 0;
        double scale = factor > 0 ? 1 / factor : (double) in / out;
        return Math.max((d + 0.5) * scale - 0.5, 0);
    }

    /** weights[oy][ox] over the input plane: the naive definition, one output pixel at a time. */
    private static double[][][][] weights(Upsample u, int h, int w, int oh, int ow) {
        double[] f = u.scaleFactor() == null ? new double[] {0, 0} : u.scaleFactor();
        double[][][][] wt = new double[oh][ow][h][w];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                double sy = source(u, oy, h, oh, f[0]), sx = source(u, ox, w, ow, f[1]);
                int y0 = (int) sy, x0 = (int) sx, y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
                double ly = sy - y0, lx = sx - x0;
                wt[oy][ox][y0][x0] += (1 - ly) * (1 - lx);
                wt[oy][ox][y0][x1] += (1 - ly) * lx;
                wt[oy][ox][y1][x0] += ly * (1 - lx);
                wt[oy][ox][y1][x1] += ly * lx;
            }
        }
        return wt;
    }

    @Test
    void matchesTheDefinitionOnRandomSizesAndFactors() {
        SplittableRandom r = new SplittableRandom(2);
        for (int trial = 0; trial < 80; trial++) {
            Upsample u = switch (trial % 3) {
                case 0 -> new Upsample(1 + r.nextInt(8), 1 + r.nextInt(8));
                case 1 -> new Upsample(1).scaleFactor(0.5 + 3 * r.nextDouble(), 0.5 + 3 * r.nextDouble());
                default -> new Upsample(1 + r.nextInt(3));
            };
            if (r.nextBoolean()) u.mode("bilinear").alignCorners(r.nextBoolean());
            int n = trial % 5 == 0 ? 1 : 1 + r.nextInt(3), c = 1 + r.nextInt(3), h = 2 + r.nextInt(6), w = 2 + r.nextInt(6);
            Tensor x = random(r, n, c, h, w);
            Tensor y = u.forward(x, Mode.TRAIN);
            int oh = y.dim(2), ow = y.dim(3);
            double[][][][] wt = weights(u, h, w, oh, ow);
            Tensor dy = random(r, y.shape().dims());
            Tensor expectedY = Tensor.zeros(y.shape()), expectedDx = Tensor.zeros(x.shape());
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            double s = 0;
                            for (int iy = 0; iy < h; iy++) {
                                for (int ix = 0; ix < w; ix++) {
                                    s += wt[oy][ox][iy][ix] * x.get(i, ch, iy, ix);
                                    expectedDx.set((float) (expectedDx.get(i, ch, iy, ix) + wt[oy][ox][iy][ix] * dy.get(i, ch, oy, ox)), i, ch, iy, ix);
                                }
                            }
                            expectedY.set((float) s, i, ch, oy, ox);
                        }
                    }
                }
            }
            assertClose(expectedY, y, 1e-5);
            assertClose(expectedDx, u.backward(dy), 1e-5);
        }
    }

    @Test
    void sizesAndPyTorchsExamples() {
        assertEquals(Shape.of(2, 3, 8, 10), new Upsample(2).outputShape(Shape.of(2, 3, 4, 5)));
        assertEquals(Shape.of(1, 1, 7, 3), new Upsample(1).scaleFactor(1.5, 0.75).outputShape(Shape.of(1, 1, 5, 4)));
        assertEquals(Shape.of(1, 1, 5, 6), new Upsample(5, 6).outputShape(Shape.of(1, 1, 2, 2)));
        // the example of torch.nn.Upsample's documentation: [[1, 2], [3, 4]] scaled by 2
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertClose(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, new Upsample(2).forward(x, Mode.EVAL), 0);
        assertClose(new float[] {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
                new Upsample(2).mode("bilinear").forward(x, Mode.EVAL), 1e-7);
        assertClose(new float[] {1, 4 / 3f, 5 / 3f, 2, 5 / 3f, 2, 7 / 3f, 8 / 3f, 7 / 3f, 8 / 3f, 3, 10 / 3f, 3, 10 / 3f, 11 / 3f, 4},
                new Upsample(2).mode("bilinear").alignCorners(true).forward(x, Mode.EVAL), 1e-6);
        Tensor inf = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1}, 1, 1, 1, 2);
        assertSameBits(Tensor.of(new float[] {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, 1, 1}, 1, 1, 1, 4),
                new Upsample(1, 4).forward(inf, Mode.EVAL));
    }

    @Test
    void badInputAndConfigurationsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Upsample(2).forward(Tensor.zeros(1, 4, 4), Mode.EVAL));
        assertEquals("Upsample: expected a rank-4 input (N, C, H, W), got shape [1, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Upsample(2).alignCorners(true).outputShape(Shape.of(1, 1, 2, 2)));
        assertEquals("Upsample: align_corners can only be set with bilinear interpolation, not nearest", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Upsample(0.2).outputShape(Shape.of(1, 1, 4, 4)));
        assertEquals("Upsample: scale_factor 0.2 x 0.2 gives an empty output for input [1, 1, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Upsample(-1));
        assertEquals("Upsample: scale_factor must be positive and finite, got -1.0 x -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Upsample(2).mode("bicubic"));
        assertEquals("Upsample: mode must be 'nearest' or 'bilinear', got 'bicubic'", e.getMessage());
        Upsample u = new Upsample(2);
        u.forward(Tensor.zeros(1, 1, 2, 2), Mode.TRAIN);
        e = assertThrows(IllegalArgumentException.class, () -> u.backward(Tensor.zeros(1, 1, 3, 4)));
        assertEquals("Upsample: gradient shape [1, 1, 3, 4] does not match the output shape [1, 1, 4, 4]", e.getMessage());
    }
}
