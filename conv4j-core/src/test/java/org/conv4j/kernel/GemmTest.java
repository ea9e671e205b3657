package org.conv4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemmTest {

    @Test
    void fastMatchesReferenceForAllTranspositionsOnOddShapes() {
        SplittableRandom rng = new SplittableRandom(11);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {4, 513, 9}, {17, 33, 300}, {65, 3, 129}, {6, 784, 25}, {64, 70, 1}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                for (boolean acc : new boolean[] {false, true}) {
                    int m = s[0], n = s[1], k = s[2];
                    int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                    float[] a = fill(rng, 5 + (ta ? k : m) * lda), b = fill(rng, 3 + (tb ? n : k) * ldb);
                    float[] c1 = fill(rng, 1 + m * ldc), c2 = c1.clone();
                    Gemm.reference(ta, tb, m, n, k, a, 5, lda, b, 3, ldb, c1, 1, ldc, acc);
                    Gemm.gemm(ta, tb, m, n, k, a, 5, lda, b, 3, ldb, c2, 1, ldc, acc);
                    for (int i = 0; i < c1.length; i++) {
                        if (Math.abs(c1[i] - c2[i]) > 1e-4 * Math.max(1, Math.abs(c1[i]))) {
                            fail("m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " acc=" + acc + " at " + i + ": " + c1[i] + " vs " + c2[i]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void paddingBetweenRowsIsNeverTouched() {
        float[] c = new float[4 * 5];
        java.util.Arrays.fill(c, 7f);
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {1, 0, 0, 1, 1, 1};
        Gemm.gemm(false, false, 4, 3, 2, a, 0, 2, b, 0, 3, c, 0, 5, false);
        assertEquals(7f, c[3]);
        assertEquals(7f, c[4]);
        // row 0 of A is (1, 2): (1*1 + 2*1, 1*0 + 2*1, 1*0 + 2*1)
        assertEquals(3f, c[0]);
        assertEquals(2f, c[1]);
        assertEquals(2f, c[2]);
    }

    private static float[] fill(SplittableRandom rng, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (rng.nextDouble() * 2 - 1);
        return f;
    }
}
