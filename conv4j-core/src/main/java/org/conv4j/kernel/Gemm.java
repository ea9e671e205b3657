package org.conv4j.kernel;

/**
 * Single-precision matrix product on row-major arrays:
 * {@code C[m,n] = op(A)[m,k] * op(B)[k,n] (+ C if accumulate)}, where {@code op(X)} is X or
 * its transpose, {@code op(A)[i,p] = a[aOff + i*lda + p]} (or {@code a[aOff + p*lda + i]}
 * transposed), likewise B, and {@code C[i,j] = c[cOff + i*ldc + j]}; elements of c between
 * rows (columns n..ldc-1) are never touched.
 *
 * <p>{@link #gemm} takes the SIMD path ({@code VectorGemm}: packed panels, cache blocking, a
 * register-tiled fused multiply-add micro-kernel) when {@link Simd#enabled()}, else the scalar
 * path: a transposed operand is packed into row-major scratch and one blocked kernel serves
 * all four cases. The two paths round differently; on either one each element of C sums over
 * k in an order fixed by the shape alone, so the result does not depend on the thread count.
 */
public final class Gemm {
    private static final int KC = 256;      // k block: a panel of B rows stays in L2
    private static final int NC = 512;      // column block of C and B
    private static final int MR = 4;        // rows of C updated together, sharing each B load
    private static final long PARALLEL_FLOPS = 1L << 17;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private Gemm() {
    }

    /** The plain triple loop: the algorithmic truth the fast path is tested against. */
    public static void reference(boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                c[cOff + i * ldc + j] = accumulate ? c[cOff + i * ldc + j] + s : s;
            }
        }
    }

    /**
     * A row stride of at least {@code cols} floats for a matrix that will be an operand: a
     * multiple of 16 floats (whole cache lines) whose row starts spread over the L1 cache sets,
     * so the SIMD path reads it in place instead of packing it (rows a multiple of 512 floats
     * apart all map to the same few sets).
     */
    public static int leadingDimension(int cols) {
        int lines = (cols + 15) / 16;
        return 16 * (lines % 2 == 0 ? lines + 1 : lines);
    }

    /** The fast path: SIMD when {@link Simd#enabled()}, else {@link #scalar}; parallel when it pays. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        // a static final flag: VectorGemm (and the vector module) is only loaded when it is true
        if (Simd.enabled()) {
            VectorGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else {
            scalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
    }

    /**
     * Gets the fast path compiled ahead of the first real product: call once at start-up when
     * the first products' speed matters (benchmarks, latency-bound inference). Interpreted, the
     * SIMD code is hundreds of times slower, and the JIT may take a while to reach a large
     * kernel. Runs small products until they are fast, for at most about 1 s; results are not affected.
     */
    public static void warmUp() {
        if (Simd.enabled()) VectorGemm.warmUp(1000);
    }

    /** The scalar fast path (no vector module): packed transposes, cache blocking, row tiles, parallel over C blocks. */
    static void scalar(boolean transA, boolean transB, int m, int n, int k,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (!accumulate) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
        if (k == 0) return;
        float[][] scratch = SCRATCH.get();
        if (transA) {
            scratch[0] = ensure(scratch[0], m * k);
            transpose(a, aOff, lda, k, m, scratch[0]);
            a = scratch[0];
            aOff = 0;
            lda = k;
        }
        if (transB) {
            scratch[1] = ensure(scratch[1], k * n);
            transpose(b, bOff, ldb, n, k, scratch[1]);
            b = scratch[1];
            bOff = 0;
            ldb = n;
        }
        final float[] A = a, B = b;
        final int ao = aOff, la = lda, bo = bOff, lb = ldb;
        int rowBlock = m <= 64 ? m : 32;
        int rowTasks = (m + rowBlock - 1) / rowBlock;
        int colTasks = (n + NC - 1) / NC;
        int tasks = rowTasks * colTasks;
        if (2L * m * n * k < PARALLEL_FLOPS) {
            for (int t = 0; t < tasks; t++) block(t, rowTasks, rowBlock, m, n, k, A, ao, la, B, bo, lb, c, cOff, ldc);
        } else {
            Parallel.forEach(tasks, t -> block(t, rowTasks, rowBlock, m, n, k, A, ao, la, B, bo, lb, c, cOff, ldc));
        }
    }

    private static void block(int task, int rowTasks, int rowBlock, int m, int n, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc) {
        int i0 = (task % rowTasks) * rowBlock, i1 = Math.min(m, i0 + rowBlock);
        int j0 = (task / rowTasks) * NC, j1 = Math.min(n, j0 + NC);
        for (int p0 = 0; p0 < k; p0 += KC) {
            int p1 = Math.min(k, p0 + KC);
            int i = i0;
            for (; i + MR <= i1; i += MR) {
                tile4(i, j0, j1, p0, p1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
            for (; i < i1; i++) {
                int cr = cOff + i * ldc;
                for (int p = p0; p < p1; p++) {
                    float av = a[aOff + i * lda + p];
                    int br = bOff + p * ldb;
                    for (int j = j0; j < j1; j++) c[cr + j] += av * b[br + j];
                }
            }
        }
    }

    // Four rows of C at once: each row of B is loaded once for four multiply-adds.
    private static void tile4(int i, int j0, int j1, int p0, int p1,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc) {
        int c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        int a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int p = p0; p < p1; p++) {
            float v0 = a[a0 + p], v1 = a[a1 + p], v2 = a[a2 + p], v3 = a[a3 + p];
            int br = bOff + p * ldb;
            for (int j = j0; j < j1; j++) {
                float bv = b[br + j];
                c[c0 + j] += v0 * bv;
                c[c1 + j] += v1 * bv;
                c[c2 + j] += v2 * bv;
                c[c3 + j] += v3 * bv;
            }
        }
    }

    /** dst[cols, rows] = src[rows, cols]^T, src with row stride ld. */
    static void transpose(float[] src, int off, int ld, int rows, int cols, float[] dst) {
        final int T = 32;
        for (int r0 = 0; r0 < rows; r0 += T) {
            for (int q0 = 0; q0 < cols; q0 += T) {
                int r1 = Math.min(rows, r0 + T), q1 = Math.min(cols, q0 + T);
                for (int r = r0; r < r1; r++) {
                    for (int q = q0; q < q1; q++) dst[q * rows + r] = src[off + r * ld + q];
                }
            }
        }
    }

    private static float[] ensure(float[] buf, int size) {
        return buf.length >= size ? buf : new float[size];
    }
}
