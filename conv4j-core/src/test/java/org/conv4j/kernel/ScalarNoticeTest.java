package org.conv4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Without the vector module the first kernel says once how to enable it; the quiet property silences it. */
class ScalarNoticeTest {

    /** Run by {@link #stderr}: kernels from two threads at once, then again from the main thread. */
    static final class Child {
        public static void main(String[] args) {
            Runnable gemm = () -> {
                float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c = new float[4];
                Gemm.gemm(false, false, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, false);
            };
            CompletableFuture.allOf(CompletableFuture.runAsync(gemm), CompletableFuture.runAsync(gemm)).join();
            gemm.run();
            System.out.println("done");
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) n++;
        return n;
    }

    @Test
    void withoutTheModuleTheNoticeIsPrintedOnce() throws Exception {
        String err = stderr();
        assertEquals(1, count(err, Simd.ScalarNotice.TEXT), err);
        assertTrue(Simd.ScalarNotice.TEXT.contains("--add-modules jdk.incubator.vector"), Simd.ScalarNotice.TEXT);
        assertTrue(Simd.ScalarNotice.TEXT.contains("-Dconv4j.quiet=true"), Simd.ScalarNotice.TEXT);
    }

    @Test
    void quietOrScalarOnPurposeOrTheModulePrintNoNotice() throws Exception {
        for (String[] jvmArgs : new String[][] {{"-Dconv4j.quiet=true"}, {"-Dconv4j.simd=false"},
                {"--add-modules", "jdk.incubator.vector"}}) {
            String err = stderr(jvmArgs);
            assertFalse(err.contains("conv4j"), String.join(" ", jvmArgs) + ": " + err);
        }
    }

    /** What {@link Child} writes on stderr in a fresh JVM started with jvmArgs (it must print "done"). */
    private static String stderr(String... jvmArgs) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String cp = new File(Gemm.class.getProtectionDomain().getCodeSource().getLocation().toURI()) + File.pathSeparator
                + new File(ScalarNoticeTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", cp, Child.class.getName()));
        Process proc = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return proc.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errText = new String(err.get(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), errText);
        assertEquals("done", out.trim(), errText);
        return errText;
    }
}
