package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** ConvTranspose2d against the scatter loop of its definition, on random configurations. */
class ConvTranspose2dTest {

    /** The definition: every input value times the kernel, added at the strided, dilated, padded output positions. */
    static Tensor naiveForward(ConvTranspose2d t, Tensor x) {
        Tensor w = t.weight().value(), y = Tensor.zeros(t.outputShape(x.shape()));
        int icg = t.inChannels() / t.groups(), ocg = t.outChannels() / t.groups();
        for (int n = 0; n < x.dim(0); n++) {
            for (int c = 0; c < t.inChannels(); c++) {
                for (int o = 0; o < ocg; o++) {
                    int oc = c / icg * ocg + o;
                    for (int i = 0; i < x.dim(2); i++) {
                        for (int j = 0; j < x.dim(3); j++) {
                            for (int ki = 0; ki < t.kernelH(); ki++) {
                                for (int kj = 0; kj < t.kernelW(); kj++) {
                                    int oy = i * t.strideH() - t.paddingH() + ki * t.dilationH();
                                    int ox = j * t.strideW() - t.paddingW() + kj * t.dilationW();
                                    if (oy < 0 || ox < 0 || oy >= y.dim(2) || ox >= y.dim(3)) continue;
                                    y.set(y.get(n, oc, oy, ox) + x.get(n, c, i, j) * w.get(c, o, ki, kj), n, oc, oy, ox);
                                }
                            }
                        }
                    }
                }
                if (c == 0 && t.hasBias()) {
                    for (int oc = 0; oc < t.outChannels(); oc++) {
                        for (int oy = 0; oy < y.dim(2); oy++) {
                            for (int ox = 0; ox < y.dim(3); ox++) y.set(y.get(n, oc, oy, ox) + t.biasParameter().value().at(oc), n, oc, oy, ox);
                        }
                    }
                }
            }
        }
        return y;
    }

    /** dx, dweight, dbias of the same loop: each product's gradient taken term by term. */
    static Tensor[] naiveBackward(ConvTranspose2d t, Tensor x, Tensor dy) {
        Tensor w = t.weight().value(), dx = Tensor.zeros(x.shape()), dw = Tensor.zeros(w.shape()), db = Tensor.zeros(t.outChannels());
        int icg = t.inChannels() / t.groups(), ocg = t.outChannels() / t.groups();
        for (int n = 0; n < x.dim(0); n++) {
            for (int c = 0; c < t.inChannels(); c++) {
                for (int o = 0; o < ocg; o++) {
                    int oc = c / icg * ocg + o;
                    for (int i = 0; i < x.dim(2); i++) {
                        for (int j = 0; j < x.dim(3); j++) {
                            for (int ki = 0; ki < t.kernelH(); ki++) {
                                for (int kj = 0; kj < t.kernelW(); kj++) {
                                    int oy = i * t.strideH() - t.paddingH() + ki * t.dilationH();
                                    int ox = j * t.strideW() - t.paddingW() + kj * t.dilationW();
                                    if (oy < 0 || ox < 0 || oy >= dy.dim(2) || ox >= dy.dim(3)) continue;
                                    float g = dy.get(n, oc, oy, ox);
                                    dx.set(dx.get(n, c, i, j) + g * w.get(c, o, ki, kj), n, c, i, j);
                                    dw.set(dw.get(c, o, ki, kj) + g * x.get(n, c, i, j), c, o, ki, kj);
                                }
                            }
                        }
                    }
                }
            }
            for (int oc = 0; oc < t.outChannels(); oc++) {
                for (int k = 0; k < dy.dim(2) * dy.dim(3); k++) db.set(db.at(oc) + dy.get(n, oc, k / dy.dim(3), k % dy.dim(3)), oc);
            }
        }
        return new Tensor[] {dx, dw, db};
    }

    @Test
    void matchesTheDefinitionOnRandomConfigurations() {
        SplittableRandom r = new SplittableRandom(16);
        for (int trial = 0; trial < 60; trial++) {
            Init.seed(trial);
            int groups = 1 + r.nextInt(3);
            int cin = groups * (1 + r.nextInt(3)), cout = groups * (1 + r.nextInt(3));
            int kh = 1 + r.nextInt(4), kw = 1 + r.nextInt(4), sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(3), dw = 1 + r.nextInt(2);
            int ph = r.nextInt(dh * (kh - 1) / 2 + 1), pw = r.nextInt(dw * (kw - 1) / 2 + 1);
            ConvTranspose2d t = new ConvTranspose2d(cin, cout, kh, kw).stride(sh, sw).padding(ph, pw)
                    .outputPadding(r.nextInt(Math.max(sh, dh)), r.nextInt(Math.max(sw, dw))).dilation(dh, dw)
                    .groups(groups).bias(r.nextBoolean());
            Tensor x = random(r, trial % 4 == 0 ? 1 : 1 + r.nextInt(3), cin, 1 + r.nextInt(7), 1 + r.nextInt(8));
            String what = t + " on " + x.shape();
            Tensor y = t.forward(x, Mode.TRAIN);
            assertClose(naiveForward(t, x), y, 1e-5);
            Tensor dy = random(r, y.shape().dims());
            Layers.zeroGrad(t);
            Tensor dx = t.backward(dy);
            Tensor[] expected = naiveBackward(t, x, dy);
            assertClose(expected[0], dx, 1e-4);
            assertClose(expected[1], t.weight().grad(), 1e-4);
            if (t.hasBias()) assertClose(expected[2], t.biasParameter().grad(), 1e-4);
            assertEquals(y.shape(), t.outputShape(x.shape()), what);
        }
    }

    @Test
    void outputSizeIsPyTorchs() {
        // (H - 1)*s - 2p + d(k - 1) + output_padding + 1
        assertEquals(Shape.of(2, 4, 8, 8), new ConvTranspose2d(3, 4, 2).stride(2).outputShape(Shape.of(2, 3, 4, 4)));
        assertEquals(Shape.of(1, 1, 10, 9), new ConvTranspose2d(1, 1, 3).stride(2).padding(1).outputPadding(1, 0)
                .outputShape(Shape.of(1, 1, 5, 5)));
        assertEquals(Shape.of(1, 2, 10, 7), new ConvTranspose2d(1, 2, 3).dilation(3, 2).outputPadding(2, 1).outputShape(Shape.of(1, 1, 2, 2)));
        assertEquals(4 * 2 * 3 * 3 + 4, Layers.parameterCount(new ConvTranspose2d(4, 4, 3).groups(2)));
        assertEquals(Shape.of(4, 2, 3, 3), new ConvTranspose2d(4, 4, 3).groups(2).weight().value().shape());
    }

    @Test
    void badConfigurationsFailEarlyWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ConvTranspose2d(2, 2, 3).stride(2).outputPadding(2).outputShape(Shape.of(1, 2, 4, 4)));
        assertEquals("ConvTranspose2d: output_padding must be smaller than either stride or dilation, got output_padding 2x2,"
                + " stride 2x2, dilation 1x1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(3, 4, 3).groups(2));
        assertEquals("ConvTranspose2d: in_channels (3) must be divisible by groups (2)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(4, 3, 3).groups(2));
        assertEquals("ConvTranspose2d: out_channels (3) must be divisible by groups (2)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(2, 2, 3).forward(Tensor.zeros(2, 5, 5), Mode.EVAL));
        assertEquals("ConvTranspose2d: expected a rank-4 input (N, C, H, W), got shape [2, 5, 5]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(2, 2, 3).outputShape(Shape.of(1, 3, 5, 5)));
        assertEquals("ConvTranspose2d: expected 2 input channels, got 3 (input shape [1, 3, 5, 5])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(1, 1, 3).padding(3).outputShape(Shape.of(1, 1, 2, 2)));
        assertEquals("ConvTranspose2d: input 2x2 gives an output of -2x-2 (kernel 3x3, stride 1x1, padding 3x3, dilation 1x1,"
                + " output_padding 0x0)", e.getMessage());
    }
}
