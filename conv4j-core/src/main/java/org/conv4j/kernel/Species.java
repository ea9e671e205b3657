package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float species every SIMD kernel uses: the JVM's preferred one (512 bits on AVX-512, 256 on
 * AVX2), or a narrower one named by {@code -Dconv4j.vectorBits=128|256|512}. A narrower species
 * lets the tests run the AVX2 tile shapes on an AVX-512 machine; a wider one than the hardware
 * has is refused, as the JVM would emulate it lane by lane. Only loaded when {@link Simd#enabled()}.
 */
final class Species {
    static final VectorSpecies<Float> FLOAT = choose(System.getProperty("conv4j.vectorBits"));

    private Species() {
    }

    static VectorSpecies<Float> choose(String bits) {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (bits == null || bits.isBlank()) return preferred;
        int b;
        try {
            b = Integer.parseInt(bits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("conv4j.vectorBits must be 128, 256 or 512, got '" + bits + "'");
        }
        if (b != 128 && b != 256 && b != 512) {
            throw new IllegalArgumentException("conv4j.vectorBits must be 128, 256 or 512, got " + b);
        }
        if (b > preferred.vectorBitSize()) {
            throw new IllegalArgumentException("conv4j.vectorBits=" + b + " is wider than this machine's vectors ("
                    + preferred.vectorBitSize() + " bits)");
        }
        return b == 128 ? FloatVector.SPECIES_128 : b == 256 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_512;
    }
}
