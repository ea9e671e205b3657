package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The README's library example, taken from README.md as it stands, compiled and run the way an
 * application uses the library: against the module {@code org.conv4j.core} on the module path
 * (so only its exported packages are visible), in a JVM of its own whose working directory is
 * {@code target/readme-example}, where the example writes its model.
 */
class ReadmeExampleTest {
    private static final String CLASS = "LeNet5Example";

    @Test
    void theReadmeExampleCompilesRunsAndTrains() throws Exception {
        Path classes = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path work = classes.resolveSibling("readme-example");
        deleteRecursively(work);
        Files.createDirectories(work.resolve("src"));
        Path source = Files.writeString(work.resolve("src").resolve(CLASS + ".java"),
                String.join("\n", codeBlock(Files.readAllLines(Path.of("README.md")))) + "\n");
        Path jdk = Path.of(System.getProperty("java.home"), "bin");

        run(work, List.of(jdk.resolve("javac").toString(), "--module-path", classes.toString(),
                "--add-modules", "org.conv4j.core", "-d", "classes", source.toString()));
        String out = run(work, List.of(jdk.resolve("java").toString(), "--add-modules", "jdk.incubator.vector,org.conv4j.core",
                "--module-path", classes.toString(), "-cp", "classes", CLASS, Path.of("data/mnist-sample").toAbsolutePath().toString()));

        Matcher m = Pattern.compile("test accuracy (\\d+\\.\\d+)%").matcher(out);
        assertTrue(m.find(), "the example prints its test accuracy, got:\n" + out);
        double accuracy = Double.parseDouble(m.group(1));
        assertTrue(accuracy > 90, "two epochs reach over 90%, got " + accuracy);
        // 61,706 float32 weights, plus the header
        assertTrue(Files.size(work.resolve("runs/lenet5.safetensors")) > 61_706 * 4);
    }

    /** The one {@code java} block between the README's example markers. */
    private static List<String> codeBlock(List<String> readme) {
        return codeBlock(readme, "example");
    }

    /** The one {@code java} block between the README's {@code <!-- NAME:start -->} and {@code <!-- NAME:end -->}. */
    static List<String> codeBlock(List<String> readme, String name) {
        int start = readme.indexOf("<!-- " + name + ":start -->"), end = readme.indexOf("<!-- " + name + ":end -->");
        assertTrue(start >= 0 && end > start, "README.md has no <!-- " + name + ":start --> ... <!-- " + name + ":end --> markers");
        List<String> block = readme.subList(start + 1, end);
        assertEquals("```java", block.get(0), "the example starts with a java code fence");
        assertEquals("```", block.get(block.size() - 1), "the example ends with a code fence");
        return block.subList(1, block.size() - 1);
    }

    /** Runs a command in {@code dir}; returns its output (stdout and stderr), failing on a non-zero exit. */
    static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(command.get(0) + " ran over 5 minutes; output so far:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
