package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Conv3d against the loop nest of its definition, on random configurations. */
class Conv3dTest {

    @Test
    void matchesTheDefinitionOnRandomConfigurations() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 30; trial++) {
            Init.seed(trial);
            int groups = 1 + r.nextInt(2), cin = groups * (1 + r.nextInt(2)), cout = groups * (1 + r.nextInt(3));
            int[] k = new int[3], s = new int[3], p = new int[3], d = new int[3], in = new int[3], out = new int[3];
            for (int a = 0; a < 3; a++) {
                k[a] = 1 + r.nextInt(3);
                s[a] = 1 + r.nextInt(2);
                p[a] = r.nextInt(2);
                d[a] = 1 + r.nextInt(2);
                in[a] = Math.max(1, d[a] * (k[a] - 1) + 1 - 2 * p[a]) + r.nextInt(4);
                out[a] = (in[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) / s[a] + 1;
            }
            Conv3d c = new Conv3d(cin, cout, k[0], k[1], k[2]).stride(s[0], s[1], s[2]).padding(p[0], p[1], p[2])
                    .dilation(d[0], d[1], d[2]).groups(groups).bias(r.nextBoolean());
            int n = trial % 3 == 0 ? 1 : 2, cg = cin / groups, ocg = cout / groups;
            Tensor x = random(r, n, cin, in[0], in[1], in[2]), w = c.weight().value();
            Tensor y = c.forward(x, Mode.TRAIN), dy = random(r, y.shape().dims());
            assertEquals(Shape.of(n, cout, out[0], out[1], out[2]), y.shape());
            Tensor ey = Tensor.zeros(y.shape()), edx = Tensor.zeros(x.shape()), edw = Tensor.zeros(w.shape());
            int[] o = new int[3], t = new int[3], at = new int[3];
            for (int i = 0; i < n; i++) {
                for (int oc = 0; oc < cout; oc++) {
                    for (o[0] = 0; o[0] < out[0]; o[0]++) {
                        for (o[1] = 0; o[1] < out[1]; o[1]++) {
                            for (o[2] = 0; o[2] < out[2]; o[2]++) {
                                double sum = c.hasBias() ? c.biasParameter().value().at(oc) : 0;
                                float g = dy.get(i, oc, o[0], o[1], o[2]);
                                for (int ci = 0; ci < cg; ci++) {
                                    int ch = oc / ocg * cg + ci;
                                    for (t[0] = 0; t[0] < k[0]; t[0]++) {
                                        for (t[1] = 0; t[1] < k[1]; t[1]++) {
                                            for (t[2] = 0; t[2] < k[2]; t[2]++) {
                                                boolean inside = true;
                                                for (int a = 0; a < 3; a++) {
                                                    at[a] = o[a] * s[a] - p[a] + t[a] * d[a];
                                                    inside &= at[a] >= 0 && at[a] < in[a];
                                                }
                                                if (!inside) continue;
                                                float wv = w.get(oc, ci, t[0], t[1], t[2]), xv = x.get(i, ch, at[0], at[1], at[2]);
                                                sum += wv * xv;
                                                edx.set(edx.get(i, ch, at[0], at[1], at[2]) + g * wv, i, ch, at[0], at[1], at[2]);
                                                edw.set(edw.get(oc, ci, t[0], t[1], t[2]) + g * xv, oc, ci, t[0], t[1], t[2]);
                                            }
                                        }
                                    }
                                }
                                ey.set((float) sum, i, oc, o[0], o[1], o[2]);
                            }
                        }
                    }
                }
            }
            assertClose(ey, y, 1e-5);
            Layers.zeroGrad(c);
            assertClose(edx, c.backward(dy), 1e-4);
            assertClose(edw, c.weight().grad(), 1e-4);
        }
    }

    @Test
    void badInputIsNamed() {
        assertEquals(3 * 4 * 2 * 3 * 3 + 3, Layers.parameterCount(new Conv3d(4, 3, 2, 3, 3)));
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv3d(2, 2, 3).forward(Tensor.zeros(1, 2, 4, 4), Mode.EVAL));
        assertEquals("Conv3d: expected a rank-5 input (N, C, D, H, W), got shape [1, 2, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv3d(2, 2, 3).outputShape(Shape.of(1, 3, 4, 4, 4)));
        assertEquals("Conv3d: expected 2 input channels, got 3 (input shape [1, 3, 4, 4, 4])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv3d(1, 1, 3).outputShape(Shape.of(1, 1, 4, 2, 4)));
        assertEquals("Conv3d: kernel [3, 3, 3] (dilated span 3) is larger than the padded input along H (input shape [1, 1, 4, 2, 4],"
                + " padding [0, 0, 0])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv3d(4, 3, 3).groups(2));
        assertEquals("Conv3d: out_channels (3) must be divisible by groups (2)", e.getMessage());
    }
}
