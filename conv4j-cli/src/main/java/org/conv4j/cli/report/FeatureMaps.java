package org.conv4j.cli.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.GaussianPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Layer;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.TrainablePool2d;
import org.conv4j.tensor.Tensor;

/**
 * Walks a model as its forward does and keeps what a person wants to see: the output of every
 * convolution and spatial pooling layer for one input (SPEC 4, "the sources plot feature maps"),
 * and the first convolution's weights.
 *
 * <p>Sequential children run in order and Graph nodes in insertion (topological) order, recursing
 * into nested containers, with PyTorch-style dotted names ({@code layer1.0.conv1}); every other
 * layer runs whole, in {@link Mode#EVAL}. The final output equals {@code model.forward(x, EVAL)}.
 * Global pooling (1x1 maps) is not kept: one pixel per map shows nothing.
 */
public final class FeatureMaps {
    /** The output (1, C, H, W) of the layer called {@code name} of type {@code type}. */
    public record Map2d(String name, String type, Tensor maps) {
    }

    private FeatureMaps() {
    }

    /** The first Conv2d in forward order, or null when the model has none; {@code name} receives its dotted name. */
    public static Conv2d firstConv(Layer model, StringBuilder name) {
        return findConv(model, "", name);
    }

    private static Conv2d findConv(Layer layer, String path, StringBuilder name) {
        if (layer instanceof Conv2d c) {
            name.append(path);
            return c;
        }
        for (Map.Entry<String, Layer> e : layer.children().entrySet()) {
            Conv2d c = findConv(e.getValue(), prefix(path) + e.getKey(), name);
            if (c != null) return c;
        }
        return null;
    }

    /** The maps after each convolution and pooling layer for an input x (1, C, H, W), in forward order. */
    public static List<Map2d> of(Layer model, Tensor x) {
        List<Map2d> out = new ArrayList<>();
        walk(model, "", x, out);
        return out;
    }

    /** Runs {@code layer} on x, recording the maps of interest; returns its output. */
    private static Tensor walk(Layer layer, String path, Tensor x, List<Map2d> out) {
        if (layer instanceof Sequential seq) {
            List<String> names = seq.names();
            for (int i = 0; i < seq.size(); i++) x = walk(seq.get(i), prefix(path) + names.get(i), x, out);
            return x;
        }
        if (layer instanceof Graph g) {
            Map<String, Tensor> values = new HashMap<>();
            values.put(Graph.INPUT, x);
            for (Graph.Node n : g.nodes()) {
                Tensor y;
                if (n.isMerge()) {
                    List<Tensor> in = new ArrayList<>();
                    for (String s : n.inputs()) in.add(values.get(s));
                    y = n.merge().forward(in, Mode.EVAL);
                } else {
                    y = walk(n.layer(), prefix(path) + n.name(), values.get(n.inputs().get(0)), out);
                }
                values.put(n.name(), y);
            }
            return values.get(g.outputName());
        }
        Tensor y = layer.forward(x, Mode.EVAL);
        boolean wanted = layer instanceof Conv2d || layer instanceof MaxPool2d || layer instanceof AvgPool2d
                || layer instanceof GaussianPool2d || layer instanceof TrainablePool2d;
        if (wanted && y.rank() == 4 && y.dim(2) * y.dim(3) > 1) {
            out.add(new Map2d(path, layer.getClass().getSimpleName(), y));
        }
        return y;
    }

    private static String prefix(String path) {
        return path.isEmpty() ? "" : path + ".";
    }
}
