package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import org.conv4j.onnx.proto.OnnxProto.GraphProto;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.conv4j.onnx.proto.OnnxProto.StringStringEntryProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.junit.jupiter.api.Test;

/** What the importer refuses, each with one line naming the node, operator and attribute. */
class OnnxImportErrorsTest {
    private static final long[] NCHW = {0, 2, 4, 4};
    private static final String[] X = {"input"};

    private static String fails(ModelProto m) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(m.toByteArray(), "m.onnx"));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("m.onnx: "), e.getMessage());
        return e.getMessage();
    }

    private static ModelProto conv(AttributeProto... extra) {
        NodeProto.Builder n = Onnx.node("Conv", "conv1", new String[] {"input", "w"}, "output");
        for (AttributeProto a : extra) n.addAttribute(a);
        return Onnx.model(NCHW, Onnx.graph(n.build()).addInitializer(Onnx.floats("w", new long[] {3, 2, 1, 1}, 1, 2, 3, 4, 5, 6)));
    }

    @Test
    void anUnsupportedOperatorIsNamedWithItsNode() {
        String m = fails(Onnx.model(NCHW, Onnx.graph(Onnx.node("Erf", "/act/Erf", X, "output").build())));
        assertTrue(m.startsWith("m.onnx: node '/act/Erf' (Erf): operator Erf is not supported (conv4j imports Conv,"), m);
    }

    @Test
    void anUnsupportedAttributeIsNamedWithItsNode() {
        assertEquals("m.onnx: node 'conv1' (Conv): attribute 'foo' is not supported", fails(conv(Onnx.i("foo", 1))));
        String m = fails(Onnx.model(new long[] {0, 4}, Onnx.graph(Onnx.node("Gemm", "fc", new String[] {"input", "w"}, "output")
                .addAttribute(Onnx.i("transA", 1)).build()).addInitializer(Onnx.floats("w", new long[] {4, 1}, 1, 2, 3, 4))));
        assertEquals("m.onnx: node 'fc' (Gemm): attribute transA=1 is not supported", m);
        assertTrue(fails(conv(AttributeProto.newBuilder().setName("auto_pad").setType(AttributeType.STRING)
                .setS(ByteString.copyFromUtf8("SAME_MIDDLE")).build())).endsWith("attribute auto_pad=SAME_MIDDLE is not supported"));
        assertTrue(fails(conv(Onnx.ints("strides", 1, 1, 1))).endsWith("attribute strides has 3 values [1, 1, 1], expected 2"));
        assertTrue(fails(conv(Onnx.i("strides", 2))).endsWith("attribute strides has type INT, expected INTS"));
    }

    @Test
    void theValidConvImports() throws Exception {
        assertEquals("Sequential", OnnxImport.read(conv(Onnx.ints("strides", 2, 2)).toByteArray(), "m").model().getClass().getSimpleName());
    }

    @Test
    void aPadOutsideAConvIsRefused() {
        NodeProto pad = Onnx.node("Pad", "pad", new String[] {"input", "p"}, "padded").addAttribute(
                AttributeProto.newBuilder().setName("mode").setType(AttributeType.STRING).setS(ByteString.copyFromUtf8("reflect"))).build();
        TensorProto pads = TensorProto.newBuilder().setName("p").setDataType(TensorProto.DataType.INT64_VALUE).addDims(8)
                .addAllInt64Data(Arrays.asList(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L)).build();
        String m = fails(Onnx.model(NCHW, Onnx.graph(pad, Onnx.node("Relu", "relu", new String[] {"padded"}, "output").build()).addInitializer(pads)));
        assertEquals("m.onnx: node 'relu' (Relu): input 0 'padded' comes from node 'pad' (Pad), which conv4j imports only in front of a Conv (or a zero Pad before an AveragePool)", m);
    }

    @Test
    void externalDataIsRefusedClearly() {
        TensorProto w = Onnx.floats("w", new long[] {3, 2, 1, 1}).toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")).build();
        String m = fails(Onnx.model(NCHW, Onnx.graph(Onnx.node("Conv", "c", new String[] {"input", "w"}, "output").build()).addInitializer(w)));
        assertTrue(m.startsWith("m.onnx: initializer 'w' keeps its data in an external file, which conv4j does not read"), m);
    }

    @Test
    void tensorSizesAreCheckedAgainstTheBytesPresent() {
        // 2^62 elements declared, 8 bytes present: refused before any allocation
        TensorProto huge = Onnx.floats("w", new long[] {1L << 31, 1L << 31}, 1, 2);
        String m = fails(Onnx.model(NCHW, Onnx.graph(Onnx.node("Relu", "r", X, "output").build()).addInitializer(huge)));
        assertEquals("m.onnx: initializer 'w' has dims [2147483648, 2147483648], more elements than conv4j can hold", m);
        TensorProto big = Onnx.floats("w", new long[] {1 << 20, 1 << 10}, 1, 2);
        m = fails(Onnx.model(NCHW, Onnx.graph(Onnx.node("Relu", "r", X, "output").build()).addInitializer(big)));
        assertEquals("m.onnx: initializer 'w' needs 4294967296 bytes of raw_data for 1073741824 elements but has 8", m);
        TensorProto floatData = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(3).addFloatData(1).build();
        m = fails(Onnx.model(NCHW, Onnx.graph(Onnx.node("Relu", "r", X, "output").build()).addInitializer(floatData)));
        assertEquals("m.onnx: initializer 'w' needs 3 values in float_data but has 1", m);
        TensorProto negative = Onnx.floats("w", new long[] {-1, 2}, 1, 2);
        assertTrue(fails(Onnx.model(NCHW, Onnx.graph(Onnx.node("Relu", "r", X, "output").build()).addInitializer(negative))).contains("negative dimension"));
    }

    @Test
    void hugeInputDimensionsAreRefused() {
        String m = fails(Onnx.model(new long[] {0, 3, 1L << 40, 4}, Onnx.graph(Onnx.node("Relu", "r", X, "output").build())));
        assertEquals("m.onnx: the graph input 'input' has dimension 2 = 1099511627776; conv4j needs fixed sizes from 1 to 1048576 after the batch axis", m);
    }

    @Test
    void anOldOpsetIsRefused() {
        ModelProto m = Onnx.model(NCHW, Onnx.graph(Onnx.node("Relu", "r", X, "output").build())).toBuilder()
                .setOpsetImport(0, OperatorSetIdProto.newBuilder().setVersion(9)).build();
        assertTrue(fails(m).startsWith("m.onnx: opset 9 is not supported (conv4j imports opsets 11 to 21"), fails(m));
    }

    @Test
    void nodesOutOfOrderOrRedefiningAValueAreRefused() {
        String m = fails(Onnx.model(NCHW, Onnx.graph(Onnx.node("Relu", "b", new String[] {"a"}, "output").build(), Onnx.node("Relu", "a", X, "a").build())));
        assertEquals("m.onnx: node 'b' (Relu): input 'a' is not produced by an earlier node (nodes must be in topological order)", m);
        m = fails(Onnx.model(NCHW, Onnx.graph(Onnx.node("Relu", "a", X, "output").build(), Onnx.node("Relu", "b", X, "output").build())));
        assertEquals("m.onnx: node 'b' (Relu) defines 'output', which is already defined", m);
    }

    @Test
    void deeplyNestedMessagesHitTheRecursionLimit() {
        GraphProto inner = GraphProto.newBuilder().setName("g").build();
        for (int k = 0; k < 100; k++) {
            inner = GraphProto.newBuilder().addNode(NodeProto.newBuilder().setOpType("If").addAttribute(
                    AttributeProto.newBuilder().setName("then_branch").setType(AttributeType.GRAPH).setG(inner))).build();
        }
        ModelProto m = ModelProto.newBuilder().setGraph(inner).build();
        String msg = fails(m);
        assertTrue(msg.startsWith("m.onnx: not a valid ONNX file (Protocol message had too many levels of nesting"), msg);
    }

    @Test
    void truncatedAndRandomFilesFailWithOneLine() throws Exception {
        byte[] good = Files.readAllBytes(Fixtures.model("lenet5"));
        String m = failsBytes(Arrays.copyOf(good, good.length / 2));
        assertTrue(m.startsWith("m.onnx: not a valid ONNX file ("), m);
        byte[] random = new byte[4096];
        new SplittableRandom(7).nextBytes(random);
        assertTrue(failsBytes(random).startsWith("m.onnx: "));
        assertEquals("m.onnx: not an ONNX model: no graph (is it an .onnx file?)", failsBytes(new byte[0]));
        assertTrue(failsBytes("a text file\n".getBytes()).startsWith("m.onnx: not a valid ONNX file ("));
    }

    private static String failsBytes(byte[] bytes) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(bytes, "m.onnx"));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }
}
