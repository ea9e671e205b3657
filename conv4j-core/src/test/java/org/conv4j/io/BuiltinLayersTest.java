package org.conv4j.io;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
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
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Identity;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.LeakyReLU;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Maxout;
import org.conv4j.nn.Mode;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Sigmoid;
import org.conv4j.nn.Tanh;
import org.conv4j.nn.TrainablePool2d;
import org.conv4j.nn.Upsample;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every built-in layer type survives a save and load: same architecture, same names, same bits. */
class BuiltinLayersTest {
    @TempDir
    Path dir;

    private static Layer everyLayerType() {
        Init.seed(17);
        Graph block = new Graph()
                .add("conv", new Conv2d(4, 4, 3).padding(1), Graph.INPUT)
                .add("bn", new BatchNorm2d(4).eps(1e-3).momentum(0.2), "conv")
                .add("sum", new Add(), "bn", Graph.INPUT)
                .add("pool", new GaussianPool2d(3, 0.8).stride(1).padding(1), "sum")
                .add("cat", new Concat(), "pool", "sum")
                .output("cat");
        return new Sequential()
                .add("stem", new Conv2d(3, 4, 3).padding(1))
                .add("act", new LeakyReLU(0.2f))
                .add("block", block)
                .add("max", new MaxPool2d(3, 2).stride(1, 2).padding(1, 1).dilation(1).ceilMode(true))
                .add("avg", new AvgPool2d(2).stride(1).countIncludePad(false))
                .add("learned", new TrainablePool2d(8, 2).stride(1))
                .add("up", new ConvTranspose2d(8, 8, 3).stride(2, 1).padding(1, 0).outputPadding(1, 0).dilation(1, 2).groups(2).bias(false))
                .add("near", new Upsample(1).scaleFactor(1.5, 1.25))
                .add("bilinear", new Upsample(9, 11).mode("bilinear").alignCorners(true))
                .add("maxout", new Maxout(2))
                .add("sig", new Sigmoid())
                .add("tanh", new Tanh())
                .add("id", new Identity())
                .add("gap", new GlobalAvgPool2d())
                .add("flat", new Flatten())
                .add("fc", new Linear(4, 6))
                .add("bn1", new BatchNorm1d(6))
                .add("relu", new ReLU())
                .add("drop", new Dropout(0.3).scaling(Dropout.Scaling.DOWNSCALE_IN_INFER))
                .add("head", new Linear(6, 3, false));
    }

    @Test
    void everyBuiltInLayerTypeRoundTripsBitIdentically() throws Exception {
        Layer model = everyLayerType();
        Tensor x = random(new SplittableRandom(3), 2, 3, 9, 10);
        model.forward(x, Mode.TRAIN); // moves the running statistics away from their initial values
        Path file = dir.resolve("all.safetensors");
        ModelFile.save(model, file);
        Layer loaded = ModelFile.load(file);
        assertEquals(model.toString(), loaded.toString());
        assertEquals(Layers.namedParameters(model).keySet(), Layers.namedParameters(loaded).keySet());
        assertTrue(Layers.namedParameters(model).containsKey("block.bn.running_var"));
        assertTrue(Layers.namedParameters(model).containsKey("learned.weight"));
        assertSameBits(model.forward(x, Mode.EVAL), loaded.forward(x, Mode.EVAL));
        assertEquals(Architecture.toJson(model), Architecture.toJson(loaded));
    }

    @Test
    void badGraphOrSequentialDescriptionsAreRejectedWithTheirPath() throws Exception {
        Path file = dir.resolve("m.safetensors");
        Layer model = new Sequential().add("a", new ReLU()).add("b", new Identity());
        ModelFile.save(model, file);
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        // same length edit keeps the header valid JSON: a duplicate child name
        Files.write(file, text.replace("\\\"b\\\"", "\\\"a\\\"").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        var e = assertThrows(ModelFormatException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains("duplicate child name 'a'"), e.getMessage());
    }
}
