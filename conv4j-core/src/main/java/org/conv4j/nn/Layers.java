package org.conv4j.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/** Walks a layer tree: dotted PyTorch-style names for every parameter, zeroing gradients. */
public final class Layers {
    private Layers() {
    }

    /** Every parameter and buffer under {@code root}, named like "features.0.weight", in order. */
    public static Map<String, Parameter> namedParameters(Layer root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(Layer layer, String prefix, Map<String, Parameter> out) {
        for (Parameter p : layer.parameters()) out.put(prefix + p.name(), p);
        for (Map.Entry<String, Layer> child : layer.children().entrySet()) {
            collect(child.getValue(), prefix + child.getKey() + ".", out);
        }
    }

    /** Number of trainable values. */
    public static long parameterCount(Layer root) {
        long n = 0;
        for (Parameter p : namedParameters(root).values()) if (p.isTrainable()) n += p.value().size();
        return n;
    }

    public static void zeroGrad(Layer root) {
        for (Parameter p : namedParameters(root).values()) p.zeroGrad();
    }

    /** The layer's class name, used in error messages. */
    static String describe(Layer layer) {
        return layer.getClass().getSimpleName();
    }
}
