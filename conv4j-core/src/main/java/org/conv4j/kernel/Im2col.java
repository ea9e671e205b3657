package org.conv4j.kernel;

/**
 * im2col and col2im (SPEC 1, "fast path"): each receptive field of one image becomes a column,
 * so a convolution is one matrix product. The column matrix is
 * {@code col[(ci*kh + ki)*kw + kj][oy*ow + ox] = x[ci][oy*sh - pt + ki*dh][ox*sw - pl + kj*dw]},
 * with reads outside the input resolved by the padding mode.
 */
public final class Im2col {
    private Im2col() {
    }

    /** Fills col[channels*kh*kw, oh*ow] from channels [c0, c0+channels) of the image at x[xOff]. */
    public static void im2col(ConvGeometry g, float[] x, int xOff, int c0, int channels, float[] col) {
        im2col(g, x, xOff, c0, channels, col, 0, g.oh * g.ow);
    }

    /**
     * As {@link #im2col(ConvGeometry, float[], int, int, int, float[])}, writing row r of the
     * image's columns at {@code col[colOff + r*ldc]}: several images side by side in one matrix.
     */
    public static void im2col(ConvGeometry g, float[] x, int xOff, int c0, int channels, float[] col, int colOff, int ldc) {
        int plane = g.h * g.w;
        if (zeroPadded(g)) {
            for (int ci = 0; ci < channels; ci++) {
                for (int ki = 0; ki < g.kh; ki++) {
                    for (int kj = 0; kj < g.kw; kj++) {
                        int row = colOff + ((ci * g.kh + ki) * g.kw + kj) * ldc;
                        copyShifted(g, x, xOff + (c0 + ci) * plane, ki * g.dh - g.pt, kj * g.dw - g.pl, col, row);
                    }
                }
            }
            return;
        }
        // reflect, replicate, circular: every tap resolved through the padding mode
        for (int ci = 0; ci < channels; ci++) {
            int src = xOff + (c0 + ci) * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int row = colOff + ((ci * g.kh + ki) * g.kw + kj) * ldc;
                    int ix0 = kj * g.dw - g.pl;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h), dst = row + oy * g.ow;
                        for (int ox = 0; ox < g.ow; ox++) {
                            int ix = g.mode.source(ix0 + ox * g.sw, g.w);
                            col[dst + ox] = iy < 0 || ix < 0 ? 0f : x[src + iy * g.w + ix];
                        }
                    }
                }
            }
        }
    }

    /**
     * Zero padding: an im2col row is the input plane shifted by (dy, dx) and sampled with the
     * stride, zeros where it falls in the padding. The valid output rows [oy0, oy1) and columns
     * [lo, hi) are found once per im2col row, not per output row; with stride 1 and an output as
     * wide as the input, the valid rows are one contiguous run of the plane (one copy).
     */
    private static boolean zeroPadded(ConvGeometry g) {
        return g.mode == PaddingMode.ZEROS;
    }

    // the outputs o in [0, out) whose tap o*s + shift lies in [0, in): [first, last)
    private static int firstValid(int shift, int s) {
        return shift >= 0 ? 0 : (-shift + s - 1) / s;
    }

    private static int endValid(int shift, int s, int in, int out) {
        int span = in - 1 - shift;
        return span < 0 ? 0 : Math.min(out, span / s + 1);
    }

    // col[dst + oy*ow + ox] = x[src + (oy*sh + dy)*w + ox*sw + dx], 0 where that is outside the plane
    private static void copyShifted(ConvGeometry g, float[] x, int src, int dy, int dx, float[] col, int dst) {
        int ow = g.ow, sw = g.sw, oy0 = firstValid(dy, g.sh), oy1 = endValid(dy, g.sh, g.h, g.oh);
        int lo = firstValid(dx, sw), hi = endValid(dx, sw, g.w, ow);
        if (oy1 <= oy0 || hi <= lo) {
            java.util.Arrays.fill(col, dst, dst + g.oh * ow, 0f);
            return;
        }
        java.util.Arrays.fill(col, dst, dst + oy0 * ow + lo, 0f);
        int end = dst + (oy1 - 1) * ow + hi;
        java.util.Arrays.fill(col, end, dst + g.oh * ow, 0f);
        if (sw == 1 && g.sh == 1 && ow == g.w) {
            // rows as wide as the input: one run, then the columns that belong to the padding are zeroed
            int first = dst + oy0 * ow + lo;
            System.arraycopy(x, src + (oy0 + dy) * g.w + lo + dx, col, first, end - first);
            for (int oy = oy0; oy < oy1; oy++) {
                int r = dst + oy * ow;
                if (oy > oy0) for (int ox = 0; ox < lo; ox++) col[r + ox] = 0f;
                if (oy < oy1 - 1) for (int ox = hi; ox < ow; ox++) col[r + ox] = 0f;
            }
            return;
        }
        for (int oy = oy0; oy < oy1; oy++) {
            int r = dst + oy * ow, from = src + (oy * g.sh + dy) * g.w + lo * sw + dx;
            if (oy > oy0) for (int ox = 0; ox < lo; ox++) col[r + ox] = 0f;
            if (sw == 1) {
                Arrays2.copy(x, from, col, r + lo, hi - lo);
            } else {
                for (int ox = lo; ox < hi; ox++, from += sw) col[r + ox] = x[from];
            }
            if (oy < oy1 - 1) for (int ox = hi; ox < ow; ox++) col[r + ox] = 0f;
        }
    }

    // the adjoint of copyShifted: x[dst + (oy*sh + dy)*w + ox*sw + dx] += col[src + oy*ow + ox] inside the plane
    private static void addShifted(ConvGeometry g, float[] col, int src, int dy, int dx, float[] x, int dst) {
        int ow = g.ow, sw = g.sw, oy0 = firstValid(dy, g.sh), oy1 = endValid(dy, g.sh, g.h, g.oh);
        int lo = firstValid(dx, sw), hi = endValid(dx, sw, g.w, ow);
        if (hi <= lo || oy1 <= oy0) return;
        if (sw == 1 && g.sh == 1 && lo == 0 && hi == ow && ow == g.w) {
            // no column falls in the padding: the rows are one contiguous run on both sides
            Arrays2.addTo(col, src + oy0 * ow, x, dst + (oy0 + dy) * g.w + dx, (oy1 - oy0) * ow);
            return;
        }
        for (int oy = oy0; oy < oy1; oy++) {
            int c = src + oy * ow + lo, to = dst + (oy * g.sh + dy) * g.w + lo * sw + dx;
            if (sw == 1) {
                Arrays2.addTo(col, c, x, to, hi - lo);
            } else {
                for (int ox = lo; ox < hi; ox++, to += sw) x[to] += col[c + ox - lo];
            }
        }
    }

    /** The adjoint of im2col: adds each column entry back to the input position it was read from. */
    public static void col2im(ConvGeometry g, float[] col, float[] dx, int dxOff, int c0, int channels) {
        col2im(g, col, 0, g.oh * g.ow, dx, dxOff, c0, channels);
    }

    /** The adjoint of the strided {@link #im2col(ConvGeometry, float[], int, int, int, float[], int, int)}. */
    public static void col2im(ConvGeometry g, float[] col, int colOff, int ldc, float[] dx, int dxOff, int c0, int channels) {
        int plane = g.h * g.w;
        if (zeroPadded(g)) {
            for (int ci = 0; ci < channels; ci++) {
                for (int ki = 0; ki < g.kh; ki++) {
                    for (int kj = 0; kj < g.kw; kj++) {
                        int row = colOff + ((ci * g.kh + ki) * g.kw + kj) * ldc;
                        addShifted(g, col, row, ki * g.dh - g.pt, kj * g.dw - g.pl, dx, dxOff + (c0 + ci) * plane);
                    }
                }
            }
            return;
        }
        // reflect, replicate, circular: every tap resolved through the padding mode
        for (int ci = 0; ci < channels; ci++) {
            int dst = dxOff + (c0 + ci) * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int row = colOff + ((ci * g.kh + ki) * g.kw + kj) * ldc;
                    int ix0 = kj * g.dw - g.pl;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                        if (iy < 0) continue;
                        int dstRow = dst + iy * g.w, src = row + oy * g.ow;
                        for (int ox = 0; ox < g.ow; ox++) {
                            int ix = g.mode.source(ix0 + ox * g.sw, g.w);
                            if (ix >= 0) dx[dstRow + ix] += col[src + ox];
                        }
                    }
                }
            }
        }
    }
}
