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
 * any size), batch 2, random batch-norm statistics.
 */
class ZooOnnxRuntimeTest {
    static Stream<String> zoo() {
        return Zoo.names().stream();
    }

    /** The (C, H, W) the test builds a network for: small, so the suite stays quick. */
    static int[] input(String name) {
        int size = Math.max(32, Zoo.minimumSize(name));
        return name.equals("lenet5") ? new int[] {1, 28, 28} : new int[] {3, size, size};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void onnxRuntimeGivesConv4jsOutputsAndARoundTripTheSameGraph(String name) throws Exception {
        int[] in = input(name);
        Init.seed(1);
        Layer model = Zoo.build(name, in[0], in[1], in[2], 10);
        OrtRun.randomizeBatchNorms(model, 2);
        ModelProto onnx = OrtRun.assertSameOutputs(model, OrtRun.input(3, 2, in[0], in[1], in[2]));
        RoundTrip.assertSameGraph(onnx, name);
    }
}
