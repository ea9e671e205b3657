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
    private final java.util.Set<String> nameSet = new java.util.HashSet<>();   // so add is O(1), loading linear in the layers
    private boolean[] swapped = new boolean[0];   // swapped[i]: layers i and i+1 ran in the other order in the last forward

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
        Check.arg(!nameSet.contains(name), "Sequential", "duplicate child name '%s'", name);
        nameSet.add(name);
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

    // in EVAL a convolution and the batch norm, ReLU and max pooling right after it run as one (ConvFusion); in
    // TRAIN a ReLU followed by a max pooling runs after it (the pair's swap, see swapsWithNext)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        boolean train = mode == Mode.TRAIN;   // EVAL stores nothing: one model may serve many threads
        Tensor chunked = train ? null : EvalChunks.forward(this, x);
        if (chunked != null) return chunked;
        if (train && swapped.length != layers.size()) swapped = new boolean[layers.size()];
        for (int i = 0, span; i < layers.size(); i += span) {
            Layer layer = layers.get(i);
            boolean swap = train && swapsWithNext(i);
            if (train) swapped[i] = swap;
            span = swap ? 2 : mode == Mode.EVAL ? ConvFusion.span(layer, layerAt(i + 1), layerAt(i + 2)) : 1;
            MaxPool2d pool = mode == Mode.EVAL && ConvFusion.poolsAfter(layer, layerAt(i + span)) ? (MaxPool2d) layerAt(i + span) : null;
            if (swap) {
                x = forward(i + 1, x, mode);
                x = forward(i, x, mode);
            } else if (span == 1 && pool == null) {
                x = forward(i, x, mode);
            } else {
                try {
                    x = ConvFusion.forward(layer, layerAt(i + 1), span, null, pool, x);
                } catch (IllegalArgumentException e) {
                    // the pooling's own errors (a window larger than the map) name it, as when it runs alone
                    throw named(pool != null && e.getMessage().startsWith("MaxPool2d") ? i + span : i, e);
                }
                if (pool != null) span++;
            }
        }
        return x;
    }

    /**
     * Whether layers i and i+1 are a ReLU and a max pooling that TRAIN runs in the other order:
     * max pooling commutes with ReLU (a non-decreasing map), and the gradients agree too (both
     * orders pass dy to the window's first maximum when it is positive, and nothing otherwise:
     * ReLU's gradient at 0 is 0), while the ReLU then reads and writes a quarter of the values
     * (a 2x2 pooling), forward and backward. Not for the first layer, whose backwardParameters
     * skips the input gradient.
     */
    private boolean swapsWithNext(int i) {
        return i > 0 && layers.get(i) instanceof ReLU && layerAt(i + 1) instanceof MaxPool2d;
    }

    private Tensor forward(int i, Tensor x, Mode mode) {
        try {
            return layers.get(i).forward(x, mode);
        } catch (IllegalArgumentException e) {
            throw named(i, e);
        }
    }

    private IllegalArgumentException named(int i, IllegalArgumentException e) {
        return new IllegalArgumentException("layer " + names.get(i) + " (" + brief(layers.get(i)) + "): " + e.getMessage(), e);
    }

    private Layer layerAt(int i) {
        return i < layers.size() ? layers.get(i) : null;
    }

    @Override
    public Tensor backward(Tensor dy) {
        return backward(dy, 0);
    }

    @Override
    public void backwardParameters(Tensor dy) {
        if (!layers.isEmpty()) layers.get(0).backwardParameters(backward(dy, 1));
    }

    // dL/d(input of layer `first`), through the layers from the last one down to `first`, a swapped pair in its run order
    private Tensor backward(Tensor dy, int first) {
        for (int i = layers.size() - 1; i >= first; i--) {
            if (i > first && i - 1 < swapped.length && swapped[i - 1]) {
                dy = layers.get(i - 1).backward(dy);
                dy = layers.get(i).backward(dy);
                i--;
            } else {
                dy = layers.get(i).backward(dy);
            }
        }
        return dy;
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
