package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every model PyTorch 1.13 exported (tools/onnx_fixtures.py), imported, gives PyTorch's output. */
class OnnxFixturesTest {
    static final double TOLERANCE = 1e-4;

    static List<String> cases() {
        return Fixtures.names();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void importedModelGivesPyTorchsOutput(String name) throws Exception {
        Layer model = OnnxImport.load(Fixtures.model(name));
        Tensor y = model.forward(Fixtures.input(name), Mode.EVAL);
        double err = Fixtures.relativeError(y, Fixtures.output(name));
        assertTrue(err <= TOLERANCE, name + ": relative error " + err);
    }

    @Test
    void everyFixtureIsListed() {
        assertTrue(cases().size() >= 40, "index.txt lists " + cases().size() + " cases");
    }

    @Test
    void chainsBecomeSequentialAndBranchesAGraph() throws Exception {
        assertInstanceOf(Sequential.class, OnnxImport.load(Fixtures.model("lenet5")));
        assertInstanceOf(Sequential.class, OnnxImport.load(Fixtures.model("vgg11_bn_narrow")));
        assertInstanceOf(Graph.class, OnnxImport.load(Fixtures.model("resnet18_narrow")));
        assertInstanceOf(Graph.class, OnnxImport.load(Fixtures.model("googlenet")));
    }

    @Test
    void theInputShapeIsTheFilesPerSampleShape() throws Exception {
        assertEquals(org.conv4j.tensor.Shape.of(1, 28, 28), OnnxImport.read(Fixtures.model("lenet5")).inputShape());
        assertEquals(org.conv4j.tensor.Shape.of(3, 64, 64), OnnxImport.read(Fixtures.model("googlenet")).inputShape());
    }
}
