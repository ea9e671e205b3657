package org.conv4j.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.kernel.Updates;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Tensor;

/**
 * Stops training with a {@link TrainingDivergedException} when the model's output, the loss or a
 * gradient becomes NaN or infinite, before the optimizer applies it, naming where: the input
 * batch, the first parameter that is not finite (with its layer), or the first layer whose output
 * is not. The search descends into {@link Sequential} and {@link Graph} models (nested in any
 * way); another container is named as a whole. Every {@link Trainer} runs one.
 */
public final class NonFiniteGuard implements TrainingListener {

    @Override
    public void onForward(Trainer trainer, Step step) {
        if (!finite(step.output())) throw diagnose(trainer, step, "the model's output");
    }

    @Override
    public void onBackward(Trainer trainer, Step step) {
        if (!Float.isFinite(step.loss())) throw diagnose(trainer, step, "the loss (" + step.loss() + ")");
        for (Map.Entry<String, Parameter> e : trainer.optimizer().parameters().entrySet()) {
            Tensor g = e.getValue().grad();
            int bad = Updates.firstNonFinite(g);
            if (bad >= 0) {
                throw new TrainingDivergedException(String.format("gradient of %s (layer %s) is %s (element %d) at %s; lower the learning rate or clip gradients",
                        e.getKey(), layerName(trainer.model(), e.getKey()), g.at(bad), bad, step.where()));
            }
        }
    }

    private static boolean finite(Tensor t) {
        return Updates.firstNonFinite(t) < 0;
    }

    /**
     * Finds what made {@code what} non-finite: the input, a trainable parameter, or the first
     * layer whose output is (buffers such as running statistics only follow what their layer
     * received, so they are not suspects).
     */
    private static TrainingDivergedException diagnose(Trainer trainer, Step step, String what) {
        Layer model = trainer.model();
        String where = " at " + step.where();
        Tensor x = step.batch().images();
        if (!finite(x)) return new TrainingDivergedException("the input batch contains NaN or infinity" + where);
        for (Map.Entry<String, Parameter> e : trainer.optimizer().parameters().entrySet()) {
            if (!finite(e.getValue().value())) {
                return new TrainingDivergedException("parameter " + e.getKey() + " is NaN or infinite" + where + " (layer "
                        + layerName(model, e.getKey()) + "); lower the learning rate or clip gradients");
            }
        }
        Found bad = firstNonFiniteLayer(model, x, "");
        if (bad == null) {
            return new TrainingDivergedException(what + " is NaN or infinite" + where + ", though every layer's output is finite");
        }
        return new TrainingDivergedException("the output of layer " + bad.path() + " (" + bad.type() + ") is NaN or infinite" + where
                + "; its input and every parameter are finite, so a value overflowed" + largest(bad) + ": lower the learning rate or clip gradients");
    }

    /** A layer whose output is not finite: its path in the model, and the layer or merge. */
    private record Found(String path, Object op) {
        String type() {
            return op.getClass().getSimpleName();
        }
    }

    // " (largest parameter: conv1.weight = 3.1e37)" for a layer with trainable parameters
    private static String largest(Found bad) {
        if (!(bad.op() instanceof Layer layer)) return "";
        String name = null;
        float max = -1;
        for (Parameter p : layer.parameters()) {
            if (!p.isTrainable()) continue;
            Tensor v = p.value();
            for (int i = 0; i < v.size(); i++) {
                if (Math.abs(v.at(i)) > max) {
                    max = Math.abs(v.at(i));
                    name = p.name();
                }
            }
        }
        return name == null ? "" : String.format(" (largest parameter: %s.%s, |value| %.3g)", bad.path(), name, max);
    }

    /** "conv1 (Conv2d)" for parameter "conv1.weight"; "(model)" for a parameter of the model itself. */
    private static String layerName(Layer model, String parameter) {
        int dot = parameter.lastIndexOf('.');
        if (dot < 0) return "(model) (" + model.getClass().getSimpleName() + ")";
        String path = parameter.substring(0, dot);
        Layer layer = model;
        for (String part : path.split("\\.")) layer = layer == null ? null : layer.children().get(part);
        return path + (layer == null ? "" : " (" + layer.getClass().getSimpleName() + ")");
    }

    /** The first layer (innermost) whose EVAL output is not finite, or null. */
    private static Found firstNonFiniteLayer(Layer layer, Tensor x, String name) {
        if (layer instanceof Sequential seq) {
            for (int i = 0; i < seq.size(); i++) {
                Tensor y = seq.get(i).forward(x, Mode.EVAL);
                if (!finite(y)) return inner(seq.get(i), x, child(name, seq.names().get(i)));
                x = y;
            }
            return null;
        }
        if (layer instanceof Graph graph) {
            Map<String, Tensor> values = new HashMap<>();
            values.put(Graph.INPUT, x);
            for (Graph.Node node : graph.nodes()) {
                List<Tensor> in = new ArrayList<>();
                for (String s : node.inputs()) in.add(values.get(s));
                Tensor y = node.isMerge() ? node.merge().forward(in, Mode.EVAL) : node.layer().forward(in.get(0), Mode.EVAL);
                if (!finite(y)) {
                    String path = child(name, node.name());
                    return node.isMerge() ? new Found(path, node.merge()) : inner(node.layer(), in.get(0), path);
                }
                values.put(node.name(), y);
            }
            return null;
        }
        return finite(layer.forward(x, Mode.EVAL)) ? null : new Found(name.isEmpty() ? "(model)" : name, layer);
    }

    // the innermost bad layer inside a bad child, or the child itself
    private static Found inner(Layer child, Tensor x, String path) {
        Found deeper = child instanceof Sequential || child instanceof Graph ? firstNonFiniteLayer(child, x, path) : null;
        return deeper != null ? deeper : new Found(path, child);
    }

    private static String child(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }
}
