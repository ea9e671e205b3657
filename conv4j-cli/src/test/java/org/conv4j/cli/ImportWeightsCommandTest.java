package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.io.SafeTensors;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conv4j import-weights}: a state dict by PyTorch's names into a zoo network, saved as a model file. */
class ImportWeightsCommandTest {
    @TempDir
    Path dir;

    // a resnet20 state dict under PyTorch's names (the parameters and buffers of the zoo network)
    private Path stateDict(int classes) throws Exception {
        Init.seed(99);
        Layer source = Zoo.build("resnet20", 3, 32, 32, classes);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> p : Layers.namedParameters(source).entrySet()) state.put(p.getKey(), p.getValue().value());
        Path file = dir.resolve("r20.safetensors");
        SafeTensors.write(file, state, Map.of());
        return file;
    }

    @Test
    void importsIntoTheZooNetworkAndSavesAModelFile() throws Exception {
        Path weights = stateDict(10), out = dir.resolve("model.safetensors");
        Cli r = Cli.run("import-weights", "--model", "resnet20", "--weights", weights.toString(), "--out", out.toString(),
                "--input", "3x32x32", "--classes", "10", "--json");
        assertEquals(0, r.exitCode(), r.err());
        Map<String, Object> m = Json.parseObject(r.out().trim());
        assertEquals("resnet20", m.get("model"));
        assertEquals(272_474L, m.get("parameters"));
        ModelFile.Contents saved = ModelFile.read(out);
        assertEquals("3x32x32", saved.extraMetadata().get("input_shape"));
        Map<String, Tensor> expected = SafeTensors.read(weights).tensors();
        for (Map.Entry<String, Parameter> p : Layers.namedParameters(saved.model()).entrySet()) {
            assertEquals(java.util.Arrays.toString(expected.get(p.getKey()).toArray()), java.util.Arrays.toString(p.getValue().value().toArray()), p.getKey());
        }
    }

    @Test
    void aMismatchIsOneLineListingTheKeys() throws Exception {
        Path weights = stateDict(10), out = dir.resolve("model.safetensors");
        Cli r = Cli.run("import-weights", "--model", "resnet20", "--weights", weights.toString(), "--out", out.toString());
        assertEquals(1, r.exitCode());
        assertEquals(1, r.errLines().length, r.err());
        assertEquals("conv4j import-weights: " + weights + ": the PyTorch weights do not fit the model: 2 wrong shape "
                + "(fc.weight: file [10, 64], model [1000, 64]; fc.bias: file [10], model [1000])", r.errLines()[0]);
        Cli bad = Cli.run("import-weights", "--model", "resnet19", "--weights", weights.toString(), "--out", out.toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().startsWith("conv4j import-weights: --model must be a zoo network (lenet5, alexnet"), bad.err());
    }
}
