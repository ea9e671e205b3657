package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.Add;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Concat;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.GaussianPool2d;
import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.AdaptiveMaxPool2d;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Identity;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.LeakyReLU;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Maxout;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Sigmoid;
import org.conv4j.nn.Softmax;
import org.conv4j.nn.Tanh;
import org.conv4j.nn.TrainablePool2d;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.GraphProto;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.conv4j.onnx.proto.OnnxProto.TensorShapeProto;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each layer mapping, run in ONNX Runtime against conv4j's EVAL forward, and the file's structure. */
class OnnxExportTest {

    /** A case: its name, the model (built after seeding) and the (N, C, H, W) input. */
    static Stream<Arguments> operators() {
        return Stream.of(
                op("conv, bias, padding 1", () -> new Sequential(new Conv2d(3, 4, 3).padding(1)), 2, 3, 7, 6),
                op("conv, asymmetric pads, stride 2, no bias", () -> new Sequential(new Conv2d(3, 5, 3).padding(0, 2, 1, 0).stride(2).bias(false)), 2, 3, 9, 8),
                op("conv, 'same', 2x3 kernel", () -> new Sequential(new Conv2d(2, 3, 2, 3).padding("same")), 1, 2, 6, 7),
                op("conv, dilation 2, stride 2x1", () -> new Sequential(new Conv2d(2, 3, 3).dilation(2).stride(2, 1).padding(2)), 1, 2, 11, 9),
                op("conv, groups 2", () -> new Sequential(new Conv2d(4, 6, 3).groups(2).padding(1)), 2, 4, 5, 5),
                op("conv, depthwise", () -> new Sequential(new Conv2d(3, 3, 3).groups(3)), 1, 3, 6, 6),
                op("conv, reflect padding", () -> new Sequential(new Conv2d(2, 3, 3).padding(2, 1, 1, 2).paddingMode(PaddingMode.REFLECT)), 2, 2, 6, 5),
                op("conv, replicate padding", () -> new Sequential(new Conv2d(2, 3, 3).padding(1).paddingMode(PaddingMode.REPLICATE).stride(2)), 2, 2, 7, 7),
                op("conv transpose, stride 2, padding 1, output_padding 1", () -> new Sequential(new ConvTranspose2d(3, 4, 3).stride(2).padding(1).outputPadding(1)), 2, 3, 5, 4),
                op("conv transpose, groups 2, dilation 2, no bias", () -> new Sequential(new ConvTranspose2d(4, 6, 3).groups(2).dilation(2).bias(false)), 1, 4, 4, 5),
                op("conv transpose 2x3, stride 2x1", () -> new Sequential(new ConvTranspose2d(2, 3, 2, 3).stride(2, 1).padding(0, 1)), 2, 2, 3, 4),
                op("maxpool 2", () -> new Sequential(new MaxPool2d(2)), 2, 3, 6, 6),
                op("maxpool 3/2, padding 1, ceil", () -> new Sequential(new MaxPool2d(3).stride(2).padding(1).ceilMode(true)), 1, 2, 8, 7),
                op("maxpool 3/2, ceil (torchvision GoogLeNet)", () -> new Sequential(new MaxPool2d(3).stride(2).ceilMode(true)), 1, 2, 14, 13),
                op("maxpool 2x3, dilation 2", () -> new Sequential(new MaxPool2d(2, 3).dilation(2).stride(1, 2)), 1, 2, 7, 9),
                op("avgpool 2", () -> new Sequential(new AvgPool2d(2)), 2, 3, 6, 5),
                op("avgpool 3/2, padding 1, count_include_pad", () -> new Sequential(new AvgPool2d(3).stride(2).padding(1)), 1, 2, 7, 7),
                op("avgpool 3/2, padding 1, exclude pad", () -> new Sequential(new AvgPool2d(3).stride(2).padding(1).countIncludePad(false)), 1, 2, 7, 8),
                op("avgpool 3/2, ceil, exclude pad", () -> new Sequential(new AvgPool2d(3).stride(2).ceilMode(true).countIncludePad(false)), 1, 2, 8, 8),
                op("avgpool 3/2, padding 1, ceil, count_include_pad", () -> new Sequential(new AvgPool2d(3).stride(2).padding(1).ceilMode(true)), 1, 2, 8, 6),
                op("global average pool", () -> new Sequential(new GlobalAvgPool2d()), 2, 3, 5, 4),
                op("adaptive average pool 6x4 -> 3x2", () -> new Sequential(new AdaptiveAvgPool2d(3, 2)), 2, 3, 6, 4),
                op("adaptive average pool to its own size", () -> new Sequential(new AdaptiveAvgPool2d(5)), 1, 2, 5, 5),
                op("adaptive max pool 8x6 -> 2x3", () -> new Sequential(new AdaptiveMaxPool2d(2, 3)), 2, 2, 8, 6),
                op("flatten, linear", () -> new Sequential(new Flatten(), new Linear(24, 5)), 2, 2, 3, 4),
                op("linear straight after a conv (a Flatten is inserted)", () -> new Sequential(new Conv2d(1, 2, 3), new Linear(2 * 3 * 3, 4, false)), 3, 1, 5, 5),
                op("relu, leaky relu", () -> new Sequential(new ReLU(), new Conv2d(2, 2, 1), new LeakyReLU(0.2f)), 2, 2, 3, 3),
                op("sigmoid", () -> new Sequential(new Sigmoid()), 2, 2, 3, 3),
                op("tanh", () -> new Sequential(new Tanh()), 2, 2, 3, 3),
                op("softmax over channels", () -> new Sequential(new Softmax()), 2, 4, 3, 3),
                op("softmax over the last dim", () -> new Sequential(new Softmax(-1)), 2, 4, 3, 3),
                op("softmax over classes", () -> new Sequential(new Flatten(), new Linear(12, 6), new Softmax(1)), 3, 3, 2, 2),
                op("batch norm 2d", () -> new Sequential(new BatchNorm2d(3)), 2, 3, 4, 4),
                op("batch norm 2d without affine, eps 1e-3", () -> new Sequential(new BatchNorm2d(3).affine(false).eps(1e-3)), 2, 3, 4, 4),
                op("batch norm 1d on features", () -> new Sequential(new Flatten(), new Linear(12, 5), new BatchNorm1d(5)), 3, 3, 2, 2),
                op("dropout (identity in eval)", () -> new Sequential(new Conv2d(2, 2, 1), new Dropout(0.3)), 2, 2, 3, 3),
                op("dropout downscaling in inference", () -> new Sequential(new Conv2d(2, 2, 1), new Dropout(0.25).scaling(Dropout.Scaling.DOWNSCALE_IN_INFER)), 2, 2, 3, 3),
                op("identity", () -> new Sequential(new Identity(), new Tanh()), 1, 2, 3, 3),
                op("graph: residual add, concat", OnnxExportTest::residualConcat, 2, 3, 6, 6),
                op("nested: sequential in graph in sequential", () -> new Sequential(new Conv2d(3, 4, 3).padding(1), residualBlock(4), new Sequential(new ReLU(), new GlobalAvgPool2d()), new Flatten(), new Linear(4, 3)), 2, 3, 6, 6));
    }

    private static Arguments op(String name, Supplier<Layer> model, int... input) {
        return Arguments.of(name, model, input);
    }

    private static Graph residualBlock(int c) {
        return new Graph()
                .add("conv1", new Conv2d(c, c, 3).padding(1), "input")
                .add("bn1", new BatchNorm2d(c), "conv1")
                .add("relu1", new ReLU(), "bn1")
                .add("conv2", new Sequential(new Conv2d(c, c, 3).padding(1), new BatchNorm2d(c)), "relu1")
                .add("sum", new Add(), "conv2", "input")
                .add("relu2", new ReLU(), "sum")
                .output("relu2");
    }

    private static Layer residualConcat() {
        return new Graph()
                .add("a", new Conv2d(3, 2, 1), "input")
                .add("b", new Conv2d(3, 2, 3).padding(1), "input")
                .add("c", new MaxPool2d(3).stride(1).padding(1), "input")
                .add("cat", new Concat(), "a", "b", "c")
                .add("shortcut", new Conv2d(3, 7, 1), "input")
                .add("sum", new Add(), "cat", "shortcut", "cat")
                .output("sum");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void onnxRuntimeGivesConv4jsOutputs(String name, Supplier<Layer> build, int[] input) throws Exception {
        Init.seed(7);
        Layer model = build.get();
        OrtRun.randomizeBatchNorms(model, 11);
        OrtRun.assertSameOutputs(model, OrtRun.input(5, input));
    }

    /**
     * The cases OnnxImport reads back: all but Identity (imported as no layer at all) and
     * downscaling dropout (a Mul, which OnnxImport does not read).
     */
    static Stream<Arguments> importable() {
        Set<String> notImported = Set.of("identity", "dropout downscaling in inference");
        return operators().filter(a -> !notImported.contains((String) a.get()[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("importable")
    void exportImportExportGivesTheSameGraphAndTheSameOutputs(String name, Supplier<Layer> build, int[] input) throws Exception {
        Init.seed(7);
        Layer model = build.get();
        OrtRun.randomizeBatchNorms(model, 11);
        ModelProto onnx = OnnxExport.export(model, Shape.of(input[1], input[2], input[3]));
        Layer imported = RoundTrip.assertSameGraph(onnx, name).model();
        Tensor x = OrtRun.input(5, input);
        OrtRun.assertClose(model.forward(x, Mode.EVAL), imported.forward(x, Mode.EVAL), name + ", imported");
    }

    @Test
    void theFileNamesItsInputAndOutputWithASymbolicBatchAndKeepsTheWeightsRaw() throws Exception {
        Init.seed(3);
        Conv2d conv = new Conv2d(1, 2, 3);
        Sequential model = new Sequential().add("features", new Sequential(conv, new ReLU())).add("flat", new Flatten()).add("fc", new Linear(2 * 4 * 4, 3));
        ModelProto m = OnnxExport.export(model, Shape.of(1, 6, 6));
        assertEquals(7, m.getIrVersion());
        assertEquals("conv4j", m.getProducerName());
        assertEquals(1, m.getOpsetImportCount());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(13, m.getOpsetImport(0).getVersion());
        GraphProto g = m.getGraph();
        assertEquals(List.of("Conv", "Relu", "Flatten", "Gemm"), g.getNodeList().stream().map(NodeProto::getOpType).toList());
        assertEquals(List.of("features.0", "features.1", "flat", "fc"), g.getNodeList().stream().map(NodeProto::getName).toList());
        assertEquals(List.of("input", "features.0.weight", "features.0.bias"), g.getNode(0).getInputList());
        assertEquals(List.of("output"), g.getNode(3).getOutputList());
        assertEquals(List.of("flat", "fc.weight", "fc.bias"), g.getNode(3).getInputList());
        assertEquals(1, attribute(g.getNode(3), "transB").getI());
        assertEquals(List.of("N", "1", "6", "6"), dims(g.getInput(0).getType().getTensorType().getShape()));
        assertEquals(List.of("N", "3"), dims(g.getOutput(0).getType().getTensorType().getShape()));
        TensorProto w = g.getInitializer(0);
        assertEquals("features.0.weight", w.getName());
        assertEquals(TensorProto.DataType.FLOAT.getNumber(), w.getDataType());
        assertEquals(List.of(2L, 1L, 3L, 3L), w.getDimsList());
        assertEquals(0, w.getFloatDataCount());
        float[] raw = new float[18];
        ByteBuffer.wrap(w.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(raw);
        assertArrayEquals(conv.weight().value().toArray(), raw);
        assertEquals(List.of("features.0.weight", "features.0.bias", "fc.weight", "fc.bias"), g.getInitializerList().stream().map(TensorProto::getName).toList());
    }

    @Test
    void convolutionAttributesAreOnnxsOrderOfPads() {
        Conv2d c = new Conv2d(2, 4, 3, 2).padding(1, 2, 3, 0).stride(2, 1).dilation(1, 2).groups(2).bias(false);
        NodeProto n = OnnxExport.export(c, Shape.of(2, 9, 9)).getGraph().getNode(0);
        assertEquals("Conv", n.getOpType());
        assertEquals(List.of("input", "weight"), n.getInputList());
        assertEquals(List.of(3L, 2L), attribute(n, "kernel_shape").getIntsList());
        assertEquals(List.of(2L, 1L), attribute(n, "strides").getIntsList());
        assertEquals(List.of(1L, 3L, 2L, 0L), attribute(n, "pads").getIntsList()); // top, left, bottom, right
        assertEquals(List.of(1L, 2L), attribute(n, "dilations").getIntsList());
        assertEquals(2, attribute(n, "group").getI());
    }

    @Test
    void reflectPaddingIsAPadNodeBeforeAnUnpaddedConv() {
        Conv2d c = new Conv2d(1, 1, 3).padding(1, 2, 0, 1).paddingMode(PaddingMode.REFLECT);
        GraphProto g = OnnxExport.export(new Sequential(c), Shape.of(1, 5, 5)).getGraph();
        assertEquals(List.of("Pad", "Conv"), g.getNodeList().stream().map(NodeProto::getOpType).toList());
        assertEquals("reflect", attribute(g.getNode(0), "mode").getS().toStringUtf8());
        TensorProto pads = g.getInitializerList().stream().filter(t -> t.getName().equals(g.getNode(0).getInput(1))).findFirst().orElseThrow();
        assertEquals(TensorProto.DataType.INT64.getNumber(), pads.getDataType());
        long[] p = new long[8];
        ByteBuffer.wrap(pads.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(p);
        assertArrayEquals(new long[] {0, 0, 1, 0, 0, 0, 2, 1}, p);
        assertEquals(List.of(0L, 0L, 0L, 0L), attribute(g.getNode(1), "pads").getIntsList());
    }

    @Test
    void dropoutLeavesNoNodeAndAModelThatIsTheIdentityStillHasOne() {
        GraphProto g = OnnxExport.export(new Sequential(new Conv2d(1, 1, 1), new Dropout(0.5)), Shape.of(1, 2, 2)).getGraph();
        assertEquals(List.of("Conv"), g.getNodeList().stream().map(NodeProto::getOpType).toList());
        assertEquals(List.of("output"), g.getNode(0).getOutputList());
        GraphProto identity = OnnxExport.export(new Sequential(new Dropout(0.5)), Shape.of(1, 2, 2)).getGraph();
        assertEquals(List.of("Identity"), identity.getNodeList().stream().map(NodeProto::getOpType).toList());
        assertEquals(List.of("input"), identity.getNode(0).getInputList());
        assertEquals(List.of("output"), identity.getNode(0).getOutputList());
    }

    @Test
    void aGraphIsFlattenedAndASumOfThreeIsTwoAdds() {
        GraphProto g = OnnxExport.export(residualConcat(), Shape.of(3, 4, 4)).getGraph();
        assertEquals(List.of("Conv", "Conv", "MaxPool", "Concat", "Conv", "Add", "Add"), g.getNodeList().stream().map(NodeProto::getOpType).toList());
        assertEquals(List.of("a", "b", "c"), g.getNode(3).getInputList());
        assertEquals(1, attribute(g.getNode(3), "axis").getI());
        assertEquals(List.of("cat", "shortcut"), g.getNode(5).getInputList());
        assertEquals(List.of("sum.add1", "cat"), g.getNode(6).getInputList());
        assertEquals("sum", g.getNode(6).getName());
        assertEquals(List.of("output"), g.getNode(6).getOutputList());
    }

    @Test
    void batchNormMomentumIsOnnxsWeightOfTheRunningValue() {
        NodeProto n = OnnxExport.export(new BatchNorm2d(2).momentum(0.25).eps(1e-3), Shape.of(2, 3, 3)).getGraph().getNode(0);
        assertEquals(List.of("input", "weight", "bias", "running_mean", "running_var"), n.getInputList());
        assertEquals(0.75f, attribute(n, "momentum").getF());
        assertEquals(1e-3f, attribute(n, "epsilon").getF());
    }

    @Test
    void aLayerWithoutCounterpartIsNamedWithItsPosition() {
        Sequential model = new Sequential().add("features", new Sequential(new Conv2d(1, 2, 3), new ReLU(), new GaussianPool2d(3, 1.0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(model, Shape.of(1, 9, 9)));
        assertTrue(e.getMessage().startsWith("OnnxExport: layer 'features.2' (GaussianPool2d) has no ONNX counterpart in opset 13; "
                + "exportable layers: Sequential, Graph, Conv2d"), e.getMessage());

        Graph g = new Graph().add("pool", new TrainablePool2d(2, 2), "input").add("maxout", new Maxout(2), "pool").output("maxout");
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(new Sequential(g), Shape.of(2, 4, 4)));
        assertTrue(e.getMessage().startsWith("OnnxExport: layer '0.pool' (TrainablePool2d) has no ONNX counterpart"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(new Sequential(new AdaptiveAvgPool2d(3)), Shape.of(1, 7, 7)));
        assertTrue(e.getMessage().contains("pools 7x7 to 3x3, which is not a whole number of windows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(new Maxout(2), Shape.of(2, 4, 4)));
        assertTrue(e.getMessage().startsWith("OnnxExport: the model itself (Maxout) has no ONNX counterpart"), e.getMessage());
    }

    @Test
    void circularPaddingFailsNamingTheLayerButUnpaddedCircularExports() {
        Sequential model = new Sequential(new Conv2d(1, 1, 3).padding(1).paddingMode(PaddingMode.CIRCULAR));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(model, Shape.of(1, 5, 5)));
        assertTrue(e.getMessage().startsWith("OnnxExport: layer '0' (Conv2d(1, 1, kernel_size=3, padding=[1, 1, 1, 1], padding_mode=circular)) "
                + "pads circularly, which ONNX's Pad has no mode for in opset 13"), e.getMessage());
        Sequential unpadded = new Sequential(new Conv2d(1, 1, 3).paddingMode(PaddingMode.CIRCULAR));
        assertEquals(List.of("Conv"), OnnxExport.export(unpadded, Shape.of(1, 5, 5)).getGraph().getNodeList().stream().map(NodeProto::getOpType).toList());
    }

    @Test
    void anInputTheModelCannotTakeIsRefused() {
        Sequential model = new Sequential(new Conv2d(3, 2, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(model, Shape.of(3, 4, 4)));
        assertTrue(e.getMessage().startsWith("OnnxExport: the model does not accept input 3x4x4: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(model, Shape.of(1, 3, 4, 4)));
        assertEquals("OnnxExport: the input shape must be (C, H, W), got " + Shape.of(1, 3, 4, 4), e.getMessage());
    }

    @Test
    void writeGivesAFileOnnxRuntimeRunsForAnyBatchSize(@TempDir Path dir) throws Exception {
        Init.seed(9);
        Sequential model = new Sequential(new Conv2d(1, 3, 3), new ReLU(), new Flatten(), new Linear(3 * 3 * 3, 2));
        Path file = dir.resolve("m.onnx");
        OnnxExport.Summary s = OnnxExport.write(model, Shape.of(1, 5, 5), file);
        assertEquals(new OnnxExport.Summary(4, 4), s); // Conv, Relu, Flatten, Gemm; two weights, two biases
        ModelProto read = ModelProto.parseFrom(Files.readAllBytes(file));
        for (int batch : new int[] {1, 4}) {
            Tensor x = OrtRun.input(batch, batch, 1, 5, 5);
            OrtRun.assertClose(model.forward(x, Mode.EVAL), OrtRun.run(read, x), "batch " + batch);
        }
    }

    private static AttributeProto attribute(NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(n.getOpType() + " has no attribute " + name));
    }

    private static List<String> dims(TensorShapeProto s) {
        return s.getDimList().stream().map(d -> d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue())).toList();
    }
}
