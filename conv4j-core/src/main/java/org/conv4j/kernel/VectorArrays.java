package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD paths of {@link Arrays2} and {@link Elementwise}; only loaded when {@link Simd#enabled()}.
 * Every element gets exactly the scalar loop's result (no reassociation).
 */
final class VectorArrays {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    private VectorArrays() {
    }

    /** A copy of n < 64 floats: whole vectors, the last one overlapping the one before; n < L floats one by one. */
    static void copyShort(float[] src, int s, float[] dst, int d, int n) {
        int l = S.length();
        if (n < l) {
            for (int i = 0; i < n; i++) dst[d + i] = src[s + i];
            return;
        }
        for (int i = 0; i < n - l; i += l) FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
        FloatVector.fromArray(S, src, s + n - l).intoArray(dst, d + n - l);
    }

    static void addTo(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] += src[s + i];
    }

    /** y[d + i] = max(x[s + i], 0) as Math.max: NaN stays NaN, -0 becomes 0. */
    static void relu(float[] x, int s, float[] y, int d, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, s + i).max(zero).intoArray(y, d + i);
        }
        for (; i < n; i++) y[d + i] = Math.max(x[s + i], 0f);
    }

    /** dx = dy where y's bits are a positive number (y > 0 or NaN), else +0: the sign of -bits(y) as a mask. */
    static void reluBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            IntVector mask = FloatVector.fromArray(S, y, yo + i).reinterpretAsInts().neg().lanewise(VectorOperators.ASHR, 31);
            FloatVector.fromArray(S, dy, dyo + i).reinterpretAsInts().and(mask).reinterpretAsFloats().intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            int mask = -Float.floatToRawIntBits(y[yo + i]) >> 31;
            dx[dxo + i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[dyo + i]) & mask);
        }
    }
}
