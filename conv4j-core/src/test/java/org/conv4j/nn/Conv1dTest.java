package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Conv1d against the loop of its definition, on random configurations. */
class Conv1dTest {

    // where a tap at i reads from in a row of n under the padding mode; -1 for a zero
    private static int source(PaddingMode mode, int i, int n) {
        if (i >= 0 && i < n) return i;
        return switch (mode) {
            case ZEROS -> -1;
            case REFLECT -> i < 0 ? -i : 2 * (n - 1) - i;
            case REPLICATE -> i < 0 ? 0 : n - 1;
            case CIRCULAR -> Math.floorMod(i, n);
        };
    }

    @Test
    void matchesTheDefinitionOnRandomConfigurations() {
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 60; trial++) {
            Init.seed(trial);
            int groups = 1 + r.nextInt(3), cin = groups * (1 + r.nextInt(3)), cout = groups * (1 + r.nextInt(3));
            int k = 1 + r.nextInt(5), s = 1 + r.nextInt(3), d = 1 + r.nextInt(3), p = r.nextInt(3);
            PaddingMode mode = PaddingMode.values()[r.nextInt(4)];
            Conv1d c = new Conv1d(cin, cout, k).stride(s).padding(p).dilation(d).groups(groups).paddingMode(mode).bias(r.nextBoolean());
            int n = trial % 4 == 0 ? 1 : 1 + r.nextInt(3), l = Math.max(d * (k - 1) + 1, p + 1) + r.nextInt(6);
            Tensor x = random(r, n, cin, l), w = c.weight().value();
            Tensor y = c.forward(x, Mode.TRAIN);
            int ol = (l + 2 * p - d * (k - 1) - 1) / s + 1, cg = cin / groups, ocg = cout / groups;
            assertEquals(Shape.of(n, cout, ol), y.shape());
            Tensor dy = random(r, n, cout, ol);
            Tensor ey = Tensor.zeros(n, cout, ol), edx = Tensor.zeros(n, cin, l), edw = Tensor.zeros(w.shape()), edb = Tensor.zeros(cout);
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < cout; o++) {
                    for (int t = 0; t < ol; t++) {
                        double sum = c.hasBias() ? c.biasParameter().value().at(o) : 0;
                        float g = dy.get(i, o, t);
                        edb.set(edb.at(o) + g, o);
                        for (int ci = 0; ci < cg; ci++) {
                            for (int j = 0; j < k; j++) {
                                int at = source(mode, t * s - p + j * d, l), ch = o / ocg * cg + ci;
                                if (at < 0) continue;
                                sum += w.get(o, ci, j) * x.get(i, ch, at);
                                edx.set(edx.get(i, ch, at) + g * w.get(o, ci, j), i, ch, at);
                                edw.set(edw.get(o, ci, j) + g * x.get(i, ch, at), o, ci, j);
                            }
                        }
                        ey.set((float) sum, i, o, t);
                    }
                }
            }
            assertClose(ey, y, 1e-5);
            Layers.zeroGrad(c);
            assertClose(edx, c.backward(dy), 1e-4);
            assertClose(edw, c.weight().grad(), 1e-4);
            if (c.hasBias()) assertClose(edb, c.biasParameter().grad(), 1e-4);
        }
    }

    @Test
    void samePaddingKeepsTheLengthAndBadInputIsNamed() {
        assertEquals(Shape.of(2, 4, 9), new Conv1d(3, 4, 4).dilation(2).padding("same").outputShape(Shape.of(2, 3, 9)));
        assertEquals(Shape.of(6, 2, 5), new Conv1d(4, 6, 5).groups(2).weight().value().shape());
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 4, 3).forward(Tensor.zeros(1, 3, 5, 5), Mode.EVAL));
        assertEquals("Conv1d: expected a rank-3 input (N, C, L), got shape [1, 3, 5, 5]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 4, 3).outputShape(Shape.of(1, 2, 5)));
        assertEquals("Conv1d: expected 3 input channels, got 2 (input shape [1, 2, 5])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv1d(1, 1, 3).dilation(2).outputShape(Shape.of(1, 1, 4)));
        assertEquals("Conv1d: kernel 3 (dilated 5) is longer than the padded input 4 (input shape [1, 1, 4])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 4, 3).groups(2));
        assertEquals("Conv1d: in_channels (3) must be divisible by groups (2)", e.getMessage());
    }
}
