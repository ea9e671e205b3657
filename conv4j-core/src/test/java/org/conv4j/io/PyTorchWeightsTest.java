package org.conv4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.VGG;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torchvision state dicts (random weights, redrawn BatchNorm statistics, written by
 * tools/pytorch_zoo_fixtures.py in safetensors.torch's layout with int64 num_batches_tracked)
 * loaded into the zoo give torchvision's eval-mode logits; wrong files fail with one message
 * listing every missing, unexpected and wrong-shape key.
 */
class PyTorchWeightsTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws Exception {
        return Path.of(PyTorchWeightsTest.class.getResource("/pytorch/" + name).toURI());
    }

    /** Loads NAME.safetensors into the zoo model of that name and compares its logits on NAME.io.safetensors with PyTorch's. */
    private static void matchesTorchvision(String name, int classes) throws Exception {
        Tensor x = SafeTensors.read(resource(name + ".io.safetensors")).tensors().get("x");
        matchesTorchvision(name, Zoo.build(name, x.dim(1), x.dim(2), x.dim(3), classes));
    }

    private static void matchesTorchvision(String name, Layer model) throws Exception {
        Map<String, Tensor> io = SafeTensors.read(resource(name + ".io.safetensors")).tensors();
        Tensor x = io.get("x"), expected = io.get("y");
        PyTorchWeights.load(model, resource(name + ".safetensors"));
        Tensor y = model.forward(x, Mode.EVAL);
        assertEquals(expected.shape(), y.shape(), name);
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.size(); i++) scale = Math.max(scale, Math.abs(expected.at(i)));
        for (int i = 0; i < expected.size(); i++) worst = Math.max(worst, Math.abs(y.at(i) - expected.at(i)) / scale);
        assertTrue(scale > 0.01, name + ": the logits are not all near zero, max " + scale);
        assertTrue(worst <= 1e-4, name + ": logits off by " + worst + " of the largest (" + scale + ")");
    }

    @Test
    void torchvisionResNet18GivesTorchvisionsLogits() throws Exception {
        matchesTorchvision("resnet18", 1000);
    }

    @Test
    void torchvisionGoogLeNetGivesTorchvisionsLogits() throws Exception {
        matchesTorchvision("googlenet", 10);
    }

    @Test
    void torchvisionsVggClassNarrowedGivesItsLogitsAtTheMinimumInput() throws Exception {
        // VGG-11's layout at 1/8 of the filters, BatchNorm, 64 hidden units; 32x32 leaves a 1x1 map for the 7x7 avgpool
        Init.seed(1);
        matchesTorchvision("small_vgg11_bn", VGG.build("small_vgg11_bn", new int[] {8, 0, 16, 0, 32, 32, 0, 64, 64, 0, 64, 64, 0},
                true, 64, 3, 32, 32, 5));
    }

    @Test
    void torchvisionsAlexNetClassNarrowedGivesItsLogits() throws Exception {
        // AlexNet's modules and indices with narrow convs and Linears; 127x100 leaves a 3x2 map for the 6x6 avgpool
        Init.seed(2);
        Sequential features = new Sequential(
                new Conv2d(3, 16, 11).stride(4).padding(2), new ReLU(), new MaxPool2d(3).stride(2),
                new Conv2d(16, 24, 5).padding(2), new ReLU(), new MaxPool2d(3).stride(2),
                new Conv2d(24, 32, 3).padding(1), new ReLU(),
                new Conv2d(32, 16, 3).padding(1), new ReLU(),
                new Conv2d(16, 16, 3).padding(1), new ReLU(), new MaxPool2d(3).stride(2));
        Sequential classifier = new Sequential(new Dropout(0.5), new Linear(16 * 6 * 6, 32), new ReLU(),
                new Dropout(0.5), new Linear(32, 32), new ReLU(), new Linear(32, 5));
        matchesTorchvision("small_alexnet", new Sequential().add("features", features).add("avgpool", new AdaptiveAvgPool2d(6))
                .add("flatten", new Flatten()).add("classifier", classifier));
    }

    @Test
    void numBatchesTrackedIsInt64InTheFileAndIgnored() throws Exception {
        SafeTensors.Header h = SafeTensors.readHeader(resource("resnet18.safetensors"));
        long counts = h.entries().stream().filter(e -> e.name().endsWith(".num_batches_tracked")).count();
        assertEquals(20, counts, "one per BatchNorm");
        SafeTensors.Entry bn1 = h.entries().stream().filter(e -> e.name().equals("bn1.num_batches_tracked")).findFirst().orElseThrow();
        assertEquals(SafeTensors.I64, bn1.dtype());
        assertEquals(0, bn1.shape().length);
        // the header validates, but reading an int64 tensor as data still fails: conv4j reads float32 only
        var e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(resource("resnet18.safetensors")));
        assertTrue(e.getMessage().contains("tensor 'bn1.num_batches_tracked' has dtype I64; conv4j reads only F32"), e.getMessage());
    }

    private static Sequential small() {
        Init.seed(3);
        return new Sequential()
                .add("features", new Sequential(new Conv2d(3, 4, 3).bias(false), new BatchNorm2d(4), new ReLU()))
                .add("flatten", new Flatten())
                .add("fc", new Linear(4 * 4 * 4, 5));
    }

    private Path write(Map<String, Tensor> tensors) throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafeTensors.write(file, tensors, Map.of());
        return file;
    }

    private static Map<String, Tensor> stateDict(Layer model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> p : Layers.namedParameters(model).entrySet()) out.put(p.getKey(), p.getValue().value().copy());
        return out;
    }

    @Test
    void loadsEveryParameterAndBufferByName() throws Exception {
        Sequential source = small();
        Map<String, Tensor> state = stateDict(source);
        for (Tensor t : state.values()) for (int i = 0; i < t.size(); i++) t.data()[i] = 0.25f * i - 1;
        state.put("features.1.num_batches_tracked", Tensor.of(new float[] {7}, 1)); // float32 is accepted too
        Sequential target = small();
        PyTorchWeights.load(target, write(state));
        for (Map.Entry<String, Parameter> p : Layers.namedParameters(target).entrySet()) {
            assertEquals(java.util.Arrays.toString(state.get(p.getKey()).toArray()), java.util.Arrays.toString(p.getValue().value().toArray()), p.getKey());
        }
    }

    @Test
    void aWrongFileListsEveryMissingUnexpectedAndWrongShapeKey() throws Exception {
        Map<String, Tensor> state = stateDict(small());
        state.remove("fc.bias");
        state.remove("features.1.running_var");
        state.put("classifier.6.weight", Tensor.zeros(5, 64));
        state.put("features.0.weight", Tensor.zeros(4, 1, 3, 3));
        state.put("fc.num_batches_tracked", Tensor.zeros(1)); // fc is no BatchNorm
        state.put("features.1.num_batches_tracked", Tensor.zeros(2));
        Path file = write(state);
        Sequential model = small();
        float before = Layers.namedParameters(model).get("fc.weight").value().at(0);
        var e = assertThrows(ModelFormatException.class, () -> PyTorchWeights.load(model, file));
        assertEquals("the PyTorch weights do not fit the model: "
                + "2 missing (features.1.running_var [4], fc.bias [5]); "
                + "2 unexpected (classifier.6.weight [5, 64], fc.num_batches_tracked [1]); "
                + "2 wrong shape (features.0.weight: file [4, 1, 3, 3], model [4, 3, 3, 3]; "
                + "features.1.num_batches_tracked: file [2], model one value (a count))", e.problem());
        assertEquals(before, Layers.namedParameters(model).get("fc.weight").value().at(0), "nothing loaded");
    }

    @Test
    void theWrongZooModelSaysWhatDiffers() throws Exception {
        // torchvision's resnet18 (1000 classes) into a 10-class one: only the head differs
        var e = assertThrows(ModelFormatException.class,
                () -> PyTorchWeights.load(Zoo.build("resnet18", 3, 64, 64, 10), resource("resnet18.safetensors")));
        assertTrue(e.getMessage().endsWith("the PyTorch weights do not fit the model: 2 wrong shape "
                + "(fc.weight: file [1000, 512], model [10, 512]; fc.bias: file [1000], model [10])"), e.getMessage());
        // into resnet34: layer1.2 ... are missing
        e = assertThrows(ModelFormatException.class,
                () -> PyTorchWeights.load(Zoo.build("resnet34", 3, 64, 64, 1000), resource("resnet18.safetensors")));
        assertTrue(e.problem().startsWith("the PyTorch weights do not fit the model: 80 missing (layer1.2.conv1.weight [64, 64, 3, 3]"), e.problem());
    }

    @Test
    void aTruncatedFileFailsCleanly() throws Exception {
        byte[] bytes = Files.readAllBytes(resource("googlenet.safetensors"));
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var e = assertThrows(ModelFormatException.class, () -> PyTorchWeights.load(Zoo.build("googlenet", 3, 64, 64, 10), cut));
        assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
    }

    @Test
    void int64EntriesAreSizeCheckedLikeAnyOther() throws Exception {
        // a num_batches_tracked scalar given 4 bytes instead of 8, and one spanning 16 for a single value
        for (String[] c : new String[][] {{"[0,4]", "4", "has 1 int64 values (8 bytes) but data_offsets [0, 4] span 4 bytes"},
                {"[0,16]", "16", "has 1 int64 values (8 bytes) but data_offsets [0, 16] span 16 bytes"}}) {
            String json = "{\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":" + c[0] + "}}";
            byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length + Integer.parseInt(c[1])).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putLong(header.length).put(header);
            Path file = Files.write(dir.resolve("i64.safetensors"), b.array());
            var e = assertThrows(ModelFormatException.class, () -> PyTorchWeights.load(small(), file));
            assertTrue(e.problem().endsWith(c[2]), e.problem());
        }
    }
}
