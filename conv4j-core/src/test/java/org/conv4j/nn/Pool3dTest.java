package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** MaxPool3d, AvgPool3d and BatchNorm3d against their definitions, written out per value. */
class Pool3dTest {

    private static int outSize(int in, int k, int s, int d, int p, boolean ceil) {
        int out = Math.floorDiv(in + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
        return ceil && (out - 1) * s >= in + p ? out - 1 : out;
    }

    @Test
    void maxAndAverageMatchTheDefinitionOnRandomConfigurations() {
        SplittableRandom r = new SplittableRandom(9);
        for (int trial = 0; trial < 40; trial++) {
            boolean max = trial % 2 == 0, ceil = r.nextBoolean(), include = r.nextBoolean();
            int[] k = new int[3], s = new int[3], p = new int[3], d = {1, 1, 1}, in = new int[3], out = new int[3];
            for (int a = 0; a < 3; a++) {
                k[a] = 1 + r.nextInt(3);
                s[a] = 1 + r.nextInt(2);
                p[a] = r.nextInt(k[a] / 2 + 1);
                if (max) d[a] = 1 + r.nextInt(2);
                in[a] = d[a] * (k[a] - 1) + 1 + r.nextInt(3);
                out[a] = outSize(in[a], k[a], s[a], d[a], p[a], ceil);
            }
            Layer pool = max ? new MaxPool3d(k[0], k[1], k[2]).stride(s[0], s[1], s[2]).padding(p[0], p[1], p[2]).dilation(d[0], d[1], d[2]).ceilMode(ceil)
                    : new AvgPool3d(k[0], k[1], k[2]).stride(s[0], s[1], s[2]).padding(p[0], p[1], p[2]).ceilMode(ceil).countIncludePad(include);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(2);
            Tensor x = random(r, n, c, in[0], in[1], in[2]);
            Tensor y = pool.forward(x, Mode.TRAIN), dy = random(r, y.shape().dims());
            assertEquals(Shape.of(n, c, out[0], out[1], out[2]), y.shape(), pool.toString());
            Tensor ey = Tensor.zeros(y.shape()), edx = Tensor.zeros(x.shape());
            int[] o = new int[3], t = new int[3], at = new int[3], best = new int[3];
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    for (o[0] = 0; o[0] < out[0]; o[0]++) {
                        for (o[1] = 0; o[1] < out[1]; o[1]++) {
                            for (o[2] = 0; o[2] < out[2]; o[2]++) {
                                double sum = 0, bestValue = Double.NEGATIVE_INFINITY;
                                int divisor = 1;
                                for (int a = 0; a < 3; a++) {
                                    int start = o[a] * s[a] - p[a], end = Math.min(start + k[a], in[a] + p[a]);
                                    divisor *= include ? end - start : Math.min(end, in[a]) - Math.max(start, 0);
                                }
                                for (t[0] = 0; t[0] < k[0]; t[0]++) {
                                    for (t[1] = 0; t[1] < k[1]; t[1]++) {
                                        for (t[2] = 0; t[2] < k[2]; t[2]++) {
                                            boolean inside = true;
                                            for (int a = 0; a < 3; a++) {
                                                at[a] = o[a] * s[a] - p[a] + t[a] * d[a];
                                                inside &= at[a] >= 0 && at[a] < in[a];
                                            }
                                            if (!inside) continue;
                                            float v = x.get(i, ch, at[0], at[1], at[2]);
                                            sum += v;
                                            if (v > bestValue) {
                                                bestValue = v;
                                                System.arraycopy(at, 0, best, 0, 3);
                                            }
                                        }
                                    }
                                }
                                float g = dy.get(i, ch, o[0], o[1], o[2]);
                                if (max) {
                                    ey.set((float) bestValue, i, ch, o[0], o[1], o[2]);
                                    edx.set(edx.get(i, ch, best[0], best[1], best[2]) + g, i, ch, best[0], best[1], best[2]);
                                    continue;
                                }
                                ey.set((float) (sum / divisor), i, ch, o[0], o[1], o[2]);
                                for (t[0] = 0; t[0] < k[0]; t[0]++) {
                                    for (t[1] = 0; t[1] < k[1]; t[1]++) {
                                        for (t[2] = 0; t[2] < k[2]; t[2]++) {
                                            boolean inside = true;
                                            for (int a = 0; a < 3; a++) {
                                                at[a] = o[a] * s[a] - p[a] + t[a];
                                                inside &= at[a] >= 0 && at[a] < in[a];
                                            }
                                            if (inside) edx.set(edx.get(i, ch, at[0], at[1], at[2]) + g / divisor, i, ch, at[0], at[1], at[2]);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            assertClose(ey, y, 1e-6);
            assertClose(edx, pool.backward(dy), 1e-5);
        }
    }

    @Test
    void batchNorm3dNormalizesEachChannelOverBatchDepthHeightWidth() {
        Tensor x = random(new SplittableRandom(4), 2, 3, 2, 3, 4);
        Tensor y = new BatchNorm3d(3).forward(x, Mode.TRAIN);
        for (int ch = 0; ch < 3; ch++) {
            double sum = 0, sq = 0;
            int m = 0;
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 24; j++, m++) {
                    double v = x.at((i * 3 + ch) * 24 + j);
                    sum += v;
                    sq += v * v;
                }
            }
            double mean = sum / m, inv = 1 / Math.sqrt(sq / m - mean * mean + 1e-5);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 24; j++) {
                    int at = (i * 3 + ch) * 24 + j;
                    assertEquals((x.at(at) - mean) * inv, y.at(at), 1e-5);
                }
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm3d(3).forward(Tensor.zeros(1, 3, 1, 1, 1), Mode.TRAIN));
        assertEquals("BatchNorm3d: Expected more than 1 value per channel when training, got input size [1, 3, 1, 1, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm3d(3).outputShape(Shape.of(2, 3, 4, 4)));
        assertEquals("BatchNorm3d: expected a rank-5 input (N, C, D, H, W), got shape [2, 3, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm3d(3).outputShape(Shape.of(2, 2, 1, 4, 4)));
        assertEquals("BatchNorm3d: expected 3 channels, got 2 (input shape [2, 2, 1, 4, 4])", e.getMessage());
    }

    @Test
    void badPoolInputIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MaxPool3d(2).forward(Tensor.zeros(1, 3, 4, 4), Mode.EVAL));
        assertEquals("MaxPool3d: expected a rank-5 input (N, C, D, H, W), got shape [1, 3, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool3d(2).outputShape(Shape.of(1, 1, 4, 1, 4)));
        assertEquals("AvgPool3d: kernel [2, 2, 2] is larger than the padded input along H (input shape [1, 1, 4, 1, 4], padding [0, 0, 0])",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool3d(2, 3, 2).padding(1, 2, 0));
        assertEquals("MaxPool3d: padding must be at most half the kernel size, got padding [1, 2, 0] for kernel [2, 3, 2]", e.getMessage());
    }
}
