package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation) over a batch, grouped:
 * x is (N, C, H, W), weight is (OC, C/groups, KH, KW), bias is (OC) or null, y is (N, OC, OH, OW).
 * The fast path is im2col + GEMM per image and group, parallel over the batch; the reference
 * path is the direct loop nest of SPEC 1.
 */
public final class Conv {
    /** Weight-gradient partial sums are kept per chunk of the batch; the chunking depends only on N. */
    private static final int MAX_CHUNKS = 8;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private Conv() {
    }

    /** Floats of workspace {@link #backward} needs for a batch of n and a weight of wSize. */
    public static int workspaceSize(int n, int wSize) {
        return Math.min(n, MAX_CHUNKS) * wSize;
    }

    private static boolean isPointwise(ConvGeometry g) {
        return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pb == 0 && g.pl == 0 && g.pr == 0;
    }

    private static float[] col(ConvGeometry g, int channels) {
        float[][] s = SCRATCH.get();
        int size = g.colRows(channels) * g.outPlane();
        if (s[0].length < size) s[0] = new float[size];
        return s[0];
    }

    public static void forward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c / groups, ocg = oc / groups;
        int k = g.colRows(cg), ohw = g.outPlane(), inSize = g.c * g.h * g.w;
        float[] xd = x.data(), wd = weight.data(), yd = y.data();
        Parallel.forEach(n, i -> {
            int xo = x.offset() + i * inSize, yo = y.offset() + i * oc * ohw;
            for (int grp = 0; grp < groups; grp++) {
                float[] b;
                int bo;
                if (isPointwise(g)) {
                    b = xd;
                    bo = xo + grp * cg * ohw;
                } else {
                    b = col(g, cg);
                    bo = 0;
                    Im2col.im2col(g, xd, xo, grp * cg, cg, b);
                }
                Gemm.gemm(false, false, ocg, ohw, k, wd, weight.offset() + grp * ocg * k, k, b, bo, ohw,
                        yd, yo + grp * ocg * ohw, ohw, false);
            }
            if (bias != null) {
                for (int o = 0; o < oc; o++) {
                    float bv = bias.at(o);
                    int r = yo + o * ohw;
                    for (int j = 0; j < ohw; j++) yd[r + j] += bv;
                }
            }
        });
    }

    /**
     * Gradients of {@link #forward}: dx (overwritten; null to skip), dweight and dbias (added to;
     * dbias may be null). {@code workspace} holds at least {@link #workspaceSize} floats.
     */
    public static void backward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor dy,
                                Tensor dx, Tensor dweight, Tensor dbias, float[] workspace) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c / groups, ocg = oc / groups;
        int k = g.colRows(cg), ohw = g.outPlane(), inSize = g.c * g.h * g.w, wSize = weight.size();
        int chunks = Math.min(n, MAX_CHUNKS);
        float[] xd = x.data(), wd = weight.data(), dyd = dy.data();
        boolean pointwise = isPointwise(g);
        Parallel.forEach(chunks, t -> {
            int from = t * n / chunks, to = (t + 1) * n / chunks;
            for (int i = from; i < to; i++) {
                int xo = x.offset() + i * inSize, dyo = dy.offset() + i * oc * ohw;
                if (dx != null && !pointwise) java.util.Arrays.fill(dx.data(), dx.offset() + i * inSize, dx.offset() + (i + 1) * inSize, 0f);
                for (int grp = 0; grp < groups; grp++) {
                    int dyg = dyo + grp * ocg * ohw, wg = weight.offset() + grp * ocg * k;
                    float[] col;
                    int co;
                    if (pointwise) {
                        col = xd;
                        co = xo + grp * cg * ohw;
                    } else {
                        col = col(g, cg);
                        co = 0;
                        Im2col.im2col(g, xd, xo, grp * cg, cg, col);
                    }
                    // dW_g (+)= dy_g [ocg, ohw] x col^T [ohw, k]   (SPEC 1: input cross-correlated with the sensitivity map)
                    Gemm.gemm(false, true, ocg, k, ohw, dyd, dyg, ohw, col, co, ohw,
                            workspace, t * wSize + grp * ocg * k, k, i != from);
                    if (dx == null) continue;
                    // dcol = W_g^T [k, ocg] x dy_g [ocg, ohw]; col2im is the "full convolution with the rotated filter"
                    if (pointwise) {
                        Gemm.gemm(true, false, k, ohw, ocg, wd, wg, k, dyd, dyg, ohw,
                                dx.data(), dx.offset() + i * inSize + grp * cg * ohw, ohw, false);
                    } else {
                        Gemm.gemm(true, false, k, ohw, ocg, wd, wg, k, dyd, dyg, ohw, col, 0, ohw, false);
                        Im2col.col2im(g, col, dx.data(), dx.offset() + i * inSize, grp * cg, cg);
                    }
                }
            }
        });
        float[] dw = dweight.data();
        int dwo = dweight.offset();
        for (int t = 0; t < chunks; t++) {
            int po = t * wSize;
            for (int j = 0; j < wSize; j++) dw[dwo + j] += workspace[po + j];
        }
        if (dbias != null) {
            // SPEC 1: the bias gradient is the sum of the sensitivity map
            Parallel.forEach(oc, o -> {
                float s = 0;
                for (int i = 0; i < n; i++) {
                    int r = dy.offset() + (i * oc + o) * ohw;
                    for (int j = 0; j < ohw; j++) s += dyd[r + j];
                }
                dbias.data()[dbias.offset() + o] += s;
            });
        }
    }

    /** Direct loop nest: y = bias + sum over the window of weight * input (SPEC 1). */
    public static void referenceForward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c / groups, ocg = oc / groups;
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < oc; o++) {
                int grp = o / ocg;
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float s = bias == null ? 0f : bias.at(o);
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < g.kh; ki++) {
                                int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                                if (iy < 0) continue;
                                for (int kj = 0; kj < g.kw; kj++) {
                                    int ix = g.mode.source(ox * g.sw - g.pl + kj * g.dw, g.w);
                                    if (ix < 0) continue;
                                    s += weight.get(o, ci, ki, kj) * x.get(i, grp * cg + ci, iy, ix);
                                }
                            }
                        }
                        y.set(s, i, o, oy, ox);
                    }
                }
            }
        }
    }

    /** Direct adjoint of {@link #referenceForward}: dx overwritten (if not null), dweight and dbias added to. */
    public static void referenceBackward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor dy,
                                         Tensor dx, Tensor dweight, Tensor dbias) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c / groups, ocg = oc / groups;
        if (dx != null) dx.fill(0f);
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < oc; o++) {
                int grp = o / ocg;
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float d = dy.get(i, o, oy, ox);
                        if (dbias != null) dbias.set(dbias.at(o) + d, o);
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < g.kh; ki++) {
                                int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                                if (iy < 0) continue;
                                for (int kj = 0; kj < g.kw; kj++) {
                                    int ix = g.mode.source(ox * g.sw - g.pl + kj * g.dw, g.w);
                                    if (ix < 0) continue;
                                    int c = grp * cg + ci;
                                    dweight.set(dweight.get(o, ci, ki, kj) + d * x.get(i, c, iy, ix), o, ci, ki, kj);
                                    if (dx != null) dx.set(dx.get(i, c, iy, ix) + d * weight.get(o, ci, ki, kj), i, c, iy, ix);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
