package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.onnx.OnnxImport;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conv4j import}, and an .onnx file wherever a command takes --model. */
class ImportCommandTest {
    static final Path FIXTURES = Path.of(System.getProperty("conv4j.home"), "conv4j-onnx/src/test/resources/onnx");
    static final Path LENET = FIXTURES.resolve("lenet5.onnx");

    @TempDir
    Path dir;

    @Test
    void importWritesAModelFileThatComputesWhatTheOnnxFileDoes() throws Exception {
        Path out = dir.resolve("lenet.safetensors");
        Cli r = Cli.run("import", LENET.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("imported " + LENET + ": Sequential, 61,706 parameters, input 1x28x28 -> " + out + "\n", r.out());
        ModelFile.Contents saved = ModelFile.read(out);
        assertEquals("1x28x28", saved.extraMetadata().get("input_shape"));
        Tensor x = Tensor.randn(new SplittableRandom(3), 1f, 4, 1, 28, 28);
        Layer onnx = OnnxImport.load(LENET);
        assertArrayEquals(onnx.forward(x, Mode.EVAL).toArray(), saved.model().forward(x, Mode.EVAL).toArray());
    }

    @Test
    void importJsonNamesTheFilesTypeParametersAndInput() throws Exception {
        Files.copy(FIXTURES.resolve("resnet18_narrow.onnx"), dir.resolve("resnet.onnx"));
        Cli r = Cli.run("import", dir.resolve("resnet.onnx").toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        Map<String, Object> m = Json.parseObject(r.out().trim());
        assertEquals(dir.resolve("resnet.safetensors").toString(), m.get("out"));
        assertEquals("Graph", m.get("type"));
        assertEquals(List.of(3L, 64L, 64L), m.get("input"));
        assertTrue(Files.isRegularFile(dir.resolve("resnet.safetensors")));
    }

    @Test
    void aBrokenOrMissingOnnxFileIsOneLine() throws Exception {
        Path bad = dir.resolve("bad.onnx");
        byte[] good = Files.readAllBytes(LENET);
        Files.write(bad, java.util.Arrays.copyOf(good, 1000));
        Cli r = Cli.run("import", bad.toString());
        assertEquals(1, r.exitCode());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().startsWith("conv4j import: " + bad + ": not a valid ONNX file ("), r.err());
        r = Cli.run("summary", "--model", bad.toString());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().startsWith("conv4j summary: " + bad + ": not a valid ONNX file ("), r.err());
        r = Cli.run("import", dir.resolve("none.onnx").toString());
        assertArrayEquals(new String[] {"conv4j import: no such file: " + dir.resolve("none.onnx")}, r.errLines());
    }

    @Test
    void summaryAndEvalTakeAnOnnxFileDirectly() {
        Cli s = Cli.run("summary", "--model", LENET.toString(), "--json");
        assertEquals(0, s.exitCode(), s.err());
        Map<String, Object> m = Json.parseObject(s.out().trim());
        assertEquals(61_706L, m.get("parameters"));
        assertEquals(List.of(1L, 1L, 28L, 28L), m.get("input"));
        // random weights: the accuracy is whatever it is, but the import runs on the MNIST sample
        Cli e = Cli.run("eval", "--model", LENET.toString(), "--data", System.getProperty("conv4j.home") + "/data/mnist-sample", "--json");
        assertEquals(0, e.exitCode(), e.err());
        assertTrue(Json.parseObject(e.out().trim()).containsKey("accuracy"), e.out());
    }
}
