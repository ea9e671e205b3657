package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.GaussianPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conv4j export}: the file it writes, what it prints, and its one-line errors. */
class ExportCommandTest {
    @TempDir
    Path dir;

    @Test
    void exportsAZooNetworkAsOnnx() throws Exception {
        Path out = dir.resolve("lenet.onnx");
        Cli r = Cli.run("export", "--model", "lenet5", "--format", "onnx", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("wrote " + out + ": ONNX opset 13, "), r.out());
        assertTrue(r.out().contains("61,706 parameters, input [N, 1, 28, 28] -> output [N, 10]"), r.out());
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(13, m.getOpsetImport(0).getVersion());
        List<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertEquals("Conv", ops.get(0));
        assertEquals("Gemm", ops.get(ops.size() - 1));
    }

    @Test
    void anOnnxFileExportsToTheSameOperators() throws Exception {
        Path first = dir.resolve("first.onnx"), second = dir.resolve("second.onnx");
        assertEquals(0, Cli.run("export", "--model", "googlenet", "--input", "3x32x32", "--out", first.toString()).exitCode());
        Cli r = Cli.run("export", "--model", first.toString(), "--out", second.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("input [N, 3, 32, 32] -> output [N, 10]"), r.out());
        assertEquals(ops(first), ops(second));
    }

    private static List<String> ops(Path onnx) throws Exception {
        return ModelProto.parseFrom(Files.readAllBytes(onnx)).getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
    }

    @Test
    void jsonNamesTheFileItsSizeAndShapes() throws Exception {
        Path out = dir.resolve("r.onnx");
        Cli r = Cli.run("export", "--model", "resnet20", "--input", "3x16x16", "--classes", "7", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        Map<String, Object> j = Json.parseObject(r.out().trim());
        assertEquals(out.toString(), j.get("out"));
        assertEquals("onnx", j.get("format"));
        assertEquals(13L, j.get("opset"));
        assertEquals(Files.size(out), j.get("bytes"));
        assertEquals(List.of("N", 3L, 16L, 16L), j.get("input"));
        assertEquals(List.of("N", 7L), j.get("output"));
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals((long) m.getGraph().getNodeCount(), j.get("nodes"));
        assertEquals((long) m.getGraph().getInitializerCount(), j.get("initializers"));
    }

    @Test
    void aModelFileRecordsNoInputSoItNeedsOne() throws Exception {
        Path model = dir.resolve("conv.safetensors");
        ModelFile.save(new Sequential(new Conv2d(1, 2, 3), new ReLU()), model);
        Path out = dir.resolve("conv.onnx");
        assertOneLineError(Cli.run("export", "--model", model.toString(), "--out", out.toString()), 2,
                "conv4j export: the model file does not record its input size: give --input CxHxW");
        Cli r = Cli.run("export", "--model", model.toString(), "--input", "1x8x8", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("input [N, 1, 8, 8] -> output [N, 2, 6, 6]"), r.out());
    }

    @Test
    void errorsAreOneLine() throws Exception {
        Path out = dir.resolve("x.onnx");
        assertOneLineError(Cli.run("export", "--model", "lenet5", "--format", "tflite", "--out", out.toString()), 2,
                "conv4j export: --format must be onnx, got 'tflite'");
        assertOneLineError(Cli.run("export", "--model", "lenet5"), 2, "conv4j export: missing --out=FILE");
        assertOneLineError(Cli.run("export", "--model", "vgg11", "--input", "3x8x8", "--out", out.toString()), 2, "vgg11: input 3x8x8 is too small");
        Path model = dir.resolve("gauss.safetensors");
        ModelFile.save(new Sequential(new Conv2d(1, 2, 3), new GaussianPool2d(3, 1.0)), model);
        assertOneLineError(Cli.run("export", "--model", model.toString(), "--input", "1x9x9", "--out", out.toString()), 1,
                "conv4j export: OnnxExport: layer '1' (GaussianPool2d) has no ONNX counterpart in opset 13");
        assertFalse(Files.exists(out), "nothing is written when the export fails");
    }

    private static void assertOneLineError(Cli r, int code, String start) {
        assertEquals(code, r.exitCode(), r.err());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().contains(start), r.err());
        assertEquals("", r.out());
    }
}
