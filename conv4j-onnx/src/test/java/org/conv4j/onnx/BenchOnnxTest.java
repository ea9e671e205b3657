package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.conv4j.nn.Mode;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The networks bench/compare.sh gives ONNX Runtime (bench/onnx/, exported from PyTorch 1.13 by
 * tools/bench_onnx.py) are the zoo networks {@code conv4j bench} runs: imported, each has the zoo
 * network's layers in order with the same output shapes, FLOPs and parameters, less the batch
 * norms the exporter folded into the convolutions before them (their FLOPs and their weight and
 * bias go; a bias-free convolution gains a bias), and conv4j's output on the file is ONNX Runtime's.
 */
class BenchOnnxTest {
    static final Path DIR = Path.of("bench/onnx");

    @ParameterizedTest(name = "{0}")
    @CsvSource({"lenet5, lenet5, 1, 28", "vgg-small, vgg_small, 3, 32", "resnet20, resnet20, 3, 32"})
    void theFileIsTheZooNetworkWithItsBatchNormsFoldedAndRunsAsInOnnxRuntime(String benchCase, String zoo, int channels, int size) throws Exception {
        byte[] bytes = Files.readAllBytes(DIR.resolve(benchCase + ".onnx"));
        OnnxImport.Imported imported = OnnxImport.read(bytes, benchCase);
        assertEquals(Shape.of(channels, size, size), imported.inputShape(), benchCase + ": input shape");

        Shape one = Shape.of(1, channels, size, size);
        ModelSummary expected = ModelSummary.of(Zoo.build(zoo, channels, size, size, 10), one);
        ModelSummary actual = ModelSummary.of(imported.model(), one);
        List<String> folded = new ArrayList<>();
        long bnFlops = 0, bnParams = 0, gainedBiases = 0;
        List<ModelSummary.Row> rows = expected.rows();
        for (int i = 0; i < rows.size(); i++) {
            ModelSummary.Row r = rows.get(i);
            if (r.type().equals("BatchNorm2d")) {
                bnFlops += r.flops();
                bnParams += r.parameters();
                continue;
            }
            long params = r.parameters();
            // a convolution's weight count is its FLOPs over 2 * OH * OW; only a bias-free one before a batch norm gains a bias
            boolean biasFree = r.type().equals("Conv2d") && params == r.flops() / (2L * r.output().dim(2) * r.output().dim(3));
            if (biasFree && i + 1 < rows.size() && rows.get(i + 1).type().equals("BatchNorm2d")) {
                params += r.output().dim(1);
                gainedBiases += r.output().dim(1);
            }
            folded.add(row(r.type(), r.output(), params, r.flops()));
        }
        assertTrue(bnFlops > 0 || zoo.equals("lenet5"), benchCase + ": the zoo network has batch norms to fold");
        assertEquals(folded, actual.rows().stream().map(r -> row(r.type(), r.output(), r.parameters(), r.flops())).toList(),
                benchCase + ": layers (type, output, parameters, FLOPs) of the file against the zoo's with its batch norms folded");
        assertEquals(expected.flops() - bnFlops, actual.flops(), benchCase + ": FLOPs per image");
        assertEquals(expected.parameters() - bnParams + gainedBiases, actual.parameters(), benchCase + ": parameters");

        Tensor x = OrtRun.input(7, 3, channels, size, size);
        OrtRun.assertClose(imported.model().forward(x, Mode.EVAL), OrtRun.run(ModelProto.parseFrom(bytes), x), benchCase);
    }

    private static String row(String type, Shape output, long parameters, long flops) {
        return type + " " + output + " params " + parameters + " flops " + flops;
    }
}
