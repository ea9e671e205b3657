package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.conv4j.io.ModelFile;
import org.conv4j.io.PyTorchWeights;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;

/**
 * The README's PyTorch-weights example, taken from README.md as it stands, compiled and run as an
 * application against the module {@code org.conv4j.core} (as {@link ReadmeExampleTest}), on the
 * torchvision ResNet-18 state dict of the PyTorch fixtures.
 */
class ReadmePyTorchExampleTest {
    private static final String CLASS = "PyTorchResNet";

    @Test
    void theReadmePyTorchExampleLoadsTorchvisionWeightsAndSavesAModelFile() throws Exception {
        Path classes = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path weights = Path.of(ReadmePyTorchExampleTest.class.getResource("/pytorch/resnet18.safetensors").toURI());
        Path work = classes.resolveSibling("readme-pytorch-example");
        ReadmeExampleTest.deleteRecursively(work);
        Files.createDirectories(work.resolve("src"));
        Path source = Files.writeString(work.resolve("src").resolve(CLASS + ".java"),
                String.join("\n", ReadmeExampleTest.codeBlock(Files.readAllLines(Path.of("README.md")), "pytorch-example")) + "\n");
        Path jdk = Path.of(System.getProperty("java.home"), "bin");
        ReadmeExampleTest.run(work, List.of(jdk.resolve("javac").toString(), "--module-path", classes.toString(),
                "--add-modules", "org.conv4j.core", "-d", "classes", source.toString()));
        String out = ReadmeExampleTest.run(work, List.of(jdk.resolve("java").toString(), "--add-modules", "jdk.incubator.vector,org.conv4j.core",
                "--module-path", classes.toString(), "-cp", "classes", CLASS, weights.toString()));

        // the saved model holds the state dict's values, and its prediction for the zero image is the one printed
        Layer saved = ModelFile.load(work.resolve("resnet18-conv4j.safetensors"));
        Layer direct = Zoo.build("resnet18", 3, 224, 224, 1000);
        PyTorchWeights.load(direct, weights);
        Map<String, Parameter> expected = Layers.namedParameters(direct);
        for (Map.Entry<String, Parameter> p : Layers.namedParameters(saved).entrySet()) {
            assertTrue(Arrays.equals(expected.get(p.getKey()).value().toArray(), p.getValue().value().toArray()), p.getKey());
        }
        Tensor logits = saved.forward(Tensor.zeros(1, 3, 224, 224), Mode.EVAL);
        int best = 0;
        for (int k = 1; k < logits.dim(1); k++) if (logits.at(k) > logits.at(best)) best = k;
        Matcher m = Pattern.compile("class (\\d+), logit (-?\\d+\\.\\d+)").matcher(out);
        assertTrue(m.find(), "the example prints the top class, got:\n" + out);
        assertEquals(best, Integer.parseInt(m.group(1)), out);
        assertEquals(logits.at(best), Double.parseDouble(m.group(2)), 1e-4, out);
    }
}
