package org.conv4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemmTest {
    /** One implementation of the Gemm contract, so both paths run through the same checks. */
    interface Path {
        void gemm(boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                  float[] c, int cOff, int ldc, boolean acc);
    }

    private static final Path SCALAR = Gemm::scalar;
    // a lambda, not VectorGemm::gemm: the child JVM without the vector module loads this class and must not link VectorGemm
    private static final Path VECTOR = (ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc) ->
            VectorGemm.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);

    // m, n, k: primes, 1s, exact tiles (6 x 16), k past one block (256), n past a task's 256 columns,
    // m past a task's 96 rows, the conv shapes (LeNet, ResNet backward, Linear), and for A B^T with
    // m <= 16 and k >= 256 (the dot-product path) k a multiple of the lanes and not, n not of 3 or 4
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 300, 1}, {300, 1, 3}, {2, 3, 300}, {3, 5, 7}, {6, 16, 4}, {12, 32, 8}, {7, 17, 9},
        {13, 31, 257}, {5, 293, 11}, {293, 7, 5}, {97, 101, 103}, {101, 67, 29}, {17, 33, 300}, {65, 3, 129},
        {6, 784, 25}, {16, 100, 150}, {16, 144, 61}, {150, 100, 16}, {64, 10, 84}, {64, 70, 1}, {4, 513, 9},
        {6, 25, 784}, {16, 37, 256}, {1, 2, 263}, {11, 103, 300},
        // one row of A (a Linear layer on one sample: 1 x 4 dot tiles, from k = L), and a row left after 3 x 3 tiles
        {1, 120, 400}, {1, 84, 120}, {1, 10, 84}, {1, 7, 17}, {1, 5, 8}, {1, 3, 7}, {4, 37, 300}, {7, 9, 263},
        // split into parallel tasks: B packed once for several row blocks, operands packed by
        // several threads, and (B transposed) C^T summed in a task's own block
        {150, 100, 160}, {200, 130, 300}, {40, 300, 520},
    };

    @Test
    void surefireRunsWithTheVectorModule() {
        // the pom's argLine adds jdk.incubator.vector, so the SIMD path is the one tests exercise through Gemm.gemm
        assertTrue(Simd.modulePresent(), "jdk.incubator.vector in the boot layer");
        assertTrue(Simd.enabled(), "conv4j.simd not set to false in the test JVM");
        assertTrue(VectorGemm.lanes() >= 4, "at least 4 float lanes, got " + VectorGemm.lanes());
        assertTrue(Simd.describe().startsWith("SIMD " + VectorGemm.vectorBits() + "-bit"), Simd.describe());
    }

    @Test
    void vectorMatchesReferenceForAllTranspositionsOnOddShapes() {
        matchesReference(VECTOR, new SplittableRandom(11));
    }

    @Test
    void scalarMatchesReferenceForAllTranspositionsOnOddShapes() {
        matchesReference(SCALAR, new SplittableRandom(12));
    }

    @Test
    void gemmTakesTheVectorPath() {
        SplittableRandom rng = new SplittableRandom(13);
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            Problem p = new Problem(rng, 37, 53, 71, ta, tb, 1);
            float[] viaGemm = p.c.clone(), viaVector = p.c.clone();
            p.run(Gemm::gemm, viaGemm, true);
            p.run(VECTOR, viaVector, true);
            assertSameBits(viaVector, viaGemm, "ta=" + ta + " tb=" + tb);
        }
    }

    @Test
    void vectorReadsBInPlaceAndPackedAtA4KiBStride() {
        // ldb = 1024 floats (4 KiB) makes the vector path pack B (transposed: row by row, not a column
        // of rows at a time); 1030 reads it in place (or gathers its columns). With B packed and at most
        // 16 column panels, A is read in place: 301 rows are two row blocks sharing one packed B,
        // 64 x 64 x 576 four tasks each packing its own columns
        SplittableRandom rng = new SplittableRandom(14);
        for (int[] s : new int[][] {{16, 1000, 37}, {301, 250, 300}, {64, 64, 576}, {7, 40, 50}, {256, 64, 600}}) {
            for (int ldb : new int[] {1024, 1030}) {
                for (int t = 0; t < 4; t++) {
                    boolean tb = t >= 2, acc = t % 2 == 1;
                    int m = s[0], n = s[1], k = s[2], lda = k + 3, ldc = n + 1;
                    float[] a = fill(rng, m * lda), b = fill(rng, (tb ? n : k) * ldb), c1 = fill(rng, m * ldc), c2 = c1.clone();
                    float[] bound = bound(false, tb, m, n, k, a, 0, lda, b, 0, ldb, c1, 0, ldc, acc);
                    Gemm.reference(false, tb, m, n, k, a, 0, lda, b, 0, ldb, c1, 0, ldc, acc);
                    VectorGemm.gemm(false, tb, m, n, k, a, 0, lda, b, 0, ldb, c2, 0, ldc, acc);
                    assertClose(c1, c2, bound, "m=" + m + " n=" + n + " k=" + k + " ldb=" + ldb + " tb=" + tb + " acc=" + acc);
                }
            }
        }
    }

    @Test
    void vectorResultsDoNotDependOnTheThreadCount() {
        sameBitsFor1And2Threads(VECTOR, new SplittableRandom(15));
    }

    @Test
    void scalarResultsDoNotDependOnTheThreadCount() {
        sameBitsFor1And2Threads(SCALAR, new SplittableRandom(16));
    }

    @Test
    void aRowAloneInTheDotPathGetsTheBitsOfARowInATile() {
        // A B^T, few rows of A: rows 0-2 in a 3 x 3 tile, row 3 alone (1 x 4 tiles); row 3 = row 0, and one row on its own
        SplittableRandom rng = new SplittableRandom(23);
        for (int[] s : new int[][] {{37, 300}, {10, 263}, {84, 256}}) {
            int n = s[0], k = s[1];
            float[] a = new float[4 * k], b = new float[n * k], c = new float[4 * n], one = new float[n];
            for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextGaussian();
            for (int i = 0; i < 3 * k; i++) a[i] = (float) rng.nextGaussian();
            System.arraycopy(a, 0, a, 3 * k, k);
            VECTOR.gemm(false, true, 4, n, k, a, 0, k, b, 0, k, c, 0, n, false);
            VECTOR.gemm(false, true, 1, n, k, a, 0, k, b, 0, k, one, 0, n, false);
            for (int j = 0; j < n; j++) {
                assertEquals(Float.floatToRawIntBits(c[j]), Float.floatToRawIntBits(c[3 * n + j]), "n=" + n + " k=" + k + " column " + j);
                assertEquals(Float.floatToRawIntBits(c[j]), Float.floatToRawIntBits(one[j]), "n=" + n + " k=" + k + " column " + j);
            }
        }
    }

    @Test
    void emptyProductsZeroOrKeepC() {
        for (Path path : new Path[] {SCALAR, VECTOR}) {
            float[] c = {5, 6, 7, 8, 9, 10, 11};
            // k = 0: C = 0 (or kept when accumulating); ldc = 3 leaves c[2] and c[5] alone
            path.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 0, 3, true);
            assertSameBits(new float[] {5, 6, 7, 8, 9, 10, 11}, c, "k=0 accumulate");
            path.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 1, 3, false);
            assertSameBits(new float[] {5, 0, 0, 8, 0, 0, 11}, c, "k=0");
            path.gemm(false, false, 0, 2, 3, new float[0], 0, 3, new float[6], 0, 2, c, 0, 3, false);
            path.gemm(false, false, 2, 0, 3, new float[6], 0, 3, new float[0], 0, 1, c, 0, 3, false);
            assertSameBits(new float[] {5, 0, 0, 8, 0, 0, 11}, c, "m=0 or n=0 touches nothing");
        }
    }

    @Test
    void paddingBetweenRowsIsNeverTouched() {
        for (Path path : new Path[] {SCALAR, VECTOR}) {
            float[] c = new float[4 * 5];
            java.util.Arrays.fill(c, 7f);
            float[] a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {1, 0, 0, 1, 1, 1};
            path.gemm(false, false, 4, 3, 2, a, 0, 2, b, 0, 3, c, 0, 5, false);
            assertEquals(7f, c[3]);
            assertEquals(7f, c[4]);
            // row 0 of A is (1, 2): (1*1 + 2*1, 1*0 + 2*1, 1*0 + 2*1); row 3 is (7, 8): (15, 8, 8)
            assertEquals(3f, c[0]);
            assertEquals(2f, c[1]);
            assertEquals(2f, c[2]);
            assertEquals(15f, c[15]);
            assertEquals(8f, c[16]);
            assertEquals(8f, c[17]);
            assertEquals(7f, c[18]);
        }
    }

    @Test
    void withoutTheModuleGemmRunsTheScalarPath() throws Exception {
        // a fresh JVM without --add-modules must not touch VectorGemm (no NoClassDefFoundError) and give the scalar bits
        assertEquals("false scalar (no --add-modules jdk.incubator.vector) " + childBits(SCALAR), child());
    }

    @Test
    void simdFalseForcesTheScalarPath() throws Exception {
        assertEquals("false scalar (conv4j.simd=false) " + childBits(SCALAR),
                child("--add-modules", "jdk.incubator.vector", "-Dconv4j.simd=false"));
    }

    /** Run by {@link #child}: prints what Simd decided and a checksum of Gemm.gemm's bits. */
    static final class Child {
        public static void main(String[] args) {
            System.out.println(Simd.enabled() + " " + Simd.describe() + " " + childBits(Gemm::gemm));
        }
    }

    private static long childBits(Path path) {
        SplittableRandom rng = new SplittableRandom(17);
        long h = 0;
        for (int t = 0; t < 4; t++) {
            Problem p = new Problem(rng, 45, 67, 89, (t & 1) != 0, (t & 2) != 0, 2);
            float[] c = p.c.clone();
            p.run(path, c, t > 1);
            for (float v : c) h = h * 31 + Float.floatToIntBits(v);
        }
        return h;
    }

    /** The last line {@link Child} prints in a fresh JVM started with jvmArgs. */
    private static String child(String... jvmArgs) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String cp = new File(Gemm.class.getProtectionDomain().getCodeSource().getLocation().toURI()) + File.pathSeparator
                + new File(GemmTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", cp, Child.class.getName()));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), out);
        // the JVM may print an incubator warning first: the answer is the last line
        String[] lines = out.trim().split("\\R");
        return lines[lines.length - 1];
    }

    private static void matchesReference(Path path, SplittableRandom rng) {
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                for (boolean acc : new boolean[] {false, true}) {
                    Problem p = new Problem(rng, s[0], s[1], s[2], ta, tb, 1 + rng.nextInt(3));
                    float[] bound = p.bound(acc), expected = p.c.clone(), actual = p.c.clone();
                    p.run(Gemm::reference, expected, acc);
                    p.run(path, actual, acc);
                    assertClose(expected, actual, bound, "m=" + s[0] + " n=" + s[1] + " k=" + s[2] + " ta=" + ta + " tb=" + tb + " acc=" + acc);
                }
            }
        }
    }

    private static void sameBitsFor1And2Threads(Path path, SplittableRandom rng) {
        // big enough to be split into parallel tasks (>= 1 MFLOP), plus LeNet conv1 which is not; with B
        // transposed, 16 x 150 x 784 is computed swapped and 6 x 150 x 784 takes the dot-product path
        int[][] shapes = {{64, 64, 576}, {301, 250, 300}, {64, 84, 120}, {150, 100, 160}, {97, 257, 103}, {16, 1024, 144}, {6, 784, 25}, {300, 7, 300},
            {16, 150, 784}, {6, 150, 784}, {32, 288, 1030}, {1, 1030, 300}};
        int before = Parallel.threads();
        try {
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    Problem p = new Problem(rng, s[0], s[1], s[2], ta, tb, 3);
                    float[] one = p.c.clone(), two = p.c.clone();
                    Parallel.setThreads(1);
                    p.run(path, one, true);
                    Parallel.setThreads(2);
                    p.run(path, two, true);
                    assertSameBits(one, two, "m=" + s[0] + " n=" + s[1] + " k=" + s[2] + " ta=" + ta + " tb=" + tb);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Random operands with offsets and leading dimensions larger than the rows. */
    private static final class Problem {
        final boolean ta, tb;
        final int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        final float[] a, b, c;

        Problem(SplittableRandom rng, int m, int n, int k, boolean ta, boolean tb, int pad) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.ta = ta;
            this.tb = tb;
            lda = (ta ? m : k) + pad;
            ldb = (tb ? k : n) + 2 * pad - 1;
            ldc = n + pad + 1;
            aOff = 5;
            bOff = 3;
            cOff = 1 + pad;
            a = fill(rng, aOff + (ta ? k : m) * lda);
            b = fill(rng, bOff + (tb ? n : k) * ldb);
            c = fill(rng, cOff + m * ldc + 2);
        }

        void run(Path path, float[] out, boolean acc) {
            path.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, out, cOff, ldc, acc);
        }

        float[] bound(boolean acc) {
            return GemmTest.bound(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
        }
    }

    /**
     * Per element of c, how far two float summations in any order (with or without FMA) can
     * differ: twice Higham's bound {@code gamma_(k+1) (sum_p |a_ip b_pj| + |c_ij|)}, with
     * {@code gamma_(k+1) ~ (k + 1) 2^-24}; 0 outside C, which must keep its bits.
     */
    private static float[] bound(boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean acc) {
        float[] bound = new float[c.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = acc ? Math.abs(c[cOff + i * ldc + j]) : 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += Math.abs(av * bv);
                }
                bound[cOff + i * ldc + j] = (float) (2.0 * (k + 1) * 0x1p-24 * s);
            }
        }
        return bound;
    }

    /** Within the error bound inside C, and the very same bits outside it (padding untouched). */
    private static void assertClose(float[] expected, float[] actual, float[] bound, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= bound[i])) {
                fail(what + " at " + i + ": expected " + expected[i] + ", got " + actual[i] + " (bound " + bound[i] + ")");
            }
        }
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }

    private static float[] fill(SplittableRandom rng, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (rng.nextDouble() * 2 - 1);
        return f;
    }
}
