package org.conv4j.kernel;

/**
 * Whether kernels may use the incubating Vector API ({@code jdk.incubator.vector}).
 *
 * <p>It is used when the JVM was started with {@code --add-modules jdk.incubator.vector} and
 * the system property {@code conv4j.simd} is not {@code false}. Without the module every
 * kernel runs its scalar path: the vector classes are only loaded after this check, so the
 * library runs (slower) on a plain {@code java -cp}. The SIMD and scalar paths round
 * differently (fused multiply-add), but each one alone gives the same bits for any thread count.
 */
public final class Simd {
    private static final boolean MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static final boolean ENABLED = MODULE && !"false".equalsIgnoreCase(System.getProperty("conv4j.simd", "true").trim());

    private Simd() {
    }

    /** True when the vector module is in the boot layer, whatever {@code conv4j.simd} says. */
    public static boolean modulePresent() {
        return MODULE;
    }

    /** True when kernels take their SIMD paths (module present and {@code conv4j.simd} not false). */
    public static boolean enabled() {
        return ENABLED;
    }

    /**
     * True when the SIMD paths may also use gathers and float-to-double conversions: JDK 25
     * compiles them to instructions, JDK 17 runs them in Java, allocating for every vector
     * (measured; versions in between untested, so they take the scalar loops for these).
     */
    static boolean widening() {
        return WIDENING;
    }

    private static final boolean WIDENING = ENABLED && Runtime.version().feature() >= 25;

    /** A one-line description for logs: "SIMD 256-bit (8 floats)" or why the scalar path is used. */
    public static String describe() {
        if (ENABLED) return "SIMD " + VectorGemm.vectorBits() + "-bit (" + VectorGemm.lanes() + " floats)";
        return MODULE ? "scalar (conv4j.simd=false)" : "scalar (no --add-modules jdk.incubator.vector)";
    }
}
