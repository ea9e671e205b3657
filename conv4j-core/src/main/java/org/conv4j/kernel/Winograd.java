package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(2x2, 3x3) for 3x3, stride-1, dilation-1, zero-padded, ungrouped convolutions
 * (Lavin and Gray, 2015). Each 2x2 output tile is {@code A^T [(G g G^T) .* (B^T d B)] A} for its
 * 4x4 input patch d: the 16 element-wise products, summed over the input channels, are 16
 * matrix products (OC x C) x (C x tiles), so a tile costs 16 multiply-adds per channel pair
 * instead of 36. The transforms' entries are 0, +-1 and +-1/2, so the result differs from the
 * direct sum by float rounding only: {@code WinogradTest} bounds it by 1e-5 times the sum of
 * |w||x| over the window.
 */
public final class Winograd {
    // 8 tiles at a time: a 16x16 map is 8 tiles wide, a 32x32 one 16
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = S.length();
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    private Winograd() {
    }

    /** Whether the geometry is one this transform computes (any size, padding of zeros). */
    public static boolean handles(ConvGeometry g) {
        return g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.mode == PaddingMode.ZEROS;
    }

    /** Floats {@link #transformFilters} writes for oc x c filters: 16 matrices (OC x C). */
    public static int filterSize(int oc, int c) {
        return 16 * oc * c;
    }

    /** u[e*oc*c + o*c + ci] = (G w[o, ci] G^T)[e]: the filters (OC, C, 3, 3) at w[wo..] transformed. */
    public static void transformFilters(float[] w, int wo, int oc, int c, float[] u) {
        int plane = oc * c;
        for (int o = 0; o < oc; o++) {
            for (int ci = 0; ci < c; ci++) {
                int s = wo + (o * c + ci) * 9;
                float[] gg = new float[12];   // G g: 4 rows of 3
                for (int j = 0; j < 3; j++) {
                    float g0 = w[s + j], g1 = w[s + 3 + j], g2 = w[s + 6 + j];
                    gg[j] = g0;
                    gg[3 + j] = 0.5f * (g0 + g1 + g2);
                    gg[6 + j] = 0.5f * (g0 - g1 + g2);
                    gg[9 + j] = g2;
                }
                int at = o * c + ci;
                for (int i = 0; i < 4; i++) {
                    float g0 = gg[3 * i], g1 = gg[3 * i + 1], g2 = gg[3 * i + 2];
                    u[(4 * i) * plane + at] = g0;
                    u[(4 * i + 1) * plane + at] = 0.5f * (g0 + g1 + g2);
                    u[(4 * i + 2) * plane + at] = 0.5f * (g0 - g1 + g2);
                    u[(4 * i + 3) * plane + at] = g2;
                }
            }
        }
    }

    private static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) s[which] = new float[size];
        return s[which];
    }

    /**
     * {@code count} images from x[xo + j*xStride] (C, H, W) into y[yo + j*yStride] (OC, OH, OW):
     * {@code y[o] = f(scale[o] * (x * w[o]) + shift[o])}, f the ReLU when {@code relu} (scale and
     * shift null mean 1 and 0), u the filters from {@link #transformFilters}. One thread.
     */
    public static void forward(ConvGeometry g, int oc, float[] u, float[] x, int xo, int xStride, int count,
                               float[] y, int yo, int yStride, float[] scale, float[] shift, boolean relu) {
        int c = g.c, th = (g.oh + 1) / 2, tw = (g.ow + 1) / 2, tiles = th * tw;
        int ld = Gemm.leadingDimension(count * tiles), rows = 2 * th + 2, width = tw + 1;
        int vPlane = spread(c * ld), mPlane = spread(oc * ld);
        float[] v = scratch(0, 16 * vPlane), m = scratch(1, 16 * mPlane), eo = scratch(2, 2 * rows * width);
        for (int j = 0; j < count; j++) {
            for (int ci = 0; ci < c; ci++) {
                splitPadded(g, x, xo + j * xStride + ci * g.h * g.w, eo, rows, width);
                transformInput(eo, rows, width, th, tw, v, ci * ld + j * tiles, vPlane);
            }
        }
        for (int e = 0; e < 16; e++) {
            Gemm.gemm(false, false, oc, count * tiles, c, u, e * oc * c, c, v, e * vPlane, ld, m, e * mPlane, ld, false);
        }
        int ohw = g.oh * g.ow;
        for (int j = 0; j < count; j++) {
            for (int o = 0; o < oc; o++) {
                transformOutput(m, o * ld + j * tiles, mPlane, th, tw, g.oh, g.ow, y, yo + j * yStride + o * ohw,
                        scale == null ? 1f : scale[o], shift == null ? 0f : shift[o], relu);
            }
        }
    }

    /**
     * A matrix size rounded up to an odd number of 64-byte lines: the transforms read or write the
     * 16 matrices side by side, and 16 streams a multiple of 4 KiB apart would share one L1 set.
     */
    private static int spread(int size) {
        int lines = (size + 15) / 16;
        return 16 * (lines % 2 == 0 ? lines + 1 : lines);
    }

    /**
     * The plane at x[xo..] (H, W), padded with zeros to rows x 2*width, as its even columns
     * (eo[r*width + i] = padded[r][2i]) followed by its odd ones, so each tile reads unit strides.
     */
    private static void splitPadded(ConvGeometry g, float[] x, int xo, float[] eo, int rows, int width) {
        int odd = rows * width;
        for (int r = 0; r < rows; r++) {
            int iy = r - g.pt, at = r * width;
            if (iy < 0 || iy >= g.h) {
                java.util.Arrays.fill(eo, at, at + width, 0f);
                java.util.Arrays.fill(eo, odd + at, odd + at + width, 0f);
                continue;
            }
            int row = xo + iy * g.w - g.pl, lo = Math.min(width, (g.pl + 1) / 2), hi = Math.max(lo, Math.min(width, (g.w + g.pl) / 2));
            // pairs lo .. hi-1 lie inside the row; the few around them are checked
            for (int i = 0; i < lo; i++) pair(x, row, 2 * i, g.pl, g.w, eo, at + i, odd);
            for (int i = lo; i < hi; i++) {
                eo[at + i] = x[row + 2 * i];
                eo[odd + at + i] = x[row + 2 * i + 1];
            }
            for (int i = hi; i < width; i++) pair(x, row, 2 * i, g.pl, g.w, eo, at + i, odd);
        }
    }

    // eo[at] and eo[odd + at]: padded columns pc and pc + 1 of the row (input column pc - pl, at x[row + pc])
    private static void pair(float[] x, int row, int pc, int pl, int w, float[] eo, int at, int odd) {
        int ix = pc - pl;
        eo[at] = ix >= 0 && ix < w ? x[row + pc] : 0f;
        eo[odd + at] = ix + 1 >= 0 && ix + 1 < w ? x[row + pc + 1] : 0f;
    }

    // v[e*plane + vo + ty*tw + tx] = (B^T d B)[e] for the 4x4 patch d at padded (2ty, 2tx)
    private static void transformInput(float[] eo, int rows, int width, int th, int tw, float[] v, int vo, int plane) {
        int odd = rows * width;
        for (int ty = 0; ty < th; ty++) {
            int r0 = 2 * ty * width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width, out = vo + ty * tw, tx = 0;
            for (; tx + L <= tw; tx += L) {
                // columns 2tx .. 2tx+3 of row r: even[tx], odd[tx], even[tx+1], odd[tx+1]
                int e0 = r0 + tx, e1 = r1 + tx, e2 = r2 + tx, e3 = r3 + tx;
                FloatVector d00 = load(eo, e0), d01 = load(eo, odd + e0), d02 = load(eo, e0 + 1), d03 = load(eo, odd + e0 + 1);
                FloatVector d10 = load(eo, e1), d11 = load(eo, odd + e1), d12 = load(eo, e1 + 1), d13 = load(eo, odd + e1 + 1);
                FloatVector d20 = load(eo, e2), d21 = load(eo, odd + e2), d22 = load(eo, e2 + 1), d23 = load(eo, odd + e2 + 1);
                FloatVector d30 = load(eo, e3), d31 = load(eo, odd + e3), d32 = load(eo, e3 + 1), d33 = load(eo, odd + e3 + 1);
                int t = out + tx;
                // rows of B^T d (d0 - d2, d1 + d2, d2 - d1, d1 - d3), each times B
                storeRow(d00.sub(d20), d01.sub(d21), d02.sub(d22), d03.sub(d23), v, t, plane);
                storeRow(d10.add(d20), d11.add(d21), d12.add(d22), d13.add(d23), v, 4 * plane + t, plane);
                storeRow(d20.sub(d10), d21.sub(d11), d22.sub(d12), d23.sub(d13), v, 8 * plane + t, plane);
                storeRow(d10.sub(d30), d11.sub(d31), d12.sub(d32), d13.sub(d33), v, 12 * plane + t, plane);
            }
            for (; tx < tw; tx++) {
                float[] d = new float[16];
                int[] base = {r0, r1, r2, r3};
                for (int r = 0; r < 4; r++) {
                    d[4 * r] = eo[base[r] + tx];
                    d[4 * r + 1] = eo[odd + base[r] + tx];
                    d[4 * r + 2] = eo[base[r] + tx + 1];
                    d[4 * r + 3] = eo[odd + base[r] + tx + 1];
                }
                for (int col = 0; col < 4; col++) {
                    float d0 = d[col], d1 = d[4 + col], d2 = d[8 + col], d3 = d[12 + col];
                    d[col] = d0 - d2;
                    d[4 + col] = d1 + d2;
                    d[8 + col] = d2 - d1;
                    d[12 + col] = d1 - d3;
                }
                int t = out + tx;
                for (int i = 0; i < 4; i++) {
                    float a0 = d[4 * i], a1 = d[4 * i + 1], a2 = d[4 * i + 2], a3 = d[4 * i + 3];
                    v[(4 * i) * plane + t] = a0 - a2;
                    v[(4 * i + 1) * plane + t] = a1 + a2;
                    v[(4 * i + 2) * plane + t] = a2 - a1;
                    v[(4 * i + 3) * plane + t] = a1 - a3;
                }
            }
        }
    }

    private static FloatVector load(float[] a, int at) {
        return FloatVector.fromArray(S, a, at);
    }

    // a row (a0, a1, a2, a3) of B^T d times B: a0 - a2, a1 + a2, a2 - a1, a1 - a3
    private static void storeRow(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, float[] v, int at, int plane) {
        a0.sub(a2).intoArray(v, at);
        a1.add(a2).intoArray(v, at + plane);
        a2.sub(a1).intoArray(v, at + 2 * plane);
        a1.sub(a3).intoArray(v, at + 3 * plane);
    }

    // y plane (oh, ow) at yo from the tiles' 16 sums m[e*plane + mo + ty*tw + tx]: A^T m A, scaled, shifted, rectified
    private static void transformOutput(float[] m, int mo, int plane, int th, int tw, int oh, int ow, float[] y, int yo,
                                        float scale, float shift, boolean relu) {
        float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
        float[] pair = scratch(3, 2 * L);
        for (int ty = 0; ty < th; ty++) {
            int in = mo + ty * tw, row0 = yo + 2 * ty * ow, row1 = row0 + ow, tx = 0;
            boolean second = 2 * ty + 1 < oh;
            // whole tiles, 8 at a time: the two columns of a tile row go to even and odd places
            for (; second && 2 * (tx + L) <= ow; tx += L) {
                int t = in + tx;
                // A^T m: rows m0 + m1 + m2 (p) and m1 - m2 - m3 (q) of each column
                FloatVector m00 = load(m, t), m01 = load(m, plane + t), m02 = load(m, 2 * plane + t), m03 = load(m, 3 * plane + t);
                FloatVector m10 = load(m, 4 * plane + t), m11 = load(m, 5 * plane + t), m12 = load(m, 6 * plane + t), m13 = load(m, 7 * plane + t);
                FloatVector m20 = load(m, 8 * plane + t), m21 = load(m, 9 * plane + t), m22 = load(m, 10 * plane + t), m23 = load(m, 11 * plane + t);
                FloatVector m30 = load(m, 12 * plane + t), m31 = load(m, 13 * plane + t), m32 = load(m, 14 * plane + t), m33 = load(m, 15 * plane + t);
                FloatVector p0 = m00.add(m10).add(m20), p1 = m01.add(m11).add(m21), p2 = m02.add(m12).add(m22), p3 = m03.add(m13).add(m23);
                FloatVector q0 = m10.sub(m20).sub(m30), q1 = m11.sub(m21).sub(m31), q2 = m12.sub(m22).sub(m32), q3 = m13.sub(m23).sub(m33);
                int x0 = 2 * tx;
                storePairs(p0.add(p1).add(p2), p1.sub(p2).sub(p3), scale, shift, floor, pair, y, row0 + x0);
                storePairs(q0.add(q1).add(q2), q1.sub(q2).sub(q3), scale, shift, floor, pair, y, row1 + x0);
            }
            for (; tx < tw; tx++) {
                int t = in + tx;
                float[] p = new float[4], q = new float[4];
                for (int col = 0; col < 4; col++) {
                    float m0 = m[col * plane + t], m1 = m[(4 + col) * plane + t], m2 = m[(8 + col) * plane + t], m3 = m[(12 + col) * plane + t];
                    p[col] = m0 + m1 + m2;
                    q[col] = m1 - m2 - m3;
                }
                int x0 = 2 * tx;
                y[row0 + x0] = Math.max(scale * (p[0] + p[1] + p[2]) + shift, floor);
                if (second) y[row1 + x0] = Math.max(scale * (q[0] + q[1] + q[2]) + shift, floor);
                if (x0 + 1 < ow) {
                    y[row0 + x0 + 1] = Math.max(scale * (p[1] - p[2] - p[3]) + shift, floor);
                    if (second) y[row1 + x0 + 1] = Math.max(scale * (q[1] - q[2] - q[3]) + shift, floor);
                }
            }
        }
    }

    // y[at + 2l] = f(left[l]), y[at + 2l + 1] = f(right[l]): a tile's two columns side by side
    private static void storePairs(FloatVector left, FloatVector right, float scale, float shift, float floor, float[] pair,
                                   float[] y, int at) {
        left.mul(scale).add(shift).max(floor).intoArray(pair, 0);
        right.mul(scale).add(shift).max(floor).intoArray(pair, L);
        for (int l = 0; l < L; l++) {
            y[at + 2 * l] = pair[l];
            y[at + 2 * l + 1] = pair[L + l];
        }
    }
}
