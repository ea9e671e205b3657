package org.conv4j.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Softmax;

/**
 * A network's architecture as JSON, through a closed registry of layer types: each entry maps a
 * type name to the layer class, an encoder (configuration getters to JSON) and a decoder (JSON
 * to a new layer). A file only ever selects among the registered names; no class name from a
 * file is loaded, no reflection is applied to file content and there is no Java serialization
 * (DESIGN "Files": data-only model files).
 *
 * <p>A layer is an object with its {@code "type"} and its configuration in PyTorch's argument
 * names, all options written out:
 * <pre>
 * {"type":"Sequential","layers":[
 *   {"type":"Conv2d","in_channels":1,"out_channels":6,"kernel_size":[5,5],"stride":[1,1],
 *    "padding":[2,2,2,2],"dilation":[1,1],"groups":1,"bias":true,"padding_mode":"zeros","strict":false},
 *   {"type":"ReLU"}, {"type":"Flatten"}, {"type":"Linear","in_features":400,"out_features":120,"bias":true}]}
 * </pre>
 * Hand-written files may leave options at their defaults and use the short forms (an int for
 * a pair; padding as n, [ph, pw], [top, bottom, left, right], "same" or "valid"). Unknown
 * keys are errors. Containers nest their children's objects. The planned form of a Graph (a
 * DAG with named nodes) is
 * {@code {"type":"Graph","inputs":["x"],"nodes":[{"name":"conv1","inputs":["x"],"layer":{...}},
 * {"name":"add1","inputs":["a","b"],"layer":{"type":"Add"}}],"outputs":["add1"]}}, its
 * parameters named {@code <node name>.<parameter>} as its {@code children()} say.
 *
 * <p>Adding a layer type is one {@link #register} call in the static block below; a program may
 * also register its own layer types (before loading files that use them).
 */
public final class Architecture {
    /** Writes a layer's configuration into its JSON object (which already holds "type"). */
    @FunctionalInterface
    public interface Encoder<T extends Layer> {
        void encode(T layer, Map<String, Object> out);
    }

    /** Builds a new layer from its configuration; throws IllegalArgumentException on bad values. */
    @FunctionalInterface
    public interface Decoder {
        Layer decode(LayerConfig config);
    }

    private record Codec<T extends Layer>(String type, Class<T> layerClass, Encoder<T> encoder, Decoder decoder) {
        Map<String, Object> encode(Layer layer) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("type", type);
            encoder.encode(layerClass.cast(layer), out);
            return out;
        }
    }

    private static final Map<String, Codec<?>> BY_TYPE = new LinkedHashMap<>();
    private static final Map<Class<?>, Codec<?>> BY_CLASS = new LinkedHashMap<>();

    static {
        register("Sequential", Sequential.class,
                (s, out) -> {
                    List<Object> layers = new ArrayList<>();
                    for (Layer l : s.layers()) layers.add(encode(l));
                    out.put("layers", layers);
                    List<Object> names = new ArrayList<>(s.names());
                    boolean indexed = true;
                    for (int i = 0; i < names.size(); i++) indexed &= names.get(i).equals(Integer.toString(i));
                    if (!indexed) out.put("names", names);
                },
                c -> {
                    List<Layer> layers = c.layers("layers");
                    if (!c.has("names")) return new Sequential(layers.toArray(new Layer[0]));
                    Sequential s = new Sequential();
                    List<String> names = c.strings("names");
                    if (names.size() != layers.size()) throw c.error("'names' has %d entries for %d layers", names.size(), layers.size());
                    for (int i = 0; i < layers.size(); i++) s.add(names.get(i), layers.get(i));
                    return s;
                });
        register("Conv2d", Conv2d.class, Architecture::encodeConv2d, Architecture::decodeConv2d);
        register("Linear", Linear.class,
                (l, out) -> {
                    out.put("in_features", l.inFeatures());
                    out.put("out_features", l.outFeatures());
                    out.put("bias", l.hasBias());
                },
                c -> {
                    int in = c.intValue("in_features"), outF = c.intValue("out_features");
                    boolean bias = c.bool("bias", true);
                    c.reserve(outF, in);
                    if (bias) c.reserve(outF);
                    return new Linear(in, outF, bias);
                });
        register("ReLU", ReLU.class, (l, out) -> { }, c -> new ReLU());
        register("Flatten", Flatten.class, (l, out) -> { }, c -> new Flatten());
        register("Softmax", Softmax.class, (l, out) -> out.put("dim", l.dim()), c -> new Softmax(c.intValue("dim", 1))); // files before dim: 1
        BuiltinLayers.register();
    }

    private Architecture() {
    }

    /**
     * Adds a layer type. Types and classes are registered once; registering a taken name or
     * class is an error, so a built-in type can never be replaced.
     */
    public static synchronized <T extends Layer> void register(String type, Class<T> layerClass, Encoder<T> encoder, Decoder decoder) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(layerClass, "layer class");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        if (BY_TYPE.containsKey(type)) throw new IllegalArgumentException("Architecture: layer type '" + type + "' is already registered");
        if (BY_CLASS.containsKey(layerClass)) {
            throw new IllegalArgumentException("Architecture: " + layerClass.getName() + " is already registered as '" + BY_CLASS.get(layerClass).type() + "'");
        }
        Codec<T> codec = new Codec<>(type, layerClass, encoder, decoder);
        BY_TYPE.put(type, codec);
        BY_CLASS.put(layerClass, codec);
    }

    /** The registered type names, sorted. */
    public static synchronized Set<String> types() {
        return new TreeSet<>(BY_TYPE.keySet());
    }

    /** The JSON object of a layer (and, for containers, of its children). */
    public static Map<String, Object> encode(Layer layer) {
        Codec<?> codec;
        synchronized (Architecture.class) {
            codec = BY_CLASS.get(layer.getClass());
        }
        if (codec == null) {
            throw new IllegalArgumentException("Architecture: cannot save a " + layer.getClass().getName()
                    + ": no layer type is registered for it (known: " + types() + "); see Architecture.register");
        }
        return codec.encode(layer);
    }

    public static String toJson(Layer layer) {
        return Json.write(encode(layer));
    }

    /** A new layer from its JSON text; errors are IllegalArgumentExceptions naming the path in the JSON. */
    public static Layer fromJson(String json) {
        return fromJson(json, Long.MAX_VALUE);
    }

    /**
     * As {@link #fromJson(String)}, refusing (before allocating) an architecture whose layers
     * hold more than {@code maxParameterValues} parameter values in all.
     */
    public static Layer fromJson(String json, long maxParameterValues) {
        return decode(Json.parse(json), "$", new Budget(maxParameterValues, ReadLimits.DEFAULT.maxLayers()));
    }

    /** A new layer from its parsed JSON object, with at most {@link ReadLimits#DEFAULT}'s layers. */
    public static Layer decode(Object json, long maxParameterValues) {
        return decode(json, maxParameterValues, ReadLimits.DEFAULT.maxLayers());
    }

    /** A new layer from its parsed JSON object; more than {@code maxLayers} layers (containers included) is an error. */
    public static Layer decode(Object json, long maxParameterValues, int maxLayers) {
        return decode(json, "$", new Budget(maxParameterValues, maxLayers));
    }

    static Layer decode(Object json, String path, Budget budget) {
        if (!(json instanceof Map)) throw new IllegalArgumentException(path + ": a layer must be a JSON object, got " + Json.typeName(json));
        @SuppressWarnings("unchecked")
        Map<String, Object> obj = (Map<String, Object>) json;
        Object type = obj.get("type");
        if (!(type instanceof String)) throw new IllegalArgumentException(path + ": a layer needs a string \"type\", got " + Json.typeName(type));
        Codec<?> codec;
        synchronized (Architecture.class) {
            codec = BY_TYPE.get(type);
        }
        if (codec == null) throw new IllegalArgumentException(path + ": unknown layer type '" + type + "' (known: " + types() + ")");
        LayerConfig config = new LayerConfig(obj, path, (String) type, budget);
        budget.layer(config);
        Layer layer;
        try {
            layer = codec.decoder().decode(config);
        } catch (IllegalArgumentException e) {
            // the layer's own validation ("Conv2d: in_channels (3) must be divisible by groups (2)")
            if (e.getMessage() != null && e.getMessage().startsWith(path)) throw e;
            throw new IllegalArgumentException(path + " (" + type + "): " + e.getMessage(), e);
        }
        config.checkAllKeysRead();
        return layer;
    }

    // ---- Conv2d

    private static void encodeConv2d(Conv2d c, Map<String, Object> out) {
        out.put("in_channels", c.inChannels());
        out.put("out_channels", c.outChannels());
        out.put("kernel_size", List.of(c.kernelH(), c.kernelW()));
        out.put("stride", List.of(c.strideH(), c.strideW()));
        int[] p = c.padding();
        out.put("padding", c.isSame() ? "same" : List.of(p[0], p[1], p[2], p[3]));
        out.put("dilation", List.of(c.dilationH(), c.dilationW()));
        out.put("groups", c.groups());
        out.put("bias", c.hasBias());
        out.put("padding_mode", c.paddingMode().name().toLowerCase(Locale.ROOT));
        out.put("strict", c.isStrict());
    }

    private static Conv2d decodeConv2d(LayerConfig c) {
        int in = c.intValue("in_channels"), outC = c.intValue("out_channels");
        int[] k = c.intPair("kernel_size");
        int[] stride = c.intPair("stride", 1), dilation = c.intPair("dilation", 1);
        int groups = c.intValue("groups", 1);
        boolean bias = c.bool("bias", true);
        PaddingMode mode = paddingMode(c, c.string("padding_mode", "zeros"));
        // the constructor allocates the ungrouped weight before groups() shrinks it
        c.reserveTemporary(outC, in, k[0], k[1]);
        c.reserve(outC, Math.max(1, in / Math.max(1, groups)), k[0], k[1]);
        if (bias) c.reserve(outC);
        Conv2d conv = new Conv2d(in, outC, k[0], k[1]).groups(groups).bias(bias).stride(stride[0], stride[1])
                .dilation(dilation[0], dilation[1]).paddingMode(mode).strict(c.bool("strict", false));
        if (!c.has("padding")) return conv;
        Object p = c.raw("padding");
        if (p instanceof String) return conv.padding((String) p);
        if (!(p instanceof List)) {
            int n = c.intValue("padding");
            return conv.padding(n);
        }
        int[] v = c.intArray("padding", -1);
        if (v.length == 2) return conv.padding(v[0], v[1]);
        if (v.length == 4) return conv.padding(v[0], v[1], v[2], v[3]);
        throw c.error("'padding' must be n, [ph, pw], [top, bottom, left, right], \"same\" or \"valid\", got %d values", v.length);
    }

    private static PaddingMode paddingMode(LayerConfig c, String name) {
        for (PaddingMode m : PaddingMode.values()) if (m.name().toLowerCase(Locale.ROOT).equals(name)) return m;
        throw c.error("'padding_mode' must be zeros, reflect, replicate or circular, got \"%s\"", name);
    }

    /** The parameter values an architecture may allocate while it is decoded. */
    static final class Budget {
        private final long limit;
        private final int maxLayers;
        private long used;
        private int layers;

        Budget(long limit, int maxLayers) {
            this.limit = limit;
            this.maxLayers = maxLayers;
        }

        void layer(LayerConfig at) {
            if (++layers > maxLayers) throw at.error("the architecture has more than the limit of %d layers", maxLayers);
        }

        void take(long n, LayerConfig at) {
            used = n > Long.MAX_VALUE - used ? Long.MAX_VALUE : used + n;
            if (used > limit) throw at.error("the architecture needs at least %d parameter values, more than the %d allowed", used, limit);
        }

        void checkTemporary(long n, LayerConfig at) {
            if (n > limit) throw at.error("building the layer would allocate %d values, more than the %d allowed", n, limit);
        }
    }
}
