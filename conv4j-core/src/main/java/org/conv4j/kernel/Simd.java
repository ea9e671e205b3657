package org.conv4j.kernel;

/**
 * Whether kernels may use the incubating Vector API ({@code jdk.incubator.vector}).
 *
 * <p>It is used when the JVM was started with {@code --add-modules jdk.incubator.vector} and
 * the system property {@code conv4j.simd} is not {@code false}. Without the module every
 * kernel runs its scalar path: the vector classes are only loaded after this check, so the
 * library runs (slower) on a plain {@code java -cp}. The SIMD and scalar paths round
 * differently (fused multiply-add), but each one alone gives the same bits for any thread count.
 *
 * <p>Without the module, the first kernel that asks says once how to enable it and what the
 * scalar path costs; {@code -Dconv4j.quiet=true} or {@code -Dconv4j.simd=false}
 * (scalar on purpose) keeps it silent.
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
        if (!MODULE) ScalarNotice.show();
        return ENABLED;
    }

    /**
     * The one-time notice, printed by this class's initialization, which the JVM runs once and
     * thread-safely; after it {@link #show()} compiles to nothing. It goes to {@link System.Logger}
     * (in java.base, so no dependency) rather than to stderr: an application decides where a
     * library's warnings go (java.util.logging's console by default, or its SLF4J/Log4j bridge)
     * and may turn off the logger {@code org.conv4j.kernel.Simd}.
     */
    static final class ScalarNotice {
        // measured 2026-12-05, LeNet-5 training at batch 64 on a 2-core AVX-512 Xeon, JDK 17 and 25: conv4j bench
        // 18,900 against 3,570 images/s on 2 threads (5.3x), CPU time per step 4.2 against 28-30 ms on 1 thread (7x)
        static final String TEXT = "conv4j: the Vector API is not enabled, so the scalar kernels run (LeNet-5 training "
                + "about 5 to 7 times slower). Start java with --add-modules jdk.incubator.vector to enable it, "
                + "or with -Dconv4j.quiet=true to hide this notice.";

        static {
            if (!quiet()) System.getLogger(Simd.class.getName()).log(System.Logger.Level.WARNING, TEXT);
        }

        private ScalarNotice() {
        }

        static void show() {
        }

        private static boolean quiet() {
            return Boolean.getBoolean("conv4j.quiet") || "false".equalsIgnoreCase(System.getProperty("conv4j.simd", "true").trim());
        }
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
