package org.conv4j.kernel;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Init;
import org.conv4j.nn.Mode;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Im2colTest {

    @Test
    void spec1ExampleTwoByFourByFourWithThreeKernelsIsANineByEightTimesEightByThreeProduct() {
        // 2x4x4 input, 2x2 kernels over 2 channels: 9 windows of 8 values (stored transposed: 8 rows x 9 columns)
        ConvGeometry g = new ConvGeometry(2, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, PaddingMode.ZEROS);
        assertEquals(8, g.colRows(2));
        assertEquals(9, g.outPlane());
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = i;
        float[] col = new float[72];
        Im2col.im2col(g, x, 0, 0, 2, col);
        // column 0 is the first window: channel 0 values 0,1,4,5 then channel 1 values 16,17,20,21
        float[] firstWindow = {0, 1, 4, 5, 16, 17, 20, 21};
        for (int r = 0; r < 8; r++) assertEquals(firstWindow[r], col[r * 9], "row " + r);
        // column 4 is the centre window starting at (1,1)
        float[] centre = {5, 6, 9, 10, 21, 22, 25, 26};
        for (int r = 0; r < 8; r++) assertEquals(centre[r], col[r * 9 + 4], "row " + r);
    }

    @Test
    void fastPathsMatchTheElementwiseDefinitionOnRandomGeometries() {
        // every path: whole shifted planes (stride 1, output as wide as the input), row copies,
        // strided gathers and the other padding modes; several images side by side (colOff, ldc)
        SplittableRandom rng = new SplittableRandom(21);
        int checked = 0, planes = 0;
        for (int trial = 0; trial < 400; trial++) {
            PaddingMode mode = trial % 3 == 0 ? PaddingMode.values()[rng.nextInt(PaddingMode.values().length)] : PaddingMode.ZEROS;
            int c = 1 + rng.nextInt(3), h = 1 + rng.nextInt(9), w = 1 + rng.nextInt(9);
            int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
            int s = trial % 2 == 0 ? 1 : 1 + rng.nextInt(3), d = rng.nextInt(4) == 0 ? 2 : 1;
            int maxPad = mode == PaddingMode.ZEROS ? 3 : Math.min(h, w) - 1;
            int pt = rng.nextInt(maxPad + 1), pb = rng.nextInt(maxPad + 1), pl = rng.nextInt(maxPad + 1), pr = rng.nextInt(maxPad + 1);
            if (trial % 4 == 1) {
                // "same": stride 1, output as wide as the input
                s = 1;
                pl = (d * (kw - 1)) / 2;
                pr = d * (kw - 1) - pl;
                if (mode != PaddingMode.ZEROS && Math.max(pl, pr) >= w) continue;
            }
            ConvGeometry g = new ConvGeometry(c, h, w, kh, kw, s, s, d, d, pt, pb, pl, pr, mode);
            if (g.oh <= 0 || g.ow <= 0 || mode != PaddingMode.ZEROS && Math.max(pt, pb) >= h) continue;
            int images = 1 + rng.nextInt(3), ohw = g.outPlane(), ldc = images * ohw + rng.nextInt(3);
            int rows = g.colRows(c);
            float[] x = random(rng, images * c * h * w).data();
            float[] col = new float[rows * ldc], expected = new float[rows * ldc];
            java.util.Arrays.fill(col, Float.NaN);
            java.util.Arrays.fill(expected, Float.NaN);
            for (int j = 0; j < images; j++) {
                Im2col.im2col(g, x, j * c * h * w, 0, c, col, j * ohw, ldc);
                referenceIm2col(g, x, j * c * h * w, c, expected, j * ohw, ldc);
            }
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(col), g.toString());
            float[] grad = random(rng, rows * ldc).data();
            float[] dx = random(rng, images * c * h * w).data(), dxExpected = dx.clone();
            for (int j = 0; j < images; j++) {
                Im2col.col2im(g, grad, j * ohw, ldc, dx, j * c * h * w, 0, c);
                referenceCol2im(g, grad, j * ohw, ldc, dxExpected, j * c * h * w, c);
            }
            assertArrayEquals(dxExpected, dx, "col2im " + g);
            checked++;
            if (mode == PaddingMode.ZEROS && s == 1 && g.ow == w) planes++;
        }
        assertTrue(checked > 250 && planes > 60, checked + " geometries, " + planes + " whole-plane");
    }

    // col[colOff + r*ldc + oy*ow + ox] straight from the definition, one element at a time
    private static void referenceIm2col(ConvGeometry g, float[] x, int xOff, int c, float[] col, int colOff, int ldc) {
        for (int ci = 0; ci < c; ci++) {
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int r = (ci * g.kh + ki) * g.kw + kj;
                    for (int oy = 0; oy < g.oh; oy++) {
                        for (int ox = 0; ox < g.ow; ox++) {
                            int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h), ix = g.mode.source(ox * g.sw - g.pl + kj * g.dw, g.w);
                            col[colOff + r * ldc + oy * g.ow + ox] = iy < 0 || ix < 0 ? 0f : x[xOff + (ci * g.h + iy) * g.w + ix];
                        }
                    }
                }
            }
        }
    }

    private static void referenceCol2im(ConvGeometry g, float[] col, int colOff, int ldc, float[] dx, int dxOff, int c) {
        for (int ci = 0; ci < c; ci++) {
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int r = (ci * g.kh + ki) * g.kw + kj;
                    for (int oy = 0; oy < g.oh; oy++) {
                        for (int ox = 0; ox < g.ow; ox++) {
                            int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h), ix = g.mode.source(ox * g.sw - g.pl + kj * g.dw, g.w);
                            if (iy >= 0 && ix >= 0) dx[dxOff + (ci * g.h + iy) * g.w + ix] += col[colOff + r * ldc + oy * g.ow + ox];
                        }
                    }
                }
            }
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        // <im2col(x), c> == <x, col2im(c)> for every padding mode and stride
        SplittableRandom rng = new SplittableRandom(9);
        for (PaddingMode mode : PaddingMode.values()) {
            ConvGeometry g = new ConvGeometry(3, 7, 6, 3, 2, 2, 1, 2, 1, 2, 1, 1, 1, mode);
            float[] x = random(rng, 3 * 7 * 6).data();
            float[] c = random(rng, g.colRows(3) * g.outPlane()).data();
            float[] col = new float[c.length];
            Im2col.im2col(g, x, 0, 0, 3, col);
            float[] back = new float[x.length];
            Im2col.col2im(g, c, back, 0, 0, 3);
            double lhs = 0, rhs = 0;
            for (int i = 0; i < c.length; i++) lhs += (double) col[i] * c[i];
            for (int i = 0; i < x.length; i++) rhs += (double) x[i] * back[i];
            assertEquals(lhs, rhs, 1e-4 * Math.max(1, Math.abs(lhs)), mode.toString());
        }
    }

    @Test
    void inputGradientIsTheFullConvolutionOfTheStrideExpandedSensitivityMapWithTheRotatedFilter() {
        // SPEC 1 backward, computed the sources' way and compared with the layer
        Init.seed(4);
        int c = 2, oc = 3, h = 7, w = 7, k = 3, s = 2;
        Conv2d conv = new Conv2d(c, oc, k).stride(s);
        Tensor x = random(new SplittableRandom(4), 1, c, h, w);
        Tensor y = conv.forward(x, Mode.TRAIN);
        Tensor dy = random(new SplittableRandom(5), y.shape().dims());
        Tensor dx = conv.backward(dy);

        int oh = y.dim(2), ow = y.dim(3);
        int eh = (oh - 1) * s + 1, ew = (ow - 1) * s + 1;     // stride expanded back to stride 1
        int ph = eh + 2 * (k - 1), pw = ew + 2 * (k - 1);     // zero-padded by k-1 on each side
        Tensor expected = Tensor.zeros(1, c, h, w);
        Tensor wt = conv.weight().value();
        for (int ci = 0; ci < c; ci++) {
            for (int o = 0; o < oc; o++) {
                float[][] padded = new float[ph][pw];
                for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) padded[k - 1 + i * s][k - 1 + j * s] = dy.get(0, o, i, j);
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        if (i > ph - k || j > pw - k) continue; // rows the forward never read get no gradient
                        float sum = 0;
                        for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) sum += padded[i + a][j + b] * wt.get(o, ci, k - 1 - a, k - 1 - b);
                        expected.set(expected.get(0, ci, i, j) + sum, 0, ci, i, j);
                    }
                }
            }
        }
        assertClose(expected, dx, 1e-5);
    }
}
