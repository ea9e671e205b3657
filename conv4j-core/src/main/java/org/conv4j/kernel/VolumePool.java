package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * 3-D max and average pooling of (N, C, D, H, W) volumes, one (image, channel) volume per
 * parallel task: the plain loops over each window, with PyTorch's rules (as {@link Pool}'s 2-D
 * ones): max reads the padding as -infinity, ties go to the first maximum in window order and a
 * NaN wins (the last one, as PyTorch's {@code val > max || isnan(val)}); average divides by the
 * window clipped to the padded input (count_include_pad) or by the number of input values in it.
 */
public final class VolumePool {
    private VolumePool() {
    }

    /** The first output index along one axis whose window of taps {@code o*s - p + i*d} misses [0, in), or -1. */
    public static int emptyWindow(int out, int in, int k, int s, int d, int p) {
        for (int o = 0; o < out; o++) {
            int start = o * s - p, first = start >= 0 ? 0 : (-start + d - 1) / d;
            if (first >= k || start + first * d >= in) return o;
        }
        return -1;
    }

    /** y = the maximum of each window; argmax (one int per output, or null) receives the flat (z, y, x) input index. */
    public static void maxForward(VolumeGeometry g, Tensor x, Tensor y, int[] argmax) {
        int planes = x.dim(0) * g.c(), iv = g.inVolume(), ov = g.outVolume();
        Parallel.forEach(planes, p -> {
            int xo = x.offset() + p * iv, at = p * ov;
            float[] xd = x.data();
            for (int oz = 0; oz < g.od(); oz++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++, at++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int bestAt = -1;
                        for (int a = 0; a < g.kd(); a++) {
                            int iz = oz * g.sd() - g.pd() + a * g.dd();
                            if (iz < 0 || iz >= g.d()) continue;
                            for (int b = 0; b < g.kh(); b++) {
                                int iy = oy * g.sh() - g.ph() + b * g.dh();
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int e = 0; e < g.kw(); e++) {
                                    int ix = ox * g.sw() - g.pw() + e * g.dw();
                                    if (ix < 0 || ix >= g.w()) continue;
                                    int i = (iz * g.h() + iy) * g.w() + ix;
                                    float v = xd[xo + i];
                                    if (bestAt < 0 || v > best || Float.isNaN(v)) {
                                        best = v;
                                        bestAt = i;
                                    }
                                }
                            }
                        }
                        y.data()[y.offset() + at] = best;
                        if (argmax != null) argmax[at] = bestAt;
                    }
                }
            }
        });
    }

    /** dx (overwritten) receives each dy at its window's recorded maximum. */
    public static void maxBackward(VolumeGeometry g, Tensor dy, int[] argmax, Tensor dx) {
        int planes = dx.dim(0) * g.c(), iv = g.inVolume(), ov = g.outVolume();
        Parallel.forEach(planes, p -> {
            int dxo = dx.offset() + p * iv;
            java.util.Arrays.fill(dx.data(), dxo, dxo + iv, 0f);
            for (int j = p * ov, end = j + ov; j < end; j++) dx.data()[dxo + argmax[j]] += dy.data()[dy.offset() + j];
        });
    }

    // the divisor of one window along one axis: [start, end) clipped to the padded input, or to the input alone
    private static int span(int o, int s, int k, int p, int in, boolean includePad) {
        int start = o * s - p, end = Math.min(start + k, in + p);
        return includePad ? end - start : Math.min(end, in) - Math.max(start, 0);
    }

    /** y = the mean of each window. */
    public static void avgForward(VolumeGeometry g, boolean countIncludePad, Tensor x, Tensor y) {
        int planes = x.dim(0) * g.c(), iv = g.inVolume(), ov = g.outVolume();
        Parallel.forEach(planes, p -> {
            int xo = x.offset() + p * iv, at = y.offset() + p * ov;
            float[] xd = x.data();
            for (int oz = 0; oz < g.od(); oz++) {
                int z0 = Math.max(oz * g.sd() - g.pd(), 0), z1 = Math.min(oz * g.sd() - g.pd() + g.kd(), g.d());
                for (int oy = 0; oy < g.oh(); oy++) {
                    int y0 = Math.max(oy * g.sh() - g.ph(), 0), y1 = Math.min(oy * g.sh() - g.ph() + g.kh(), g.h());
                    for (int ox = 0; ox < g.ow(); ox++, at++) {
                        int x0 = Math.max(ox * g.sw() - g.pw(), 0), x1 = Math.min(ox * g.sw() - g.pw() + g.kw(), g.w());
                        float sum = 0;
                        for (int iz = z0; iz < z1; iz++) {
                            for (int iy = y0; iy < y1; iy++) {
                                for (int ix = x0; ix < x1; ix++) sum += xd[xo + (iz * g.h() + iy) * g.w() + ix];
                            }
                        }
                        int divisor = span(oz, g.sd(), g.kd(), g.pd(), g.d(), countIncludePad)
                                * span(oy, g.sh(), g.kh(), g.ph(), g.h(), countIncludePad) * span(ox, g.sw(), g.kw(), g.pw(), g.w(), countIncludePad);
                        y.data()[at] = sum / divisor;
                    }
                }
            }
        });
    }

    /** dx (overwritten): each dy spread evenly, dy / divisor, over its window's input values. */
    public static void avgBackward(VolumeGeometry g, boolean countIncludePad, Tensor dy, Tensor dx) {
        int planes = dx.dim(0) * g.c(), iv = g.inVolume(), ov = g.outVolume();
        Parallel.forEach(planes, p -> {
            int dxo = dx.offset() + p * iv, at = dy.offset() + p * ov;
            float[] dxd = dx.data();
            java.util.Arrays.fill(dxd, dxo, dxo + iv, 0f);
            for (int oz = 0; oz < g.od(); oz++) {
                int z0 = Math.max(oz * g.sd() - g.pd(), 0), z1 = Math.min(oz * g.sd() - g.pd() + g.kd(), g.d());
                for (int oy = 0; oy < g.oh(); oy++) {
                    int y0 = Math.max(oy * g.sh() - g.ph(), 0), y1 = Math.min(oy * g.sh() - g.ph() + g.kh(), g.h());
                    for (int ox = 0; ox < g.ow(); ox++, at++) {
                        int x0 = Math.max(ox * g.sw() - g.pw(), 0), x1 = Math.min(ox * g.sw() - g.pw() + g.kw(), g.w());
                        int divisor = span(oz, g.sd(), g.kd(), g.pd(), g.d(), countIncludePad)
                                * span(oy, g.sh(), g.kh(), g.ph(), g.h(), countIncludePad) * span(ox, g.sw(), g.kw(), g.pw(), g.w(), countIncludePad);
                        float share = dy.data()[at] / divisor;
                        for (int iz = z0; iz < z1; iz++) {
                            for (int iy = y0; iy < y1; iy++) {
                                for (int ix = x0; ix < x1; ix++) dxd[dxo + (iz * g.h() + iy) * g.w() + ix] += share;
                            }
                        }
                    }
                }
            }
        });
    }
}
