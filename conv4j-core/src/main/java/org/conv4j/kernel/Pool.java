package org.conv4j.kernel;

import java.util.Arrays;
import org.conv4j.tensor.Tensor;

/**
 * Max, average and global-average pooling over a batch, with PyTorch's rules:
 * x is (N, C, H, W), y is (N, C, OH, OW), every (image, channel) plane pooled on its own.
 *
 * <p>Output size (PyTorch's {@code pooling_output_shape}, symmetric padding p, dilation d):
 * {@code OH = floor((H + 2p - d*(KH-1) - 1 + (ceil ? sh-1 : 0)) / sh) + 1}, and in ceil mode the
 * last window is dropped when it would start at or past {@code H + p} (it must start inside the
 * input or the left padding).
 *
 * <p>Max: padding counts as -infinity; the result is the first maximal element in window order
 * (strict {@code >}), and a NaN anywhere in the window wins (the last NaN, as PyTorch's
 * {@code val > max || isnan(val)}); {@code argmax} records the flat index {@code iy*W + ix}
 * in the plane, and backward adds each dy to that position (SPEC 1).
 *
 * <p>Average: the window is clipped to the padded input {@code [-p, H + p)} (ceil mode can run
 * past it) and then to the input; the divisor is the clipped-to-padded window size when
 * padding counts ({@code countIncludePad}) and the clipped-to-input size otherwise, exactly as
 * PyTorch's {@code avg_pool2d}. Backward spreads each dy / divisor over the same positions.
 *
 * <p>The fast versions work on the flat arrays with precomputed clipped ranges, in parallel
 * over fixed blocks of planes; the reference versions are the plain loop nests. Both produce
 * the same numbers in the same order.
 */
public final class Pool {
    /** Roughly this many window reads per parallel task; blocks depend only on the sizes. */
    private static final int TASK_WORK = 1 << 15;

    private Pool() {
    }

    /** PyTorch's pooling output size; may be {@code <= 0} when the window does not fit. */
    public static int outSize(int in, int k, int stride, int dilation, int pad, boolean ceil) {
        // in long: configured values near 2^31 must not wrap around
        long out = Math.floorDiv((long) in + 2L * pad - (long) dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0), stride) + 1;
        // ceil mode: the last window must start inside the input or the left padding
        if (ceil && (out - 1) * stride >= (long) in + pad) out--;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, out));
    }

    /**
     * The geometry of pooling a (C, H, W) plane with symmetric padding {@code (ph, pw)}. Throws
     * {@link IllegalArgumentException} with a message starting {@code "layer: "} when the output
     * would be empty or some window would cover no input element (possible with dilation).
     * Configuration values (positive sizes, padding at most half the kernel) are the layer's to check.
     */
    public static ConvGeometry geometry(String layer, int c, int h, int w, int kh, int kw, int sh, int sw,
                                       int dh, int dw, int ph, int pw, boolean ceil) {
        int oh = outSize(h, kh, sh, dh, ph, ceil), ow = outSize(w, kw, sw, dw, pw, ceil);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(String.format(
                    "%s: kernel %dx%d (dilated %dx%d) is larger than the padded input %dx%d (input %dx%d, padding %dx%d)",
                    layer, kh, kw, (long) dh * (kh - 1) + 1, (long) dw * (kw - 1) + 1, h + 2L * ph, w + 2L * pw, h, w, ph, pw));
        }
        new ConvGeometry(c, h, w, kh, kw, sh, sw, dh, dw, ph, ph, pw, pw, PaddingMode.ZEROS, oh, ow).validate(layer);
        int badRow = emptyWindow(oh, h, kh, sh, dh, ph), badCol = emptyWindow(ow, w, kw, sw, dw, pw);
        if (badRow >= 0 || badCol >= 0) {
            throw new IllegalArgumentException(String.format(
                    "%s: a window covers no input element (output %s %d; kernel %dx%d, dilation %dx%d, padding %dx%d, input %dx%d)",
                    layer, badRow >= 0 ? "row" : "column", badRow >= 0 ? badRow : badCol, kh, kw, dh, dw, ph, pw, h, w));
        }
        return new ConvGeometry(c, h, w, kh, kw, sh, sw, dh, dw, ph, ph, pw, pw, PaddingMode.ZEROS, oh, ow);
    }

    /** The first output index whose window of taps {@code o*s - p + i*d} misses [0, in), or -1. */
    private static int emptyWindow(int out, int in, int k, int s, int d, int p) {
        for (int o = 0; o < out; o++) {
            long start = (long) o * s - p;
            long first = start >= 0 ? 0 : (-start + d - 1) / d;
            if (first >= k || start + first * d >= in) return o;
        }
        return -1;
    }

    /** Planes per parallel task, from the sizes only (so results never depend on the thread count). */
    private static int planesPerTask(ConvGeometry g) {
        long work = (long) g.oh * g.ow * g.kh * g.kw + (long) g.h * g.w;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TASK_WORK / Math.max(1, work)));
    }

    /** Runs {@code body(from, to)} over plane blocks [0, planes). */
    static void forPlanes(int planes, int perTask, Elementwise.RangeBody body) {
        int tasks = (planes + perTask - 1) / perTask;
        Parallel.forEach(tasks, t -> body.run(t * perTask, Math.min(planes, (t + 1) * perTask)));
    }

    // ---------------------------------------------------------------- max

    /** y = max over each window; {@code argmax} (N*C*OH*OW ints, or null) receives iy*W + ix. */
    public static void maxForward(ConvGeometry g, Tensor x, Tensor y, int[] argmax) {
        int planes = x.dim(0) * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
        float[] xd = x.data(), yd = y.data();
        int xo0 = x.offset(), yo0 = y.offset();
        if (isPlain2x2(g) && argmax == null && Simd.enabled()) {
            forPlanes(planes, planesPerTask(g), (from, to) -> VectorPool.max2x2Values(g, xd, xo0, yd, yo0, from, to));
            return;
        }
        if (isPlain2x2(g)) {
            int[] corners = corners(g);
            forPlanes(planes, planesPerTask(g), (from, to) -> max2x2(g, corners, xd, xo0, yd, yo0, argmax, from, to));
            return;
        }
        forPlanes(planes, planesPerTask(g), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xo = xo0 + p * hw, yo = p * ohw;
                for (int oy = 0; oy < g.oh; oy++) {
                    int iy0 = oy * g.sh - g.pt, iy1 = Math.min(iy0 + (g.kh - 1) * g.dh + 1, g.h);
                    while (iy0 < 0) iy0 += g.dh;
                    for (int ox = 0; ox < g.ow; ox++) {
                        int ix0 = ox * g.sw - g.pl, ix1 = Math.min(ix0 + (g.kw - 1) * g.dw + 1, g.w);
                        while (ix0 < 0) ix0 += g.dw;
                        int best = iy0 * g.w + ix0;
                        float max = Float.NEGATIVE_INFINITY;
                        for (int iy = iy0; iy < iy1; iy += g.dh) {
                            int row = iy * g.w;
                            for (int ix = ix0; ix < ix1; ix += g.dw) {
                                float v = xd[xo + row + ix];
                                // strict > keeps the first maximum; v != v lets NaN through (PyTorch)
                                if (v > max || v != v) {
                                    max = v;
                                    best = row + ix;
                                }
                            }
                        }
                        yd[yo0 + yo + oy * g.ow + ox] = max;
                        if (argmax != null) argmax[yo + oy * g.ow + ox] = best;
                    }
                }
            }
        });
    }

    /** {@code corners[o] = 2*oy*w + 2*ox}: the first element of output o = oy*ow + ox's 2x2 window in its plane. */
    static int[] corners(ConvGeometry g) {
        int[] c = new int[g.oh * g.ow];
        for (int oy = 0, o = 0; oy < g.oh; oy++) for (int ox = 0; ox < g.ow; ox++, o++) c[o] = 2 * oy * g.w + 2 * ox;
        return c;
    }

    // the common 2x2 stride-2 window without padding or dilation, unrolled; same order and tie rule as the general loop
    private static boolean isPlain2x2(ConvGeometry g) {
        return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.dh == 1 && g.dw == 1
                && g.pt == 0 && g.pl == 0 && 2 * g.oh <= g.h && 2 * g.ow <= g.w;
    }

    private static void max2x2(ConvGeometry g, int[] corners, float[] xd, int xo0, float[] yd, int yo0, int[] argmax, int from, int to) {
        int hw = g.h * g.w, ohw = g.oh * g.ow;
        for (int p = from; p < to; p++) {
            int xo = xo0 + p * hw, yo = p * ohw;
            int o = Simd.enabled() ? VectorPool.max2x2(g, corners, xd, xo, yd, yo0 + yo, argmax, yo) : 0;
            for (; o < ohw; o++) maxWindow(g.w, corners[o], xd, xo, yd, yo0 + yo + o, argmax, yo + o);
        }
    }

    /**
     * One 2x2 window whose first element is x[xo + corner]: y[yi] = the first element equal to
     * the maximum, argmax[ai] = its index in the plane (if argmax is not null).
     */
    static void maxWindow(int w, int corner, float[] xd, int xo, float[] yd, int yi, int[] argmax, int ai) {
        int i = xo + corner;
        float a0 = xd[i], a1 = xd[i + 1], a2 = xd[i + w], a3 = xd[i + w + 1];
        float m = Math.max(Math.max(a0, a1), Math.max(a2, a3));
        int k;
        if (m == m) {
            // the first element equal to the maximum, chosen with conditional moves:
            // compare-and-branch on random data mispredicts and is eight times slower
            k = a2 == m ? w : w + 1;
            k = a1 == m ? 1 : k;
            k = a0 == m ? 0 : k;
        } else {
            // a NaN window (rare): the last NaN, as PyTorch's scan picks it
            k = a3 != a3 ? w + 1 : a2 != a2 ? w : a1 != a1 ? 1 : 0;
        }
        yd[yi] = xd[i + k]; // the element itself: -0.0 and 0.0 tie, the first wins
        if (argmax != null) argmax[ai] = corner + k;
    }

    /** dx (overwritten) = each dy added at its window's recorded arg-max (SPEC 1). */
    public static void maxBackward(ConvGeometry g, Tensor dy, int[] argmax, Tensor dx) {
        int planes = dy.dim(0) * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
        float[] dyd = dy.data(), dxd = dx.data();
        int dyo0 = dy.offset(), dxo0 = dx.offset();
        forPlanes(planes, Math.max(1, TASK_WORK / (ohw + hw)), (from, to) -> {
            Arrays.fill(dxd, dxo0 + from * hw, dxo0 + to * hw, 0f);
            for (int p = from; p < to; p++) {
                int dxo = dxo0 + p * hw, o = p * ohw;
                for (int j = 0; j < ohw; j++) dxd[dxo + argmax[o + j]] += dyd[dyo0 + o + j];
            }
        });
    }

    /** Plain loop nest of {@link #maxForward}: taps outside the input are -infinity. */
    public static void referenceMaxForward(ConvGeometry g, Tensor x, Tensor y, int[] argmax) {
        int n = x.dim(0);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < g.c; c++) {
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float max = Float.NEGATIVE_INFINITY;
                        int best = -1;
                        for (int ki = 0; ki < g.kh; ki++) {
                            int iy = oy * g.sh - g.pt + ki * g.dh;
                            if (iy < 0 || iy >= g.h) continue;
                            for (int kj = 0; kj < g.kw; kj++) {
                                int ix = ox * g.sw - g.pl + kj * g.dw;
                                if (ix < 0 || ix >= g.w) continue;
                                float v = x.get(i, c, iy, ix);
                                if (best < 0 || v > max || Float.isNaN(v)) {
                                    max = v;
                                    best = iy * g.w + ix;
                                }
                            }
                        }
                        y.set(max, i, c, oy, ox);
                        argmax[((i * g.c + c) * g.oh + oy) * g.ow + ox] = best;
                    }
                }
            }
        }
    }

    /** Plain loop nest of {@link #maxBackward}. */
    public static void referenceMaxBackward(ConvGeometry g, Tensor dy, int[] argmax, Tensor dx) {
        dx.fill(0f);
        int n = dy.dim(0);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < g.c; c++) {
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        int a = argmax[((i * g.c + c) * g.oh + oy) * g.ow + ox];
                        int iy = a / g.w, ix = a % g.w;
                        dx.set(dx.get(i, c, iy, ix) + dy.get(i, c, oy, ox), i, c, iy, ix);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- average

    /** Window bounds along one axis for output index o: {start, end, divisor extent}, PyTorch's avg_pool2d. */
    private static void avgRange(int o, int s, int p, int k, int in, int[] r) {
        int start = o * s - p;
        int end = Math.min(start + k, in + p);      // clipped to the padded input
        r[2] = end - start;                          // extent that counts padding
        r[0] = Math.max(start, 0);
        r[1] = Math.min(end, in);
    }

    private static int divisor(int[] ry, int[] rx, boolean countIncludePad) {
        return countIncludePad ? ry[2] * rx[2] : (ry[1] - ry[0]) * (rx[1] - rx[0]);
    }

    /** y = sum over the clipped window / divisor (see the class doc). */
    public static void avgForward(ConvGeometry g, boolean countIncludePad, Tensor x, Tensor y) {
        int planes = x.dim(0) * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
        float[] xd = x.data(), yd = y.data();
        int xo0 = x.offset(), yo0 = y.offset();
        forPlanes(planes, planesPerTask(g), (from, to) -> {
            int[] ry = new int[3], rx = new int[3];
            for (int p = from; p < to; p++) {
                int xo = xo0 + p * hw, yo = yo0 + p * ohw;
                for (int oy = 0; oy < g.oh; oy++) {
                    avgRange(oy, g.sh, g.pt, g.kh, g.h, ry);
                    for (int ox = 0; ox < g.ow; ox++) {
                        avgRange(ox, g.sw, g.pl, g.kw, g.w, rx);
                        float s = 0;
                        for (int iy = ry[0]; iy < ry[1]; iy++) {
                            int row = xo + iy * g.w;
                            for (int ix = rx[0]; ix < rx[1]; ix++) s += xd[row + ix];
                        }
                        yd[yo + oy * g.ow + ox] = s / divisor(ry, rx, countIncludePad);
                    }
                }
            }
        });
    }

    /** dx (overwritten): each dy / divisor added over its clipped window (SPEC 1: spread evenly). */
    public static void avgBackward(ConvGeometry g, boolean countIncludePad, Tensor dy, Tensor dx) {
        int planes = dy.dim(0) * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
        float[] dyd = dy.data(), dxd = dx.data();
        int dyo0 = dy.offset(), dxo0 = dx.offset();
        forPlanes(planes, planesPerTask(g), (from, to) -> {
            Arrays.fill(dxd, dxo0 + from * hw, dxo0 + to * hw, 0f);
            int[] ry = new int[3], rx = new int[3];
            for (int p = from; p < to; p++) {
                int dxo = dxo0 + p * hw, dyo = dyo0 + p * ohw;
                for (int oy = 0; oy < g.oh; oy++) {
                    avgRange(oy, g.sh, g.pt, g.kh, g.h, ry);
                    for (int ox = 0; ox < g.ow; ox++) {
                        avgRange(ox, g.sw, g.pl, g.kw, g.w, rx);
                        float d = dyd[dyo + oy * g.ow + ox] / divisor(ry, rx, countIncludePad);
                        for (int iy = ry[0]; iy < ry[1]; iy++) {
                            int row = dxo + iy * g.w;
                            for (int ix = rx[0]; ix < rx[1]; ix++) dxd[row + ix] += d;
                        }
                    }
                }
            }
        });
    }

    /** Plain loop nest of {@link #avgForward}, the divisor counted tap by tap. */
    public static void referenceAvgForward(ConvGeometry g, boolean countIncludePad, Tensor x, Tensor y) {
        int n = x.dim(0);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < g.c; c++) {
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float s = 0;
                        int inside = 0, padded = 0;
                        for (int ki = 0; ki < g.kh; ki++) {
                            int iy = oy * g.sh - g.pt + ki;
                            for (int kj = 0; kj < g.kw; kj++) {
                                int ix = ox * g.sw - g.pl + kj;
                                // taps past the padded input (ceil mode's overhang) never count
                                if (iy >= g.h + g.pb || ix >= g.w + g.pr) continue;
                                padded++;
                                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                                inside++;
                                s += x.get(i, c, iy, ix);
                            }
                        }
                        y.set(s / (countIncludePad ? padded : inside), i, c, oy, ox);
                    }
                }
            }
        }
    }

    /** Plain loop nest of {@link #avgBackward}. */
    public static void referenceAvgBackward(ConvGeometry g, boolean countIncludePad, Tensor dy, Tensor dx) {
        dx.fill(0f);
        int n = dy.dim(0);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < g.c; c++) {
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        int inside = 0, padded = 0;
                        for (int ki = 0; ki < g.kh; ki++) {
                            int iy = oy * g.sh - g.pt + ki;
                            for (int kj = 0; kj < g.kw; kj++) {
                                int ix = ox * g.sw - g.pl + kj;
                                if (iy >= g.h + g.pb || ix >= g.w + g.pr) continue;
                                padded++;
                                if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) inside++;
                            }
                        }
                        float d = dy.get(i, c, oy, ox) / (countIncludePad ? padded : inside);
                        for (int ki = 0; ki < g.kh; ki++) {
                            int iy = oy * g.sh - g.pt + ki;
                            if (iy < 0 || iy >= g.h) continue;
                            for (int kj = 0; kj < g.kw; kj++) {
                                int ix = ox * g.sw - g.pl + kj;
                                if (ix < 0 || ix >= g.w) continue;
                                dx.set(dx.get(i, c, iy, ix) + d, i, c, iy, ix);
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- global average

    /** y[n, c] = mean over H*W of x[n, c]: x is (N, C, H, W), y has N*C elements. */
    public static void globalAvgForward(Tensor x, Tensor y) {
        int planes = x.dim(0) * x.dim(1), hw = x.dim(2) * x.dim(3);
        float[] xd = x.data(), yd = y.data();
        int xo0 = x.offset(), yo0 = y.offset();
        forPlanes(planes, Math.max(1, TASK_WORK / hw), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xo = xo0 + p * hw;
                float s = 0;
                for (int j = 0; j < hw; j++) s += xd[xo + j];
                yd[yo0 + p] = s / hw;
            }
        });
    }

    /** dx[n, c, :, :] (overwritten) = dy[n, c] / (H*W); dx is (N, C, H, W), dy has N*C elements. */
    public static void globalAvgBackward(Tensor dy, Tensor dx) {
        int planes = dx.dim(0) * dx.dim(1), hw = dx.dim(2) * dx.dim(3);
        float[] dyd = dy.data(), dxd = dx.data();
        int dyo0 = dy.offset(), dxo0 = dx.offset();
        forPlanes(planes, Math.max(1, TASK_WORK / hw), (from, to) -> {
            for (int p = from; p < to; p++) {
                float d = dyd[dyo0 + p] / hw;
                Arrays.fill(dxd, dxo0 + p * hw, dxo0 + (p + 1) * hw, d);
            }
        });
    }

    /** Plain loop nest of {@link #globalAvgForward}. */
    public static void referenceGlobalAvgForward(Tensor x, Tensor y) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                float s = 0;
                for (int iy = 0; iy < h; iy++) for (int ix = 0; ix < w; ix++) s += x.get(i, ch, iy, ix);
                y.data()[y.offset() + i * c + ch] = s / (h * w);
            }
        }
    }

    /** Plain loop nest of {@link #globalAvgBackward}. */
    public static void referenceGlobalAvgBackward(Tensor dy, Tensor dx) {
        int n = dx.dim(0), c = dx.dim(1), h = dx.dim(2), w = dx.dim(3);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                float d = dy.at(i * c + ch) / (h * w);
                for (int iy = 0; iy < h; iy++) for (int ix = 0; ix < w; ix++) dx.set(d, i, ch, iy, ix);
            }
        }
    }
}
