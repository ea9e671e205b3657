package org.conv4j.kernel;

import java.util.Arrays;
import org.conv4j.tensor.Tensor;

/**
 * Weighted-window pooling, the kernel of Gaussian and trainable pooling (SPEC 1, source 001):
 * {@code y[n, c, oy, ox] = sum over ki, kj of w[c, ki, kj] * x[n, c, oy*sh - pt + ki, ox*sw - pl + kj]},
 * zero outside the input. x is (N, C, H, W), y is (N, C, OH, OW), weight is (C, KH, KW) (one
 * window per channel) or (1, KH, KW) (one window shared by every channel). No dilation.
 *
 * <p>Backward: {@code dx[n, c, iy, ix] = sum of w[c, ki, kj] * dy[n, c, oy, ox]} over the windows
 * that read it, and {@code dw[c, ki, kj] += sum over n, oy, ox of dy * x} (a shared window sums
 * over the channels too). The fast versions run in parallel over fixed blocks of planes (dx) and
 * over weight channels (dw, each summing its images in order), so results do not depend on the
 * thread count.
 */
public final class PoolWeighted {
    private static final int TASK_WORK = 1 << 15;

    private PoolWeighted() {
    }

    private static int planesPerTask(ConvGeometry g) {
        long work = (long) g.oh * g.ow * g.kh * g.kw + (long) g.h * g.w;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TASK_WORK / Math.max(1, work)));
    }

    /** Offset of channel c's window in the weight: a shared (1, KH, KW) window is read by all channels. */
    private static int windowOffset(Tensor weight, int c) {
        return weight.offset() + (weight.dim(0) == 1 ? 0 : c * weight.dim(1) * weight.dim(2));
    }

    /** y (overwritten) = the weighted sum over each window, zero padding skipped (see the class doc). */
    public static void forward(ConvGeometry g, Tensor weight, Tensor x, Tensor y) {
        int planes = x.dim(0) * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
        float[] xd = x.data(), yd = y.data(), wd = weight.data();
        int xo0 = x.offset(), yo0 = y.offset();
        Pool.forPlanes(planes, planesPerTask(g), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xo = xo0 + p * hw, yo = yo0 + p * ohw, wo = windowOffset(weight, p % g.c);
                for (int oy = 0; oy < g.oh; oy++) {
                    int y0 = oy * g.sh - g.pt, ki0 = Math.max(0, -y0), ki1 = Math.min(g.kh, g.h - y0);
                    for (int ox = 0; ox < g.ow; ox++) {
                        int x0 = ox * g.sw - g.pl, kj0 = Math.max(0, -x0), kj1 = Math.min(g.kw, g.w - x0);
                        float s = 0;
                        for (int ki = ki0; ki < ki1; ki++) {
                            int row = xo + (y0 + ki) * g.w + x0, wrow = wo + ki * g.kw;
                            for (int kj = kj0; kj < kj1; kj++) s += wd[wrow + kj] * xd[row + kj];
                        }
                        yd[yo + oy * g.ow + ox] = s;
                    }
                }
            }
        });
    }

    /** dx overwritten (null to skip), dweight added to (null to skip); x is only read for dweight (may be null without it). */
    public static void backward(ConvGeometry g, Tensor weight, Tensor x, Tensor dy, Tensor dx, Tensor dweight) {
        int n = dy.dim(0), planes = n * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
        float[] dyd = dy.data(), wd = weight.data();
        int dyo0 = dy.offset();
        if (dx != null) {
            float[] dxd = dx.data();
            int dxo0 = dx.offset();
            Pool.forPlanes(planes, planesPerTask(g), (from, to) -> {
                Arrays.fill(dxd, dxo0 + from * hw, dxo0 + to * hw, 0f);
                for (int p = from; p < to; p++) {
                    int dxo = dxo0 + p * hw, dyo = dyo0 + p * ohw, wo = windowOffset(weight, p % g.c);
                    for (int oy = 0; oy < g.oh; oy++) {
                        int y0 = oy * g.sh - g.pt, ki0 = Math.max(0, -y0), ki1 = Math.min(g.kh, g.h - y0);
                        for (int ox = 0; ox < g.ow; ox++) {
                            int x0 = ox * g.sw - g.pl, kj0 = Math.max(0, -x0), kj1 = Math.min(g.kw, g.w - x0);
                            float d = dyd[dyo + oy * g.ow + ox];
                            for (int ki = ki0; ki < ki1; ki++) {
                                int row = dxo + (y0 + ki) * g.w + x0, wrow = wo + ki * g.kw;
                                for (int kj = kj0; kj < kj1; kj++) dxd[row + kj] += wd[wrow + kj] * d;
                            }
                        }
                    }
                }
            });
        }
        if (dweight == null) return;
        // one task per weight window; a shared window (1, KH, KW) sums every channel in order
        int windows = weight.dim(0), k = g.kh * g.kw, xo0 = x.offset();
        float[] dwd = dweight.data(), xd = x.data();
        Parallel.forEach(windows, wc -> {
            float[] acc = new float[k];
            int c0 = windows == 1 ? 0 : wc, c1 = windows == 1 ? g.c : wc + 1;
            for (int i = 0; i < n; i++) {
                for (int c = c0; c < c1; c++) {
                    int p = i * g.c + c, xo = xo0 + p * hw, dyo = dyo0 + p * ohw;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int y0 = oy * g.sh - g.pt, ki0 = Math.max(0, -y0), ki1 = Math.min(g.kh, g.h - y0);
                        for (int ox = 0; ox < g.ow; ox++) {
                            int x0 = ox * g.sw - g.pl, kj0 = Math.max(0, -x0), kj1 = Math.min(g.kw, g.w - x0);
                            float d = dyd[dyo + oy * g.ow + ox];
                            for (int ki = ki0; ki < ki1; ki++) {
                                int row = xo + (y0 + ki) * g.w + x0, arow = ki * g.kw;
                                for (int kj = kj0; kj < kj1; kj++) acc[arow + kj] += d * xd[row + kj];
                            }
                        }
                    }
                }
            }
            int dwo = dweight.offset() + wc * k;
            for (int j = 0; j < k; j++) dwd[dwo + j] += acc[j];
        });
    }

    /** Plain loop nest of {@link #forward}. */
    public static void referenceForward(ConvGeometry g, Tensor weight, Tensor x, Tensor y) {
        int n = x.dim(0);
        boolean shared = weight.dim(0) == 1;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < g.c; c++) {
                int wc = shared ? 0 : c;
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float s = 0;
                        for (int ki = 0; ki < g.kh; ki++) {
                            int iy = oy * g.sh - g.pt + ki;
                            if (iy < 0 || iy >= g.h) continue;
                            for (int kj = 0; kj < g.kw; kj++) {
                                int ix = ox * g.sw - g.pl + kj;
                                if (ix < 0 || ix >= g.w) continue;
                                s += weight.get(wc, ki, kj) * x.get(i, c, iy, ix);
                            }
                        }
                        y.set(s, i, c, oy, ox);
                    }
                }
            }
        }
    }

    /** Plain adjoint of {@link #referenceForward}: dx overwritten (if not null), dweight added to (if not null). */
    public static void referenceBackward(ConvGeometry g, Tensor weight, Tensor x, Tensor dy, Tensor dx, Tensor dweight) {
        int n = dy.dim(0);
        boolean shared = weight.dim(0) == 1;
        if (dx != null) dx.fill(0f);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < g.c; c++) {
                int wc = shared ? 0 : c;
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float d = dy.get(i, c, oy, ox);
                        for (int ki = 0; ki < g.kh; ki++) {
                            int iy = oy * g.sh - g.pt + ki;
                            if (iy < 0 || iy >= g.h) continue;
                            for (int kj = 0; kj < g.kw; kj++) {
                                int ix = ox * g.sw - g.pl + kj;
                                if (ix < 0 || ix >= g.w) continue;
                                if (dx != null) dx.set(dx.get(i, c, iy, ix) + weight.get(wc, ki, kj) * d, i, c, iy, ix);
                                if (dweight != null) dweight.set(dweight.get(wc, ki, kj) + d * x.get(i, c, iy, ix), wc, ki, kj);
                            }
                        }
                    }
                }
            }
        }
    }
}
