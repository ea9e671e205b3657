package org.conv4j.nn;

import org.conv4j.kernel.Elementwise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * A directed acyclic graph of named nodes with one input and one output: the container for
 * ResNet's shortcuts and GoogLeNet's inception branches (SPEC 4, DESIGN "Layers").
 *
 * <pre>{@code
 * Graph block = new Graph()
 *     .add("conv1", new Conv2d(64, 64, 3).padding(1), "input")
 *     .add("relu1", new ReLU(), "conv1")
 *     .add("conv2", new Conv2d(64, 64, 3).padding(1), "relu1")
 *     .add("sum", new Add(), "conv2", "input")     // y = relu(F(x) + x)
 *     .add("relu2", new ReLU(), "sum")
 *     .output("relu2");
 * }</pre>
 *
 * <p>Building: the graph input is the reserved name {@value #INPUT}; a node consumes names
 * already defined (the input or earlier nodes), so the graph is acyclic by construction and
 * insertion order is a topological order. A {@link Layer} node takes exactly one input, a
 * {@link Merge} node ({@link Add}, {@link Concat}) two or more. Names are non-empty, unique and
 * contain no '.', because they prefix parameter names ({@code "conv1.weight"}, or
 * {@code "block1.conv.weight"} for a nested container). {@link #output(String)} closes the
 * graph: every node must lie on a path to the output (a node that does not is an error there,
 * not silently skipped: an unused branch is almost always a wiring mistake), and no node can
 * be added afterwards.
 *
 * <p>Forward runs the nodes in insertion order: {@code v_node = f_node(v_in1, ..., v_ink)}.
 * Backward runs them in reverse; a value consumed by several nodes (the graph input included)
 * gets the sum of its consumers' gradients, {@code dL/dv = sum over consumers c of dL/dv|c},
 * added in the fixed order backward visits the consumers (the latest consumer first, then an
 * earlier one; within a node, by input position), so results are reproducible.
 * In {@link Mode#EVAL} forward keeps nothing, so one graph may serve several threads; in
 * {@link Mode#TRAIN} the graph keeps the shapes of its values and each node keeps its own state.
 * One layer or merge instance may appear in one node only, since its TRAIN state is per call.
 */
public final class Graph implements Layer {
    /** The reserved name of the graph input. */
    public static final String INPUT = "input";

    /** One node: its name, the layer or merge it runs, and the names it consumes. */
    public static final class Node {
        private final String name;
        private final Layer layer;
        private final Merge merge;
        private final List<String> inputs;
        private final int[] slots; // value indices of the inputs: 0 is the graph input, node i is i + 1

        private Node(String name, Layer layer, Merge merge, List<String> inputs, int[] slots) {
            this.name = name;
            this.layer = layer;
            this.merge = merge;
            this.inputs = inputs;
            this.slots = slots;
        }

        public String name() {
            return name;
        }

        /** The layer, or null for a merge node. */
        public Layer layer() {
            return layer;
        }

        /** The merge, or null for a layer node. */
        public Merge merge() {
            return merge;
        }

        public boolean isMerge() {
            return merge != null;
        }

        /** The names this node consumes, in order. */
        public List<String> inputs() {
            return inputs;
        }

        private String kind() {
            return merge != null ? merge.getClass().getSimpleName() : Layers.describe(layer);
        }

        @Override
        public String toString() {
            return (merge != null ? merge.toString() : layer.toString()) + " <- " + String.join(", ", inputs);
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> slotOf = new HashMap<>();
    private final Map<Object, String> nodeOf = new java.util.IdentityHashMap<>();   // each layer or merge instance -> its node: O(1) reuse check
    private String output;
    private Buffers gradientSums;   // when reusing buffers: the summed gradients of values with several consumers
    private int outputSlot = -1;
    private int[] lastUse; // per value: the last node consuming it, so forward can drop it early
    private int[] evalSpan; // per node: how many nodes from it run as one in EVAL (ConvFusion)
    private int[] evalResidual; // per node: the value a fused span starting there adds before its ReLU, or -1

    private Shape[] savedShapes; // TRAIN: every value's shape, to check and route gradients

    public Graph() {
        slotOf.put(INPUT, 0);
    }

    /** Adds a layer node consuming one earlier name ({@value #INPUT} or a node). */
    public Graph add(String name, Layer layer, String... inputs) {
        checkNewNode(name, layer);
        Check.arg(layer != this, "Graph", "node '%s': a graph cannot contain itself", name);
        if (inputs.length != 1) Check.arg(false, "Graph", "node '%s' (%s) is a layer and takes exactly one input, got %d %s; "
                + "join several with a Merge node such as Add or Concat", name, Layers.describe(layer), inputs.length, Arrays.toString(inputs));
        return append(new Node(name, layer, null, List.of(inputs), resolve(name, inputs)));
    }

    /** Adds a merge node consuming two or more earlier names. */
    public Graph add(String name, Merge merge, String... inputs) {
        checkNewNode(name, merge);
        Check.arg(inputs.length >= 2, "Graph", "node '%s' (%s) is a merge and takes two or more inputs, got %d %s",
                name, merge.getClass().getSimpleName(), inputs.length, Arrays.toString(inputs));
        return append(new Node(name, null, merge, List.of(inputs), resolve(name, inputs)));
    }

    private void checkNewNode(String name, Object op) {
        if (output != null) {
            throw new IllegalStateException("Graph: output is already set to '" + output + "'; add every node before calling output()");
        }
        Objects.requireNonNull(name, "node name");
        Objects.requireNonNull(op, "node '" + name + "'");
        Check.arg(!name.isEmpty(), "Graph", "node names must be non-empty");
        Check.arg(name.indexOf('.') < 0, "Graph", "node name '%s' must not contain '.', which separates the parts of "
                + "parameter names such as '%s.weight'", name, name);
        Check.arg(!name.equals(INPUT), "Graph", "'%s' is reserved for the graph input; choose another node name", INPUT);
        Check.arg(!slotOf.containsKey(name), "Graph", "duplicate node name '%s'", name);
        String owner = nodeOf.get(op);
        Check.arg(owner == null, "Graph", "node '%s' reuses the %s instance of node '%s'; "
                + "each node needs its own instance (its forward state is per node)", name, op.getClass().getSimpleName(), owner);
    }

    private int[] resolve(String name, String[] inputs) {
        int[] slots = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Objects.requireNonNull(inputs[i], "input of node '" + name + "'");
            Integer s = slotOf.get(inputs[i]);
            // only on failure: listing the names costs a pass over the nodes (quadratic if done per node)
            if (s == null) {
                Check.arg(false, "Graph", "node '%s' consumes '%s', which is not defined yet; a node may only consume "
                        + "'%s' or earlier nodes (so the graph is acyclic); defined so far: %s", name, inputs[i], INPUT, definedNames());
            }
            slots[i] = s;
        }
        return slots;
    }

    private Graph append(Node node) {
        nodes.add(node);
        slotOf.put(node.name, nodes.size());
        nodeOf.put(node.layer != null ? node.layer : node.merge, node.name);
        return this;
    }

    private List<String> definedNames() {
        List<String> names = new ArrayList<>();
        names.add(INPUT);
        for (Node n : nodes) names.add(n.name);
        return names;
    }

    /**
     * Names the output and closes the graph. Every node must lie on a path to the output;
     * {@value #INPUT} is a valid output only for a graph without nodes (the identity).
     */
    public Graph output(String name) {
        if (output != null) throw new IllegalStateException("Graph: output is already set to '" + output + "'");
        Objects.requireNonNull(name, "output name");
        Integer slot = slotOf.get(name);
        Check.arg(slot != null, "Graph", "output '%s' is not defined; defined: %s", name, definedNames());
        boolean[] live = new boolean[nodes.size() + 1];
        live[slot] = true;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (live[i + 1]) for (int s : nodes.get(i).slots) live[s] = true;
        }
        List<String> dead = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) if (!live[i + 1]) dead.add(nodes.get(i).name);
        Check.arg(dead.isEmpty(), "Graph", "nodes %s do not lead to the output '%s'; every node must contribute to the "
                + "output (remove them or merge them into the output path)", dead, name);
        int[] last = new int[nodes.size() + 1];
        Arrays.fill(last, -1);
        for (int i = 0; i < nodes.size(); i++) for (int s : nodes.get(i).slots) last[s] = i;
        lastUse = last;
        outputSlot = slot;
        evalSpan = evalSpans();
        output = name;
        return this;
    }

    /**
     * Per node, how many nodes from it run as one in EVAL (and, in {@link #evalResidual}, the value
     * such a span adds): the {@link ConvFusion#span} of it and the layer nodes that follow it in a
     * chain (each consuming the one before as its only input, which no other node, nor the output,
     * uses); a convolution's chain without a ReLU may go on with a two-input {@link Add} of its
     * output and a value computed before the convolution, and a ReLU after that (ResNet's
     * {@code relu(bn2(conv2(...)) + x)}); or 2 for a two-input Add followed by a ReLU.
     */
    private int[] evalSpans() {
        int[] consumers = new int[nodes.size() + 1];
        for (Node n : nodes) for (int s : n.slots) consumers[s]++;
        int[] spans = new int[nodes.size()];
        int[] residual = new int[nodes.size()];
        Arrays.fill(residual, -1);
        for (int i = 0; i < nodes.size(); i++) {
            Layer[] chain = new Layer[3];
            for (int j = 0; j < 3 && i + j < nodes.size(); j++) {
                if (j > 0 && !chained(i + j, consumers)) break;
                Node n = nodes.get(i + j);
                if (n.layer == null) break;
                chain[j] = n.layer;
            }
            spans[i] = ConvFusion.span(chain[0], chain[1], chain[2]);
            int end = i + spans[i];   // the node after the span
            if (chain[0] instanceof Conv2d && !(nodes.get(end - 1).layer instanceof ReLU) && end < nodes.size() && chained(end, consumers)) {
                Node add = nodes.get(end);
                int other = add.slots.length != 2 ? -1 : add.slots[0] == end ? add.slots[1] : add.slots[0];
                if (add.merge instanceof Add && other >= 0 && other <= i) {
                    residual[i] = other;
                    spans[i] += end + 1 < nodes.size() && nodes.get(end + 1).layer instanceof ReLU && chained(end + 1, consumers) ? 2 : 1;
                }
            }
            Node n = nodes.get(i);
            if (n.merge instanceof Add && n.slots.length == 2 && i + 1 < nodes.size()) {
                if (nodes.get(i + 1).layer instanceof ReLU && chained(i + 1, consumers)) spans[i] = 2;
            }
        }
        evalResidual = residual;
        return spans;
    }

    private static Shape outputShapeOrNull(Layer layer, Shape input) {
        try {
            return layer.outputShape(input);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // whether node k consumes node k-1's value (slot k) and that value has no other consumer and is not the output
    private boolean chained(int k, int[] consumers) {
        Node n = nodes.get(k);
        boolean consumes = false;
        for (int s : n.slots) consumes |= s == k;
        return consumes && consumers[k] == 1 && outputSlot != k;
    }

    /** The output's name, or null before {@link #output(String)}. */
    public String outputName() {
        return output;
    }

    /** The nodes in insertion (topological) order. */
    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** The node called {@code name}. */
    public Node node(String name) {
        Integer s = slotOf.get(name);
        if (s == null || s == 0) Check.arg(false, "Graph", "no node named '%s'; nodes: %s", name, definedNames().subList(1, nodes.size() + 1));
        return nodes.get(s - 1);
    }

    /** The layer nodes by name, in insertion order; merges have no parameters and are not children. */
    @Override
    public Map<String, Layer> children() {
        Map<String, Layer> m = new LinkedHashMap<>();
        for (Node n : nodes) if (n.layer != null) m.put(n.name, n.layer);
        return m;
    }

    @Override
    public void reuseBuffers(boolean on) {
        for (Node n : nodes) {
            if (n.layer != null) n.layer.reuseBuffers(on);
            else n.merge.reuseBuffers(on);
        }
        gradientSums = null;
        if (on) {
            gradientSums = new Buffers(nodes.size() + 1);
            gradientSums.reuse(true);
        }
    }

    private void checkBuilt() {
        if (output == null) throw new IllegalStateException("Graph: output(name) was not called; name the output node before using the graph");
    }

    /** Re-throws a node's shape error with the node's name and its input names and shapes. */
    private IllegalArgumentException wrap(Node node, Shape[] shapes, IllegalArgumentException e) {
        StringBuilder in = new StringBuilder();
        for (int k = 0; k < node.slots.length; k++) {
            in.append(k > 0 ? ", " : "").append(node.inputs.get(k)).append(' ').append(shapes[node.slots[k]]);
        }
        return new IllegalArgumentException("Graph: node '" + node.name + "' (" + node.kind() + "; inputs " + in + "): " + e.getMessage(), e);
    }

    @Override
    public Shape outputShape(Shape input) {
        checkBuilt();
        Shape[] shapes = new Shape[nodes.size() + 1];
        shapes[0] = input;
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            try {
                if (node.layer != null) {
                    shapes[i + 1] = node.layer.outputShape(shapes[node.slots[0]]);
                } else {
                    List<Shape> in = new ArrayList<>(node.slots.length);
                    for (int s : node.slots) in.add(shapes[s]);
                    shapes[i + 1] = node.merge.outputShape(in);
                }
            } catch (IllegalArgumentException e) {
                throw wrap(node, shapes, e);
            }
        }
        return shapes[outputSlot];
    }

    // x is the graph input (N, C, H, W); each node's value lives until its last consumer has run
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkBuilt();
        Tensor chunked = mode == Mode.EVAL ? EvalChunks.forward(this, x) : null;
        if (chunked != null) return chunked;
        Tensor[] values = new Tensor[nodes.size() + 1];
        Shape[] shapes = new Shape[nodes.size() + 1];
        boolean[] convOut = new boolean[nodes.size() + 1]; // EVAL: the value is a convolution's own output tensor
        values[0] = x;
        shapes[0] = x.shape();
        for (int i = 0, span; i < nodes.size(); i += span) {
            Node node = nodes.get(i);
            span = mode == Mode.EVAL ? evalSpan[i] : 1;
            Tensor residual = span > 1 && evalResidual[i] >= 0 ? values[evalResidual[i]] : null;
            if (residual != null && !residual.shape().equals(outputShapeOrNull(node.layer, values[node.slots[0]].shape()))) {
                // a sum of unequal shapes (or an input the layer refuses): node by node, so the right node reports it
                span = 1;
                residual = null;
            }
            Tensor y;
            try {
                if (span > 1 && node.merge != null) {
                    y = ((Add) node.merge).forwardRelu(values[node.slots[0]], values[node.slots[1]], spareInput(node, i, convOut, values));
                } else if (span > 1) {
                    y = ConvFusion.forward(node.layer, nodes.get(i + 1).layer, span, residual, null, values[node.slots[0]]);
                    convOut[i + span] = true;
                } else if (node.layer != null) {
                    y = node.layer.forward(values[node.slots[0]], mode);
                } else {
                    List<Tensor> in = new ArrayList<>(node.slots.length);
                    for (int s : node.slots) in.add(values[s]);
                    y = node.merge.forward(in, mode);
                }
            } catch (IllegalArgumentException e) {
                throw wrap(node, shapes, e);
            }
            values[i + span] = y;
            shapes[i + span] = y.shape();
            for (int j = i; j < i + span; j++) {
                for (int s : nodes.get(j).slots) if (lastUse[s] == j && s != outputSlot) values[s] = null;
            }
        }
        if (mode == Mode.TRAIN) savedShapes = shapes;
        return values[outputSlot];
    }

    /**
     * An input of node i that a convolution of this forward wrote and nothing after node i reads,
     * or null: the fused sum + ReLU writes into it, so inference keeps no tensor of its own per
     * residual sum (ResNet-20 at batch 64: 21 MB less).
     */
    private Tensor spareInput(Node node, int i, boolean[] convOut, Tensor[] values) {
        for (int s : node.slots) if (convOut[s] && lastUse[s] == i && s != outputSlot) return values[s];
        return null;
    }

    // dy is dL/d(output); returns dL/dx, each value's gradient summed over its consumers
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedShapes, "Graph");
        Shape[] shapes = savedShapes;
        Check.sameShape(dy, shapes[outputSlot], "Graph");
        Tensor[] grads = new Tensor[nodes.size() + 1];
        boolean[] owned = new boolean[nodes.size() + 1]; // grads[s] is our own sum, safe to add into
        grads[outputSlot] = dy;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            Tensor g = grads[i + 1];
            grads[i + 1] = null;
            if (node.layer != null) {
                accumulate(grads, owned, shapes, node, 0, node.layer.backward(g));
            } else {
                List<Tensor> dxs = node.merge.backward(g);
                if (dxs.size() != node.slots.length) {
                    throw new IllegalStateException("Graph: node '" + node.name + "' (" + node.kind() + ") returned "
                            + dxs.size() + " input gradients for " + node.slots.length + " inputs");
                }
                for (int k = 0; k < dxs.size(); k++) accumulate(grads, owned, shapes, node, k, dxs.get(k));
            }
        }
        return grads[0];
    }

    /**
     * grads[input k of node] += dx. A gradient another node returned is never modified: the first
     * sum goes to a tensor of our own (a kept one of {@link #gradientSums} when reusing buffers).
     */
    private void accumulate(Tensor[] grads, boolean[] owned, Shape[] shapes, Node node, int k, Tensor dx) {
        int s = node.slots[k];
        if (!dx.shape().equals(shapes[s])) {
            throw new IllegalStateException("Graph: node '" + node.name + "' (" + node.kind() + ") returned a gradient of shape "
                    + dx.shape() + " for its input '" + node.inputs.get(k) + "' of shape " + shapes[s]);
        }
        if (grads[s] == null) {
            grads[s] = dx;
            return;
        }
        if (!owned[s]) {
            Tensor sum = gradientSums == null ? Tensor.zeros(shapes[s]) : gradientSums.get(s, shapes[s]);
            Elementwise.add(grads[s], dx, sum);
            grads[s] = sum;
            owned[s] = true;
            return;
        }
        Elementwise.addInto(grads[s], dx);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Graph(");
        for (Node n : nodes) sb.append("\n  (").append(n.name).append("): ").append(n.toString().replace("\n", "\n  "));
        if (output != null) sb.append("\n  output: ").append(output);
        return sb.append(nodes.isEmpty() && output == null ? ")" : "\n)").toString();
    }
}
