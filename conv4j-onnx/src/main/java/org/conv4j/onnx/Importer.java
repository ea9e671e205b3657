package org.conv4j.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.Add;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Concat;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Layer;
import org.conv4j.nn.LeakyReLU;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Merge;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Sigmoid;
import org.conv4j.nn.Softmax;
import org.conv4j.nn.Tanh;
import org.conv4j.onnx.proto.OnnxProto.GraphProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.conv4j.onnx.proto.OnnxProto.TensorShapeProto;
import org.conv4j.onnx.proto.OnnxProto.TypeProto;
import org.conv4j.onnx.proto.OnnxProto.ValueInfoProto;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Turns one ONNX graph into conv4j layers, node by node in the file's (topological) order.
 * Every ONNX value is one of: a tensor computed from the graph input ({@link Act}, the output
 * of a conv4j node), a constant ({@link Const}), a Pad waiting for the Conv or AveragePool it
 * feeds ({@link PendingPad}), a MatMul waiting for a bias Add ({@link PendingMatMul}), or an
 * output conv4j does not compute ({@link Unavailable}). The result is a {@link Sequential} when
 * the layers form a chain, else a {@link Graph}.
 */
final class Importer {
    /** The largest input dimension accepted from a file; far above any image, far below overflow. */
    static final int MAX_DIM = 1 << 20;
    static final String SUPPORTED = "Conv, ConvTranspose, Pad, MaxPool, AveragePool, GlobalAveragePool, Gemm, MatMul, Add, Flatten, Reshape,"
            + " Relu, LeakyRelu, Sigmoid, Tanh, Softmax, Dropout, BatchNormalization, Concat, Identity and constant shape arithmetic";

    private sealed interface Value permits Act, Const, PendingPad, PendingMatMul, Unavailable {
    }

    /** A tensor computed by conv4j node {@code node} ({@link Graph#INPUT} for the input), of this full shape. */
    private record Act(String node, Shape shape) implements Value {
    }

    private record Const(ConstTensor tensor) implements Value {
    }

    /** Pads top, bottom, left, right of {@code source} in {@code mode}. */
    private record PendingPad(Act source, int[] pads, PaddingMode mode, OpNode pad) implements Value {
    }

    /** {@code source} times {@code weight} (in, out), bias to come. */
    private record PendingMatMul(Act source, ConstTensor weight, OpNode matMul) implements Value {
    }

    private record Unavailable(String why) implements Value {
    }

    /** One conv4j node: exactly one of layer and merge is set. */
    private record Built(String name, Layer layer, Merge merge, String[] inputs) {
    }

    private final GraphProto graph;
    private final int opset;
    private final Map<String, Value> values = new HashMap<>();
    private final List<Built> built = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private Shape inputShape;
    /** Whether the file fixes the batch size (else Shape gives {@link ConstTensor#BATCH} for it). */
    private boolean batchKnown;

    Importer(GraphProto graph, int opset) {
        this.graph = graph;
        this.opset = opset;
    }

    /** The per-sample input shape, read by {@link #run()}: (C, H, W) for images. */
    Shape sampleShape() {
        int[] d = inputShape.dims();
        return Shape.of(java.util.Arrays.copyOfRange(d, 1, d.length));
    }

    Layer run() throws ImportError {
        for (TensorProto t : graph.getInitializerList()) {
            define(t.getName(), new Const(Tensors.decode(t, "initializer '" + OpNode.show(t.getName()) + "'")), "initializer");
        }
        if (graph.getSparseInitializerCount() > 0) throw new ImportError("sparse initializers are not supported");
        readInput();
        for (int i = 0; i < graph.getNodeCount(); i++) node(graph.getNode(i), i);
        if (graph.getOutputCount() != 1) throw new ImportError("the graph has " + graph.getOutputCount() + " outputs; conv4j imports models with one");
        String out = graph.getOutput(0).getName();
        Value v = values.get(out);
        if (v == null) throw new ImportError("the graph output '" + OpNode.show(out) + "' is not produced by any node");
        Act result = act(null, out, "the graph output");
        try {
            return assemble(result.node());
        } catch (IllegalArgumentException e) {
            throw new ImportError(e.getMessage());
        }
    }

    private void readInput() throws ImportError {
        ValueInfoProto input = null;
        for (ValueInfoProto v : graph.getInputList()) {
            if (values.containsKey(v.getName())) continue; // older exporters list initializers as inputs too
            if (input != null) throw new ImportError("the graph has inputs '" + OpNode.show(input.getName()) + "' and '" + OpNode.show(v.getName()) + "'; conv4j imports models with one");
            input = v;
        }
        if (input == null) throw new ImportError("the graph has no input");
        TypeProto.Tensor type = input.getType().getTensorType();
        if (!input.getType().hasTensorType() || type.getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new ImportError("the graph input '" + OpNode.show(input.getName()) + "' is not a FLOAT tensor");
        }
        TensorShapeProto shape = type.getShape();
        int rank = shape.getDimCount();
        if (rank < 2 || rank > 4) throw new ImportError("the graph input '" + OpNode.show(input.getName()) + "' has rank " + rank + "; conv4j imports inputs (N, features), (N, C, L) or (N, C, H, W)");
        int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) {
            TensorShapeProto.Dimension dim = shape.getDim(d);
            if (dim.hasDimValue() && dim.getDimValue() >= 1 && dim.getDimValue() <= MAX_DIM) {
                dims[d] = (int) dim.getDimValue();
            } else if (d == 0 && !dim.hasDimValue()) {
                dims[d] = 1; // a dynamic batch axis: shapes are tracked for one sample
            } else {
                throw new ImportError("the graph input '" + OpNode.show(input.getName()) + "' has dimension " + d + " = "
                        + (dim.hasDimValue() ? Long.toString(dim.getDimValue()) : "'" + dim.getDimParam() + "'") + "; conv4j needs fixed sizes from 1 to " + MAX_DIM + " after the batch axis");
            }
        }
        try {
            inputShape = Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw new ImportError("the graph input '" + OpNode.show(input.getName()) + "': " + e.getMessage());
        }
        batchKnown = shape.getDim(0).hasDimValue();
        define(input.getName(), new Act(Graph.INPUT, inputShape), "graph input");
    }

    private void node(NodeProto proto, int index) throws ImportError {
        OpNode n = new OpNode(proto, index);
        if (!proto.getDomain().isEmpty() && !proto.getDomain().equals("ai.onnx")) {
            throw n.fail("operator " + OpNode.show(proto.getDomain()) + "::" + OpNode.show(proto.getOpType()) + " is not supported (custom domain)");
        }
        List<Value> in = new ArrayList<>();
        boolean allConst = true;
        for (String name : proto.getInputList()) {
            Value v = name.isEmpty() ? null : values.get(name);
            if (!name.isEmpty() && v == null) throw n.fail("input '" + OpNode.show(name) + "' is not produced by an earlier node (nodes must be in topological order)");
            in.add(v);
            allConst &= v == null || v instanceof Const;
        }
        Value out;
        try {
            if (n.opType().equals("Shape")) {
                out = shapeOf(n, in);
            } else if (allConst && ConstFolding.folds(n.opType())) {
                List<ConstTensor> c = new ArrayList<>();
                for (Value v : in) c.add(v == null ? null : ((Const) v).tensor());
                if (c.isEmpty() && !n.opType().equals("Constant")) throw n.fail("has no inputs");
                out = new Const(ConstFolding.eval(n, c, opset));
            } else {
                out = convert(n, in);
                n.checkAllRead();
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw n.fail(e.getMessage());
        }
        if (proto.getOutputCount() == 0) throw n.fail("has no output");
        define(proto.getOutput(0), out, n.describe());
        for (int k = 1; k < proto.getOutputCount(); k++) {
            if (!proto.getOutput(k).isEmpty()) {
                define(proto.getOutput(k), new Unavailable("output " + k + " ('" + OpNode.show(proto.getOutput(k)) + "') of " + n.describe() + " is not computed by conv4j"), n.describe());
            }
        }
    }

    private void define(String name, Value v, String by) throws ImportError {
        if (name.isEmpty()) throw new ImportError(by + " has an output without a name");
        if (values.put(name, v) != null) throw new ImportError(by + " defines '" + OpNode.show(name) + "', which is already defined");
    }

    private Value convert(OpNode n, List<Value> in) throws ImportError {
        return switch (n.opType()) {
            case "Conv" -> conv(n, in);
            case "ConvTranspose" -> convTranspose(n, in);
            case "Pad" -> pad(n, in);
            case "MaxPool", "AveragePool" -> pool(n, in);
            case "GlobalAveragePool" -> layer(n, new GlobalAvgPool2d(), act(n, in, 0, 4));
            case "Gemm" -> gemm(n, in);
            case "MatMul" -> matMul(n, in);
            case "Add" -> add(n, in);
            case "Flatten" -> flatten(n, in);
            case "Reshape" -> reshape(n, in);
            case "Relu" -> layer(n, new ReLU(), act(n, in, 0, 0));
            case "LeakyRelu" -> layer(n, new LeakyReLU(n.f("alpha", 0.01f)), act(n, in, 0, 0));
            case "Sigmoid" -> layer(n, new Sigmoid(), act(n, in, 0, 0));
            case "Tanh" -> layer(n, new Tanh(), act(n, in, 0, 0));
            case "Softmax" -> softmax(n, in);
            case "Dropout" -> dropout(n, in);
            case "BatchNormalization" -> batchNorm(n, in);
            case "Concat" -> concat(n, in);
            case "Identity" -> act(n, in, 0, 0);
            default -> throw n.fail("operator " + OpNode.show(n.opType()) + " is not supported (conv4j imports " + SUPPORTED + ")");
        };
    }

    // ---- operators ----

    private Value conv(OpNode n, List<Value> in) throws ImportError {
        Value x0 = input(n, in, 0);
        PendingPad pad = x0 instanceof PendingPad p ? p : null;
        Act x = pad != null ? pad.source() : act(n, in, 0, 4);
        ConstTensor w = weight(n, in, 1, "weight", 4);
        ConstTensor b = in.size() > 2 && in.get(2) != null ? weight(n, in, 2, "bias", 1) : null;
        int oc = (int) w.dims()[0], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        if (b != null && b.size() != oc) throw n.fail("bias has shape " + b.shapeText() + ", expected [" + oc + "]");
        int[] kernel = n.ints("kernel_shape", 2);
        if (kernel != null && (kernel[0] != kh || kernel[1] != kw)) throw n.fail("kernel_shape " + java.util.Arrays.toString(kernel) + " does not match weight " + w.shapeText());
        int[] stride = ints(n, "strides", 1);
        int[] dilation = ints(n, "dilations", 1);
        int groups = n.intValue("group", 1);
        int c = x.shape().dim(1);
        if (groups < 1 || (long) w.dims()[1] * groups != c) {
            throw n.fail("weight " + w.shapeText() + " with group=" + groups + " does not take the input's " + c + " channels");
        }
        int[] pads = pads(n, x.shape(), new int[] {kh, kw}, stride, dilation);
        PaddingMode mode = PaddingMode.ZEROS;
        if (pad != null) {
            mode = pad.mode();
            if (mode != PaddingMode.ZEROS && (pads[0] | pads[1] | pads[2] | pads[3]) != 0) {
                throw n.fail("has pads of its own after " + pad.pad().describe() + " in mode " + mode + "; conv4j pads in one mode");
            }
            for (int k = 0; k < 4; k++) pads[k] += pad.pads()[k];
        }
        Conv2d conv = new Conv2d(c, oc, kh, kw).stride(stride[0], stride[1]).padding(pads[0], pads[1], pads[2], pads[3])
                .dilation(dilation[0], dilation[1]).groups(groups).bias(b != null).paddingMode(mode);
        set(conv.weight(), w);
        if (b != null) set(conv.biasParameter(), b);
        return layer(n, conv, x);
    }

    /** ConvTranspose as ConvTranspose2d: weight (C, M / group, kH, kW) as PyTorch's; symmetric pads only, no output_shape. */
    private Value convTranspose(OpNode n, List<Value> in) throws ImportError {
        Act x = act(n, in, 0, 4);
        ConstTensor w = weight(n, in, 1, "weight", 4);
        ConstTensor b = in.size() > 2 && in.get(2) != null ? weight(n, in, 2, "bias", 1) : null;
        int c = x.shape().dim(1), groups = n.intValue("group", 1);
        if (groups < 1 || w.dims()[0] != c || c % groups != 0) {
            throw n.fail("weight " + w.shapeText() + " with group=" + groups + " does not take the input's " + c + " channels");
        }
        long oc = w.dims()[1] * groups;
        int kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        if (oc > Integer.MAX_VALUE || b != null && b.size() != oc) throw n.fail("bias " + (b == null ? "" : b.shapeText()) + " does not match weight " + w.shapeText());
        int[] kernel = n.ints("kernel_shape", 2);
        if (kernel != null && (kernel[0] != kh || kernel[1] != kw)) throw n.fail("kernel_shape " + java.util.Arrays.toString(kernel) + " does not match weight " + w.shapeText());
        if (!n.s("auto_pad", "NOTSET").equals("NOTSET")) throw n.fail("attribute auto_pad is not supported for ConvTranspose; give pads");
        if (n.ints("output_shape", 2) != null) throw n.fail("attribute output_shape is not supported; give pads and output_padding");
        int[] stride = ints(n, "strides", 1), dilation = ints(n, "dilations", 1);
        int[] p = n.ints("pads", 4);
        if (p == null) p = new int[4];
        if (p[0] != p[2] || p[1] != p[3] || p[0] < 0 || p[1] < 0) throw n.fail("pads " + java.util.Arrays.toString(p) + " are not symmetric; conv4j's ConvTranspose2d pads both sides alike");
        int[] op = n.ints("output_padding", 2);
        if (op == null) op = new int[2];
        ConvTranspose2d t;
        try {
            t = new ConvTranspose2d(c, (int) oc, kh, kw).stride(stride[0], stride[1]).padding(p[0], p[1]).outputPadding(op[0], op[1])
                    .dilation(dilation[0], dilation[1]).groups(groups).bias(b != null);
        } catch (IllegalArgumentException e) {
            throw n.fail(e.getMessage());
        }
        set(t.weight(), w);
        if (b != null) set(t.biasParameter(), b);
        return layer(n, t, x);
    }

    /** ONNX pads (top, left, bottom, right) or auto_pad, as conv4j's (top, bottom, left, right). */
    private static int[] pads(OpNode n, Shape x, int[] kernel, int[] stride, int[] dilation) throws ImportError {
        String auto = n.s("auto_pad", "NOTSET");
        int[] p = n.ints("pads", 4);
        if (!auto.equals("NOTSET") && p != null) throw n.fail("has both auto_pad=" + OpNode.show(auto) + " and pads");
        switch (auto) {
            case "NOTSET" -> {
                if (p == null) return new int[4];
                for (int v : p) if (v < 0) throw n.fail("negative pads " + java.util.Arrays.toString(p));
                return new int[] {p[0], p[2], p[1], p[3]};
            }
            case "VALID" -> {
                return new int[4];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] r = new int[4];
                for (int d = 0; d < 2; d++) {
                    long size = x.dim(2 + d), out = (size + stride[d] - 1) / stride[d];
                    long total = Math.max(0, (out - 1) * stride[d] + (long) (kernel[d] - 1) * dilation[d] + 1 - size);
                    long small = total / 2, large = total - small;
                    boolean upper = auto.equals("SAME_UPPER");
                    r[2 * d] = Math.toIntExact(upper ? small : large);
                    r[2 * d + 1] = Math.toIntExact(upper ? large : small);
                }
                return r;
            }
            default -> throw n.fail("attribute auto_pad=" + OpNode.show(auto) + " is not supported");
        }
    }

    private Value pad(OpNode n, List<Value> in) throws ImportError {
        Act x = act(n, in, 0, 4);
        if (opset < 11) throw n.fail("Pad before opset 11 is not supported");
        long[] p = ConstFolding.longs(n, constant(n, in, 1, "pads"), "pads");
        if (p.length != 8) throw n.fail("pads has " + p.length + " values, expected 8 for a rank-4 input");
        if (in.size() > 3 && in.get(3) != null) throw n.fail("the axes input is not supported");
        String modeName = n.s("mode", "constant");
        PaddingMode mode = switch (modeName) {
            case "constant" -> PaddingMode.ZEROS;
            case "reflect" -> PaddingMode.REFLECT;
            case "edge" -> PaddingMode.REPLICATE;
            default -> throw n.fail("attribute mode=" + OpNode.show(modeName) + " is not supported (constant, reflect or edge)");
        };
        if (in.size() > 2 && in.get(2) != null) {
            ConstTensor v = constant(n, in, 2, "constant_value");
            if (v.size() != 1 || (v.isFloat() ? v.floats()[0] : v.longs()[0]) != 0) throw n.fail("a constant_value other than 0 is not supported");
        }
        if (p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0) throw n.fail("pads " + java.util.Arrays.toString(p) + " pad the batch or channel axis; conv4j pads H and W only");
        int[] pads = new int[4]; // ONNX order: begins of N, C, H, W then ends
        long[] order = {p[2], p[6], p[3], p[7]};
        for (int k = 0; k < 4; k++) {
            if (order[k] < 0 || order[k] > MAX_DIM) throw n.fail("pads " + java.util.Arrays.toString(p) + " are out of range (negative pads crop, which is not supported)");
            pads[k] = (int) order[k];
        }
        if ((pads[0] | pads[1] | pads[2] | pads[3]) == 0) return x;
        return new PendingPad(x, pads, mode, n);
    }

    private Value pool(OpNode n, List<Value> in) throws ImportError {
        boolean max = n.opType().equals("MaxPool");
        Value x0 = input(n, in, 0);
        PendingPad pad = !max && x0 instanceof PendingPad p ? p : null;
        Act x = pad != null ? pad.source() : act(n, in, 0, 4);
        int[] kernel = n.ints("kernel_shape", 2);
        if (kernel == null) throw n.fail("needs its kernel_shape attribute");
        int[] stride = ints(n, "strides", 1);
        int[] dilation = ints(n, "dilations", 1);
        int[] pads = pads(n, x.shape(), kernel, stride, dilation);
        if (pads[0] != pads[1] || pads[2] != pads[3]) throw n.fail("asymmetric pads (top " + pads[0] + ", bottom " + pads[1] + ", left " + pads[2] + ", right " + pads[3] + ") are not supported");
        boolean ceil = n.i("ceil_mode", 0) != 0;
        Layer layer;
        if (max) {
            if (n.i("storage_order", 0) != 0) throw n.fail("attribute storage_order=1 is not supported");
            layer = new MaxPool2d(kernel[0], kernel[1]).stride(stride[0], stride[1]).padding(pads[0], pads[2])
                    .dilation(dilation[0], dilation[1]).ceilMode(ceil);
        } else {
            if (dilation[0] != 1 || dilation[1] != 1) throw n.fail("dilations other than 1 are not supported for AveragePool");
            boolean includePad = n.i("count_include_pad", 0) != 0;
            if (pad != null) {
                // PyTorch writes AvgPool2d(padding=p, count_include_pad=True) as a zero Pad then an unpadded AveragePool
                int[] pp = pad.pads();
                if (pad.mode() != PaddingMode.ZEROS || pp[0] != pp[1] || pp[2] != pp[3] || (pads[0] | pads[2]) != 0) {
                    throw n.fail("follows " + pad.pad().describe() + " with pads " + java.util.Arrays.toString(pp) + " in mode " + pad.mode()
                            + "; conv4j folds only a symmetric zero Pad into an unpadded AveragePool");
                }
                pads = pp;
                includePad = true;
            }
            layer = new AvgPool2d(kernel[0], kernel[1]).stride(stride[0], stride[1]).padding(pads[0], pads[2])
                    .ceilMode(ceil).countIncludePad(includePad);
        }
        return layer(n, layer, x);
    }

    private Value gemm(OpNode n, List<Value> in) throws ImportError {
        Act a = act(n, in, 0, 2);
        if (n.i("transA", 0) != 0) throw n.fail("attribute transA=1 is not supported");
        boolean transB = n.i("transB", 0) != 0;
        float alpha = n.f("alpha", 1f), beta = n.f("beta", 1f);
        ConstTensor b = weight(n, in, 1, "B", 2);
        ConstTensor c = in.size() > 2 && in.get(2) != null ? weight(n, in, 2, "C", -1) : null;
        return linear(n, a, transB ? b : transpose(b), alpha, c, beta);
    }

    private Value matMul(OpNode n, List<Value> in) throws ImportError {
        Act a = act(n, in, 0, 2);
        if (!(input(n, in, 1) instanceof Const)) throw n.fail("a MatMul of two computed tensors is not supported (the second input must be a weight)");
        return new PendingMatMul(a, weight(n, in, 1, "B", 2), n);
    }

    private Value add(OpNode n, List<Value> in) throws ImportError {
        if (in.size() != 2) throw n.fail("has " + in.size() + " inputs, expected 2");
        Value l = input(n, in, 0), r = input(n, in, 1);
        if (l instanceof Const || r instanceof Const) {
            Value other = l instanceof Const ? r : l;
            ConstTensor bias = ((Const) (l instanceof Const ? l : r)).tensor();
            if (!(other instanceof PendingMatMul mm)) throw n.fail("adding a constant is supported only as the bias of a MatMul");
            return linear(mm.matMul(), mm.source(), transpose(mm.weight()), 1f, bias, 1f);
        }
        Act a = act(n, in, 0, 0), b = act(n, in, 1, 0);
        if (!a.shape().equals(b.shape())) throw n.fail("adds shapes " + a.shape() + " and " + b.shape() + "; broadcasting is not supported");
        return merge(n, new Add(), a, b);
    }

    /** A Linear computing {@code alpha * x W^T + beta * c} for W (out, in). */
    private Value linear(OpNode n, Act x, ConstTensor w, float alpha, ConstTensor c, float beta) throws ImportError {
        int out = (int) w.dims()[0], inF = (int) w.dims()[1];
        if (x.shape().dim(1) != inF) throw n.fail("weight " + w.shapeText() + " (out, in) does not take the input's " + x.shape().dim(1) + " features");
        if (c != null && c.size() != out && c.size() != 1) throw n.fail("bias has shape " + c.shapeText() + ", expected [" + out + "]");
        Linear linear = new Linear(inF, out, c != null);
        float[] wv = w.floats().clone();
        for (int i = 0; i < wv.length; i++) wv[i] *= alpha;
        linear.weight().value().copyFrom(Tensor.of(wv, out, inF));
        if (c != null) {
            float[] bv = new float[out];
            for (int i = 0; i < out; i++) bv[i] = beta * c.floats()[c.size() == 1 ? 0 : i];
            linear.biasParameter().value().copyFrom(Tensor.of(bv, out));
        }
        return layer(n, linear, x);
    }

    private Value flatten(OpNode n, List<Value> in) throws ImportError {
        Act x = act(n, in, 0, 0);
        int axis = ConstFolding.axis(n, n.i("axis", 1), x.shape().rank() + 1);
        if (axis != 1) throw n.fail("attribute axis=" + axis + " is not supported (only 1, keeping the batch axis)");
        return x.shape().rank() == 2 ? x : layer(n, new Flatten(), x);
    }

    /** PyTorch's x.view(x.size(0), -1) and its variants: a reshape to (N, features). */
    private Value reshape(OpNode n, List<Value> in) throws ImportError {
        Act x = act(n, in, 0, 0);
        long[] target = ConstFolding.longs(n, constant(n, in, 1, "shape"), "shape");
        if (n.i("allowzero", 0) != 0) throw n.fail("attribute allowzero=1 is not supported");
        long features = x.shape().sizeFrom(1);
        boolean batch = target.length == 2 && (target[0] == ConstTensor.BATCH || target[0] == 0 || (batchKnown && target[0] == x.shape().dim(0))
                || (target[0] == -1 && target[1] == features));
        if (!batch || !(target[1] == -1 || target[1] == features)) {
            String shown = java.util.Arrays.toString(target).replace(Long.toString(ConstTensor.BATCH), "N");
            throw n.fail("reshape of " + x.shape() + " to " + shown + " is not supported (only to (N, -1), a flatten)");
        }
        return x.shape().rank() == 2 ? x : layer(n, new Flatten(), x);
    }

    private Value softmax(OpNode n, List<Value> in) throws ImportError {
        Act x = act(n, in, 0, 0);
        int rank = x.shape().rank();
        int axis = ConstFolding.axis(n, n.i("axis", opset >= 13 ? -1 : 1), rank);
        // before opset 13 Softmax normalizes over all axes from `axis` on: one axis only when it is the last
        if (opset < 13 && axis != rank - 1) throw n.fail("a Softmax over axes " + axis + ".." + (rank - 1) + " (opset " + opset + ") is not supported");
        return layer(n, new Softmax(axis), x);
    }

    private Value dropout(OpNode n, List<Value> in) throws ImportError {
        Act x = act(n, in, 0, 0);
        float ratio = opset < 12 ? n.f("ratio", 0.5f) : 0.5f;
        if (in.size() > 1 && in.get(1) != null) {
            ConstTensor r = constant(n, in, 1, "ratio");
            if (!r.isFloat() || r.size() != 1) throw n.fail("ratio must be one FLOAT");
            ratio = r.floats()[0];
        }
        if (in.size() > 2 && in.get(2) != null) {
            ConstTensor t = constant(n, in, 2, "training_mode");
            if (t.isFloat() || t.size() != 1 || t.longs()[0] != 0) throw n.fail("training_mode must be a constant false");
        }
        Dropout d = new Dropout(ratio);
        if (n.has("seed")) d.seed((long) n.f("seed", 0f));
        return layer(n, d, x);
    }

    private Value batchNorm(OpNode n, List<Value> in) throws ImportError {
        Act x = act(n, in, 0, 0);
        int rank = x.shape().rank(), c = x.shape().dim(1);
        if (n.i("training_mode", 0) != 0) throw n.fail("attribute training_mode=1 is not supported");
        if (in.size() != 5) throw n.fail("has " + in.size() + " inputs, expected 5");
        ConstTensor[] p = new ConstTensor[4];
        String[] what = {"scale", "B", "input_mean", "input_var"};
        for (int k = 0; k < 4; k++) {
            p[k] = weight(n, in, k + 1, what[k], 1);
            if (p[k].size() != c) throw n.fail(what[k] + " has shape " + p[k].shapeText() + ", expected [" + c + "]");
        }
        double eps = n.f("epsilon", 1e-5f), momentum = 1 - n.f("momentum", 0.9f);
        Layer layer;
        List<Parameter> params;
        if (rank == 4) {
            BatchNorm2d bn = new BatchNorm2d(c).eps(eps).momentum(momentum);
            params = List.of(bn.weight(), bn.biasParameter(), bn.runningMean(), bn.runningVar());
            layer = bn;
        } else if (rank == 2 || rank == 3) {
            BatchNorm1d bn = new BatchNorm1d(c).eps(eps).momentum(momentum);
            params = List.of(bn.weight(), bn.biasParameter(), bn.runningMean(), bn.runningVar());
            layer = bn;
        } else {
            throw n.fail("input of rank " + rank + " is not supported");
        }
        for (int k = 0; k < 4; k++) set(params.get(k), p[k]);
        return layer(n, layer, x);
    }

    private Value concat(OpNode n, List<Value> in) throws ImportError {
        if (in.isEmpty()) throw n.fail("has no inputs");
        Act[] xs = new Act[in.size()];
        for (int k = 0; k < xs.length; k++) xs[k] = act(n, in, k, 0);
        int axis = ConstFolding.axis(n, n.i("axis", Long.MIN_VALUE), xs[0].shape().rank());
        if (axis != 1) throw n.fail("attribute axis=" + axis + " is not supported (only the channel axis 1)");
        return xs.length == 1 ? xs[0] : merge(n, new Concat(), xs);
    }

    private Value shapeOf(OpNode n, List<Value> in) throws ImportError {
        Value v = input(n, in, 0);
        long[] dims;
        if (v instanceof Const c) {
            dims = c.tensor().dims().clone();
        } else {
            Shape s = act(n, in, 0, 0).shape();
            dims = new long[s.rank()];
            for (int d = 0; d < dims.length; d++) dims[d] = s.dim(d);
            if (!batchKnown) dims[0] = ConstTensor.BATCH;
        }
        int rank = dims.length;
        long start = n.i("start", 0), end = n.i("end", rank);
        start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        end = Math.max(start, Math.min(rank, end < 0 ? end + rank : end));
        n.checkAllRead();
        long[] r = java.util.Arrays.copyOfRange(dims, (int) start, (int) end);
        return new Const(ConstTensor.ofLongs(new long[] {r.length}, r));
    }

    // ---- values ----

    private static Value input(OpNode n, List<Value> in, int k) throws ImportError {
        if (k >= in.size() || in.get(k) == null) throw n.fail("input " + k + " is missing");
        return in.get(k);
    }

    /** Input k as a computed tensor of this rank (0: any). */
    private Act act(OpNode n, List<Value> in, int k, int rank) throws ImportError {
        input(n, in, k);
        Act a = act(n, n.proto().getInput(k), "input " + k);
        if (rank != 0 && a.shape().rank() != rank) throw n.fail("input '" + OpNode.show(n.proto().getInput(k)) + "' has shape " + a.shape() + ", expected rank " + rank);
        return a;
    }

    /** The named value as a computed tensor, turning a MatMul without bias into its Linear. */
    private Act act(OpNode n, String name, String what) throws ImportError {
        Value v = values.get(name);
        String prefix = n == null ? what : n.describe() + ": " + what;
        if (v instanceof Act a) return a;
        if (v instanceof PendingMatMul mm) {
            try {
                Act a = (Act) linear(mm.matMul(), mm.source(), transpose(mm.weight()), 1f, null, 1f);
                values.put(name, a);
                return a;
            } catch (IllegalArgumentException e) {
                throw mm.matMul().fail(e.getMessage());
            }
        }
        if (v instanceof PendingPad p) {
            throw new ImportError(prefix + " '" + OpNode.show(name) + "' comes from " + p.pad().describe() + ", which conv4j imports only in front of a Conv (or a zero Pad before an AveragePool)");
        }
        if (v instanceof Const) throw new ImportError(prefix + " '" + OpNode.show(name) + "' is a constant; conv4j expects a tensor computed from the graph input");
        throw new ImportError(prefix + ": " + ((Unavailable) v).why());
    }

    private static ConstTensor constant(OpNode n, List<Value> in, int k, String what) throws ImportError {
        if (!(input(n, in, k) instanceof Const c)) throw n.fail(what + " (input " + k + ") must be a constant, not a tensor computed from the graph input");
        return c.tensor();
    }

    /** A FLOAT constant input of this rank (-1: rank 0 to 2). */
    private static ConstTensor weight(OpNode n, List<Value> in, int k, String what, int rank) throws ImportError {
        ConstTensor t = constant(n, in, k, what);
        if (!t.isFloat()) throw n.fail(what + " must be FLOAT");
        if (rank >= 0 ? t.rank() != rank : t.rank() > 2) throw n.fail(what + " has shape " + t.shapeText() + ", expected rank " + (rank >= 0 ? rank : "0 to 2"));
        for (long d : t.dims()) if (d == 0) throw n.fail(what + " has shape " + t.shapeText() + " with a zero dimension");
        return t;
    }

    private static ConstTensor transpose(ConstTensor m) {
        int r = (int) m.dims()[0], c = (int) m.dims()[1];
        float[] t = new float[m.size()];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) t[j * r + i] = m.floats()[i * c + j];
        return ConstTensor.ofFloats(new long[] {c, r}, t);
    }

    private static int[] ints(OpNode n, String name, int dflt) throws ImportError {
        int[] v = n.ints(name, 2);
        if (v == null) return new int[] {dflt, dflt};
        for (int x : v) if (x < 1) throw n.fail("attribute " + name + " " + java.util.Arrays.toString(v) + " must be positive");
        return v;
    }

    private static void set(Parameter p, ConstTensor t) {
        p.value().copyFrom(Tensor.of(t.floats(), t.intDims()));
    }

    // ---- conv4j nodes ----

    private Act layer(OpNode n, Layer layer, Act x) {
        Shape out = layer.outputShape(x.shape());
        String name = uniqueName(n);
        built.add(new Built(name, layer, null, new String[] {x.node()}));
        return new Act(name, out);
    }

    private Act merge(OpNode n, Merge merge, Act... xs) {
        List<Shape> shapes = new ArrayList<>();
        String[] inputs = new String[xs.length];
        for (int k = 0; k < xs.length; k++) {
            shapes.add(xs[k].shape());
            inputs[k] = xs[k].node();
        }
        Shape out = merge.outputShape(shapes);
        String name = uniqueName(n);
        built.add(new Built(name, null, merge, inputs));
        return new Act(name, out);
    }

    /** The node's name as a conv4j name: letters, digits and '_' ("/conv1/Conv" -> "conv1_Conv"). */
    private String uniqueName(OpNode n) {
        String base = n.name().replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("^_+|_+$", "");
        if (base.isEmpty()) base = n.opType().replaceAll("[^A-Za-z0-9_]+", "_");
        if (base.isEmpty() || base.equals(Graph.INPUT)) base = "node_" + base;
        String name = base;
        for (int k = 2; !names.add(name); k++) name = base + "_" + k;
        return name;
    }

    /** A Sequential when each layer takes the previous one's output, else a Graph. */
    private Layer assemble(String output) {
        boolean chain = !built.isEmpty() && built.get(built.size() - 1).name().equals(output);
        String prev = Graph.INPUT;
        for (Built b : built) {
            chain &= b.layer() != null && b.inputs()[0].equals(prev);
            prev = b.name();
        }
        if (chain) {
            Sequential s = new Sequential();
            for (Built b : built) s.add(b.name(), b.layer());
            return s;
        }
        if (output.equals(Graph.INPUT)) return new Sequential().add("identity", new org.conv4j.nn.Identity());
        Graph g = new Graph();
        for (Built b : built) {
            if (b.layer() != null) g.add(b.name(), b.layer(), b.inputs());
            else g.add(b.name(), b.merge(), b.inputs());
        }
        return g.output(output);
    }
}
