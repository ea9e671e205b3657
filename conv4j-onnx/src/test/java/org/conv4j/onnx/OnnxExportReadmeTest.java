package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.ToolProvider;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ONNX export example, taken from README.md as it stands, compiled against the build's class path and run. */
class OnnxExportReadmeTest {
    private static final String CLASS = "OnnxExportExample";

    @Test
    void theReadmeExampleWritesAFileOnnxRuntimeRuns(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve(CLASS + ".java"), String.join("\n", codeBlock(Files.readAllLines(Path.of("README.md")))) + "\n");
        ByteArrayOutputStream javacOut = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, javacOut, javacOut,
                "-cp", System.getProperty("java.class.path"), "-d", dir.toString(), source.toString());
        assertEquals(0, rc, "javac: " + javacOut.toString(StandardCharsets.UTF_8));

        Path file = dir.resolve("resnet20.onnx");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass(CLASS).getMethod("main", String[].class).invoke(null, (Object) new String[] {file.toString()});
        } finally {
            System.setOut(stdout);
        }
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals("wrote " + file + ": " + m.getGraph().getNodeCount() + " nodes, " + m.getGraph().getInitializerCount()
                + " weight tensors", printed.toString(StandardCharsets.UTF_8).trim());
        Init.seed(1);
        Layer same = Zoo.build("resnet20", 3, 32, 32, 10);
        Tensor x = OrtRun.input(4, 2, 3, 32, 32);
        OrtRun.assertClose(same.forward(x, Mode.EVAL), OrtRun.run(m, x), "the README's resnet20");
    }

    /** The one {@code java} block between the README's ONNX export example markers. */
    private static List<String> codeBlock(List<String> readme) {
        int start = readme.indexOf("<!-- onnx-export-example:start -->"), end = readme.indexOf("<!-- onnx-export-example:end -->");
        assertTrue(start >= 0 && end > start, "README.md has no <!-- onnx-export-example:start --> ... :end --> markers");
        List<String> block = readme.subList(start + 1, end);
        assertEquals("```java", block.get(0), "the example starts with a java code fence");
        assertEquals("```", block.get(block.size() - 1), "the example ends with a code fence");
        return block.subList(1, block.size() - 1);
    }
}
