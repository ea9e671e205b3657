package org.conv4j.kernel;

/**
 * Element-wise helpers on array ranges, SIMD when {@link Simd#enabled()}. The JIT does not
 * vectorize {@code dst[i] += src[i]} over two float arrays by itself: they might be the same array.
 */
final class Arrays2 {
    private Arrays2() {
    }

    /**
     * dst[d .. d+n) = src[s .. s+n), the ranges not overlapping: System.arraycopy, except for
     * short runs (im2col's rows of a small feature map), where the call costs more than the copy.
     */
    static void copy(float[] src, int s, float[] dst, int d, int n) {
        if (n >= 64 || !Simd.enabled()) {
            System.arraycopy(src, s, dst, d, n);
            return;
        }
        VectorArrays.copyShort(src, s, dst, d, n);
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
