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
        int plane = g.h * g.w, ohw = g.oh * g.ow;
        for (int ci = 0; ci < channels; ci++) {
            int src = xOff + (c0 + ci) * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int row = ((ci * g.kh + ki) * g.kw + kj) * ohw;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                        int dst = row + oy * g.ow;
                        if (iy < 0) {
                            java.util.Arrays.fill(col, dst, dst + g.ow, 0f);
                            continue;
                        }
                        int srcRow = src + iy * g.w;
                        int ix0 = kj * g.dw - g.pl;
                        if (g.sw == 1 && ix0 >= 0 && ix0 + g.ow <= g.w) {
                            System.arraycopy(x, srcRow + ix0, col, dst, g.ow);
                            continue;
                        }
                        for (int ox = 0; ox < g.ow; ox++) {
                            int ix = g.mode.source(ix0 + ox * g.sw, g.w);
                            col[dst + ox] = ix < 0 ? 0f : x[srcRow + ix];
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of im2col: adds each column entry back to the input position it was read from. */
    public static void col2im(ConvGeometry g, float[] col, float[] dx, int dxOff, int c0, int channels) {
        int plane = g.h * g.w, ohw = g.oh * g.ow;
        for (int ci = 0; ci < channels; ci++) {
            int dst = dxOff + (c0 + ci) * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int row = ((ci * g.kh + ki) * g.kw + kj) * ohw;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                        if (iy < 0) continue;
                        int dstRow = dst + iy * g.w, src = row + oy * g.ow;
                        int ix0 = kj * g.dw - g.pl;
                        if (g.sw == 1 && ix0 >= 0 && ix0 + g.ow <= g.w) {
                            for (int ox = 0; ox < g.ow; ox++) dx[dstRow + ix0 + ox] += col[src + ox];
                            continue;
                        }
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
