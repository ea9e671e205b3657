package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * Activation loops (SPEC 1 "Activations"): leaky ReLU, sigmoid, tanh and maxout, forward and
 * backward. The fast versions run over fixed blocks of elements ({@link Elementwise#forRange}),
 * so every element is computed by the same code whatever the thread count; the reference
 * versions are the plain loops, kept as the algorithmic truth for tests.
 */
public final class Activations {
    private Activations() {
    }

    // ---- leaky ReLU: y = x if x > 0 else slope * x ----

    /** {@code y = x > 0 ? x : slope * x}. */
    public static void leakyRelu(Tensor x, float slope, Tensor y) {
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset(), yo = y.offset();
        Elementwise.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = xd[xo + i];
                yd[yo + i] = v > 0 ? v : slope * v;
            }
        });
    }

    public static void referenceLeakyRelu(Tensor x, float slope, Tensor y) {
        for (int i = 0; i < x.size(); i++) {
            float v = x.at(i);
            y.data()[y.offset() + i] = v > 0 ? v : slope * v;
        }
    }

    /** {@code dx = x > 0 ? dy : slope * dy} (the derivative at 0 is taken as slope, as PyTorch). */
    public static void leakyReluBackward(Tensor x, float slope, Tensor dy, Tensor dx) {
        float[] xd = x.data(), dyd = dy.data(), dxd = dx.data();
        int xo = x.offset(), dyo = dy.offset(), dxo = dx.offset();
        Elementwise.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float g = dyd[dyo + i];
                dxd[dxo + i] = xd[xo + i] > 0 ? g : slope * g;
            }
        });
    }

    public static void referenceLeakyReluBackward(Tensor x, float slope, Tensor dy, Tensor dx) {
        for (int i = 0; i < x.size(); i++) {
            dx.data()[dx.offset() + i] = x.at(i) > 0 ? dy.at(i) : slope * dy.at(i);
        }
    }

    // ---- sigmoid: y = 1 / (1 + e^-x), dy/dx = y (1 - y) <= 1/4 ----

    /** {@code y = 1 / (1 + exp(-x))}, evaluated in double and rounded once. */
    public static void sigmoid(Tensor x, Tensor y) {
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset(), yo = y.offset();
        Elementwise.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) yd[yo + i] = (float) (1 / (1 + Math.exp(-xd[xo + i])));
        });
    }

    public static void referenceSigmoid(Tensor x, Tensor y) {
        for (int i = 0; i < x.size(); i++) y.data()[y.offset() + i] = (float) (1 / (1 + Math.exp(-x.at(i))));
    }

    /** {@code dx = dy * y * (1 - y)} from the saved output y (SPEC 1, 002's Sigmoid.backward). */
    public static void sigmoidBackward(Tensor y, Tensor dy, Tensor dx) {
        float[] yd = y.data(), dyd = dy.data(), dxd = dx.data();
        int yo = y.offset(), dyo = dy.offset(), dxo = dx.offset();
        Elementwise.forRange(y.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = yd[yo + i];
                dxd[dxo + i] = dyd[dyo + i] * v * (1 - v);
            }
        });
    }

    public static void referenceSigmoidBackward(Tensor y, Tensor dy, Tensor dx) {
        for (int i = 0; i < y.size(); i++) dx.data()[dx.offset() + i] = dy.at(i) * y.at(i) * (1 - y.at(i));
    }

    // ---- tanh: dy/dx = 1 - y^2 ----

    public static void tanh(Tensor x, Tensor y) {
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset(), yo = y.offset();
        Elementwise.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) yd[yo + i] = (float) Math.tanh(xd[xo + i]);
        });
    }

    public static void referenceTanh(Tensor x, Tensor y) {
        for (int i = 0; i < x.size(); i++) y.data()[y.offset() + i] = (float) Math.tanh(x.at(i));
    }

    /** {@code dx = dy * (1 - y^2)} from the saved output y. */
    public static void tanhBackward(Tensor y, Tensor dy, Tensor dx) {
        float[] yd = y.data(), dyd = dy.data(), dxd = dx.data();
        int yo = y.offset(), dyo = dy.offset(), dxo = dx.offset();
        Elementwise.forRange(y.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = yd[yo + i];
                dxd[dxo + i] = dyd[dyo + i] * (1 - v * v);
            }
        });
    }

    public static void referenceTanhBackward(Tensor y, Tensor dy, Tensor dx) {
        for (int i = 0; i < y.size(); i++) dx.data()[dx.offset() + i] = dy.at(i) * (1 - y.at(i) * y.at(i));
    }

    // ---- maxout over groups of consecutive channels ----

    /**
     * Maxout: x is (N, G*pieces, S) flattened (S = the product of the trailing dimensions), y is
     * (N, G, S) with {@code y[n, g, s] = max_k x[n, g*pieces + k, s]}. When {@code argmax} is not
     * null it receives, per output element, the k of the first maximum (ties go to the lowest
     * channel; a NaN wins, so NaN propagates as in {@code torch.max}).
     */
    public static void maxout(Tensor x, int n, int groups, int pieces, int plane, Tensor y, int[] argmax) {
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset(), yo = y.offset();
        Elementwise.forRange(n * groups * plane, (from, to) -> {
            for (int o = from; o < to; o++) {
                int ng = o / plane, s = o - ng * plane;
                int base = xo + ng * pieces * plane + s;
                float best = xd[base];
                int arg = 0;
                for (int k = 1; k < pieces && best == best; k++) {
                    float v = xd[base + k * plane];
                    if (v > best || v != v) {
                        best = v;
                        arg = k;
                    }
                }
                yd[yo + o] = best;
                if (argmax != null) argmax[o] = arg;
            }
        });
    }

    public static void referenceMaxout(Tensor x, int n, int groups, int pieces, int plane, Tensor y, int[] argmax) {
        int channels = groups * pieces;
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < groups; g++) {
                for (int s = 0; s < plane; s++) {
                    int arg = 0;
                    float best = x.at((i * channels + g * pieces) * plane + s);
                    for (int k = 1; k < pieces; k++) {
                        float v = x.at((i * channels + g * pieces + k) * plane + s);
                        if (Float.isNaN(best)) break;
                        if (v > best || Float.isNaN(v)) {
                            best = v;
                            arg = k;
                        }
                    }
                    int o = (i * groups + g) * plane + s;
                    y.data()[y.offset() + o] = best;
                    if (argmax != null) argmax[o] = arg;
                }
            }
        }
    }

    /** Routes each dy to its arg-max channel; every other element of dx is set to 0 (dx is overwritten). */
    public static void maxoutBackward(int[] argmax, int n, int groups, int pieces, int plane, Tensor dy, Tensor dx) {
        float[] dyd = dy.data(), dxd = dx.data();
        int dyo = dy.offset(), dxo = dx.offset();
        Elementwise.forRange(n * groups * plane, (from, to) -> {
            for (int o = from; o < to; o++) {
                int ng = o / plane, s = o - ng * plane;
                int base = dxo + ng * pieces * plane + s, arg = argmax[o];
                float g = dyd[dyo + o];
                for (int k = 0; k < pieces; k++) dxd[base + k * plane] = k == arg ? g : 0f;
            }
        });
    }

    public static void referenceMaxoutBackward(int[] argmax, int n, int groups, int pieces, int plane, Tensor dy, Tensor dx) {
        int channels = groups * pieces;
        dx.fill(0f);
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < groups; g++) {
                for (int s = 0; s < plane; s++) {
                    int o = (i * groups + g) * plane + s;
                    dx.data()[dx.offset() + (i * channels + g * pieces + argmax[o]) * plane + s] = dy.at(o);
                }
            }
        }
    }
}
