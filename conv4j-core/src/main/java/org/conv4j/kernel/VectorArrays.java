package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The SIMD path of {@link Arrays2}; only loaded when {@link Simd#enabled()}. Same sums as the scalar loop. */
final class VectorArrays {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorArrays() {
    }

    static void addTo(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] += src[s + i];
    }
}
