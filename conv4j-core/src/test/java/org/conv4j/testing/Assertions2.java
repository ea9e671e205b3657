package org.conv4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;

/** Shared test helpers: closeness with a relative tolerance, random tensors. */
public final class Assertions2 {
    private Assertions2() {
    }

    /** Every element within {@code tol * max(1, |expected|)}; the message names the first bad index. */
    public static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertEquals(expected.shape(), actual.shape(), "shape");
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.at(i), a = actual.at(i);
            if (!(Math.abs(e - a) <= tol * Math.max(1, Math.abs(e)))) {
                fail("element " + i + " of " + expected.shape() + ": expected " + e + ", got " + a + " (tolerance " + tol + ")");
            }
        }
    }

    public static void assertClose(float[] expected, Tensor actual, double tol) {
        assertClose(Tensor.of(expected.clone(), actual.shape().dims()), actual, tol);
    }

    /** Bit-for-bit equality. */
    public static void assertSameBits(Tensor expected, Tensor actual) {
        assertEquals(expected.shape(), actual.shape(), "shape");
        for (int i = 0; i < expected.size(); i++) {
            if (Float.floatToIntBits(expected.at(i)) != Float.floatToIntBits(actual.at(i))) {
                fail("element " + i + " differs: " + expected.at(i) + " vs " + actual.at(i));
            }
        }
    }

    public static Tensor random(SplittableRandom rng, int... dims) {
        return Tensor.uniform(rng, -1f, 1f, dims);
    }
}
