package org.conv4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Layers applied in order. Children are named "0", "1", ... as in PyTorch's {@code nn.Sequential},
 * or by the name given to {@link #add(String, Layer)} (as with PyTorch's OrderedDict form), so
 * parameters read "features.0.weight".
 */
public final class Sequential implements Layer {
    private final List<Layer> layers = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    public Sequential add(Layer layer) {
        return add(Integer.toString(layers.size()), layer);
    }

    /** Adds a named child; names are non-empty, unique and contain no '.'. */
    public Sequential add(String name, Layer layer) {
        java.util.Objects.requireNonNull(layer, "layer");
        Check.arg(name != null && !name.isEmpty() && !name.contains("."), "Sequential",
                "child names must be non-empty and contain no '.', got '%s'", name);
        Check.arg(!names.contains(name), "Sequential", "duplicate child name '%s'", name);
        layers.add(layer);
        names.add(name);
        return this;
    }

    /** The child names, in order. */
    public List<String> names() {
        return Collections.unmodifiableList(names);
    }

    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    public Layer get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Map<String, Layer> children() {
        Map<String, Layer> m = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) m.put(names.get(i), layers.get(i));
        return m;
    }

    @Override
    public Shape outputShape(Shape input) {
        Shape s = input;
        for (int i = 0; i < layers.size(); i++) {
            try {
                s = layers.get(i).outputShape(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + names.get(i) + " (" + brief(layers.get(i)) + "): " + e.getMessage(), e);
            }
        }
        return s;
    }

    // in EVAL a convolution and the batch norm and ReLU right after it run as one (ConvFusion)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        for (int i = 0, span; i < layers.size(); i += span) {
            Layer layer = layers.get(i);
            span = mode == Mode.EVAL ? ConvFusion.span(layer, layerAt(i + 1), layerAt(i + 2)) : 1;
            try {
                x = span == 1 ? layer.forward(x, mode) : ConvFusion.forward(layer, layerAt(i + 1), span, x);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + names.get(i) + " (" + brief(layer) + "): " + e.getMessage(), e);
            }
        }
        return x;
    }

    private Layer layerAt(int i) {
        return i < layers.size() ? layers.get(i) : null;
    }

    @Override
    public Tensor backward(Tensor dy) {
        for (int i = layers.size() - 1; i >= 0; i--) dy = layers.get(i).backward(dy);
        return dy;
    }

    @Override
    public void backwardParameters(Tensor dy) {
        for (int i = layers.size() - 1; i > 0; i--) dy = layers.get(i).backward(dy);
        if (!layers.isEmpty()) layers.get(0).backwardParameters(dy);
    }

    // containers print many lines; an error message names only their type
    private static String brief(Layer layer) {
        return layer.children().isEmpty() ? layer.toString() : layer.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(");
        for (int i = 0; i < layers.size(); i++) sb.append("\n  (").append(names.get(i)).append("): ").append(String.valueOf(layers.get(i)).replace("\n", "\n  "));
        return sb.append(layers.isEmpty() ? ")" : "\n)").toString();
    }
}
