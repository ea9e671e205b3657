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
        if (strideOne(g)) {
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
        for (int ci = 0; ci < channels; ci++) {
            int src = xOff + (c0 + ci) * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int row = colOff + ((ci * g.kh + ki) * g.kw + kj) * ldc;
                    int ix0 = kj * g.dw - g.pl;
                    // output columns whose input column lies inside the image: [lo, hi)
                    int lo = firstInside(ix0, g.sw), hi = Math.min(g.ow, lastInside(ix0, g.sw, g.w) + 1);
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                        int dst = row + oy * g.ow;
                        if (iy < 0) {
                            java.util.Arrays.fill(col, dst, dst + g.ow, 0f);
                            continue;
                        }
                        int srcRow = src + iy * g.w;
                        if (g.mode != PaddingMode.ZEROS) {
                            for (int ox = 0; ox < g.ow; ox++) col[dst + ox] = x[srcRow + g.mode.source(ix0 + ox * g.sw, g.w)];
                            continue;
                        }
                        if (lo >= hi) {
                            java.util.Arrays.fill(col, dst, dst + g.ow, 0f);
                            continue;
                        }
                        for (int ox = 0; ox < lo; ox++) col[dst + ox] = 0f;
                        if (g.sw == 1) {
                            Arrays2.copy(x, srcRow + ix0 + lo, col, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo, ix = srcRow + ix0 + lo * g.sw; ox < hi; ox++, ix += g.sw) col[dst + ox] = x[ix];
                        }
                        for (int ox = hi; ox < g.ow; ox++) col[dst + ox] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Stride 1 and zero padding: an im2col row is the input plane shifted by (dy, dx), cut to
     * the output size, zeros where it falls in the padding. The valid rows are found once, not
     * per output row; when the output is as wide as the input they are one contiguous run of
     * the plane (one copy for the whole plane).
     */
    private static boolean strideOne(ConvGeometry g) {
        return g.mode == PaddingMode.ZEROS && g.sh == 1 && g.sw == 1;
    }

    // col[dst + oy*ow + ox] = x[src + (oy + dy)*w + ox + dx], 0 where that is outside the plane
    private static void copyShifted(ConvGeometry g, float[] x, int src, int dy, int dx, float[] col, int dst) {
        int ow = g.ow, oy0 = Math.max(0, -dy), oy1 = Math.min(g.oh, g.h - dy);
        int lo = Math.max(0, -dx), hi = Math.min(ow, g.w - dx);
        if (oy1 <= oy0 || hi <= lo) {
            java.util.Arrays.fill(col, dst, dst + g.oh * ow, 0f);
            return;
        }
        java.util.Arrays.fill(col, dst, dst + oy0 * ow + lo, 0f);
        int end = dst + (oy1 - 1) * ow + hi;
        java.util.Arrays.fill(col, end, dst + g.oh * ow, 0f);
        if (ow == g.w) {
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
            int r = dst + oy * ow;
            if (oy > oy0) for (int ox = 0; ox < lo; ox++) col[r + ox] = 0f;
            Arrays2.copy(x, src + (oy + dy) * g.w + lo + dx, col, r + lo, hi - lo);
            if (oy < oy1 - 1) for (int ox = hi; ox < ow; ox++) col[r + ox] = 0f;
        }
    }

    // the adjoint of copyShifted: x[dst + (oy + dy)*w + ox + dx] += col[src + oy*ow + ox] inside the plane
    private static void addShifted(ConvGeometry g, float[] col, int src, int dy, int dx, float[] x, int dst) {
        int ow = g.ow, oy0 = Math.max(0, -dy), oy1 = Math.min(g.oh, g.h - dy);
        int lo = Math.max(0, -dx), hi = Math.min(ow, g.w - dx);
        if (hi <= lo || oy1 <= oy0) return;
        if (lo == 0 && hi == ow && ow == g.w) {
            // no column falls in the padding: the rows are one contiguous run on both sides
            Arrays2.addTo(col, src + oy0 * ow, x, dst + (oy0 + dy) * g.w + dx, (oy1 - oy0) * ow);
            return;
        }
        for (int oy = oy0; oy < oy1; oy++) Arrays2.addTo(col, src + oy * ow + lo, x, dst + (oy + dy) * g.w + lo + dx, hi - lo);
    }

    // smallest ox >= 0 with ix0 + ox*s >= 0
    private static int firstInside(int ix0, int s) {
        return ix0 >= 0 ? 0 : (-ix0 + s - 1) / s;
    }

    // largest ox with ix0 + ox*s <= w - 1 (may be negative)
    private static int lastInside(int ix0, int s, int w) {
        int span = w - 1 - ix0;
        return span < 0 ? -1 : span / s;
    }

    /** The adjoint of im2col: adds each column entry back to the input position it was read from. */
    public static void col2im(ConvGeometry g, float[] col, float[] dx, int dxOff, int c0, int channels) {
        col2im(g, col, 0, g.oh * g.ow, dx, dxOff, c0, channels);
    }

    /** The adjoint of the strided {@link #im2col(ConvGeometry, float[], int, int, int, float[], int, int)}. */
    public static void col2im(ConvGeometry g, float[] col, int colOff, int ldc, float[] dx, int dxOff, int c0, int channels) {
        int plane = g.h * g.w;
        if (strideOne(g)) {
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
        for (int ci = 0; ci < channels; ci++) {
            int dst = dxOff + (c0 + ci) * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int row = colOff + ((ci * g.kh + ki) * g.kw + kj) * ldc;
                    int ix0 = kj * g.dw - g.pl;
                    int lo = firstInside(ix0, g.sw), hi = Math.min(g.ow, lastInside(ix0, g.sw, g.w) + 1);
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                        if (iy < 0) continue;
                        int dstRow = dst + iy * g.w, src = row + oy * g.ow;
                        if (g.mode != PaddingMode.ZEROS) {
                            for (int ox = 0; ox < g.ow; ox++) dx[dstRow + g.mode.source(ix0 + ox * g.sw, g.w)] += col[src + ox];
                            continue;
                        }
                        if (g.sw == 1) {
                            Arrays2.addTo(col, src + lo, dx, dstRow + ix0 + lo, hi - lo);
                        } else {
                            for (int ox = lo, ix = dstRow + ix0 + lo * g.sw; ox < hi; ox++, ix += g.sw) dx[ix] += col[src + ox];
                        }
                    }
                }
            }
        }
    }
}
