package org.conv4j.onnx;

import static org.conv4j.onnx.OnnxGraphWriter.integer;
import static org.conv4j.onnx.OnnxGraphWriter.ints;
import static org.conv4j.onnx.OnnxGraphWriter.real;
import static org.conv4j.onnx.OnnxGraphWriter.string;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.AdaptiveMaxPool2d;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Identity;
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
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.conv4j.tensor.Shape;

/**
 * A conv4j model as an ONNX model (opset {@value #OPSET}, IR version {@value #IR_VERSION},
 * float32), as it evaluates ({@link org.conv4j.nn.Mode#EVAL}): dropout is left out, batch norm
 * normalizes with its running statistics.
 *
 * <pre>{@code
 * OnnxExport.write(model, Shape.of(1, 28, 28), Path.of("model.onnx"));
 * }</pre>
 *
 * <p>The graph's input is {@value #INPUT}, (N, C, H, W) with the batch dimension symbolic
 * ({@value #BATCH}), and its output {@value #OUTPUT}; the weights are initializers (raw_data)
 * named by their conv4j names ({@code features.0.weight}), the nodes by their layer's path
 * ({@code features.0}). Containers ({@link Sequential}, {@link Graph}, nested to any depth) are
 * flattened into one ONNX graph. The layers map to: Conv2d to Conv (after a Pad node for the
 * reflect and replicate padding modes), ConvTranspose2d to ConvTranspose, MaxPool2d to MaxPool, AvgPool2d to AveragePool,
 * GlobalAvgPool2d to GlobalAveragePool, AdaptiveAvgPool2d and AdaptiveMaxPool2d to AveragePool and
 * MaxPool where the output size divides the input's (else an error), Linear to Gemm (transB = 1; after a Flatten for an input
 * of rank above 2, which Linear flattens itself), Flatten, ReLU, LeakyReLU, Sigmoid, Tanh,
 * Softmax, BatchNorm1d and BatchNorm2d to BatchNormalization, Add (a chain of Add nodes for more than
 * two inputs), Concat (axis 1), Identity;
 * Dropout to nothing (or to Mul by 1 - p with {@link Dropout.Scaling#DOWNSCALE_IN_INFER}).
 * Any other layer, and circular padding (no Pad mode in opset 13), fails with
 * {@link IllegalArgumentException} naming the layer and its path in the model.
 */
public final class OnnxExport {
    /** The operator set version written. */
    public static final int OPSET = 13;
    /** The IR version of ONNX 1.8, the release that introduced opset 13. */
    public static final int IR_VERSION = 7;
    /** The names of the graph's input and output, and of the batch dimension. */
    public static final String INPUT = "input", OUTPUT = "output", BATCH = "N";
    /** The producer_version written, conv4j's. */
    static final String PRODUCER_VERSION = "0.1.0";

    private static final String SUPPORTED = "Sequential, Graph, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, GlobalAvgPool2d, AdaptiveAvgPool2d and AdaptiveMaxPool2d (whole windows), Linear, Flatten, "
            + "ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, Dropout, BatchNorm1d, BatchNorm2d, Identity, Add, Concat";

    /** How big the exported file is, in nodes and initializers. */
    public record Summary(int nodes, int initializers) {
    }

    private final OnnxGraphWriter out = new OnnxGraphWriter();

    private OnnxExport() {
    }

    /**
     * The model for inputs of shape {@code input} (C, H, W). Throws {@link IllegalArgumentException}
     * when the model does not take that input, or for a layer without an ONNX counterpart.
     */
    public static ModelProto export(Layer model, Shape input) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input shape");
        if (input.rank() != 3) throw new IllegalArgumentException("OnnxExport: the input shape must be (C, H, W), got " + input);
        Shape batch = Shape.of(1, input.dim(0), input.dim(1), input.dim(2));
        Shape output;
        try {
            output = model.outputShape(batch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("OnnxExport: the model does not accept input " + input.dim(0) + "x" + input.dim(1)
                    + "x" + input.dim(2) + ": " + e.getMessage(), e);
        }
        OnnxExport x = new OnnxExport();
        String last = x.layer(model, "", INPUT, batch);
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("conv4j")
                .setProducerVersion(PRODUCER_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(x.out.finish("conv4j", last, batch, output))
                .build();
    }

    /** Writes {@link #export} of the model to {@code file}. */
    public static Summary write(Layer model, Shape input, Path file) throws IOException {
        ModelProto m = export(model, input);
        try (OutputStream o = Files.newOutputStream(file)) {
            m.writeTo(o);
        }
        return new Summary(m.getGraph().getNodeCount(), m.getGraph().getInitializerCount());
    }

    /** Emits {@code layer} reading the value {@code in} of shape {@code shape}; returns the name of its output value. */
    private String layer(Layer layer, String path, String in, Shape shape) {
        if (layer instanceof Sequential s) return sequential(s, path, in, shape);
        if (layer instanceof Graph g) return graph(g, path, in, shape);
        if (layer instanceof Conv2d c) return conv(c, path, in);
        if (layer instanceof ConvTranspose2d c) return convTranspose(c, path, in);
        if (layer instanceof MaxPool2d p) {
            return out.node("MaxPool", name(path, "maxpool"), List.of(in), ints("kernel_shape", p.kernelH(), p.kernelW()),
                    ints("strides", p.strideH(), p.strideW()), ints("pads", p.paddingH(), p.paddingW(), p.paddingH(), p.paddingW()),
                    ints("dilations", p.dilationH(), p.dilationW()), integer("ceil_mode", p.ceilMode() ? 1 : 0));
        }
        if (layer instanceof AvgPool2d p) {
            return out.node("AveragePool", name(path, "avgpool"), List.of(in), ints("kernel_shape", p.kernelH(), p.kernelW()),
                    ints("strides", p.strideH(), p.strideW()), ints("pads", p.paddingH(), p.paddingW(), p.paddingH(), p.paddingW()),
                    integer("ceil_mode", p.ceilMode() ? 1 : 0), integer("count_include_pad", p.countIncludePad() ? 1 : 0));
        }
        if (layer instanceof GlobalAvgPool2d) return out.node("GlobalAveragePool", name(path, "globalavgpool"), List.of(in));
        if (layer instanceof AdaptiveAvgPool2d p) return adaptivePool("AveragePool", p, p.outputH(), p.outputW(), path, in, shape);
        if (layer instanceof AdaptiveMaxPool2d p) return adaptivePool("MaxPool", p, p.outputH(), p.outputW(), path, in, shape);
        if (layer instanceof Linear l) return linear(l, path, in, shape);
        if (layer instanceof Flatten) return out.node("Flatten", name(path, "flatten"), List.of(in), integer("axis", 1));
        if (layer instanceof ReLU) return out.node("Relu", name(path, "relu"), List.of(in));
        if (layer instanceof LeakyReLU l) return out.node("LeakyRelu", name(path, "leakyrelu"), List.of(in), real("alpha", l.negativeSlope()));
        if (layer instanceof Sigmoid) return out.node("Sigmoid", name(path, "sigmoid"), List.of(in));
        if (layer instanceof Tanh) return out.node("Tanh", name(path, "tanh"), List.of(in));
        if (layer instanceof Softmax s) {
            // counted from the front, as the rank is known here: one way to write each axis
            int axis = s.dim() < 0 ? s.dim() + shape.rank() : s.dim();
            return out.node("Softmax", name(path, "softmax"), List.of(in), integer("axis", axis));
        }
        if (layer instanceof Identity) return out.node("Identity", name(path, "identity"), List.of(in));
        if (layer instanceof Dropout d) return dropout(d, path, in);
        if (layer instanceof BatchNorm2d b) {
            return batchNorm(path, in, b.numChannels(), b.eps(), b.momentum(), b.weight(), b.biasParameter(), b.runningMean(), b.runningVar());
        }
        if (layer instanceof BatchNorm1d b) {
            return batchNorm(path, in, b.numFeatures(), b.eps(), b.momentum(), b.weight(), b.biasParameter(), b.runningMean(), b.runningVar());
        }
        throw new IllegalArgumentException("OnnxExport: " + where(path) + " (" + layer.getClass().getSimpleName()
                + ") has no ONNX counterpart in opset " + OPSET + "; exportable layers: " + SUPPORTED);
    }

    /**
     * Adaptive pooling has no operator in opset 13; where the output size divides the input's, its
     * windows are all {@code H / OH} x {@code W / OW} at that stride, which a plain pool writes exactly
     * (torchvision's AlexNet and VGG at their usual input, where it is the identity or a fixed pool).
     */
    private String adaptivePool(String op, Layer layer, int oh, int ow, String path, String in, Shape shape) {
        int h = shape.dim(2), w = shape.dim(3);
        if (h % oh != 0 || w % ow != 0) {
            throw new IllegalArgumentException("OnnxExport: " + where(path) + " (" + layer + ") pools " + h + "x" + w + " to " + oh + "x" + ow
                    + ", which is not a whole number of windows: opset " + OPSET + " has no adaptive pooling; export at an input whose size there is a multiple of " + oh + "x" + ow);
        }
        int kh = h / oh, kw = w / ow;
        // the attributes MaxPool2d and AvgPool2d write, so the pool imports and exports again as itself
        if (op.equals("MaxPool")) {
            return out.node(op, name(path, "maxpool"), List.of(in), ints("kernel_shape", kh, kw), ints("strides", kh, kw),
                    ints("pads", 0, 0, 0, 0), ints("dilations", 1, 1), integer("ceil_mode", 0));
        }
        return out.node(op, name(path, "avgpool"), List.of(in), ints("kernel_shape", kh, kw), ints("strides", kh, kw),
                ints("pads", 0, 0, 0, 0), integer("ceil_mode", 0), integer("count_include_pad", 1));
    }

    private String sequential(Sequential s, String path, String in, Shape shape) {
        for (int i = 0; i < s.size(); i++) {
            Layer child = s.get(i);
            in = layer(child, join(path, s.names().get(i)), in, shape);
            shape = child.outputShape(shape);
        }
        return in;
    }

    // a value per graph name: the graph input is ours, each node's the value it emits
    private String graph(Graph g, String path, String in, Shape shape) {
        Map<String, String> values = new HashMap<>();
        Map<String, Shape> shapes = new HashMap<>();
        values.put(Graph.INPUT, in);
        shapes.put(Graph.INPUT, shape);
        for (Graph.Node n : g.nodes()) {
            String nodePath = join(path, n.name());
            if (n.isMerge()) {
                List<String> inputs = new ArrayList<>();
                List<Shape> inShapes = new ArrayList<>();
                for (String i : n.inputs()) {
                    inputs.add(values.get(i));
                    inShapes.add(shapes.get(i));
                }
                values.put(n.name(), merge(n.merge(), nodePath, inputs));
                shapes.put(n.name(), n.merge().outputShape(inShapes));
            } else {
                Shape s = shapes.get(n.inputs().get(0));
                values.put(n.name(), layer(n.layer(), nodePath, values.get(n.inputs().get(0)), s));
                shapes.put(n.name(), n.layer().outputShape(s));
            }
        }
        return values.get(g.outputName());
    }

    private String merge(Merge m, String path, List<String> inputs) {
        if (m instanceof Add) return add(path, inputs);
        if (m instanceof Concat) return out.node("Concat", name(path, "concat"), inputs, integer("axis", 1));
        throw new IllegalArgumentException("OnnxExport: " + where(path) + " (" + m.getClass().getSimpleName()
                + ") has no ONNX counterpart in opset " + OPSET + "; exportable merges: Add, Concat");
    }

    // ONNX's Add takes two inputs: more are summed left to right, as conv4j's Add does, the last Add named after the layer
    private String add(String path, List<String> inputs) {
        String sum = inputs.get(0);
        for (int k = 1; k < inputs.size(); k++) {
            String name = k == inputs.size() - 1 ? name(path, "add") : join(name(path, "add"), "add" + k);
            sum = out.node("Add", name, List.of(sum, inputs.get(k)));
        }
        return sum;
    }

    // reflect and replicate padding become a Pad node (modes "reflect" and "edge") before a convolution without padding
    private String conv(Conv2d c, String path, String in) {
        int[] p = c.padding(); // top, bottom, left, right
        boolean padded = Arrays.stream(p).anyMatch(v -> v > 0);
        if (padded && c.paddingMode() != PaddingMode.ZEROS) {
            String mode = switch (c.paddingMode()) {
                case REFLECT -> "reflect";
                case REPLICATE -> "edge";
                default -> throw new IllegalArgumentException("OnnxExport: " + where(path) + " (" + c
                        + ") pads circularly, which ONNX's Pad has no mode for in opset " + OPSET
                        + "; use padding_mode zeros, reflect or replicate, or no padding");
            };
            String pads = out.int64s(join(path, "pads"), 0, 0, p[0], p[2], 0, 0, p[1], p[3]);
            in = out.node("Pad", join(name(path, "conv"), "pad"), List.of(in, pads), string("mode", mode));
            p = new int[4];
        }
        List<String> inputs = new ArrayList<>(List.of(in, weight(path, c.weight())));
        if (c.hasBias()) inputs.add(weight(path, c.biasParameter()));
        return out.node("Conv", name(path, "conv"), inputs, ints("kernel_shape", c.kernelH(), c.kernelW()),
                ints("strides", c.strideH(), c.strideW()), ints("pads", p[0], p[2], p[1], p[3]),
                ints("dilations", c.dilationH(), c.dilationW()), integer("group", c.groups()));
    }

    // ONNX's weight layout (C, M / group, kH, kW) and output size are PyTorch's, so conv4j's too
    private String convTranspose(ConvTranspose2d c, String path, String in) {
        List<String> inputs = new ArrayList<>(List.of(in, weight(path, c.weight())));
        if (c.hasBias()) inputs.add(weight(path, c.biasParameter()));
        return out.node("ConvTranspose", name(path, "convtranspose"), inputs, ints("kernel_shape", c.kernelH(), c.kernelW()),
                ints("strides", c.strideH(), c.strideW()), ints("pads", c.paddingH(), c.paddingW(), c.paddingH(), c.paddingW()),
                ints("output_padding", c.outputPaddingH(), c.outputPaddingW()), ints("dilations", c.dilationH(), c.dilationW()),
                integer("group", c.groups()));
    }

    // Gemm takes a matrix: Linear flattens a larger input itself, so ONNX needs a Flatten before it
    private String linear(Linear l, String path, String in, Shape shape) {
        if (shape.rank() > 2) in = out.node("Flatten", join(name(path, "gemm"), "flatten"), List.of(in), integer("axis", 1));
        List<String> inputs = new ArrayList<>(List.of(in, weight(path, l.weight())));
        if (l.hasBias()) inputs.add(weight(path, l.biasParameter()));
        return out.node("Gemm", name(path, "gemm"), inputs, integer("transB", 1));
    }

    // EVAL: upscaling dropout is the identity, downscaling multiplies by the keep rate
    private String dropout(Dropout d, String path, String in) {
        if (d.scaling() == Dropout.Scaling.UPSCALE_IN_TRAIN || d.p() == 0) return in;
        String keep = out.floats(join(path, "keep"), new float[] {(float) (1 - d.p())});
        return out.node("Mul", name(path, "mul"), List.of(in, keep));
    }

    // ONNX's momentum weighs the running value (PyTorch's and conv4j's the new batch); a layer without affine gets gamma 1, beta 0
    private String batchNorm(String path, String in, int channels, double eps, double momentum,
                             Parameter gamma, Parameter beta, Parameter mean, Parameter var) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        String scale = gamma != null ? weight(path, gamma) : out.floats(join(path, "weight"), ones, channels);
        String shift = beta != null ? weight(path, beta) : out.floats(join(path, "bias"), new float[channels], channels);
        return out.node("BatchNormalization", name(path, "batchnorm"), List.of(in, scale, shift, weight(path, mean), weight(path, var)),
                real("epsilon", (float) eps), real("momentum", (float) (1 - momentum)));
    }

    private String weight(String path, Parameter p) {
        return out.floats(join(path, p.name()), p.value().toArray(), p.value().shape().dims());
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** A node's name: its layer's path, or for the model itself (no path) the operator's. */
    private static String name(String path, String op) {
        return path.isEmpty() ? op : path;
    }

    private static String where(String path) {
        return path.isEmpty() ? "the model itself" : "layer '" + path + "'";
    }
}
