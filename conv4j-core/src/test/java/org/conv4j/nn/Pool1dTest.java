package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** MaxPool1d and AvgPool1d against the loops of their definitions, on random configurations. */
class Pool1dTest {

    // PyTorch's output length (ceil mode drops a last window starting in the right padding)
    private static int outLength(int l, int k, int s, int d, int p, boolean ceil) {
        int out = Math.floorDiv(l + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
        return ceil && (out - 1) * s >= l + p ? out - 1 : out;
    }

    @Test
    void maxAndAverageMatchTheDefinitionOnRandomConfigurations() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 60; trial++) {
            int k = 1 + r.nextInt(4), s = 1 + r.nextInt(3), d = 1 + r.nextInt(2), p = r.nextInt(k / 2 + 1);
            boolean ceil = r.nextBoolean(), include = r.nextBoolean(), max = trial % 2 == 0;
            if (!max) d = 1;
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(3), l = d * (k - 1) + 1 + r.nextInt(8);
            Layer pool = max ? new MaxPool1d(k).stride(s).padding(p).dilation(d).ceilMode(ceil)
                    : new AvgPool1d(k).stride(s).padding(p).ceilMode(ceil).countIncludePad(include);
            Tensor x = random(r, n, c, l);
            int ol = outLength(l, k, s, d, p, ceil);
            Tensor y = pool.forward(x, Mode.TRAIN), dy = random(r, n, c, ol);
            Tensor ey = Tensor.zeros(n, c, ol), edx = Tensor.zeros(n, c, l);
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int t = 0; t < ol; t++) {
                        int start = t * s - p, best = -1, count = 0;
                        double sum = 0;
                        for (int j = 0; j < k; j++) {
                            int at = start + j * d;
                            if (at < 0 || at >= l) continue;
                            count++;
                            sum += x.get(i, ch, at);
                            if (best < 0 || x.get(i, ch, at) > x.get(i, ch, best)) best = at;
                        }
                        float g = dy.get(i, ch, t);
                        if (max) {
                            ey.set(x.get(i, ch, best), i, ch, t);
                            edx.set(edx.get(i, ch, best) + g, i, ch, best);
                        } else {
                            int divisor = include ? Math.min(start + k, l + p) - start : count;
                            ey.set((float) (sum / divisor), i, ch, t);
                            for (int j = 0; j < k; j++) {
                                int at = start + j;
                                if (at >= 0 && at < l) edx.set(edx.get(i, ch, at) + g / divisor, i, ch, at);
                            }
                        }
                    }
                }
            }
            assertClose(ey, y, 1e-6);
            assertClose(edx, pool.backward(dy), 1e-6);
        }
    }

    @Test
    void badInputIsNamed() {
        assertEquals(Shape.of(2, 3, 4), new MaxPool1d(2).outputShape(Shape.of(2, 3, 9)));
        assertEquals(Shape.of(2, 3, 5), new AvgPool1d(2).ceilMode(true).outputShape(Shape.of(2, 3, 9)));
        var e = assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(2).forward(Tensor.zeros(1, 3, 4, 4), Mode.EVAL));
        assertEquals("MaxPool1d: expected a rank-3 input (N, C, L), got shape [1, 3, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(2).outputShape(Shape.of(1, 3)));
        assertEquals("AvgPool1d: expected a rank-3 input (N, C, L), got shape [1, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(3).dilation(2).outputShape(Shape.of(1, 1, 4)));
        assertEquals("MaxPool1d: kernel 3 (dilated 5) is longer than the padded input 4 (input shape [1, 1, 4], padding 0)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(2).padding(2));
        assertEquals("AvgPool1d: padding must be at most half the kernel size, got padding 2 for kernel 2", e.getMessage());
    }
}
