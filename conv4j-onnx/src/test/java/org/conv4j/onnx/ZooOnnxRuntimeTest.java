package org.conv4j.onnx;

import java.util.stream.Stream;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo network, exported and run in ONNX Runtime, gives conv4j's outputs; exported, imported
 * and exported again, it gives the same graph. At its smallest input (32x32 for those that take
 * any size), batch 2, random batch-norm statistics; AlexNet and VGG at 224x224, batch 1, where their
 * adaptive pooling (torchvision's, to 6x6 and 7x7) has whole windows, which opset 13 can write.
 */
class ZooOnnxRuntimeTest {
    static Stream<String> zoo() {
        return Zoo.names().stream();
    }

    /** The (C, H, W) the test builds a network for: small, so the suite stays quick. */
    static int[] input(String name) {
        if (adaptive(name)) return new int[] {3, 224, 224};
        int size = Math.max(32, Zoo.minimumSize(name));
        return name.equals("lenet5") ? new int[] {1, 28, 28} : new int[] {3, size, size};
    }

    private static boolean adaptive(String name) {
        return name.equals("alexnet") || name.startsWith("vgg") && !name.equals("vgg_small");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void onnxRuntimeGivesConv4jsOutputsAndARoundTripTheSameGraph(String name) throws Exception {
        int[] in = input(name);
        Init.seed(1);
        Layer model = Zoo.build(name, in[0], in[1], in[2], 10);
        OrtRun.randomizeBatchNorms(model, 2);
        ModelProto onnx = OrtRun.assertSameOutputs(model, OrtRun.input(3, adaptive(name) ? 1 : 2, in[0], in[1], in[2]));
        RoundTrip.assertSameGraph(onnx, name);
    }
}
