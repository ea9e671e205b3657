package org.conv4j.zoo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Shape;

/**
 * Shared pieces of the zoo: argument checks, the shape walk that names the layer where an input
 * is too small, torchvision's BasicConv2d, and torchvision's weight initializations.
 */
final class Nets {
    private Nets() {
    }

    /** Fails unless channels, height, width and classes are all positive. */
    static void checkArgs(String net, int channels, int height, int width, int classes) {
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException(String.format("%s: channels, height, width and classes must be positive, "
                    + "got channels=%d, height=%d, width=%d, classes=%d", net, channels, height, width, classes));
        }
    }

    /**
     * The output shape of {@code model} for a batch of one (channels, height, width) image; if a
     * layer rejects its input, an {@link IllegalArgumentException} names the network, the input,
     * the minimum size and the dotted path of the layer where the shapes break.
     */
    static Shape shape(String net, Layer model, int channels, int height, int width, int minimum) {
        return shape(net, "", model, channels, height, width, minimum);
    }

    /** As {@link #shape(String, Layer, int, int, int, int)} for a part of the model whose path is {@code prefix} ("features"). */
    static Shape shape(String net, String prefix, Layer model, int channels, int height, int width, int minimum) {
        try {
            return walk(model, prefix, Shape.of(1, channels, height, width));
        } catch (BreaksAt e) {
            boolean small = height < minimum || width < minimum;
            throw new IllegalArgumentException(String.format("%s: input %dx%dx%d %s (the minimum input is %dx%d): it breaks at layer %s (%s): %s",
                    net, channels, height, width, small ? "is too small" : "does not fit", minimum, minimum,
                    e.path, e.layer, e.getCause().getMessage()), e.getCause());
        }
    }

    /** A leaf layer's shape error with the leaf's dotted path. */
    private static final class BreaksAt extends RuntimeException {
        final String path, layer;

        BreaksAt(String path, String layer, IllegalArgumentException cause) {
            super(cause.getMessage(), cause, false, false);
            this.path = path;
            this.layer = layer;
        }
    }

    private static Shape walk(Layer layer, String path, Shape in) {
        if (layer instanceof Sequential seq) {
            Shape s = in;
            for (int i = 0; i < seq.size(); i++) s = walk(seq.get(i), join(path, seq.names().get(i)), s);
            return s;
        }
        if (layer instanceof Graph g) {
            Map<String, Shape> shapes = new HashMap<>();
            shapes.put(Graph.INPUT, in);
            for (Graph.Node node : g.nodes()) {
                String p = join(path, node.name());
                if (node.isMerge()) {
                    List<Shape> ins = new ArrayList<>();
                    for (String src : node.inputs()) ins.add(shapes.get(src));
                    try {
                        shapes.put(node.name(), node.merge().outputShape(ins));
                    } catch (IllegalArgumentException e) {
                        throw new BreaksAt(p, node.merge().toString(), e);
                    }
                } else {
                    shapes.put(node.name(), walk(node.layer(), p, shapes.get(node.inputs().get(0))));
                }
            }
            return shapes.get(g.outputName());
        }
        try {
            return layer.outputShape(in);
        } catch (IllegalArgumentException e) {
            throw new BreaksAt(path, layer.toString(), e);
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /** C * H * W of an (N, C, H, W) shape: the in_features of the Linear that follows it. */
    static int features(Shape s) {
        return s.sizeFrom(1);
    }

    /** torchvision's BasicConv2d (GoogLeNet): conv without bias, BatchNorm (eps 0.001), ReLU, named conv, bn, relu. */
    static Sequential basicConv(int in, int out, int kernel, int stride, int padding) {
        return new Sequential()
                .add("conv", new Conv2d(in, out, kernel).stride(stride).padding(padding).bias(false))
                .add("bn", new BatchNorm2d(out).eps(1e-3))
                .add("relu", new ReLU());
    }

    /** Every Conv2d and Linear under {@code root}, in parameter order. */
    static List<Layer> weighted(Layer root) {
        List<Layer> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Layer layer, List<Layer> out) {
        if (layer instanceof Conv2d || layer instanceof Linear) out.add(layer);
        for (Layer child : layer.children().values()) collect(child, out);
    }

    /**
     * torchvision's ResNet and VGG convolution init: {@code kaiming_normal_(mode="fan_out",
     * nonlinearity="relu")}, i.e. N(0, 2 / (OC * KH * KW)), and zero bias. Linear layers keep
     * PyTorch's default (see each network for how it differs from torchvision).
     */
    static void kaimingConvs(Layer root) {
        SplittableRandom rng = Init.nextGenerator();
        for (Layer l : weighted(root)) {
            if (l instanceof Conv2d c) {
                Init.kaimingNormal(c.weight().value(), 0, "fan_out", "relu", rng);
                if (c.hasBias()) c.biasParameter().value().fill(0f);
            }
        }
    }

    /** torchvision's GoogLeNet init: conv and linear weights N(0, 0.01^2) (its truncation at +-2 never binds). */
    static void normalWeights(Layer root, double std) {
        SplittableRandom rng = Init.nextGenerator();
        for (Layer l : weighted(root)) {
            if (l instanceof Conv2d c) Init.normal(c.weight().value(), 0, std, rng);
            if (l instanceof Linear f) Init.normal(f.weight().value(), 0, std, rng);
        }
    }
}
