package org.conv4j.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.conv4j.nn.Layer;

/**
 * One layer's JSON configuration as a decoder in the {@link Architecture} registry reads it:
 * typed getters that reject wrong types and out-of-range values with a message giving the
 * path in the architecture ({@code "layers[2] (Conv2d): 'stride' must be ..."}). After the
 * decoder returns, any key it did not read is an error, so a typo in a hand-written file never
 * goes unnoticed. Errors are {@link IllegalArgumentException}s; {@link ModelFile} reports them
 * as {@link ModelFormatException}s naming the file.
 */
public final class LayerConfig {
    private final Map<String, Object> json;
    private final String path;
    private final String type;
    private final Architecture.Budget budget;
    private final Set<String> read = new HashSet<>();
    private final List<LayerConfig> nested = new ArrayList<>();

    LayerConfig(Map<String, Object> json, String path, String type, Architecture.Budget budget) {
        this.json = json;
        this.path = path;
        this.type = type;
        this.budget = budget;
        read.add("type");
    }

    /** The layer type, e.g. "Conv2d". */
    public String type() {
        return type;
    }

    /** Where this layer sits in the architecture, e.g. "$.layers[2]". */
    public String path() {
        return path;
    }

    public boolean has(String key) {
        return json.containsKey(key);
    }

    /** A required integer in the int range. */
    public int intValue(String key) {
        return toInt(key, required(key));
    }

    public int intValue(String key, int defaultValue) {
        return has(key) ? intValue(key) : defaultValue;
    }

    /** A pair such as a kernel size or stride: one integer n (meaning [n, n]) or an array of two; required. */
    public int[] intPair(String key) {
        Object v = required(key);
        if (v instanceof List) return intArray(key, 2);
        int n = toInt(key, v);
        return new int[] {n, n};
    }

    public int[] intPair(String key, int defaultValue) {
        return has(key) ? intPair(key) : new int[] {defaultValue, defaultValue};
    }

    /** A required array of exactly {@code length} integers (any length if negative). */
    public int[] intArray(String key, int length) {
        Object v = required(key);
        if (!(v instanceof List)) throw error("'%s' must be an array of integers, got %s", key, Json.typeName(v));
        List<?> list = (List<?>) v;
        if (length >= 0 && list.size() != length) throw error("'%s' must have %d values, got %d", key, length, list.size());
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = toInt(key, list.get(i));
        return out;
    }

    public boolean bool(String key, boolean defaultValue) {
        if (!has(key)) return defaultValue;
        Object v = json.get(key);
        read.add(key);
        if (!(v instanceof Boolean)) throw error("'%s' must be true or false, got %s", key, Json.typeName(v));
        return (Boolean) v;
    }

    public String string(String key) {
        Object v = required(key);
        if (!(v instanceof String)) throw error("'%s' must be a string, got %s", key, Json.typeName(v));
        return (String) v;
    }

    public String string(String key, String defaultValue) {
        return has(key) ? string(key) : defaultValue;
    }

    /** A required floating-point number (an integer is accepted too); must be finite. */
    public double number(String key) {
        Object v = required(key);
        if (!(v instanceof Long) && !(v instanceof Double)) throw error("'%s' must be a number, got %s", key, Json.typeName(v));
        return ((Number) v).doubleValue();
    }

    public double number(String key, double defaultValue) {
        return has(key) ? number(key) : defaultValue;
    }

    /** The value of {@code key}, one of several types: for options like Conv2d's padding (an int, a list or a string). */
    public Object raw(String key) {
        return required(key);
    }

    /** A required array of strings (e.g. a Graph node's inputs). */
    public List<String> strings(String key) {
        Object v = required(key);
        if (!(v instanceof List)) throw error("'%s' must be an array of strings, got %s", key, Json.typeName(v));
        List<String> out = new ArrayList<>();
        for (Object item : (List<?>) v) {
            if (!(item instanceof String)) throw error("'%s' must hold strings, got %s", key, Json.typeName(item));
            out.add((String) item);
        }
        return Collections.unmodifiableList(out);
    }

    /** A nested layer, decoded through the registry. */
    public Layer layer(String key) {
        return Architecture.decode(required(key), path + "." + key, budget);
    }

    /** An array of nested layers, decoded through the registry. */
    public List<Layer> layers(String key) {
        Object v = required(key);
        if (!(v instanceof List)) throw error("'%s' must be an array of layers, got %s", key, Json.typeName(v));
        List<?> list = (List<?>) v;
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) out.add(Architecture.decode(list.get(i), path + "." + key + "[" + i + "]", budget));
        return out;
    }

    /**
     * A required array of plain objects that are not layers themselves, such as a Graph's nodes
     * ({@code {"name": ..., "inputs": [...], "layer": {...}}}); each is read with the same getters
     * and its unread keys are errors too.
     */
    public List<LayerConfig> objects(String key) {
        Object v = required(key);
        if (!(v instanceof List)) throw error("'%s' must be an array of objects, got %s", key, Json.typeName(v));
        List<?> list = (List<?>) v;
        List<LayerConfig> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (!(item instanceof Map)) throw error("'%s[%d]' must be an object, got %s", key, i, Json.typeName(item));
            @SuppressWarnings("unchecked")
            Map<String, Object> obj = (Map<String, Object>) item;
            LayerConfig child = new LayerConfig(obj, path + "." + key + "[" + i + "]", type, budget);
            child.read.remove("type"); // a plain object has no type key of its own
            nested.add(child);
            out.add(child);
        }
        return out;
    }

    /**
     * Declares that the layer about to be built allocates a tensor with these dimensions. A
     * decoder calls this before constructing a layer with parameters, so that an architecture
     * claiming more values than the file holds is rejected before any memory is allocated.
     */
    public void reserve(int... dims) {
        budget.take(product(dims), this);
    }

    /**
     * Declares a temporary allocation of these dimensions that the finished layer does not keep
     * (Conv2d allocates its ungrouped weight before {@code groups()} shrinks it); it must not
     * exceed what the file could justify.
     */
    public void reserveTemporary(int... dims) {
        budget.checkTemporary(product(dims), this);
    }

    /** The saturated product; 0 for a non-positive dimension, which the layer's own validation rejects before allocating. */
    private static long product(int... dims) {
        long n = 1;
        for (int d : dims) {
            if (d <= 0) return 0;
            n = n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * d;
        }
        return n;
    }

    /** An {@link IllegalArgumentException} whose message starts with this layer's path and type. */
    public IllegalArgumentException error(String format, Object... args) {
        return new IllegalArgumentException(path + " (" + type + "): " + String.format(format, args));
    }

    /** Fails on the first key, here or in a nested object, that the decoder never read. */
    void checkAllKeysRead() {
        Set<String> unread = new java.util.LinkedHashSet<>(json.keySet());
        unread.removeAll(read);
        if (!unread.isEmpty()) throw error("unknown keys %s", unread);
        for (LayerConfig c : nested) c.checkAllKeysRead();
    }

    private Object required(String key) {
        if (!json.containsKey(key)) throw error("missing '%s'", key);
        read.add(key);
        return json.get(key);
    }

    private int toInt(String key, Object v) {
        if (!(v instanceof Long)) throw error("'%s' must be an integer, got %s", key, v instanceof String ? "\"" + v + "\"" : String.valueOf(v));
        long l = (Long) v;
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw error("'%s' value %d is out of the int range", key, l);
        return (int) l;
    }
}
