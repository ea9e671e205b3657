package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD products of stride-1, zero-padded convolutions, without an im2col matrix: the forward
 * (and so the input gradient, a forward of dy with the rotated filter) and the weight gradient.
 * In the forward, B is read straight from a zero-padded copy of the images: row p = (ci, ki, kj)
 * of B at output pixel (oy, ox) is {@code xp[ci][oy + ki*dh][ox + kj*dw]}, so the L pixels of a
 * vector are L consecutive floats of the padded image, found through a table of row offsets.
 * Where output rows are not whole vectors, B is read from KW column-shifted copies whose rows
 * are exactly OW wide instead (see {@link #shiftedCopies}); either way the product lands in y
 * directly. The weight gradient runs the same product over the padded image's rows, or,
 * for fewer output channels than a column panel, dot products over them. Only loaded when
 * {@link Simd#enabled()}.
 *
 * <p>The arithmetic is {@link VectorGemm}'s: MR x NR tiles of fused multiply-adds in k order,
 * k cut into the same even blocks (the dot products: lanes summed over each task's images in
 * order), so the result does not depend on the thread count.
 */
final class VectorConv {
    private static final VectorSpecies<Float> S = Species.FLOAT;
    private static final int L = S.length();
    private static final int MR = VectorGemm.MR;
    private static final int NR = 2 * L;
    // the weight gradient's dot products: DOT_TILE channels x DOT_TILE taps a tile
    private static final int DOT_TILE = L >= 16 ? 4 : 3;
    // k blocks of the products over taps (forward, input gradient): a tile's MR x 576 weights (18 KiB
    // at MR = 8) stay in L1, and VGG/ResNet's 3x3 layers up to 64 channels need one pass over y
    // (32 -> 32 channels at 32 x 32, 1 thread: 152 -> 158 GFLOP/s against blocks of 256)
    private static final int KC_TAPS = 576;
    // k blocks of the weight gradient's product over pixels: a kc x NR panel of dy^T stays in L1
    private static final int KC_PIXELS = 256;

    // [0] the padded (or shifted) images of a task, [1] a tile (or the dot products' lanes), [2] a k block of dy^T, [3] dW^T,
    // [4] dy over padded rows
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(
            () -> new float[][] {new float[0], new float[Math.max(MR * NR, DOT_TILE * DOT_TILE * L)], new float[0], new float[0], new float[0]});
    // [0] tap offsets, [1] the geometry they were made for, [2] row offsets of dy's channels
    private static final ThreadLocal<int[][]> TAPS = ThreadLocal.withInitial(() -> new int[][] {new int[0], new int[0], new int[0]});

    private VectorConv() {
    }

    /**
     * Whether {@link #forward} handles this geometry: stride 1 and zero padding, and either output
     * rows of whole vectors (planes of whole panels), or output rows at least 2/3 of the padded
     * rows (the product then also runs over the padded rows' extra columns, and drops them).
     */
    static boolean handles(ConvGeometry g) {
        return g.mode == PaddingMode.ZEROS && readsEveryPhase(g.kh, g.dh, g.sh) && readsEveryPhase(g.kw, g.dw, g.sw)
                && (dense(g) || 3 * g.ow >= 2 * phaseWidth(g));
    }

    // whether the taps ki*d (ki < k) leave every remainder modulo the stride s: with s > 1 the padded
    // copy is split into s phases along that axis, and a phase no tap reads would be copied for nothing
    private static boolean readsEveryPhase(int k, int d, int s) {
        for (int r = 0; r < s; r++) {
            boolean read = false;
            for (int ki = 0; ki < k && !read; ki++) read = ki * d % s == r;
            if (!read) return false;
        }
        return true;
    }

    // a phase plane's width and height: the padded width (height) over the stride, rounded up
    private static int phaseWidth(ConvGeometry g) {
        return (g.w + g.pl + g.pr + g.sw - 1) / g.sw;
    }

    private static int phaseHeight(ConvGeometry g) {
        return (g.h + g.pt + g.pb + g.sh - 1) / g.sh;
    }

    // output rows of whole vectors and planes of whole panels: every pixel of a panel is an output pixel
    private static boolean dense(ConvGeometry g) {
        return g.ow % L == 0 && g.oh * g.ow % NR == 0;
    }

    /** The k blocks' size for K rows: even blocks of at most max. */
    private static int blockSize(int k, int max) {
        int blocks = (k + max - 1) / max;
        return (k + blocks - 1) / blocks;
    }

    /**
     * Packs a group's weights (OCg rows of K, {@code w[wo + o*k + p]}) into MR-row panels, k-major
     * within each k block: the layout {@link #forward} reads, {@link #packedSize} floats of ap; rows past OCg are 0.
     */
    static void packWeights(float[] w, int wo, int ocg, int k, float[] ap) {
        packWeights(w, wo, ocg, k, ap, 0);
    }

    private static void packWeights(float[] w, int wo, int ocg, int k, float[] ap, int apo) {
        int mPad = packedSize(ocg, 1), kc = blockSize(k, KC_TAPS);
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            for (int i0 = 0; i0 < mPad; i0 += MR) {
                int base = apo + p0 * mPad + i0 * kcb;
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
     * {@code ap} (OCg rows) with the implicit column matrix, plus {@code shift[oc0 + o]} (shift
     * may be null), plus the residual's same element {@code res[at + rShift]} for y[at] (res may
     * be null), through a ReLU when {@code relu}. {@code yo} is image 0's offset in y,
     * {@code ySize} an image's size in y.
     *
     * <p>With stride s > 1 the padded copy is split into s x s phase planes (padded pixels
     * (i*sh + a, j*sw + b) in phase (a, b)), so that again the taps of L neighbouring output
     * pixels are L consecutive floats of one plane.
     *
     * <p>Where output rows are not whole vectors (ResNet's 8 x 8 maps, LeNet-5's 28 x 28 and
     * 10 x 10 with 16 lanes), B comes from {@link #shiftedCopies}, whose rows are exactly OW wide:
     * no column of the product is wasted on padding and no output buffer is copied out. Against
     * the product over padded rows, batch 64, 1 thread, best of 3 alternating runs (Xeon, AVX-512,
     * JDK 25): 64 -> 64 channels at 8 x 8 108 -> 127 GFLOP/s, 32 -> 64 stride 2 to 8 x 8 73 -> 93,
     * LeNet-5's conv1 42 -> 54; its conv2 (6 -> 16, 5 x 5, 10 x 10 out) 81 -> 74, the five copies
     * costing more than the padding columns saved there.
     */
    static void forward(ConvGeometry g, int cg, int ocg, float[] ap, float[] x, int xo, int inSize, int c0, int count,
                        float[] y, int yo, int ySize, int oc0, float[] shift, float[] res, int rShift, boolean relu) {
        int hp = phaseHeight(g), wp = phaseWidth(g);
        int k = g.colRows(cg), kc = blockSize(k, KC_TAPS), mPad = (ocg + MR - 1) / MR * MR, ohw = g.oh * g.ow;
        boolean dense = dense(g);
        float[][] scratch = SCRATCH.get();
        float[] xp;
        int[] rows;
        int imageP;
        if (dense) {
            xp = g.sh * g.sw == 1 ? pad(g, x, xo, inSize, c0, cg, count, scratch, hp, wp, 0)
                    : padPhases(g, x, xo, inSize, c0, cg, count, scratch, hp, wp, 0);
            rows = taps(g, cg, hp, wp);
            imageP = cg * g.sh * g.sw * hp * wp;
        } else {
            int[] phases = rowPhases(g);
            imageP = g.kw * phases.length * cg * shiftedHeight(g) * g.ow;
            xp = shiftedCopies(g, x, xo, inSize, c0, cg, count, scratch, phases, imageP);
            rows = shiftedTaps(g, cg, phases);
        }
        float[] tile = scratch[1];
        int outStart = yo + oc0 * ohw;
        boolean epilogue = shift != null || res != null || relu;
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            boolean add = p0 > 0, last = p0 + kcb == k;
            for (int j = 0; j < count; j++) {
                // a panel's NR pixels are contiguous in y's plane; dense, its two vectors may lie in two
                // output rows; else the last panel of a plane may be partial (its extra pixels read the
                // next plane or the tail's zeros, and are dropped)
                for (int pix = 0; pix < ohw; pix += NR) {
                    int b0 = j * imageP + (dense ? pixel(g, pix, wp) : pix), b1 = j * imageP + (dense ? pixel(g, pix + L, wp) : pix + L);
                    int outPix = outStart + j * ySize + pix, nv = Math.min(NR, ohw - pix);
                    for (int i0 = 0; i0 < ocg; i0 += MR) {
                        kernel(kcb, ap, p0 * mPad + i0 * kcb, xp, b0, b1, rows, p0, tile);
                        int mv = Math.min(MR, ocg - i0);
                        for (int r = 0; r < mv; r++) {
                            int o = i0 + r, at = outPix + o * ohw;
                            float b = shift == null ? 0f : shift[oc0 + o];
                            if (nv < NR) storePart(tile, r * NR, y, at, nv, add, last && epilogue, b, res, at + rShift, relu);
                            else if (last && res != null) storeLastResidual(tile, r * NR, y, at, add, b, res, at + rShift, relu);
                            else if (last && epilogue) storeLast(tile, r * NR, y, at, add, b, relu);
                            else store(tile, r * NR, y, at, add);
                        }
                    }
                }
            }
        }
    }

    // y[yi .. yi+nv) = (y +) tile row, then (when last) + shift, + res[ri ..] (res may be null) and the
    // ReLU: a partial panel's store
    private static void storePart(float[] t, int ti, float[] y, int yi, int nv, boolean add, boolean last, float shift,
                                  float[] res, int ri, boolean relu) {
        for (int q = 0; q < nv; q++) {
            float v = add ? y[yi + q] + t[ti + q] : t[ti + q];
            if (last) {
                v += shift;
                if (res != null) v += res[ri + q];
                if (relu) v = Math.max(v, 0f);
            }
            y[yi + q] = v;
        }
    }

    /**
     * The row phases the taps read, in increasing order: the distinct (ki*dh) mod sh. Row phase a
     * holds the padded rows i*sh + a.
     */
    private static int[] rowPhases(ConvGeometry g) {
        boolean[] read = new boolean[g.sh];
        int n = 0;
        for (int ki = 0; ki < g.kh; ki++) {
            int a = ki * g.dh % g.sh;
            if (!read[a]) n++;
            read[a] = true;
        }
        int[] phases = new int[n];
        for (int a = 0, i = 0; a < g.sh; a++) if (read[a]) phases[i++] = a;
        return phases;
    }

    // rows of a row phase: the padded height over the stride, rounded up
    private static int shiftedHeight(ConvGeometry g) {
        return (g.h + g.pt + g.pb + g.sh - 1) / g.sh;
    }

    /**
     * Where output rows are not whole vectors: for each column tap kj and row phase a, a copy of
     * the images' channels c0..c0+cg whose row i, column ox holds the padded pixel
     * (i*sh + a, ox*sw + kj*dw), rows exactly OW wide: (count, KW, phases, cg, hq, OW), then NR
     * tail zeros. Tap (ci, ki, kj) of output pixel oy*OW + ox then sits at a fixed offset plus
     * oy*OW + ox, so every panel's pixels are contiguous and land in y's plane as they are, with
     * no column wasted on padding. KW (x phases) copies of the input, against KH*KW for im2col.
     */
    private static float[] shiftedCopies(ConvGeometry g, float[] x, int xo, int inSize, int c0, int cg, int count, float[][] scratch,
                                         int[] phases, int imageP) {
        int hq = shiftedHeight(g), ow = g.ow, plane = g.h * g.w, size = count * imageP + NR;
        if (scratch[0].length < size) scratch[0] = new float[size];
        float[] xp = scratch[0];
        int dst = 0;
        for (int j = 0; j < count; j++) {
            for (int kj = 0; kj < g.kw; kj++) {
                // output columns [q0, q1) read input columns q*sw + kj*dw - pl inside [0, W)
                int shiftX = kj * g.dw - g.pl;
                int q0 = Math.min(ow, Math.max(0, ceilDiv(-shiftX, g.sw))), q1 = Math.max(q0, Math.min(ow, ceilDiv(g.w - shiftX, g.sw)));
                for (int a : phases) {
                    for (int ci = 0; ci < cg; ci++) {
                        int src = xo + j * inSize + (c0 + ci) * plane;
                        for (int i = 0; i < hq; i++, dst += ow) {
                            int r = i * g.sh + a - g.pt;
                            if (r < 0 || r >= g.h) {
                                java.util.Arrays.fill(xp, dst, dst + ow, 0f);
                                continue;
                            }
                            for (int q = 0; q < q0; q++) xp[dst + q] = 0f;
                            int at = src + r * g.w + q0 * g.sw + shiftX;
                            if (g.sw == 1) Arrays2.copy(x, at, xp, dst + q0, q1 - q0);
                            else for (int q = q0; q < q1; q++, at += g.sw) xp[dst + q] = x[at];
                            for (int q = q1; q < ow; q++) xp[dst + q] = 0f;
                        }
                    }
                }
            }
        }
        java.util.Arrays.fill(xp, dst, size, 0f);
        return xp;
    }

    // tap p = (ci, ki, kj) -> its offset in an image of shiftedCopies: copy (kj, phase of ki*dh), channel ci, row (ki*dh)/sh
    private static int[] shiftedTaps(ConvGeometry g, int cg, int[] phases) {
        int[][] holder = TAPS.get();
        if (holder[0].length < g.colRows(cg)) holder[0] = new int[g.colRows(cg)];
        holder[1] = new int[0];   // the dense path's cached key no longer describes holder[0]
        int[] taps = holder[0];
        int copy = cg * shiftedHeight(g) * g.ow;
        for (int ci = 0, p = 0; ci < cg; ci++) {
            for (int ki = 0; ki < g.kh; ki++) {
                int ry = ki * g.dh, phase = java.util.Arrays.binarySearch(phases, ry % g.sh);
                for (int kj = 0; kj < g.kw; kj++, p++) {
                    taps[p] = (kj * phases.length + phase) * copy + ci * shiftedHeight(g) * g.ow + ry / g.sh * g.ow;
                }
            }
        }
        return taps;
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }

    // output pixel oy*ow + ox -> the offset of its window's first tap in a padded (phase) plane
    private static int pixel(ConvGeometry g, int pix, int wp) {
        return pix / g.ow * wp + pix % g.ow;
    }

    /**
     * Whether {@link #weightGradient} handles this geometry and group width: zero padding, a
     * stride whose every phase the taps read, output rows at least 2/3 of the padded (phase) rows
     * (the product also runs over their extra columns, against zeros), and at least a column
     * panel (NR) of output channels (fewer leave most of each tile idle; the im2col product's
     * dot-product path serves them).
     */
    static boolean handlesWeightGradient(ConvGeometry g, int ocg) {
        return g.mode == PaddingMode.ZEROS && readsEveryPhase(g.kh, g.dh, g.sh) && readsEveryPhase(g.kw, g.dw, g.sw)
                && 3 * g.ow >= 2 * phaseWidth(g) && ocg >= NR;
    }

    /**
     * dW[o, p] = the sum over the {@code count} images of dy[o, pixel] x[p-th tap of pixel], for
     * a group's OCg output channels (dy channels oc0.., image 0 at dy[dyo], {@code dySize} floats
     * an image) and K = cg*KH*KW taps (x channels c0.., image 0 at x[xo], {@code inSize} floats an
     * image), written to {@code dw[dwo + o*K + p]} (SPEC 1: the input cross-correlated with the
     * sensitivity map), without an im2col matrix.
     *
     * <p>In a zero-padded plane of width wp, tap p = (ci, ki, kj) of pixel (oy, ox) sits at
     * {@code taps[p] + oy*wp + ox}: over "pixels" t = oy*wp + ox of rows padded to wp, each tap's
     * values are one contiguous run of the padded image. So dW^T (K x OCg) is a matrix product
     * over each image's t, image after image, whose A rows are read in place from the padded
     * image and whose B is dy^T with zeros in the wp - OW extra columns of each row, packed a k
     * block at a time. {@link VectorGemm}'s MR x NR tiles sum the k blocks in order. With a stride,
     * the same holds in the phase planes of {@link #forward}.
     */
    static void weightGradient(ConvGeometry g, int cg, int ocg, float[] x, int xo, int inSize, int c0, int count,
                               float[] dy, int dyo, int dySize, int oc0, float[] dw, int dwo) {
        int hp = phaseHeight(g), wp = phaseWidth(g), imageP = cg * g.sh * g.sw * hp * wp;
        float[][] scratch = SCRATCH.get();
        // the last taps' runs end up to (KW-1)*dw/sw floats past the last plane: zeros, multiplied by the extra columns' zeros
        int tail = (g.kw - 1) * g.dw / g.sw;
        float[] xp = g.sh * g.sw == 1 ? pad(g, x, xo, inSize, c0, cg, count, scratch, hp, wp, tail)
                : padPhases(g, x, xo, inSize, c0, cg, count, scratch, hp, wp, tail);
        float[] tile = scratch[1];
        int k = g.colRows(cg), span = g.oh * wp, kc = blockSize(span, KC_PIXELS), ldd = Gemm.leadingDimension(count * span);
        int rowPanels = (k + MR - 1) / MR, colPanels = (ocg + NR - 1) / NR, ocPad = colPanels * NR;
        if (scratch[2].length < kc * ocPad) scratch[2] = new float[kc * ocPad];
        if (scratch[3].length < rowPanels * MR * ocPad) scratch[3] = new float[rowPanels * MR * ocPad];
        if (scratch[4].length < ocg * ldd + L) scratch[4] = new float[ocg * ldd + L];
        float[] bp = scratch[2], ct = scratch[3], dyp = scratch[4];
        padRows(g, dy, dyo, dySize, oc0, ocg, count, wp, span, dyp, ldd);
        int[] taps = taps(g, cg, hp, wp), rowStarts = new int[MR];
        for (int j = 0; j < count; j++) {
            for (int s0 = 0; s0 < span; s0 += kc) {
                int kcb = Math.min(kc, span - s0), t0 = j * span + s0, base = j * imageP + s0;
                packTransposed(dyp, ldd, ocg, colPanels, t0, kcb, bp);
                for (int jr = 0; jr < colPanels; jr++) {
                    for (int ir = 0; ir < rowPanels; ir++) {
                        // rows past K repeat the last one; their results are dropped below
                        int p = ir * MR;
                        for (int r = 0; r < MR; r++) rowStarts[r] = base + taps[Math.min(p + r, k - 1)];
                        VectorGemm.kernelRows(kcb, xp, rowStarts, bp, jr * kcb * NR, tile);
                        VectorGemm.update(tile, ct, p * ocPad + jr * NR, ocPad, t0 > 0);
                    }
                }
            }
        }
        for (int o = 0; o < ocg; o++) {
            for (int p = 0; p < k; p++) dw[dwo + o * k + p] = ct[p * ocPad + o];
        }
    }

    /**
     * Whether {@link #weightGradientDot} handles this geometry and group width: stride 1, zero
     * padding, output rows at least 2/3 of the padded rows, and fewer output channels than
     * {@link #weightGradient} needs (LeNet-5's first layer: 6).
     */
    static boolean handlesWeightGradientDot(ConvGeometry g, int ocg) {
        return g.mode == PaddingMode.ZEROS && g.sh == 1 && g.sw == 1 && 3 * g.ow >= 2 * phaseWidth(g) && ocg < NR;
    }

    /**
     * {@link #weightGradient} for a few output channels, as dot products: over "pixels" t of dy's
     * rows padded to the padded width wp (zeros in the extra columns and up to a whole vector
     * past the plane), dW[o, p] is the dot product of dy's channel o with the run of the padded
     * image that starts at tap p's offset, image after image. A tile of R channels x R taps keeps
     * R^2 accumulators (lane l sums the t = l mod L terms over the images in order); the lanes
     * are added in lane order at the end. R is 4 with 32 vector registers (AVX-512): 8 loads
     * feed 16 multiply-adds, where 3 x 3 tiles load 6 for 9 and leave the loads the bottleneck;
     * 3 with 16 (AVX2), which 16 accumulators and their operands would overflow. The 16-wide tiles of the other path would leave most
     * lanes idle here, and im2col would copy each input value KH x KW times.
     */
    static void weightGradientDot(ConvGeometry g, int cg, int ocg, float[] x, int xo, int inSize, int c0, int count,
                                  float[] dy, int dyo, int dySize, int oc0, float[] dw, int dwo) {
        int hp = phaseHeight(g), wp = phaseWidth(g), imageP = cg * hp * wp, k = g.colRows(cg);
        int span = g.oh * wp, stride = (span + L - 1) / L * L, ld = count * stride;
        float[][] scratch = SCRATCH.get();
        // a run read from the last tap goes (KW-1)*dw + L - 1 floats past the last plane: zeros,
        // multiplied by dy's zeros (as are the next row's or plane's values the extra columns read)
        float[] xp = pad(g, x, xo, inSize, c0, cg, count, scratch, hp, wp, (g.kw - 1) * g.dw + L);
        if (scratch[4].length < ocg * ld + L) scratch[4] = new float[ocg * ld + L];
        float[] dyp = scratch[4], lanes = scratch[1];
        padRows(g, dy, dyo, dySize, oc0, ocg, count, wp, stride, dyp, ld);
        int[] taps = taps(g, cg, hp, wp);
        for (int o = 0; o < ocg; o += DOT_TILE) {
            // past the edge, repeat the last channel (tap): the extra sums are computed and dropped
            int d0 = o * ld, d1 = Math.min(o + 1, ocg - 1) * ld, d2 = Math.min(o + 2, ocg - 1) * ld, d3 = Math.min(o + 3, ocg - 1) * ld;
            for (int p = 0; p < k; p += DOT_TILE) {
                int x0 = taps[p], x1 = taps[Math.min(p + 1, k - 1)], x2 = taps[Math.min(p + 2, k - 1)], x3 = taps[Math.min(p + 3, k - 1)];
                java.util.Arrays.fill(lanes, 0, DOT_TILE * DOT_TILE * L, 0f);
                for (int j = 0, xb = 0, db = 0; j < count; j++, xb += imageP, db += stride) {
                    if (DOT_TILE == 4) dotTile4(dyp, d0 + db, d1 + db, d2 + db, d3 + db, xp, xb + x0, xb + x1, xb + x2, xb + x3, stride, lanes);
                    else VectorGemm.dotTile(dyp, d0 + db, d1 + db, d2 + db, xp, xb + x0, xb + x1, xb + x2, stride, lanes);
                }
                for (int r = 0; r < Math.min(DOT_TILE, ocg - o); r++) {
                    for (int q = 0; q < Math.min(DOT_TILE, k - p); q++) {
                        dw[dwo + (o + r) * k + p + q] = VectorGemm.sumLanes(lanes, (DOT_TILE * r + q) * L);
                    }
                }
            }
        }
    }

    /**
     * {@link VectorGemm#dotTile} for 4 x 4 runs: lanes[(4r + q) L ..] += the lane-wise sums of a's
     * run r times b's run q over n floats, n a multiple of L, by FMA in order.
     */
    private static void dotTile4(float[] a, int a0, int a1, int a2, int a3, float[] b, int b0, int b1, int b2, int b3,
                                 int n, float[] lanes) {
        FloatVector s00 = FloatVector.fromArray(S, lanes, 0), s01 = FloatVector.fromArray(S, lanes, L),
                s02 = FloatVector.fromArray(S, lanes, 2 * L), s03 = FloatVector.fromArray(S, lanes, 3 * L),
                s10 = FloatVector.fromArray(S, lanes, 4 * L), s11 = FloatVector.fromArray(S, lanes, 5 * L),
                s12 = FloatVector.fromArray(S, lanes, 6 * L), s13 = FloatVector.fromArray(S, lanes, 7 * L),
                s20 = FloatVector.fromArray(S, lanes, 8 * L), s21 = FloatVector.fromArray(S, lanes, 9 * L),
                s22 = FloatVector.fromArray(S, lanes, 10 * L), s23 = FloatVector.fromArray(S, lanes, 11 * L),
                s30 = FloatVector.fromArray(S, lanes, 12 * L), s31 = FloatVector.fromArray(S, lanes, 13 * L),
                s32 = FloatVector.fromArray(S, lanes, 14 * L), s33 = FloatVector.fromArray(S, lanes, 15 * L);
        for (int p = 0; p < n; p += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p), y1 = FloatVector.fromArray(S, b, b1 + p),
                    y2 = FloatVector.fromArray(S, b, b2 + p), y3 = FloatVector.fromArray(S, b, b3 + p);
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            s02 = x.fma(y2, s02);
            s03 = x.fma(y3, s03);
            x = FloatVector.fromArray(S, a, a1 + p);
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            s12 = x.fma(y2, s12);
            s13 = x.fma(y3, s13);
            x = FloatVector.fromArray(S, a, a2 + p);
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            s22 = x.fma(y2, s22);
            s23 = x.fma(y3, s23);
            x = FloatVector.fromArray(S, a, a3 + p);
            s30 = x.fma(y0, s30);
            s31 = x.fma(y1, s31);
            s32 = x.fma(y2, s32);
            s33 = x.fma(y3, s33);
        }
        s00.intoArray(lanes, 0);
        s01.intoArray(lanes, L);
        s02.intoArray(lanes, 2 * L);
        s03.intoArray(lanes, 3 * L);
        s10.intoArray(lanes, 4 * L);
        s11.intoArray(lanes, 5 * L);
        s12.intoArray(lanes, 6 * L);
        s13.intoArray(lanes, 7 * L);
        s20.intoArray(lanes, 8 * L);
        s21.intoArray(lanes, 9 * L);
        s22.intoArray(lanes, 10 * L);
        s23.intoArray(lanes, 11 * L);
        s30.intoArray(lanes, 12 * L);
        s31.intoArray(lanes, 13 * L);
        s32.intoArray(lanes, 14 * L);
        s33.intoArray(lanes, 15 * L);
    }

    /**
     * Whether {@link #inputGradient} handles this geometry: stride 1 and zero padding, output rows
     * at least 2/3 of the padded rows (the product runs over the padded rows' extra columns).
     */
    static boolean handlesInputGradient(ConvGeometry g) {
        return g.mode == PaddingMode.ZEROS && g.sh == 1 && g.sw == 1 && 3 * g.ow >= 2 * (g.w + g.pl + g.pr);
    }

    /**
     * Packs a group's W^T for {@link #inputGradient}: the rows are its K taps in (ki, kj, ci) order
     * (so the rows of a panel are channels, a plane apart in the padded image, unless
     * Cg < MR), each of OCg values w[wo + o*K + (ci, ki, kj)]; fills {@code offsets} with each
     * row's tap offset in a padded image of the geometry. {@code wt} is K*OCg floats of scratch;
     * the panels take {@link #packedSize packedSize(K, OCg)} floats from ap[apo].
     */
    static void packInputGradientWeights(ConvGeometry g, float[] w, int wo, int cg, int ocg, float[] wt, float[] ap, int apo, int[] offsets) {
        int kk = g.kh * g.kw, k = cg * kk, wp = g.w + g.pl + g.pr, planeP = (g.h + g.pt + g.pb) * wp;
        for (int ki = 0, p = 0; ki < g.kh; ki++) {
            for (int kj = 0; kj < g.kw; kj++) {
                for (int ci = 0; ci < cg; ci++, p++) {
                    offsets[p] = ci * planeP + ki * g.dh * wp + kj * g.dw;
                    for (int o = 0; o < ocg; o++) wt[p * ocg + o] = w[wo + o * k + ci * kk + ki * g.kw + kj];
                }
            }
        }
        packWeights(wt, 0, k, ocg, ap, apo);
    }

    /**
     * dx[image j, channel c0 + ci] (overwritten) for the {@code count} images, from dy (channels
     * oc0.., OCg of them, image 0 at dy[dyo], {@code dySize} floats an image) and the group's W^T
     * packed by {@link #packInputGradientWeights} (ap, offsets): SPEC 1's col2im of W^T dy, with
     * the scatter done as the product is stored. Over "pixels" t = oy*wp + ox of dy's rows padded
     * to the padded input's width, tap p of every pixel lands at {@code offsets[p] + t} of the
     * padded dx, so each row of an MR x NR tile of W^T dy is added to dx as two vectors; dy's extra
     * columns are zeros and add nothing. Unlike the full convolution with the rotated filter, no
     * multiply-add is spent on the zeros around dy.
     */
    static void inputGradient(ConvGeometry g, int cg, int ocg, float[] ap, int apo, int[] offsets, float[] dy, int dyo, int dySize,
                              int oc0, int count, float[] dx, int dxo, int inSize, int c0) {
        int hp = g.h + g.pt + g.pb, wp = g.w + g.pl + g.pr, planeP = hp * wp, imageP = cg * planeP;
        int k = g.colRows(cg), kc = blockSize(ocg, KC_TAPS), mPad = (k + MR - 1) / MR * MR;
        int span = g.oh * wp, stride = (span + NR - 1) / NR * NR, ld = Gemm.leadingDimension(count * stride);
        // the last panel's pixels and the extra columns' taps reach past the last plane: they add zeros there
        int size = count * imageP + stride - span + (g.kw - 1) * g.dw;
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < size) scratch[0] = new float[size];
        if (scratch[4].length < ocg * ld + L) scratch[4] = new float[ocg * ld + L];
        float[] dxp = scratch[0], dyp = scratch[4], tile = scratch[1];
        java.util.Arrays.fill(dxp, 0, size, 0f);
        padRows(g, dy, dyo, dySize, oc0, ocg, count, wp, stride, dyp, ld);
        int[] rows = channelRows(ocg, ld);
        for (int p0 = 0; p0 < ocg; p0 += kc) {
            int kcb = Math.min(kc, ocg - p0);
            for (int j = 0; j < count; j++) {
                for (int t = 0; t < stride; t += NR) {
                    int b0 = j * stride + t, at = j * imageP + t;
                    for (int i0 = 0; i0 < k; i0 += MR) {
                        kernel(kcb, ap, apo + p0 * mPad + i0 * kcb, dyp, b0, b0 + L, rows, p0, tile);
                        for (int r = 0, mv = Math.min(MR, k - i0); r < mv; r++) store(tile, r * NR, dxp, at + offsets[i0 + r], true);
                    }
                }
            }
        }
        int plane = g.h * g.w;
        for (int j = 0; j < count; j++) {
            for (int ci = 0; ci < cg; ci++) {
                int src = j * imageP + ci * planeP + g.pt * wp + g.pl, dst = dxo + j * inSize + (c0 + ci) * plane;
                for (int iy = 0; iy < g.h; iy++, src += wp, dst += g.w) Arrays2.copy(dxp, src, dx, dst, g.w);
            }
        }
    }

    // o * ld for o < OCg, in an array kept per thread
    private static int[] channelRows(int ocg, int ld) {
        int[][] holder = TAPS.get();
        if (holder[2].length < ocg) holder[2] = new int[ocg];
        for (int o = 0; o < ocg; o++) holder[2][o] = o * ld;
        return holder[2];
    }

    // dy's OCg channels of the images as rows of "pixels" j*stride + oy*wp + ox, ld apart, zero where
    // ox >= OW and from OH*wp to the image's stride. A row is stored as whole vectors, the last one
    // reaching past OW, then a vector of zeros from OW on: a short row (LeNet-5's 10 wide) costs two
    // vector stores, not a store per float. What lands past the row is overwritten by the rows and
    // images stored after it, or lies up to L floats past the last channel's rows: dyp holds
    // ocg * ld + L floats.
    private static void padRows(ConvGeometry g, float[] dy, int dyo, int dySize, int oc0, int ocg, int count, int wp,
                                int stride, float[] dyp, int ld) {
        int ohw = g.oh * g.ow, span = g.oh * wp, whole = g.ow / L * L;
        FloatVector zero = FloatVector.zero(S);
        for (int o = 0; o < ocg; o++) {
            for (int j = 0; j < count; j++) {
                int src = dyo + j * dySize + (oc0 + o) * ohw, dst = o * ld + j * stride;
                java.util.Arrays.fill(dyp, dst + span, dst + stride, 0f);
                for (int oy = 0; oy < g.oh; oy++, src += g.ow, dst += wp) {
                    for (int q = 0; q < whole; q += L) FloatVector.fromArray(S, dy, src + q).intoArray(dyp, dst + q);
                    if (whole < g.ow) {
                        // the last values and what follows them in dy (a copy, unless it would read past dy's end)
                        if (src + whole + L <= dy.length) FloatVector.fromArray(S, dy, src + whole).intoArray(dyp, dst + whole);
                        else for (int q = whole; q < g.ow; q++) dyp[dst + q] = dy[src + q];
                    }
                    zero.intoArray(dyp, dst + g.ow);
                    if (g.ow + L < wp) java.util.Arrays.fill(dyp, dst + g.ow + L, dst + wp, 0f);
                }
            }
        }
    }

    /**
     * Packs columns t0..t0+kcb of the OCg rows of d (ld apart) transposed, into NR-wide panels
     * (one per NR rows of d), each kcb rows of NR floats, zero past OCg.
     */
    private static void packTransposed(float[] d, int ld, int ocg, int colPanels, int t0, int kcb, float[] bp) {
        int[] rows = VectorGemm.rowOffsets(ld);
        for (int jr = 0; jr < colPanels; jr++) {
            int o0 = jr * NR, full = Math.min(NR, ocg - o0), src = o0 * ld + t0, dst = jr * kcb * NR;
            if (full == NR && Simd.widening()) {
                // a column of L rows at a time (a gather; JDK 17 would box it); ld spreads the rows over the cache sets
                for (int t = 0; t < kcb; t++, dst += NR) {
                    FloatVector.fromArray(S, d, src + t, rows, 0).intoArray(bp, dst);
                    FloatVector.fromArray(S, d, src + L * ld + t, rows, 0).intoArray(bp, dst + L);
                }
            } else {
                for (int t = 0; t < kcb; t++, dst += NR) {
                    for (int q = 0; q < NR; q++) bp[dst + q] = q < full ? d[src + q * ld + t] : 0f;
                }
            }
        }
    }

    // offset of tap p = (ci, ki, kj) from its pixel's position in the channel-0 (phase-0) plane of a
    // padded copy of hp x wp planes, sh x sw phase planes a channel (kept per thread for the last
    // geometry: a layer asks again at every call)
    private static int[] taps(ConvGeometry g, int cg, int hp, int wp) {
        int[][] holder = TAPS.get();
        int[] key = holder[1];
        if (key.length == 9 && key[0] == cg && key[1] == hp && key[2] == wp && key[3] == g.kh && key[4] == g.kw
                && key[5] == g.dh && key[6] == g.dw && key[7] == g.sh && key[8] == g.sw) {
            return holder[0];
        }
        if (holder[0].length < g.colRows(cg)) holder[0] = new int[g.colRows(cg)];
        int[] taps = holder[0];
        int planeP = hp * wp;
        for (int ci = 0, p = 0; ci < cg; ci++) {
            for (int ki = 0; ki < g.kh; ki++) {
                int ry = ki * g.dh;
                for (int kj = 0; kj < g.kw; kj++, p++) {
                    int rx = kj * g.dw, phase = ry % g.sh * g.sw + rx % g.sw;
                    taps[p] = (ci * g.sh * g.sw + phase) * planeP + ry / g.sh * wp + rx / g.sw;
                }
            }
        }
        holder[1] = new int[] {cg, hp, wp, g.kh, g.kw, g.dh, g.dw, g.sh, g.sw};
        return taps;
    }

    /**
     * The images' channels c0..c0+cg zero-padded and split into sh x sw phase planes of hp x wp
     * (phase (a, b) holds the padded pixels (i*sh + a, j*sw + b), zero past the padded plane):
     * (count, cg, sh*sw, hp, wp), then tail zeros.
     */
    private static float[] padPhases(ConvGeometry g, float[] x, int xo, int inSize, int c0, int cg, int count, float[][] scratch,
                                     int hp, int wp, int tail) {
        int planeP = hp * wp, phases = g.sh * g.sw, plane = g.h * g.w, size = count * cg * phases * planeP + tail;
        if (scratch[0].length < size) scratch[0] = new float[size];
        float[] xp = scratch[0];
        for (int j = 0; j < count; j++) {
            for (int ci = 0; ci < cg; ci++) {
                int src = xo + j * inSize + (c0 + ci) * plane, base = (j * cg + ci) * phases * planeP;
                for (int a = 0; a < g.sh; a++) {
                    for (int b = 0; b < g.sw; b++) {
                        // phase columns [q0, q1) come from input columns q*sw + b - pl in [0, W)
                        int q0 = Math.min(wp, Math.max(0, (g.pl - b + g.sw - 1) / g.sw));
                        int q1 = Math.max(q0, Math.min(wp, (g.w + g.pl - b + g.sw - 1) / g.sw));
                        for (int i = 0; i < hp; i++) {
                            int r = i * g.sh + a - g.pt, row = base + (a * g.sw + b) * planeP + i * wp;
                            if (r < 0 || r >= g.h) {
                                java.util.Arrays.fill(xp, row, row + wp, 0f);
                                continue;
                            }
                            java.util.Arrays.fill(xp, row, row + q0, 0f);
                            for (int q = q0, at = src + r * g.w + q0 * g.sw + b - g.pl; q < q1; q++, at += g.sw) xp[row + q] = x[at];
                            java.util.Arrays.fill(xp, row + q1, row + wp, 0f);
                        }
                    }
                }
            }
        }
        java.util.Arrays.fill(xp, size - tail, size, 0f);
        return xp;
    }

    // the images' channels c0..c0+cg, each plane bordered by zeros: (count, cg, hp, wp), then tail zeros
    private static float[] pad(ConvGeometry g, float[] x, int xo, int inSize, int c0, int cg, int count, float[][] scratch,
                               int hp, int wp, int tail) {
        int planeP = hp * wp, plane = g.h * g.w, size = count * cg * planeP + tail;
        if (scratch[0].length < size) scratch[0] = new float[size];
        float[] xp = scratch[0];
        for (int j = 0; j < count; j++) {
            for (int ci = 0; ci < cg; ci++) {
                int src = xo + j * inSize + (c0 + ci) * plane, p0 = (j * cg + ci) * planeP, dst = p0 + g.pt * wp + g.pl;
                // only the border is zeroed: top rows and the first left margin, each right+left margin pair, the rest
                java.util.Arrays.fill(xp, p0, dst, 0f);
                for (int iy = 0; iy < g.h; iy++, src += g.w, dst += wp) {
                    // rows of a small map: a call per copy or fill costs more than the work
                    Arrays2.copy(x, src, xp, dst, g.w);
                    for (int q = dst + g.w, end = iy + 1 < g.h ? dst + wp : p0 + planeP; q < end; q++) xp[q] = 0f;
                }
            }
        }
        java.util.Arrays.fill(xp, size - tail, size, 0f);
        return xp;
    }

    /**
     * tile[MR, NR] = Apanel[MR, kc] B[kc, NR], B's row p in two vectors at b[base0 + rows[p0 + p]]
     * and b[base1 + ...]; one method per tile height, as {@link VectorGemm}'s kernels.
     */
    private static void kernel(int kc, float[] a, int ai, float[] b, int base0, int base1, int[] rows, int p0, float[] t) {
        if (MR == 8) kernel8(kc, a, ai, b, base0, base1, rows, p0, t);
        else kernel4(kc, a, ai, b, base0, base1, rows, p0, t);
    }

    private static void kernel4(int kc, float[] a, int ai, float[] b, int base0, int base1, int[] rows, int p0, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < kc; p++, ai += 4) {
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

    private static void kernel8(int kc, float[] a, int ai, float[] b, int base0, int base1, int[] rows, int p0, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++, ai += 8) {
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
            v = FloatVector.broadcast(S, a[ai + 4]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, a[ai + 5]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, a[ai + 6]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, a[ai + 7]);
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR);
        c61.intoArray(t, 6 * NR + L);
        c70.intoArray(t, 7 * NR);
        c71.intoArray(t, 7 * NR + L);
    }

    // y[yi .. yi+NR) = f((y +) tile row + shift), f = max(0, .) when relu: the last k block's store
    private static void storeLast(float[] t, int ti, float[] y, int yi, boolean add, float shift, boolean relu) {
        for (int h = 0; h < NR; h += L) {
            FloatVector v = FloatVector.fromArray(S, t, ti + h);
            if (add) v = FloatVector.fromArray(S, y, yi + h).add(v);
            v = v.add(shift);
            if (relu) v = v.max(0f);
            v.intoArray(y, yi + h);
        }
    }

    // as storeLast, adding res[ri .. ri+NR) after the shift (the residual sum's order); a method of
    // its own so that storeLast keeps no branch more
    private static void storeLastResidual(float[] t, int ti, float[] y, int yi, boolean add, float shift, float[] res, int ri, boolean relu) {
        for (int h = 0; h < NR; h += L) {
            FloatVector v = FloatVector.fromArray(S, t, ti + h);
            if (add) v = FloatVector.fromArray(S, y, yi + h).add(v);
            v = v.add(shift).add(FloatVector.fromArray(S, res, ri + h));
            if (relu) v = v.max(0f);
            v.intoArray(y, yi + h);
        }
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
