package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD forward of a stride-1, zero-padded convolution whose output rows are a whole number
 * of vectors (and planes a whole number of column panels, NR = two vectors): a matrix product
 * whose B operand is read straight from a zero-padded copy of the images, without an im2col
 * matrix. Row p = (ci, ki, kj) of B at output pixel (oy, ox) is
 * {@code xp[ci][oy + ki*dh][ox + kj*dw]}, so the L pixels of a vector are L consecutive floats of
 * the padded image, found through a table of row offsets; the product lands in y directly.
 * Only loaded when {@link Simd#enabled()}.
 *
 * <p>The arithmetic is {@link VectorGemm}'s: 4 x NR tiles of fused multiply-adds in k order,
 * k cut into the same even blocks, so the result does not depend on the thread count.
 */
final class VectorConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 4;
    private static final int NR = 2 * L;
    private static final int KC = 256;

    // [0] the padded images of a task, [1] a tile
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[MR * NR]});
    private static final ThreadLocal<int[][]> ROWS = ThreadLocal.withInitial(() -> new int[1][0]);

    private VectorConv() {
    }

    /** Whether {@link #forward} handles this geometry. */
    static boolean handles(ConvGeometry g) {
        return g.mode == PaddingMode.ZEROS && g.sh == 1 && g.sw == 1 && g.ow % L == 0 && g.oh * g.ow % NR == 0;
    }

    /** The k blocks' size for K rows: even blocks of at most KC. */
    static int blockSize(int k) {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    /**
     * Packs a group's weights (OCg rows of K, {@code w[wo + o*k + p]}) into 4-row panels, k-major
     * within each k block: the layout {@link #forward} reads, {@link #packedSize} floats of ap; rows past OCg are 0.
     */
    static void packWeights(float[] w, int wo, int ocg, int k, float[] ap) {
        int mPad = packedSize(ocg, 1), kc = blockSize(k);
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            for (int i0 = 0; i0 < mPad; i0 += MR) {
                int base = p0 * mPad + i0 * kcb;
                for (int r = 0; r < MR; r++) {
                    int o = i0 + r;
                    for (int p = 0; p < kcb; p++) ap[base + p * MR + r] = o < ocg ? w[wo + o * k + p0 + p] : 0f;
                }
            }
        }
    }

    /** Floats {@link #packWeights} writes: OCg rounded up to the panel height, times K. */
    static int packedSize(int ocg, int k) {
        return (ocg + MR - 1) / MR * MR * k;
    }

    /**
     * y[image j, channel oc0 + o, pixel] for the {@code count} images at x[xo] (each of
     * {@code inSize} floats, channels c0.. of the group): the product of the packed weights
     * {@code ap} (OCg rows) with the implicit column matrix. {@code yo} is image 0's offset in y,
     * {@code ySize} an image's size in y.
     */
    static void forward(ConvGeometry g, int cg, int ocg, float[] ap, float[] x, int xo, int inSize, int c0, int count,
                        float[] y, int yo, int ySize, int oc0) {
        int hp = g.h + g.pt + g.pb, wp = g.w + g.pl + g.pr, planeP = hp * wp, imageP = cg * planeP;
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < count * imageP) scratch[0] = new float[count * imageP];
        float[] xp = scratch[0], tile = scratch[1];
        pad(g, x, xo, inSize, c0, cg, count, xp, hp, wp);
        int k = g.colRows(cg), kc = blockSize(k), mPad = (ocg + MR - 1) / MR * MR, ohw = g.oh * g.ow;
        int[][] rowsHolder = ROWS.get();
        if (rowsHolder[0].length < k) rowsHolder[0] = new int[k];
        int[] rows = rowsHolder[0];
        for (int ci = 0, p = 0; ci < cg; ci++) {
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++, p++) rows[p] = ci * planeP + ki * g.dh * wp + kj * g.dw;
            }
        }
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            boolean add = p0 > 0;
            for (int j = 0; j < count; j++) {
                // a panel's NR pixels are contiguous in y's plane; its two vectors may lie in two output rows
                for (int pix = 0; pix < ohw; pix += NR) {
                    int b0 = j * imageP + pixel(g, pix, wp), b1 = j * imageP + pixel(g, pix + L, wp);
                    int yPix = yo + j * ySize + pix;
                    for (int i0 = 0; i0 < ocg; i0 += MR) {
                        kernel(kcb, ap, p0 * mPad + i0 * kcb, xp, b0, b1, rows, p0, tile);
                        int mv = Math.min(MR, ocg - i0);
                        for (int r = 0; r < mv; r++) store(tile, r * NR, y, yPix + (oc0 + i0 + r) * ohw, add);
                    }
                }
            }
        }
    }

    // output pixel oy*ow + ox -> the offset of its window's first tap in a padded plane
    private static int pixel(ConvGeometry g, int pix, int wp) {
        return pix / g.ow * wp + pix % g.ow;
    }

    // the images' channels c0..c0+cg, each plane bordered by zeros: (count, cg, hp, wp)
    private static void pad(ConvGeometry g, float[] x, int xo, int inSize, int c0, int cg, int count, float[] xp, int hp, int wp) {
        int planeP = hp * wp, plane = g.h * g.w;
        java.util.Arrays.fill(xp, 0, count * cg * planeP, 0f);
        for (int j = 0; j < count; j++) {
            for (int ci = 0; ci < cg; ci++) {
                int src = xo + j * inSize + (c0 + ci) * plane, dst = (j * cg + ci) * planeP + g.pt * wp + g.pl;
                for (int iy = 0; iy < g.h; iy++) System.arraycopy(x, src + iy * g.w, xp, dst + iy * wp, g.w);
            }
        }
    }

    /** tile[4, NR] = Apanel[4, kc] B[kc, NR], B's row p in two vectors at b[base0 + rows[p0 + p]] and b[base1 + ...]. */
    private static void kernel(int kc, float[] a, int ai, float[] b, int base0, int base1, int[] rows, int p0, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < kc; p++, ai += MR) {
            int r = rows[p0 + p];
            FloatVector b0 = FloatVector.fromArray(S, b, base0 + r), b1 = FloatVector.fromArray(S, b, base1 + r);
            FloatVector v = FloatVector.broadcast(S, a[ai]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[ai + 1]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[ai + 2]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[ai + 3]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
    }

    // y[yi .. yi+NR) = (y +) tile row; two loops, not a merged vector (see VectorGemm.update)
    private static void store(float[] t, int ti, float[] y, int yi, boolean add) {
        if (add) {
            FloatVector.fromArray(S, y, yi).add(FloatVector.fromArray(S, t, ti)).intoArray(y, yi);
            FloatVector.fromArray(S, y, yi + L).add(FloatVector.fromArray(S, t, ti + L)).intoArray(y, yi + L);
        } else {
            FloatVector.fromArray(S, t, ti).intoArray(y, yi);
            FloatVector.fromArray(S, t, ti + L).intoArray(y, yi + L);
        }
    }
}
