package org.conv4j.io;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Softmax;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir
    Path dir;

    /** LeNet-5's shape on 28x28 MNIST, with strided convs standing in for the pooling layers. */
    static Sequential lenet(long seed) {
        Init.seed(seed);
        return new Sequential(
                new Conv2d(1, 6, 5).padding(2).stride(2), new ReLU(), // (N, 6, 14, 14)
                new Conv2d(6, 16, 5).stride(2), new ReLU(), // (N, 16, 5, 5)
                new Flatten(),
                new Linear(16 * 5 * 5, 120), new ReLU(),
                new Linear(120, 84), new ReLU(),
                new Linear(84, 10), new Softmax());
    }

    /** A conv with every option away from its default. */
    static Conv2d everyOption() {
        return new Conv2d(4, 6, 3, 2).stride(2, 1).padding(1, 0, 2, 1).dilation(2, 1).groups(2).bias(false)
                .paddingMode(PaddingMode.REFLECT).strict(true);
    }

    /** Same string form, same parameter names, kinds and shapes, same bits. */
    static boolean sameModel(Layer a, Layer b) {
        if (!a.toString().equals(b.toString())) return false;
        Map<String, Parameter> pa = Layers.namedParameters(a), pb = Layers.namedParameters(b);
        if (!new ArrayList<>(pa.keySet()).equals(new ArrayList<>(pb.keySet()))) return false;
        for (String name : pa.keySet()) {
            Tensor x = pa.get(name).value(), y = pb.get(name).value();
            if (pa.get(name).isTrainable() != pb.get(name).isTrainable() || !x.shape().equals(y.shape())) return false;
            for (int i = 0; i < x.size(); i++) if (Float.floatToRawIntBits(x.at(i)) != Float.floatToRawIntBits(y.at(i))) return false;
        }
        return true;
    }

    private void assertRoundTrip(Layer model, Tensor x) throws IOException {
        Path f = dir.resolve("model.safetensors");
        ModelFile.save(model, f);
        Layer loaded = ModelFile.load(f);
        assertNotSame(model, loaded);
        assertEquals(model.toString(), loaded.toString());
        assertEquals(new ArrayList<>(Layers.namedParameters(model).keySet()), new ArrayList<>(Layers.namedParameters(loaded).keySet()));
        assertTrue(sameModel(model, loaded), "parameters differ after the round trip");
        assertEquals(Architecture.toJson(model), Architecture.toJson(loaded));
        assertSameBits(model.forward(x, Mode.EVAL), loaded.forward(x, Mode.EVAL));
    }

    @Test
    void lenetRoundTripGivesBitIdenticalOutputs() throws IOException {
        Sequential model = lenet(5);
        assertRoundTrip(model, random(new SplittableRandom(1), 3, 1, 28, 28));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias", "7.weight", "7.bias", "9.weight", "9.bias"),
                new ArrayList<>(Layers.namedParameters(ModelFile.load(dir.resolve("model.safetensors"))).keySet()));
    }

    @Test
    void convWithEveryOptionRoundTrips() throws IOException {
        Conv2d conv = everyOption();
        assertEquals("{\"type\":\"Conv2d\",\"in_channels\":4,\"out_channels\":6,\"kernel_size\":[3,2],\"stride\":[2,1],"
                + "\"padding\":[1,0,2,1],\"dilation\":[2,1],\"groups\":2,\"bias\":false,\"padding_mode\":\"reflect\",\"strict\":true}",
                Architecture.toJson(conv));
        assertRoundTrip(conv, random(new SplittableRandom(2), 2, 4, 8, 7));
        Conv2d loaded = (Conv2d) ModelFile.load(dir.resolve("model.safetensors"));
        assertTrue(loaded.isStrict());
        assertFalse(loaded.hasBias());
        assertEquals(PaddingMode.REFLECT, loaded.paddingMode());
        assertEquals(List.of(1, 0, 2, 1), Arrays.stream(loaded.padding()).boxed().toList());

        Conv2d same = new Conv2d(3, 3, 4).dilation(2).padding("same").paddingMode(PaddingMode.CIRCULAR).groups(3);
        assertTrue(Architecture.toJson(same).contains("\"padding\":\"same\""));
        assertRoundTrip(same, random(new SplittableRandom(3), 1, 3, 9, 10));
        assertTrue(((Conv2d) ModelFile.load(dir.resolve("model.safetensors"))).isSame());
        assertRoundTrip(new Sequential(new Sequential(new Conv2d(2, 2, 1).paddingMode(PaddingMode.REPLICATE).padding(1)), new Sequential()),
                random(new SplittableRandom(4), 2, 2, 3, 3));
    }

    @Test
    void handWrittenArchitecturesMayUseShortFormsAndDefaults() {
        Conv2d c = (Conv2d) Architecture.fromJson("{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":8,\"kernel_size\":3,\"padding\":1}");
        assertEquals("Conv2d(3, 8, kernel_size=3, padding=[1, 1, 1, 1])", c.toString());
        c = (Conv2d) Architecture.fromJson("{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":8,\"kernel_size\":[1,3],\"padding\":[0,1],\"stride\":2}");
        assertEquals("Conv2d(3, 8, kernel_size=1x3, stride=2, padding=[0, 0, 1, 1])", c.toString());
        c = (Conv2d) Architecture.fromJson("{\"type\":\"Conv2d\",\"in_channels\":1,\"out_channels\":1,\"kernel_size\":3,\"padding\":\"valid\"}");
        assertEquals("Conv2d(1, 1, kernel_size=3)", c.toString());
        assertEquals("Linear(4, 2, bias=false)", Architecture.fromJson("{\"type\":\"Linear\",\"in_features\":4,\"out_features\":2,\"bias\":false}").toString());
        assertTrue(Architecture.types().containsAll(List.of("Conv2d", "Linear", "ReLU", "Flatten", "Softmax", "Sequential")));
    }

    @Test
    void architectureErrorsNameThePathAndTheProblem() {
        String[][] cases = {
            {"{\"type\":\"Sequential\",\"layers\":[{\"type\":\"ReLU\"},{\"type\":\"Bogus\"}]}", "$.layers[1]: unknown layer type 'Bogus'"},
            {"{\"type\":\"org.conv4j.nn.ReLU\"}", "unknown layer type 'org.conv4j.nn.ReLU'"},
            {"{\"layers\":[]}", "$: a layer needs a string \"type\", got null"},
            {"[1]", "$: a layer must be a JSON object, got array"},
            {"{\"type\":\"ReLU\",\"inplace\":true}", "$ (ReLU): unknown keys [inplace]"},
            {"{\"type\":\"Linear\",\"in_features\":4}", "$ (Linear): missing 'out_features'"},
            {"{\"type\":\"Linear\",\"in_features\":4.5,\"out_features\":2}", "'in_features' must be an integer, got 4.5"},
            {"{\"type\":\"Linear\",\"in_features\":4,\"out_features\":2,\"bias\":1}", "'bias' must be true or false, got number"},
            {"{\"type\":\"Linear\",\"in_features\":4,\"out_features\":-2}", "$ (Linear): Linear: out_features must be positive, got -2"},
            {"{\"type\":\"Linear\",\"in_features\":4,\"out_features\":99999999999}", "'out_features' value 99999999999 is out of the int range"},
            {"{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":3,\"groups\":2}", "in_channels (3) must be divisible by groups (2)"},
            {"{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":[3,3,3]}", "'kernel_size' must have 2 values, got 3"},
            {"{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":3,\"padding\":[1,2,3]}", "got 3 values"},
            {"{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":3,\"padding\":\"full\"}", "padding must be 'same', 'valid' or numbers"},
            {"{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":3,\"padding\":\"same\",\"stride\":2}", "padding='same' needs stride 1"},
            {"{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":3,\"padding_mode\":\"mirror\"}", "'padding_mode' must be zeros, reflect, replicate or circular, got \"mirror\""},
            {"{\"type\":\"Sequential\",\"layers\":{}}", "'layers' must be an array of layers, got object"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.fromJson(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void registryIsClosedAgainstFilesAndRefusesReplacingTypes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.toJson(new Layer() {
            @Override
            public Tensor forward(Tensor x, Mode mode) {
                return x;
            }

            @Override
            public Tensor backward(Tensor dy) {
                return dy;
            }

            @Override
            public org.conv4j.tensor.Shape outputShape(org.conv4j.tensor.Shape in) {
                return in;
            }
        }));
        assertTrue(e.getMessage().contains("no layer type is registered for it"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Architecture.register("ReLU", Identity.class, (l, out) -> { }, c -> new Identity()));
        assertTrue(e.getMessage().contains("'ReLU' is already registered"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Architecture.register("MyReLU", ReLU.class, (l, out) -> { }, c -> new ReLU()));
        assertTrue(e.getMessage().contains("already registered as 'ReLU'"), e.getMessage());
    }

    /** A user's own layer type, registered in code (never named by a file). */
    static final class Identity implements Layer {
        @Override
        public Tensor forward(Tensor x, Mode mode) {
            return x;
        }

        @Override
        public Tensor backward(Tensor dy) {
            return dy;
        }

        @Override
        public org.conv4j.tensor.Shape outputShape(org.conv4j.tensor.Shape in) {
            return in;
        }
    }

    /**
     * A user's container with named children, registered in code the way a Graph entry will be:
     * {@code {"type":"test.Named","nodes":[{"name":"conv1","layer":{...}}, ...]}}.
     */
    static final class Named implements Layer {
        final Map<String, Layer> nodes = new LinkedHashMap<>();

        Named add(String name, Layer layer) {
            nodes.put(name, layer);
            return this;
        }

        @Override
        public Map<String, Layer> children() {
            return nodes;
        }

        @Override
        public Tensor forward(Tensor x, Mode mode) {
            for (Layer l : nodes.values()) x = l.forward(x, mode);
            return x;
        }

        @Override
        public Tensor backward(Tensor dy) {
            throw new UnsupportedOperationException("not needed by this test");
        }

        @Override
        public org.conv4j.tensor.Shape outputShape(org.conv4j.tensor.Shape in) {
            for (Layer l : nodes.values()) in = l.outputShape(in);
            return in;
        }

        @Override
        public String toString() {
            return "Named" + nodes;
        }
    }

    static {
        Architecture.register("test.Named", Named.class,
                (n, out) -> {
                    List<Object> nodes = new ArrayList<>();
                    for (Map.Entry<String, Layer> e : n.nodes.entrySet()) {
                        Map<String, Object> node = new LinkedHashMap<>();
                        node.put("name", e.getKey());
                        node.put("layer", Architecture.encode(e.getValue()));
                        nodes.add(node);
                    }
                    out.put("nodes", nodes);
                },
                c -> {
                    Named n = new Named();
                    for (LayerConfig node : c.objects("nodes")) n.add(node.string("name"), node.layer("layer"));
                    return n;
                });
    }

    @Test
    void aRegisteredContainerWithNamedNodesRoundTrips() throws IOException {
        Init.seed(31);
        Named model = new Named().add("conv1", new Conv2d(2, 3, 3)).add("act", new ReLU()).add("flat", new Flatten()).add("fc", new Linear(3 * 2 * 2, 2));
        assertEquals("{\"type\":\"test.Named\",\"nodes\":[{\"name\":\"conv1\",\"layer\":{\"type\":\"Conv2d\"", Architecture.toJson(model).substring(0, 70));
        assertRoundTrip(model, random(new SplittableRandom(32), 2, 2, 4, 4));
        assertEquals(List.of("conv1.weight", "conv1.bias", "fc.weight", "fc.bias"),
                new ArrayList<>(Layers.namedParameters(ModelFile.load(dir.resolve("model.safetensors"))).keySet()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Architecture.fromJson("{\"type\":\"test.Named\",\"nodes\":[{\"name\":\"a\",\"inptus\":[],\"layer\":{\"type\":\"ReLU\"}}]}"));
        assertEquals("$.nodes[0] (test.Named): unknown keys [inptus]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Architecture.fromJson("{\"type\":\"test.Named\",\"nodes\":[3]}"));
        assertEquals("$ (test.Named): 'nodes[0]' must be an object, got number", e.getMessage());
    }

    @Test
    void extrasTravelWithTheModel() throws IOException {
        Sequential model = lenet(6);
        Map<String, Tensor> extra = new LinkedHashMap<>();
        extra.put("optimizer.0.weight.momentum", random(new SplittableRandom(7), 6, 1, 5, 5));
        extra.put("optimizer.step", Tensor.of(new float[] {42}, 1));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", "3");
        meta.put("trainer", "{\"lr\":0.01}");
        Path f = dir.resolve("checkpoint.safetensors");
        ModelFile.save(model, f, extra, meta);
        ModelFile.Contents c = ModelFile.read(f);
        assertTrue(sameModel(model, c.model()));
        assertEquals(new ArrayList<>(extra.keySet()), new ArrayList<>(c.extraTensors().keySet()));
        for (String k : extra.keySet()) assertSameBits(extra.get(k), c.extraTensors().get(k));
        assertEquals(meta, c.extraMetadata());
        assertTrue(sameModel(model, ModelFile.load(f)));
        // the file is plain safetensors with our metadata
        Map<String, String> raw = SafeTensors.readHeader(f).metadata();
        assertEquals("conv4j", raw.get("format"));
        assertEquals("1", raw.get("conv4j.version"));
        assertEquals(Architecture.toJson(model), raw.get("conv4j.architecture"));
        assertEquals("[\"optimizer.0.weight.momentum\",\"optimizer.step\"]", raw.get("conv4j.extra_tensors"));
        // weights alone load into an existing model of the same architecture
        Sequential other = lenet(99);
        assertFalse(sameModel(model, other));
        ModelFile.loadWeights(other, f);
        assertTrue(sameModel(model, other));

        assertThrows(IllegalArgumentException.class, () -> ModelFile.save(model, f, Map.of("0.weight", Tensor.zeros(1)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> ModelFile.save(model, f, Map.of(), Map.of("format", "pt")));
        assertThrows(IllegalArgumentException.class, () -> ModelFile.save(model, f, Map.of(), Map.of("conv4j.mine", "x")));
        assertTrue(sameModel(model, ModelFile.load(f)), "a refused save leaves the file as it was");
    }

    /** Writes a file with these tensors and metadata, bypassing ModelFile's own checks. */
    private Path craft(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Path f = Files.createTempFile(dir, "crafted", ".safetensors");
        SafeTensors.write(f, tensors, metadata);
        return f;
    }

    private static Map<String, String> meta(String architecture, String... more) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "conv4j");
        m.put("conv4j.version", "1");
        if (architecture != null) m.put("conv4j.architecture", architecture);
        for (int i = 0; i < more.length; i += 2) m.put(more[i], more[i + 1]);
        return m;
    }

    private void rejects(Path f, String part) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    @Test
    void rejectsFilesThatDoNotMatchTheirArchitecture() throws IOException {
        String linear = "{\"type\":\"Linear\",\"in_features\":3,\"out_features\":2}";
        Tensor w = Tensor.zeros(2, 3), b = Tensor.zeros(2);
        Map<String, Tensor> ok = new LinkedHashMap<>();
        ok.put("weight", w);
        ok.put("bias", b);
        assertEquals("Linear(3, 2)", ModelFile.load(craft(ok, meta(linear))).toString());

        rejects(craft(Map.of("weight", w), meta(linear)), "missing tensor 'bias' (shape [2]) of the model");
        Map<String, Tensor> extra = new LinkedHashMap<>(ok);
        extra.put("running_mean", b);
        rejects(craft(extra, meta(linear)), "unexpected tensor 'running_mean'");
        Map<String, Tensor> wrong = new LinkedHashMap<>(ok);
        wrong.put("weight", Tensor.zeros(3, 2));
        rejects(craft(wrong, meta(linear)), "tensor 'weight' has shape [3, 2], the model expects [2, 3]");
        rejects(craft(ok, meta("{\"type\":\"Bogus\"}")), "architecture: $: unknown layer type 'Bogus'");
        rejects(craft(ok, meta("{\"type\":\"Linear\",")), "architecture is not valid JSON");
        rejects(craft(ok, meta(null)), "metadata 'conv4j.architecture' is missing");
        rejects(craft(ok, Map.of("format", "pt")), "not a conv4j model file: metadata 'format' is 'pt'");
        rejects(craft(ok, Map.of()), "metadata 'format' is missing");
        Map<String, String> v2 = meta(linear);
        v2.put("conv4j.version", "2");
        rejects(craft(ok, v2), "format version 2 is not supported");
        v2.put("conv4j.version", "one");
        rejects(craft(ok, v2), "'conv4j.version' must be an integer, got 'one'");
        rejects(craft(ok, meta(linear, "conv4j.extra_tensors", "[\"ghost\"]")), "missing extra tensor 'ghost'");
        rejects(craft(ok, meta(linear, "conv4j.extra_tensors", "{}")), "must be a JSON array, got object");
        rejects(craft(ok, meta(linear, "conv4j.extra_tensors", "[\"bias\"]")), "extra tensor 'bias' has the name of a model parameter");
        String deep = "{\"type\":\"Sequential\",\"layers\":[".repeat(200) + "]}".repeat(200);
        rejects(craft(ok, meta(deep)), "nesting deeper than the limit");
    }

    @Test
    void refusesArchitecturesClaimingMoreValuesThanTheFileHoldsBeforeAllocating() throws IOException {
        Map<String, Tensor> small = Map.of("weight", Tensor.zeros(2, 3));
        long allowed = 6 + ModelFile.ALLOCATION_MARGIN;
        // 50,000 x 50,000 floats would be 10 GB: refused from the budget, not an OutOfMemoryError
        rejects(craft(small, meta("{\"type\":\"Linear\",\"in_features\":50000,\"out_features\":50000}")),
                "the architecture needs at least 2500000000 parameter values, more than the " + allowed + " allowed");
        // the ungrouped weight Conv2d allocates before groups() shrinks it is bounded too
        rejects(craft(small, meta("{\"type\":\"Conv2d\",\"in_channels\":40000,\"out_channels\":40000,\"kernel_size\":1,\"groups\":40000,\"bias\":false}")),
                "building the layer would allocate 1600000000 values, more than the " + allowed + " allowed");
        String many = "{\"type\":\"Sequential\",\"layers\":[" + String.join(",", java.util.Collections.nCopies(1000,
                "{\"type\":\"Linear\",\"in_features\":1000,\"out_features\":1000,\"bias\":false}")) + "]}";
        rejects(craft(small, meta(many)), "$.layers[16] (Linear): the architecture needs at least 17000000 parameter values, more than the " + allowed + " allowed");
        // a depthwise conv whose file holds exactly its values loads
        Map<String, Tensor> dw = Map.of("weight", Tensor.zeros(64, 1, 3, 3));
        Layer conv = ModelFile.load(craft(dw, meta("{\"type\":\"Conv2d\",\"in_channels\":64,\"out_channels\":64,\"kernel_size\":3,\"groups\":64,\"bias\":false}")));
        assertEquals("Conv2d(64, 64, kernel_size=3, groups=64, bias=false)", conv.toString());
    }

    @Test
    void randomMutationsOfAValidFileLoadOrFailWithModelFormatException() throws IOException {
        Init.seed(12);
        Sequential model = new Sequential(new Conv2d(1, 2, 3).padding(1), new ReLU(), new Flatten(), new Linear(2 * 4 * 4, 3), new Softmax());
        Path good = dir.resolve("good.safetensors");
        ModelFile.save(model, good, Map.of("opt.m", Tensor.zeros(3)), Map.of("epoch", "1"));
        byte[] valid = Files.readAllBytes(good);
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        SplittableRandom rng = new SplittableRandom(2024);
        Path f = dir.resolve("mutant.safetensors");
        int loaded = 0, rejected = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = valid.clone();
            String what;
            switch (rng.nextInt(6)) {
                case 0: { // flip bits of a few bytes anywhere
                    int n = 1 + rng.nextInt(4);
                    for (int i = 0; i < n; i++) b[rng.nextInt(b.length)] ^= (byte) (1 + rng.nextInt(255));
                    what = n + " random byte flips";
                    break;
                }
                case 1: { // replace a header byte with a JSON-significant character
                    int at = 8 + rng.nextInt(headerEnd - 8);
                    b[at] = (byte) "{}[]\",:0123456789-.eEtfn \\".charAt(rng.nextInt(26));
                    what = "header byte " + at + " set to '" + (char) b[at] + "'";
                    break;
                }
                case 2: { // truncate
                    int len = rng.nextInt(b.length);
                    b = Arrays.copyOf(b, len);
                    what = "truncated to " + len;
                    break;
                }
                case 3: { // edit the header length
                    long[] claims = {headerEnd - 8 + rng.nextInt(-16, 17), rng.nextLong(), 1L << rng.nextInt(64), rng.nextInt(valid.length + 100)};
                    long claim = claims[rng.nextInt(claims.length)];
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, claim);
                    what = "header length set to " + claim;
                    break;
                }
                case 4: { // insert or delete a few header bytes
                    int at = 8 + rng.nextInt(headerEnd - 8), n = 1 + rng.nextInt(3);
                    byte[] c = new byte[b.length + (rng.nextBoolean() ? n : -n)];
                    System.arraycopy(b, 0, c, 0, at);
                    if (c.length > b.length) {
                        for (int i = 0; i < n; i++) c[at + i] = (byte) rng.nextInt(32, 127);
                        System.arraycopy(b, at, c, at + n, b.length - at);
                    } else {
                        System.arraycopy(b, at + n, c, at, b.length - at - n);
                    }
                    b = c;
                    what = (c.length > valid.length ? "inserted " : "deleted ") + n + " bytes at " + at;
                    break;
                }
                default: { // overwrite a digit in the header with another digit (sizes, offsets, shapes)
                    int at = 8 + rng.nextInt(headerEnd - 8);
                    while (at < headerEnd && (b[at] < '0' || b[at] > '9')) at++;
                    if (at < headerEnd) b[at] = (byte) ('0' + rng.nextInt(10));
                    what = "digit at " + at + " changed";
                }
            }
            Files.write(f, b);
            try {
                ModelFile.read(f);
                loaded++;
            } catch (ModelFormatException e) {
                rejected++;
            } catch (Throwable t) {
                fail("trial " + trial + " (" + what + ") threw " + t, t);
            }
        }
        assertTrue(loaded > 100 && rejected > 1000, "loaded " + loaded + ", rejected " + rejected);
    }
}
