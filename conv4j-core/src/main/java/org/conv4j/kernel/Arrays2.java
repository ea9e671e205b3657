package org.conv4j.kernel;

/**
 * Element-wise helpers on array ranges, SIMD when {@link Simd#enabled()}. The JIT does not
 * vectorize {@code dst[i] += src[i]} over two float arrays by itself: they might be the same array.
 */
final class Arrays2 {
    private Arrays2() {
    }

    /** dst[d .. d+n) += src[s .. s+n); the ranges must not overlap. */
    static void addTo(float[] src, int s, float[] dst, int d, int n) {
        if (Simd.enabled()) {
            VectorArrays.addTo(src, s, dst, d, n);
            return;
        }
        for (int i = 0; i < n; i++) dst[d + i] += src[s + i];
    }
}
