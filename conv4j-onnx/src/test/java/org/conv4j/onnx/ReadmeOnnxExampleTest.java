package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
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
import org.conv4j.io.ModelFile;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The README's ONNX import example, taken from README.md as it stands, compiled and run as an
 * application: on the class path of conv4j-onnx, conv4j-core and protobuf-java, in a JVM of its
 * own whose working directory is {@code target/onnx-readme-example}, on the LeNet-5 fixture.
 */
class ReadmeOnnxExampleTest {
    private static final String CLASS = "OnnxImportExample";

    @Test
    void theReadmeExampleImportsFineTunesAndSaves() throws Exception {
        Path onnxClasses = codeSource(OnnxImport.class);
        Path work = onnxClasses.resolveSibling("onnx-readme-example");
        deleteRecursively(work);
        Files.createDirectories(work.resolve("src"));
        Path source = Files.writeString(work.resolve("src").resolve(CLASS + ".java"),
                String.join("\n", codeBlock(Files.readAllLines(Path.of("README.md")))) + "\n");
        String classPath = String.join(File.pathSeparator, onnxClasses.toString(), codeSource(Tensor.class).toString(),
                codeSource(com.google.protobuf.Message.class).toString());
        Path jdk = Path.of(System.getProperty("java.home"), "bin");

        run(work, List.of(jdk.resolve("javac").toString(), "-cp", classPath, "-d", "classes", source.toString()));
        String out = run(work, List.of(jdk.resolve("java").toString(), "--add-modules", "jdk.incubator.vector",
                "-cp", classPath + File.pathSeparator + "classes", CLASS,
                Fixtures.model("lenet5").toAbsolutePath().toString(), Path.of("data/mnist-sample").toAbsolutePath().toString()));

        assertTrue(out.contains("input [1, 28, 28], 61706 parameters"), out);
        Matcher m = Pattern.compile("fine-tuned accuracy (\\d+\\.\\d+)%").matcher(out);
        assertTrue(m.find(), "the example prints its accuracy, got:\n" + out);
        double accuracy = Double.parseDouble(m.group(1));
        assertTrue(accuracy > 80, "two epochs from the imported random weights reach over 80%, got " + accuracy);
        assertEquals(10, ModelFile.load(work.resolve("runs/lenet5-tuned.safetensors")).outputShape(org.conv4j.tensor.Shape.of(1, 1, 28, 28)).dim(1));
    }

    private static Path codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The one {@code java} block between the README's ONNX example markers. */
    private static List<String> codeBlock(List<String> readme) {
        int start = readme.indexOf("<!-- onnx-example:start -->"), end = readme.indexOf("<!-- onnx-example:end -->");
        assertTrue(start >= 0 && end > start, "README.md has no <!-- onnx-example:start --> ... <!-- onnx-example:end --> markers");
        List<String> block = readme.subList(start + 1, end);
        assertEquals("```java", block.get(0), "the example starts with a java code fence");
        assertEquals("```", block.get(block.size() - 1), "the example ends with a code fence");
        return block.subList(1, block.size() - 1);
    }

    /** Runs a command in {@code dir}; returns its output (stdout and stderr), failing on a non-zero exit. */
    private static String run(Path dir, List<String> command) throws IOException, InterruptedException {
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

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
