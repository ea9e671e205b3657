package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD path of {@link Gemm}: {@code C[m,n] = op(A) op(B) (+ C)} with jdk.incubator.vector.
 * Only loaded when {@link Simd#enabled()}.
 *
 * <p>The classic Goto/BLIS structure: A is packed once into MR-row panels (k-major, the
 * transpose folded into the packing), k is cut into even blocks of at most KC, and a
 * register-tiled micro-kernel updates an MR x NR tile of C (NR = two vectors) with fused
 * multiply-add. With 16 vector registers (AVX2) MR = 4: 8 accumulators + 2 B vectors + 1
 * broadcast; a 6-row tile (15 registers) ran at 92 GFLOP/s per core on JDK 17 but spilled on
 * JDK 25 (41), 4 rows run at 82-85 on both. With 32 (AVX-512) MR = 8: 16 accumulators, 2 B
 * vector loads per 16 FMAs instead of per 8; the kernel alone, in L1, went from 186-196 to
 * 237-243 GFLOP/s on one core of a Xeon (Sapphire Rapids), JDK 17 and 25 alike.
 * B is read in place when it is not transposed and a kc x NR panel of it stays in L1 (its
 * row stride does not map the rows onto a few cache sets, as multiples of 1-4 KiB do);
 * otherwise it is packed: once for all tasks when several row blocks of tasks share its columns,
 * else by each task for its own columns (B^T with a gather of L source rows at a time). Where
 * B is packed anyway and has at most 16 column panels, A is read in place MR rows at a time
 * instead: reused over so few panels, packing it cost up to a quarter of the product. Packing
 * large operands is split over the threads. Tiles at the right and bottom edges go through a
 * small buffer, so every element of C gets the same arithmetic:
 * {@code c = c + fma-sum over the k block} per block, in k order.
 *
 * <p>{@code A B^T} (a Linear forward, a convolution's weight gradient through im2col) is
 * computed as {@code C^T = B A^T} when A has fewer rows than B: the smaller operand is packed,
 * the larger one's rows are read in place, and each task sums its block of C^T in a buffer of
 * its own, written transposed at the end. With fewer than NR/2 rows of
 * A and a long k it takes a dot-product path instead (see {@link #dot}).
 *
 * <p>The split into tasks depends only on the shape and never changes the arithmetic, so 1
 * and N threads agree bit for bit.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = Species.FLOAT;
    private static final int L = S.length();
    /** Tile height: 8 rows where there are 32 vector registers (AVX-512: 16 accumulators + 2 B vectors + 1 broadcast), else 4. */
    static final int MR = L >= 16 ? 8 : 4;
    private static final int NR = 2 * L;
    private static final int KC = 256;             // k block: an NR panel of B (16 KiB) stays in L1
    private static final int ROW_PANELS = 24;       // a task's A block: 96 x KC floats, in L2
    private static final int COL_PANELS = 16;       // a task's width: 256 columns
    private static final int ROW_PANELS_IN_PLACE = 64;  // A read in place: 256 x KC floats, in L2
    private static final int TASKS = 4;             // split big problems into at least this many tasks
    private static final long PARALLEL_FLOPS = 1L << 20;    // 64 x 84 x 120 (1.3 MFLOP): 52 -> 88 GFLOP/s on 2 threads
    private static final int PARALLEL_PACK = 1 << 15;     // floats

    // [0] packed A, [1] a task's packed B, [2] tile, [3] B packed for all tasks, [4] a task's block of C^T
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[Math.max(MR * NR, 9 * L)], new float[0], new float[0]});

    private VectorGemm() {
    }

    static int lanes() {
        return L;
    }

    static int vectorBits() {
        return S.vectorBitSize();
    }

    /**
     * Runs small products through every branch (four transpositions, B in place and packed,
     * edge tiles, the dot-product path) until the JIT has compiled them: interpreted, the
     * Vector API is hundreds of times slower, and on a busy machine the compiler can take
     * seconds to get to a large first product. Stops once a round has run at least 10 times
     * faster than the first for 100 rounds in a row, or after maxMillis.
     */
    static void warmUp(long maxMillis) {
        float[] a = new float[40 * 300], b = new float[40 * 1024], c = new float[40 * 40];
        for (int i = 0; i < b.length; i++) b[i] = (i % 7) * 0.25f - 0.75f;
        for (int i = 0; i < a.length; i++) a[i] = (i % 5) * 0.5f - 1f;
        long start = System.nanoTime(), first = 0;
        for (int fast = 0; fast < 100 && System.nanoTime() - start < maxMillis * 1_000_000L; ) {
            long t0 = System.nanoTime();
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                gemm(ta, tb, 23, 37, 33, a, 0, ta ? 23 : 33, b, 0, tb ? 33 : 37, c, 0, 37, t > 1);
            }
            gemm(false, false, 13, 40, 24, a, 0, 24, b, 0, 1024, c, 0, 40, false);
            gemm(false, true, 7, 11, 260, a, 0, 260, b, 0, 260, c, 0, 11, false);
            long dt = System.nanoTime() - t0;
            if (first == 0) first = dt;
            fast = dt * 10 < first ? fast + 1 : 0;
        }
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
        if (transB && !transA && useDot(m, k)) {
            dot(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        if (transB && !transA && m < n) {
            // A B^T with the smaller operand packed: compute C^T = B A^T, B's rows read in place
            // and A packed into column panels, and store each tile transposed
            tiled(n, m, k, false, b, bOff, ldb, true, a, aOff, lda, c, cOff, ldc, true, accumulate);
        } else {
            tiled(m, n, k, transA, a, aOff, lda, transB, b, bOff, ldb, c, cOff, ldc, false, accumulate);
        }
    }

    /**
     * The tiled product: C = op(A) op(B), C's element (i, j) at {@code c[cOff + i*ldc + j]}, or at
     * {@code c[cOff + j*ldc + i]} when {@code transC} (the swapped A B^T). A is packed k-major
     * first, or read in place MR rows at a time (not transposed: see below).
     */
    private static void tiled(int m, int n, int k, boolean transA, float[] a, int aOff, int lda,
                              boolean transB, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc, boolean transC, boolean accumulate) {
        // even k blocks: 576 -> 3 x 192 rather than 256 + 256 + 64
        int kBlocks = (k + KC - 1) / KC;
        int kc = (k + kBlocks - 1) / kBlocks;
        int rowPanels = (m + MR - 1) / MR, colPanels = (n + NR - 1) / NR;
        int mPad = rowPanels * MR;
        int nPad = colPanels * NR;
        long flops = 2L * m * n * k;
        boolean parallel = flops >= PARALLEL_FLOPS;

        // B is read in place where a kc x NR panel of it stays in L1; otherwise packed. A is
        // packed unless it is the large operand of a swapped A B^T or B is packed anyway and
        // has few column panels to reuse packed A over: there the pack costs as much as a
        // quarter of the product (64 x 64 x 576: 54 -> 68 GFLOP/s in place, single thread)
        boolean packB = transB || !inPlaceOk(ldb, kc);
        boolean aInPlace = transC || !transA && packB && colPanels <= COL_PANELS;

        // tasks: blocks of row panels x chunks of column panels, from the shape alone, as even as
        // the panels allow. With A in place, column chunks first: each task then packs its own
        // columns of B, so nothing runs before the tasks start
        int rp, cp = Math.min(colPanels, COL_PANELS);
        if (aInPlace) {
            rp = ceilDiv(rowPanels, ceilDiv(rowPanels, ROW_PANELS_IN_PLACE));
            while (parallel && ceilDiv(rowPanels, rp) * ceilDiv(colPanels, cp) < TASKS) {
                if (cp > 1) cp = (cp + 1) / 2;
                else if (rp > 1) rp = (rp + 1) / 2;
                else break;
            }
        } else {
            rp = ceilDiv(rowPanels, ceilDiv(rowPanels, ROW_PANELS));
            while (parallel && ceilDiv(rowPanels, rp) * ceilDiv(colPanels, cp) < TASKS) {
                if (cp > 1 && cp >= rp / 2) cp = (cp + 1) / 2;
                else if (rp > 1) rp = (rp + 1) / 2;
                else break;
            }
        }
        final int rpb = rp, cpb = cp, rowBlocks = ceilDiv(rowPanels, rp), tasks = rowBlocks * ceilDiv(colPanels, cp);

        // packed B: once for all tasks when several row blocks share its columns, else by each
        // task for its own columns (in that core's cache when it uses them)
        boolean sharedB = packB && rowBlocks > 1;
        float[][] scratch = SCRATCH.get();
        float[] ap = null, bt = null;
        if (!aInPlace) {
            if (scratch[0].length < mPad * k) scratch[0] = new float[mPad * k];
            ap = scratch[0];
        }
        if (sharedB) {
            if (scratch[3].length < nPad * k) scratch[3] = new float[nPad * k];
            bt = scratch[3];
        }
        pack(parallel, transA, m, k, kc, rowPanels, a, aOff, lda, ap, transB, n, colPanels, b, bOff, ldb, bt);

        final int kcb = kc;
        final float[] packedA = ap, packedB = bt;
        final boolean packInTask = packB && !sharedB;
        java.util.function.IntConsumer body = t -> {
            int ir0 = (t % rowBlocks) * rpb, jr0 = (t / rowBlocks) * cpb;
            block(ir0, Math.min(rowPanels, ir0 + rpb), jr0, Math.min(colPanels, jr0 + cpb), m, n, k, kcb, mPad, packedA,
                    a, aOff, lda, packedB, nPad, packInTask, transB, b, bOff, ldb, c, cOff, ldc, transC, accumulate);
        };
        if (parallel) {
            Parallel.forEach(tasks, body);
        } else {
            for (int t = 0; t < tasks; t++) body.accept(t);
        }
    }

    /**
     * Packs op(A) into ap and op(B) into bt, where either is not null: a copy, so it is split
     * over the threads (up to four jobs for each operand) when the operand is large enough to
     * pay for a hand-off.
     */
    private static void pack(boolean parallel, boolean transA, int m, int k, int kc, int rowPanels, float[] a, int aOff, int lda,
                             float[] ap, boolean transB, int n, int colPanels, float[] b, int bOff, int ldb, float[] bt) {
        int mPad = rowPanels * MR, nPad = colPanels * NR;
        int aJobs = ap == null ? 0 : parallel && mPad * k >= PARALLEL_PACK ? Math.min(4, rowPanels) : 1;
        int bJobs = bt == null ? 0 : parallel && nPad * k >= PARALLEL_PACK ? Math.min(4, colPanels) : 1;
        parallel &= aJobs > 1 || bJobs > 1;
        java.util.function.IntConsumer job = t -> {
            if (t < aJobs) {
                packA(transA, t * rowPanels / aJobs, (t + 1) * rowPanels / aJobs, m, k, kc, a, aOff, lda, ap, mPad);
            } else {
                int u = t - aJobs, j0 = u * colPanels / bJobs * NR, j1 = Math.min(n, (u + 1) * colPanels / bJobs * NR);
                for (int p0 = 0; p0 < k; p0 += kc) {
                    int kcb = Math.min(kc, k - p0);
                    packB(transB, p0, kcb, j0, j1 - j0, b, bOff, ldb, bt, p0 * nPad + j0 * kcb);
                }
            }
        };
        if (parallel) {
            Parallel.forEach(aJobs + bJobs, job);
        } else {
            for (int t = 0; t < aJobs + bJobs; t++) job.accept(t);
        }
    }

    /**
     * Row panels [ir0, ir1) x column panels [jr0, jr1) of C, over all k blocks. A is packed in ap,
     * or read in place when ap is null. B is packed in bt (nPad columns), or packed here
     * ({@code packHere}: this task's columns, a k block at a time), or read in place.
     */
    private static void block(int ir0, int ir1, int jr0, int jr1, int m, int n, int k, int kc, int mPad, float[] ap,
                              float[] a, int aOff, int lda, float[] bt, int nPad, boolean packHere, boolean transB,
                              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean transC, boolean accumulate) {
        float[][] scratch = SCRATCH.get();
        int bpSize = kc * NR * (packHere ? jr1 - jr0 : 1);
        if (scratch[1].length < bpSize) scratch[1] = new float[bpSize];
        // a transposed C is summed in a block of its own, tiles stored whole, and written at the end
        int ldt = (jr1 - jr0) * NR;
        if (transC && scratch[4].length < (ir1 - ir0) * MR * ldt) scratch[4] = new float[(ir1 - ir0) * MR * ldt];
        float[] bp = scratch[1], tile = scratch[2], ct = scratch[4];
        int[] rowStarts = new int[MR];
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            boolean add = accumulate || p0 > 0;
            if (packHere) packB(transB, p0, kcb, jr0 * NR, Math.min(n, jr1 * NR) - jr0 * NR, b, bOff, ldb, bp, 0);
            for (int jr = jr0; jr < jr1; jr++) {
                int j = jr * NR, nv = Math.min(NR, n - j);
                float[] bs;
                int bi, bStride = NR;
                if (bt != null) {
                    bs = bt;
                    bi = p0 * nPad + jr * kcb * NR;
                } else if (packHere) {
                    bs = bp;
                    bi = (jr - jr0) * kcb * NR;
                } else if (nv == NR) {
                    bs = b;
                    bi = bOff + p0 * ldb + j;
                    bStride = ldb;
                } else {
                    // in place, but the last panel is narrower than NR
                    packB(false, p0, kcb, j, nv, b, bOff, ldb, bp, 0);
                    bs = bp;
                    bi = 0;
                }
                for (int ir = ir0; ir < ir1; ir++) {
                    int i = ir * MR, mv = Math.min(MR, m - i);
                    if (ap != null) {
                        int ai = p0 * mPad + ir * MR * kcb;
                        if (bStride == NR) kernelPacked(kcb, ap, ai, bs, bi, tile);
                        else kernel(kcb, ap, ai, bs, bi, bStride, tile);
                    } else {
                        // rows past m repeat the last row; their results are dropped below
                        int r0 = aOff + i * lda + p0, last = aOff + (m - 1) * lda + p0;
                        assert bStride == NR : "A is read in place only in the swapped A B^T, whose B is packed";
                        for (int r = 0; r < MR; r++) rowStarts[r] = Math.min(r0 + r * lda, last);
                        kernelRows(kcb, a, rowStarts, bs, bi, tile);
                    }
                    if (transC) {
                        update(tile, ct, (i - ir0 * MR) * ldt + j - jr0 * NR, ldt, p0 > 0);
                    } else if (mv == MR && nv == NR) {
                        update(tile, c, cOff + i * ldc + j, ldc, add);
                    } else {
                        // edge tile: computed whole, keep the valid part
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
        if (transC) {
            for (int i = ir0 * MR, i1 = Math.min(m, ir1 * MR); i < i1; i++) {
                for (int j = jr0 * NR, j1 = Math.min(n, jr1 * NR), t = (i - ir0 * MR) * ldt; j < j1; j++, t++) {
                    int ci = cOff + j * ldc + i;
                    c[ci] = accumulate ? c[ci] + ct[t] : ct[t];
                }
            }
        }
    }

    /**
     * tile[MR, NR] = Apanel[MR, kc] Bpanel[kc, NR]: A packed k-major (MR floats per k), B rows
     * {@code ldb} apart. The accumulators live in registers for the whole k loop; one method per
     * tile height (the JIT folds the choice, MR being a constant).
     */
    private static void kernel(int kc, float[] a, int ai, float[] b, int bi, int ldb, float[] t) {
        if (MR == 8) kernel8(kc, a, ai, b, bi, ldb, t);
        else kernel4(kc, a, ai, b, bi, ldb, t);
    }

    // the accumulators go to the tile buffer and C is updated in another method: a kernel with
    // many more vector operations exceeds what the JIT inlines into one compilation (JDK 25 then
    // leaves vector operations as calls), and a helper taking vectors would box them
    private static void kernel4(int kc, float[] a, int ai, float[] b, int bi, int ldb, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < kc; p++, ai += 4, bi += ldb) {
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

    private static void kernel8(int kc, float[] a, int ai, float[] b, int bi, int ldb, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++, ai += 8, bi += ldb) {
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
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
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

    /** As {@link #kernel} with B packed, NR floats per k step: a constant stride (see {@link #kernelRows}). */
    private static void kernelPacked(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        if (MR == 8) kernelPacked8(kc, a, ai, b, bi, t);
        else kernelPacked4(kc, a, ai, b, bi, t);
    }

    private static void kernelPacked4(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < kc; p++, ai += 4, bi += NR) {
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

    private static void kernelPacked8(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++, ai += 8, bi += NR) {
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
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
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

    /**
     * As {@link #kernel}, with A read in place: tile[MR, NR] = A[MR, kc] Bpanel[kc, NR], row r of A
     * contiguous from {@code rows[r]}, B packed, NR floats per k step (the swapped A B^T,
     * VectorConv's weight gradient). Both indices step by a constant, so the JIT checks their
     * bounds once per call rather than at every load (with B's row stride an argument it could
     * not: 54 -> 68 GFLOP/s at 64 x 256 x 4096, B transposed, single thread). A separate method:
     * the packed kernel with row pointers ran 20% slower in the product.
     */
    static void kernelRows(int kc, float[] a, int[] rows, float[] b, int bi, float[] t) {
        if (MR == 8) kernelRows8(kc, a, rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7], b, bi, t);
        else kernelRows4(kc, a, rows[0], rows[1], rows[2], rows[3], b, bi, t);
    }

    private static void kernelRows4(int kc, float[] a, int a0, int a1, int a2, int a3, float[] b, int bi, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < kc; p++) {
            int q = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, q), b1 = FloatVector.fromArray(S, b, q + L);
            FloatVector v = FloatVector.broadcast(S, a[a0 + p]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[a1 + p]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[a2 + p]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[a3 + p]);
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

    private static void kernelRows8(int kc, float[] a, int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, float[] b, int bi, float[] t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++) {
            int q = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, q), b1 = FloatVector.fromArray(S, b, q + L);
            FloatVector v = FloatVector.broadcast(S, a[a0 + p]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[a1 + p]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[a2 + p]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[a3 + p]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, a[a4 + p]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, a[a5 + p]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, a[a6 + p]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, a[a7 + p]);
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

    /** C[MR, NR] = (C +) tile, for a whole tile inside C. */
    static void update(float[] t, float[] c, int ci, int ldc, boolean add) {
        // two loops rather than a conditional add: a vector merged from two branches loses its
        // exact class on JDK 25, and its stores then go through the slow generic path
        if (add) {
            for (int r = 0; r < MR; r++, ci += ldc) {
                FloatVector.fromArray(S, c, ci).add(FloatVector.fromArray(S, t, r * NR)).intoArray(c, ci);
                FloatVector.fromArray(S, c, ci + L).add(FloatVector.fromArray(S, t, r * NR + L)).intoArray(c, ci + L);
            }
        } else {
            for (int r = 0; r < MR; r++, ci += ldc) {
                FloatVector.fromArray(S, t, r * NR).intoArray(c, ci);
                FloatVector.fromArray(S, t, r * NR + L).intoArray(c, ci + L);
            }
        }
    }

    /**
     * The dot-product path pays when A has fewer rows than half a column panel (the swapped
     * product would waste most of each tile: 12.8 against 3.1 GFLOP/s at m = 1, 38 against 19
     * at m = 6; from m = 16 the swapped product wins, 47 against 35) and k is long enough to
     * amortize the per-element lane sums.
     */
    private static boolean useDot(int m, int k) {
        return m < NR / 2 && (k >= 256 || m == 1 && k >= L);
    }

    /**
     * C = A B^T with both operands' rows contiguous in k: dot products, vectors along k, so
     * neither operand is transposed into panels. A 3 x 3 tile of C keeps nine accumulators;
     * each element's sum is: lane-wise FMA over p (lane l takes p = l mod L), the lanes added
     * in lane order, then the k % L tail by scalar FMA, in p order.
     */
    private static void dot(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        int colBlocks = (n + 3 * DOT_COLS - 1) / (3 * DOT_COLS);
        int rowBlocks = 2L * m * n * k >= PARALLEL_FLOPS && colBlocks < TASKS ? Math.min((m + 2) / 3, TASKS) : 1;
        int tasks = colBlocks * rowBlocks;
        java.util.function.IntConsumer body = t -> {
            int cb = t / rowBlocks, rb = t % rowBlocks;
            int rows = (m + 2) / 3;
            int i0 = 3 * (rb * rows / rowBlocks), i1 = Math.min(m, 3 * ((rb + 1) * rows / rowBlocks));
            int j0 = cb * 3 * DOT_COLS, j1 = Math.min(n, j0 + 3 * DOT_COLS);
            dotBlock(i0, i1, j0, j1, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        };
        if (2L * m * n * k >= PARALLEL_FLOPS) {
            Parallel.forEach(tasks, body);
        } else {
            for (int t = 0; t < tasks; t++) body.accept(t);
        }
    }

    private static final int DOT_COLS = 32;     // a task covers 96 rows of B

    private static void dotBlock(int i0, int i1, int j0, int j1, int m, int n, int k, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        float[] lanes = SCRATCH.get()[2];
        int kv = k - k % L;
        if ((i1 - i0) % 3 == 1) {
            // a row alone in its tile (a Linear layer on one sample): 1 x 4 tiles, not 3 x 3 ones two thirds idle
            dotRow(j0, j1, n, k, kv, a, aOff + (i1 - 1) * lda, b, bOff, ldb, c, cOff + (i1 - 1) * ldc, accumulate, lanes);
            i1--;
        }
        for (int j = j0; j < j1 && i0 < i1; j += 3) {
            // past the edge, repeat the last row: the extra results are computed and dropped
            int b0 = bOff + j * ldb, b1 = bOff + Math.min(j + 1, n - 1) * ldb, b2 = bOff + Math.min(j + 2, n - 1) * ldb;
            for (int i = i0; i < i1; i += 3) {
                int a0 = aOff + i * lda, a1 = aOff + Math.min(i + 1, m - 1) * lda, a2 = aOff + Math.min(i + 2, m - 1) * lda;
                java.util.Arrays.fill(lanes, 0, 9 * L, 0f);
                dotTile(a, a0, a1, a2, b, b0, b1, b2, kv, lanes);
                int rv = Math.min(3, i1 - i), cv = Math.min(3, j1 - j);
                for (int r = 0; r < rv; r++) {
                    int ar = r == 0 ? a0 : r == 1 ? a1 : a2;
                    for (int q = 0; q < cv; q++) {
                        int br = q == 0 ? b0 : q == 1 ? b1 : b2;
                        float s = sumLanes(lanes, (3 * r + q) * L);
                        for (int p = kv; p < k; p++) s = Math.fma(a[ar + p], b[br + p], s);
                        int ci = cOff + (i + r) * ldc + j + q;
                        c[ci] = accumulate ? c[ci] + s : s;
                    }
                }
            }
        }
    }

    // columns j0..j1 of the one row of A at a[ai], into c[ci + j]: the same sums as a 3 x 3 tile's, 4 rows of B at a time
    private static void dotRow(int j0, int j1, int n, int k, int kv, float[] a, int ai, float[] b, int bOff, int ldb,
                               float[] c, int ci, boolean accumulate, float[] lanes) {
        for (int j = j0; j < j1; j += 4) {
            // past the edge, repeat the last row: the extra results are computed and dropped
            int b0 = bOff + j * ldb, b1 = bOff + Math.min(j + 1, n - 1) * ldb, b2 = bOff + Math.min(j + 2, n - 1) * ldb,
                    b3 = bOff + Math.min(j + 3, n - 1) * ldb;
            dotRowTile(a, ai, b, b0, b1, b2, b3, kv, lanes);
            // the four sums side by side, four independent chains of additions, each in sumLanes' order and
            // then the tail's FMAs in p order (one sum after the other waited on every addition)
            float s0 = lanes[0], s1 = lanes[L], s2 = lanes[2 * L], s3 = lanes[3 * L];
            for (int l = 1; l < L; l++) {
                s0 += lanes[l];
                s1 += lanes[L + l];
                s2 += lanes[2 * L + l];
                s3 += lanes[3 * L + l];
            }
            for (int p = kv; p < k; p++) {
                float x = a[ai + p];
                s0 = Math.fma(x, b[b0 + p], s0);
                s1 = Math.fma(x, b[b1 + p], s1);
                s2 = Math.fma(x, b[b2 + p], s2);
                s3 = Math.fma(x, b[b3 + p], s3);
            }
            int cv = Math.min(4, j1 - j);
            store(c, ci + j, s0, accumulate);
            if (cv > 1) store(c, ci + j + 1, s1, accumulate);
            if (cv > 2) store(c, ci + j + 2, s2, accumulate);
            if (cv > 3) store(c, ci + j + 3, s3, accumulate);
        }
    }

    private static void store(float[] c, int ci, float s, boolean accumulate) {
        c[ci] = accumulate ? c[ci] + s : s;
    }

    /** lanes[q L ..] = the lane-wise sums of a's run from a0 times b's run q (from b0 .. b3) over n floats, as {@link #dotTile}. */
    static void dotRowTile(float[] a, int a0, float[] b, int b0, int b1, int b2, int b3, int n, float[] lanes) {
        FloatVector z = FloatVector.zero(S), s0 = z, s1 = z, s2 = z, s3 = z;
        for (int p = 0; p < n; p += L) {
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s0 = x.fma(FloatVector.fromArray(S, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(S, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(S, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(S, b, b3 + p), s3);
        }
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, L);
        s2.intoArray(lanes, 2 * L);
        s3.intoArray(lanes, 3 * L);
    }

    /**
     * lanes[(3r + q) L ..] += the lane-wise sums of a's run r (from a0, a1, a2) times b's run q
     * (from b0, b1, b2) over n floats, n a multiple of L, by FMA in order. A method of its own,
     * the sums kept in lanes between calls: with these nine accumulators in a caller's loop nest,
     * JDK 17 left the vector operations as calls (ten times slower).
     */
    static void dotTile(float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2, int n, float[] lanes) {
        FloatVector s00 = FloatVector.fromArray(S, lanes, 0), s01 = FloatVector.fromArray(S, lanes, L),
                s02 = FloatVector.fromArray(S, lanes, 2 * L), s10 = FloatVector.fromArray(S, lanes, 3 * L),
                s11 = FloatVector.fromArray(S, lanes, 4 * L), s12 = FloatVector.fromArray(S, lanes, 5 * L),
                s20 = FloatVector.fromArray(S, lanes, 6 * L), s21 = FloatVector.fromArray(S, lanes, 7 * L),
                s22 = FloatVector.fromArray(S, lanes, 8 * L);
        for (int p = 0; p < n; p += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p), y1 = FloatVector.fromArray(S, b, b1 + p),
                    y2 = FloatVector.fromArray(S, b, b2 + p);
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            s02 = x.fma(y2, s02);
            x = FloatVector.fromArray(S, a, a1 + p);
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            s12 = x.fma(y2, s12);
            x = FloatVector.fromArray(S, a, a2 + p);
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            s22 = x.fma(y2, s22);
        }
        s00.intoArray(lanes, 0);
        s01.intoArray(lanes, L);
        s02.intoArray(lanes, 2 * L);
        s10.intoArray(lanes, 3 * L);
        s11.intoArray(lanes, 4 * L);
        s12.intoArray(lanes, 5 * L);
        s20.intoArray(lanes, 6 * L);
        s21.intoArray(lanes, 7 * L);
        s22.intoArray(lanes, 8 * L);
    }

    /** Lanes off..off+L-1 added in lane order. */
    static float sumLanes(float[] v, int off) {
        float s = v[off];
        for (int l = 1; l < L; l++) s += v[off + l];
        return s;
    }

    /**
     * Packs row panels [ir0, ir1) of op(A) into ap: for each k block starting at p0 (size kcb),
     * the row panels follow one another from {@code p0 * mPad}, each {@code kcb} steps of MR
     * floats; rows past m are 0.
     */
    private static void packA(boolean transA, int ir0, int ir1, int m, int k, int kc, float[] a, int aOff, int lda, float[] ap, int mPad) {
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            for (int i0 = ir0 * MR; i0 < ir1 * MR; i0 += MR) {
                int base = p0 * mPad + i0 * kcb, mv = Math.min(MR, m - i0);
                if (transA) {
                    // op(A)[i, p] = a[p * lda + i]: MR contiguous floats per k step
                    if (mv < MR) java.util.Arrays.fill(ap, base, base + kcb * MR, 0f);
                    for (int p = 0; p < kcb; p++) {
                        int src = aOff + (p0 + p) * lda + i0, dst = base + p * MR;
                        for (int r = 0; r < mv; r++) ap[dst + r] = a[src + r];
                    }
                } else if (mv == MR) {
                    // the MR source rows read side by side, the panel written in order: with
                    // gathers, L / MR steps of k at a time
                    int r0 = aOff + i0 * lda + p0;
                    int p = 0, dst = base;
                    if (Simd.widening()) {
                        int[] taps = panelTaps(lda);
                        for (int steps = L / MR; p + steps <= kcb; p += steps, dst += L) {
                            FloatVector.fromArray(S, a, r0 + p, taps, 0).intoArray(ap, dst);
                        }
                    }
                    for (; p < kcb; p++, dst += MR) {
                        for (int r = 0, src = r0 + p; r < MR; r++, src += lda) ap[dst + r] = a[src];
                    }
                } else {
                    java.util.Arrays.fill(ap, base, base + kcb * MR, 0f);
                    for (int r = 0; r < mv; r++) {
                        int src = aOff + (i0 + r) * lda + p0, dst = base + r;
                        for (int p = 0; p < kcb; p++) ap[dst + p * MR] = a[src + p];
                    }
                }
            }
        }
    }

    /**
     * Packs op(B)[p0:p0+kcb, j0:j0+w] into bp as NR-column panels one after another, each
     * kcb rows of NR floats, zero beyond column w.
     */
    private static void packB(boolean transB, int p0, int kcb, int j0, int w, float[] b, int bOff, int ldb, float[] bp, int bpOff) {
        int panels = (w + NR - 1) / NR, full = w / NR;
        if (full < panels) java.util.Arrays.fill(bp, bpOff + full * kcb * NR, bpOff + panels * kcb * NR, 0f);
        if (transB) {
            // op(B)[p, j] = b[j * ldb + p]: one whole panel row (a cache line) per step of p,
            // read from NR source rows that stay in L1 across the steps, unless the rows are a
            // multiple of 2 KiB apart: then they share a few L1 sets, each step would load every
            // row's line again, and the rows are copied one by one instead (64 x 4096 B^T rows:
            // the pack 19% -> 5% of the product, single thread)
            int[] rows = rowOffsets(ldb);
            boolean stepP = Simd.widening() && ldb % 512 != 0;
            for (int jp = 0; jp < panels; jp++) {
                int q1 = Math.min(NR, w - jp * NR), src = bOff + (j0 + jp * NR) * ldb + p0, dst = bpOff + jp * kcb * NR;
                if (q1 == NR && stepP) {
                    // gather a column of L source rows at a time (one instruction with AVX2)
                    for (int p = 0; p < kcb; p++, dst += NR) {
                        FloatVector.fromArray(S, b, src + p, rows, 0).intoArray(bp, dst);
                        FloatVector.fromArray(S, b, src + L * ldb + p, rows, 0).intoArray(bp, dst + L);
                    }
                } else {
                    for (int q = 0; q < q1; q++) {
                        for (int p = 0, from = src + q * ldb; p < kcb; p++) bp[dst + p * NR + q] = b[from + p];
                    }
                }
            }
        } else {
            for (int p = 0; p < kcb; p++) {
                int src = bOff + (p0 + p) * ldb + j0, dst = bpOff + p * NR;
                for (int jp = 0; jp < full; jp++, src += NR, dst += kcb * NR) {
                    FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                    FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                }
                if (full < panels) System.arraycopy(b, src, bp, dst, w - full * NR);
            }
        }
    }

    private static final ThreadLocal<int[]> TAPS = ThreadLocal.withInitial(() -> new int[L + 1]);

    /** {0, ld, 2 ld, 3 ld, 1, ld + 1, ...}: the gather offsets of L / MR steps of an MR-row panel (cached per thread, last slot holds ld). */
    private static int[] panelTaps(int ld) {
        int[] taps = TAPS.get();
        if (taps[L] != ld || ld == 0) {
            for (int i = 0; i < L; i++) taps[i] = (i % MR) * ld + i / MR;
            taps[L] = ld;
        }
        return taps;
    }

    private static final ThreadLocal<int[]> ROWS = ThreadLocal.withInitial(() -> new int[L + 1]);

    /** {0, ld, 2 ld, ...}: the gather offsets of L rows ld apart (cached per thread, last slot holds ld). */
    static int[] rowOffsets(int ld) {
        int[] rows = ROWS.get();
        if (rows[L] != ld || ld == 0) {
            for (int i = 0; i < L; i++) rows[i] = i * ld;
            rows[L] = ld;
        }
        return rows;
    }

    /** Whether a kc x NR panel read in place, ldb floats between rows, stays in a 32 KiB 8-way L1. */
    private static boolean inPlaceOk(int ldb, int kc) {
        if (ldb % 16 != 0) return true;                   // rows start at spread-out offsets within the sets
        int sets = 64 / gcd((ldb / 16) & 63, 64);         // rows a whole number of 64-byte lines apart
        return sets * 8 >= 2 * kc;
    }

    private static int gcd(int x, int y) {
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return x;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
