package org.conv4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class SpeciesTest {
    @Test
    void theKernelsUseTheForcedWidthOrThePreferredOne() {
        // the pom's vector-256 execution sets conv4j.vectorBits=256; the default one leaves it unset
        String forced = System.getProperty("conv4j.vectorBits");
        int expected = forced == null ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : Integer.parseInt(forced);
        assertEquals(expected, VectorGemm.vectorBits());
        assertEquals(expected / 32, VectorGemm.lanes());
        assertTrue(Simd.describe().startsWith("SIMD " + expected + "-bit"), Simd.describe());
    }

    @Test
    void tileHeightFollowsTheVectorLength() {
        // 16 lanes come with 32 vector registers (AVX-512): 8-row tiles; fewer lanes, 4 rows
        assertEquals(VectorGemm.lanes() >= 16 ? 8 : 4, VectorGemm.MR);
    }

    @Test
    void choosesEveryWidthUpToTheMachines() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        assertEquals(preferred, Species.choose(null).vectorBitSize());
        assertEquals(preferred, Species.choose(" ").vectorBitSize());
        for (int bits = 128; bits <= preferred; bits *= 2) assertEquals(bits, Species.choose(Integer.toString(bits)).vectorBitSize());
    }

    @Test
    void refusesWidthsItCannotUse() {
        assertEquals("conv4j.vectorBits must be 128, 256 or 512, got 'wide'",
                assertThrows(IllegalArgumentException.class, () -> Species.choose("wide")).getMessage());
        assertEquals("conv4j.vectorBits must be 128, 256 or 512, got 64",
                assertThrows(IllegalArgumentException.class, () -> Species.choose("64")).getMessage());
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (preferred < 512) {
            assertEquals("conv4j.vectorBits=512 is wider than this machine's vectors (" + preferred + " bits)",
                    assertThrows(IllegalArgumentException.class, () -> Species.choose("512")).getMessage());
        }
    }
}
