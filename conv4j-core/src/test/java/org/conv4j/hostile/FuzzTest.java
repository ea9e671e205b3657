package org.conv4j.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link Fuzz} in a child JVM with -Xmx512m (the heap the issue measured at) and asserts
 * its report: no OutOfMemoryError, no unchecked exception, no case over the time limit.
 * The default counts fit CI (about 30 s on 2 busy cores); a long run passes the counts, e.g.
 * {@code mvn -o -pl conv4j-core test -Dtest=FuzzTest -Dconv4j.fuzz.models=100000
 * -Dconv4j.fuzz.idx=20000 -Dconv4j.fuzz.images=5000} (SECURITY.md).
 */
class FuzzTest {
    private static final String[] PASSED = {"conv4j.fuzz.models", "conv4j.fuzz.idx", "conv4j.fuzz.images", "conv4j.fuzz.seed", "conv4j.fuzz.seconds"};

    @Test
    void mutatedFilesAreLoadedOrRefusedCleanlyAtASmallHeap() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("--add-modules=jdk.incubator.vector");
        cmd.add("-Dconv4j.quiet=true");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        for (String p : PASSED) if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Fuzz.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        long cases = 0;
        for (String k : new String[] {"conv4j.fuzz.models", "conv4j.fuzz.idx", "conv4j.fuzz.images"}) cases += Long.getLong(k, 1000);
        assertTrue(p.waitFor(5 + cases / 1000, TimeUnit.MINUTES), "the fuzz JVM did not exit");
        System.out.print(out);
        String report = out.lines().filter(l -> l.startsWith("FUZZ ")).findFirst().orElse("");
        java.util.regex.Matcher heap = java.util.regex.Pattern.compile(" heap=([0-9]+)MB ").matcher(report);
        assertTrue(heap.find() && Integer.parseInt(heap.group(1)) <= 512, out);
        assertTrue(report.contains(" oom=0 unchecked=0 slow=0 "), out);
        assertEquals(0, p.exitValue(), out);
    }
}
