package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD path of {@link Gemm}: {@code C[m,n] = op(A) op(B) (+ C)} with jdk.incubator.vector.
 * Only loaded when {@link Simd#enabled()}.
 *
 * <p>The classic Goto/BLIS structure: A is packed once into MR-row panels (k-major, the
 * transpose folded into the packing), k is cut into even blocks of at most KC, and a
 * register-tiled micro-kernel updates an MR x NR tile of C (MR = 6 rows, NR = two vectors:
 * 12 accumulators + 2 B vectors + 1 broadcast fit AVX2's 16 registers) with fused multiply-add.
 * B is read in place when it is not transposed and its row stride is not a multiple of 4 KiB
 * (such a stride maps every row of a panel to the same cache sets); otherwise each NR-column
 * panel is packed just before use. Tiles at the right and bottom edges go through a small
 * buffer, so every element of C gets the same arithmetic:
 * {@code c = c + fma-sum over the k block} per block, in k order. The split of C into tasks
 * depends only on the shape and never changes that arithmetic, so 1 and N threads agree bit
 * for bit.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 6;
    private static final int NR = 2 * L;
    private static final int KC = 256;              // k block: an NR panel of B (16 KiB) stays in L1
    private static final int ROW_PANELS = 16;       // a task's A block: 96 x KC floats, in L2
    private static final int COL_PANELS = 16;       // a task's width: 256 columns
    private static final int TASKS = 4;             // split big problems into at least this many tasks
    private static final long PARALLEL_FLOPS = 1L << 21;

    // [0] packed A, [1] packed B panel, [2] edge tile
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[KC * NR], new float[MR * NR]});

    private VectorGemm() {
    }

    static int lanes() {
        return L;
    }

    static int vectorBits() {
        return S.vectorBitSize();
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        // even k blocks: 576 -> 3 x 192 rather than 256 + 256 + 64
        int kBlocks = (k + KC - 1) / KC;
        int kc = (k + kBlocks - 1) / kBlocks;
        int rowPanels = (m + MR - 1) / MR, colPanels = (n + NR - 1) / NR;
        int mPad = rowPanels * MR;
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < mPad * k) scratch[0] = new float[mPad * k];
        float[] ap = scratch[0];
        packA(transA, m, k, kc, a, aOff, lda, ap, mPad);
        boolean inPlace = !transB && (ldb & 1023) != 0;

        // tasks: blocks of row panels x chunks of column panels, from the shape alone
        long flops = 2L * m * n * k;
        int rp = Math.min(rowPanels, ROW_PANELS), cp = Math.min(colPanels, COL_PANELS);
        boolean parallel = flops >= PARALLEL_FLOPS;
        while (parallel && ceilDiv(rowPanels, rp) * ceilDiv(colPanels, cp) < TASKS) {
            if (cp > 1 && cp >= rp / 2) cp = (cp + 1) / 2;
            else if (rp > 1) rp = (rp + 1) / 2;
            else break;
        }
        final int rpb = rp, cpb = cp, rowBlocks = ceilDiv(rowPanels, rp), tasks = rowBlocks * ceilDiv(colPanels, cp);
        final int kcb = kc;
        java.util.function.IntConsumer body = t -> {
            int ir0 = (t % rowBlocks) * rpb, jr0 = (t / rowBlocks) * cpb;
            block(ir0, Math.min(rowPanels, ir0 + rpb), jr0, Math.min(colPanels, jr0 + cpb), m, n, k, kcb, mPad, ap,
                    transB, inPlace, b, bOff, ldb, c, cOff, ldc, accumulate);
        };
        if (parallel) {
            Parallel.forEach(tasks, body);
        } else {
            for (int t = 0; t < tasks; t++) body.accept(t);
        }
    }

    /** Row panels [ir0, ir1) x column panels [jr0, jr1) of C, over all k blocks. */
    private static void block(int ir0, int ir1, int jr0, int jr1, int m, int n, int k, int kc, int mPad, float[] ap,
                              boolean transB, boolean inPlace, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc, boolean accumulate) {
        float[][] scratch = SCRATCH.get();
        float[] bp = scratch[1], tile = scratch[2];
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            boolean add = accumulate || p0 > 0;
            for (int jr = jr0; jr < jr1; jr++) {
                int j = jr * NR, nv = Math.min(NR, n - j);
                float[] bs;
                int bi, bStride;
                if (inPlace && nv == NR) {
                    bs = b;
                    bi = bOff + p0 * ldb + j;
                    bStride = ldb;
                } else {
                    packB(transB, p0, kcb, j, nv, b, bOff, ldb, bp);
                    bs = bp;
                    bi = 0;
                    bStride = NR;
                }
                for (int ir = ir0; ir < ir1; ir++) {
                    int i = ir * MR, mv = Math.min(MR, m - i);
                    int ai = p0 * mPad + ir * MR * kcb;
                    if (mv == MR && nv == NR) {
                        kernel(kcb, ap, ai, bs, bi, bStride, c, cOff + i * ldc + j, ldc, add);
                    } else {
                        // edge tile: compute it whole into the buffer (A and B panels are zero-padded), keep the valid part
                        kernel(kcb, ap, ai, bs, bi, bStride, tile, 0, NR, false);
                        for (int r = 0; r < mv; r++) {
                            int cr = cOff + (i + r) * ldc + j, tr = r * NR;
                            if (add) {
                                for (int q = 0; q < nv; q++) c[cr + q] += tile[tr + q];
                            } else {
                                System.arraycopy(tile, tr, c, cr, nv);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * C[6, NR] (+)= Apanel[6, kc] Bpanel[kc, NR]: A packed k-major (6 floats per k), B rows
     * {@code ldb} apart. Twelve accumulators live in registers for the whole k loop.
     */
    private static void kernel(int kc, float[] a, int ai, float[] b, int bi, int ldb,
                               float[] c, int ci, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kc; p++, ai += MR, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        store(c, ci, c00, c01, add);
        store(c, ci + ldc, c10, c11, add);
        store(c, ci + 2 * ldc, c20, c21, add);
        store(c, ci + 3 * ldc, c30, c31, add);
        store(c, ci + 4 * ldc, c40, c41, add);
        store(c, ci + 5 * ldc, c50, c51, add);
    }

    private static void store(float[] c, int ci, FloatVector v0, FloatVector v1, boolean add) {
        if (add) {
            v0 = FloatVector.fromArray(S, c, ci).add(v0);
            v1 = FloatVector.fromArray(S, c, ci + L).add(v1);
        }
        v0.intoArray(c, ci);
        v1.intoArray(c, ci + L);
    }

    /**
     * Packs op(A) into ap: for each k block starting at p0 (size kcb), the row panels follow
     * one another from {@code p0 * mPad}, each {@code kcb} steps of MR floats; rows past m are 0.
     */
    private static void packA(boolean transA, int m, int k, int kc, float[] a, int aOff, int lda, float[] ap, int mPad) {
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            for (int i0 = 0; i0 < mPad; i0 += MR) {
                int base = p0 * mPad + i0 * kcb, mv = Math.min(MR, m - i0);
                if (mv < MR) java.util.Arrays.fill(ap, base, base + kcb * MR, 0f);
                if (transA) {
                    // op(A)[i, p] = a[p * lda + i]: MR contiguous floats per k step
                    for (int p = 0; p < kcb; p++) {
                        int src = aOff + (p0 + p) * lda + i0, dst = base + p * MR;
                        for (int r = 0; r < mv; r++) ap[dst + r] = a[src + r];
                    }
                } else {
                    for (int r = 0; r < mv; r++) {
                        int src = aOff + (i0 + r) * lda + p0, dst = base + r;
                        for (int p = 0; p < kcb; p++) ap[dst + p * MR] = a[src + p];
                    }
                }
            }
        }
    }

    /** Packs op(B)[p0:p0+kcb, j:j+nv] into bp as kcb rows of NR floats, zero beyond nv. */
    private static void packB(boolean transB, int p0, int kcb, int j, int nv, float[] b, int bOff, int ldb, float[] bp) {
        if (nv < NR) java.util.Arrays.fill(bp, 0, kcb * NR, 0f);
        if (transB) {
            // op(B)[p, j] = b[j * ldb + p]: walk each source row contiguously
            for (int q = 0; q < nv; q++) {
                int src = bOff + (j + q) * ldb + p0;
                for (int p = 0; p < kcb; p++) bp[p * NR + q] = b[src + p];
            }
        } else {
            for (int p = 0; p < kcb; p++) System.arraycopy(b, bOff + (p0 + p) * ldb + j, bp, p * NR, nv);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
