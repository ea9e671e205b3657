package org.conv4j.summary;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.nn.AvgPool1d;
import org.conv4j.kernel.AdaptivePool;
import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.AdaptiveMaxPool2d;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.AvgPool3d;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.BatchNorm3d;
import org.conv4j.nn.Conv1d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Conv3d;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.GaussianPool2d;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool1d;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.MaxPool3d;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.TrainablePool2d;
import org.conv4j.nn.Upsample;
import org.conv4j.tensor.Shape;

/**
 * What a model costs before it is trained: for every leaf layer its output shape, parameter
 * count, FLOPs per image, receptive field and jump; totals; activation memory for a batch.
 *
 * <p>FLOPs are multiply-adds x 2 (SPEC 2 example 9: a 3x3 conv over a 5x5 map is 2*3*3*5*5 =
 * 450). Counted: Conv2d {@code 2 * OC * OH * OW * (C/groups) * KH * KW}, ConvTranspose2d
 * {@code 2 * C * H * W * (OC/groups) * KH * KW} (per input value), Conv1d {@code 2 * OC * OL * (C/groups) * K},
 * Conv3d {@code 2 * OC * OD * OH * OW * (C/groups) * KD * KH * KW}, bilinear Upsample (4 weights per output), Linear
 * {@code 2 * in * out}, BatchNorm (one multiply-add per element at inference) and the weighted
 * pools (one per window element). Comparisons, plain sums and activations count as zero, as in
 * the usual conventions; biases are not counted.
 *
 * <p>Receptive field (SPEC 2 example 6) and jump follow the standard recurrence: a window of
 * effective size {@code k' = d*(k-1)+1} and stride {@code s} gives {@code rf += (k'-1) * jump},
 * {@code jump *= s}. A Linear layer or global pooling sees the whole map; adaptive pooling counts
 * as its largest window with stride {@code floor(H / OH)} (exact when H is a multiple of OH). Where a Graph merges
 * branches, the largest receptive field and jump of the inputs are taken. Each spatial axis of the
 * input has its own field: L of a 1-D map (N, C, L), H and W of an image, D, H and W of a volume
 * (N, C, D, H, W); {@link #axes(int[])} picks those of a row's full (D, H, W) triple, in which a 1-D map is
 * one row of width L (D = H = 1).
 *
 * <p>Sequential and Graph are walked into; any other layer is one row (a container of another
 * kind reports all the parameters under it, but FLOPs and the receptive field only for the layer
 * types above).
 */
public final class ModelSummary {
    /**
     * One leaf layer: its dotted name, type, output shape (with batch), parameters, FLOPs per image,
     * receptive field and jump (H, W, and D: 1 unless the input is a volume).
     */
    public record Row(String name, String type, Shape output, long parameters, long flops,
                      int receptiveH, int receptiveW, int jumpH, int jumpW, int receptiveD, int jumpD) {
        /** The receptive field as (D, H, W). */
        public int[] receptiveField() {
            return new int[] {receptiveD, receptiveH, receptiveW};
        }

        /** The jump as (D, H, W). */
        public int[] jump() {
            return new int[] {jumpD, jumpH, jumpW};
        }
    }

    // What is known about a tensor flowing through the model, per axis D, H, W.
    private record State(Shape shape, int rfD, int rfH, int rfW, int jumpD, int jumpH, int jumpW, int mapD, int mapH, int mapW) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final Shape input;
    private final long totalParameters;
    private final Shape output;
    private final int receptiveD, receptiveH, receptiveW;
    private final long budgetBytes;   // checkActivations: the walk stops at the first layer past it
    private long activationBytes;

    private ModelSummary(Layer model, Shape input, long budgetBytes) {
        this.input = input;
        this.budgetBytes = budgetBytes;
        this.totalParameters = Layers.parameterCount(model);
        int d = isMap(input) ? mapD(input) : 1, h = isMap(input) ? mapH(input) : 1, w = isMap(input) ? mapW(input) : 1;
        State end = walk(model, "", new State(input, 1, 1, 1, 1, 1, 1, d, h, w));
        output = end.shape;
        receptiveD = end.rfD;
        receptiveH = end.rfH;
        receptiveW = end.rfW;
    }

    /** The summary of {@code model} for an input shape with its batch dimension, e.g. (1, 1, 28, 28). */
    public static ModelSummary of(Layer model, Shape input) {
        model.outputShape(input); // validates the whole model first, with its own message
        return new ModelSummary(model, input, Long.MAX_VALUE);
    }

    private State walk(Layer layer, String name, State in) {
        if (layer instanceof Sequential seq) {
            State s = in;
            List<String> names = seq.names();
            for (int i = 0; i < seq.size(); i++) s = walk(seq.get(i), prefix(name) + names.get(i), s);
            return s;
        }
        if (layer instanceof Graph g) return walkGraph(g, name, in);
        Shape out;
        try {
            out = layer.outputShape(in.shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer " + (name.isEmpty() ? "(model)" : name) + ": " + e.getMessage(), e);
        }
        State s = leaf(layer, in, out);
        // a container of another kind is one row holding all of its parameters
        long params = Layers.parameterCount(layer);
        add(new Row(name.isEmpty() ? "(model)" : name, layer.getClass().getSimpleName(), out, params,
                flops(layer, in.shape, out), s.rfH, s.rfW, s.jumpH, s.jumpW, s.rfD, s.jumpD));
        return s;
    }

    private State walkGraph(Graph g, String name, State in) {
        Map<String, State> states = new HashMap<>();
        states.put(Graph.INPUT, in);
        for (Graph.Node node : g.nodes()) {
            String path = prefix(name) + node.name();
            if (node.isMerge()) {
                List<Shape> shapes = new ArrayList<>();
                int rfD = 1, rfH = 1, rfW = 1, jD = 1, jH = 1, jW = 1, mD = 1, mH = 1, mW = 1;
                for (String src : node.inputs()) {
                    State s = states.get(src);
                    shapes.add(s.shape);
                    rfD = Math.max(rfD, s.rfD);
                    jD = Math.max(jD, s.jumpD);
                    mD = Math.max(mD, s.mapD);
                    rfH = Math.max(rfH, s.rfH);
                    rfW = Math.max(rfW, s.rfW);
                    jH = Math.max(jH, s.jumpH);
                    jW = Math.max(jW, s.jumpW);
                    mH = Math.max(mH, s.mapH);
                    mW = Math.max(mW, s.mapW);
                }
                Shape out = node.merge().outputShape(shapes);
                add(new Row(path, node.merge().getClass().getSimpleName(), out, 0, 0, rfH, rfW, jH, jW, rfD, jD));
                states.put(node.name(), new State(out, rfD, rfH, rfW, jD, jH, jW, mD, mH, mW));
            } else {
                states.put(node.name(), walk(node.layer(), path, states.get(node.inputs().get(0))));
            }
        }
        return states.get(g.outputName());
    }

    private void add(Row r) {
        rows.add(r);
        long bytes = 4L * r.output.size();
        activationBytes += bytes;
        if (activationBytes > budgetBytes) {
            throw new IllegalArgumentException(String.format("layer %s (%s): the activations of a forward pass of %s need %,d bytes by its output %s (%,d bytes),"
                    + " over the budget of %,d bytes (-D%s=N sets it)", r.name, r.type, input, activationBytes, r.output, bytes, budgetBytes, ACTIVATION_BUDGET_PROPERTY));
        }
    }

    private static String prefix(String name) {
        return name.isEmpty() ? "" : name + ".";
    }

    private static State leaf(Layer layer, State in, Shape out) {
        int[] window = null; // effective kd, kh, kw, then sd, sh, sw
        if (layer instanceof Conv2d c) {
            window = new int[] {1, c.dilationH() * (c.kernelH() - 1) + 1, c.dilationW() * (c.kernelW() - 1) + 1, 1, c.strideH(), c.strideW()};
        } else if (layer instanceof MaxPool2d p) {
            window = new int[] {1, p.dilationH() * (p.kernelH() - 1) + 1, p.dilationW() * (p.kernelW() - 1) + 1, 1, p.strideH(), p.strideW()};
        } else if (layer instanceof AvgPool2d p) {
            window = new int[] {1, p.kernelH(), p.kernelW(), 1, p.strideH(), p.strideW()};
        } else if (layer instanceof GaussianPool2d p) {
            window = new int[] {1, p.kernelH(), p.kernelW(), 1, p.strideH(), p.strideW()};
        } else if (layer instanceof TrainablePool2d p) {
            window = new int[] {1, p.kernelH(), p.kernelW(), 1, p.strideH(), p.strideW()};
        } else if (layer instanceof Conv1d c) {
            window = new int[] {1, 1, c.dilation() * (c.kernelSize() - 1) + 1, 1, 1, c.stride()};
        } else if (layer instanceof MaxPool1d p) {
            window = new int[] {1, 1, p.dilation() * (p.kernelSize() - 1) + 1, 1, 1, p.stride()};
        } else if (layer instanceof AvgPool1d p) {
            window = new int[] {1, 1, p.kernelSize(), 1, 1, p.stride()};
        } else if (layer instanceof Conv3d c) {
            window = volumeWindow(c.kernelSize(), c.dilation(), c.stride());
        } else if (layer instanceof MaxPool3d p) {
            window = volumeWindow(p.kernelSize(), p.dilation(), p.stride());
        } else if (layer instanceof AvgPool3d p) {
            window = volumeWindow(p.kernelSize(), new int[] {1, 1, 1}, p.stride());
        } else if (layer instanceof AdaptiveAvgPool2d || layer instanceof AdaptiveMaxPool2d) {
            // the largest window, and the stride of the windows' starts where H is a multiple of OH
            int oh = out.dim(2), ow = out.dim(3);
            window = new int[] {1, AdaptivePool.maxWindow(in.mapH, oh), AdaptivePool.maxWindow(in.mapW, ow),
                    1, Math.max(1, in.mapH / oh), Math.max(1, in.mapW / ow)};
        } else if (layer instanceof GlobalAvgPool2d || layer instanceof Linear) {
            window = new int[] {in.mapD, in.mapH, in.mapW, in.mapD, in.mapH, in.mapW};
        }
        if (layer instanceof ConvTranspose2d t) {
            return upsampling(in, out, t.dilationH() * (t.kernelH() - 1) + 1, t.dilationW() * (t.kernelW() - 1) + 1, t.strideH(), t.strideW());
        }
        if (layer instanceof Upsample u) {
            // nearest reads one input pixel, bilinear two neighbours per axis; the jump scales by input/output size
            int extra = u.interpolation() == Upsample.Interpolation.BILINEAR ? 1 : 0;
            Shape x = in.shape;
            return new State(out, in.rfD, in.rfH + extra * in.jumpH, in.rfW + extra * in.jumpW, in.jumpD,
                    (int) Math.max(1, Math.round((double) in.jumpH * x.dim(2) / out.dim(2))),
                    (int) Math.max(1, Math.round((double) in.jumpW * x.dim(3) / out.dim(3))), in.mapD, out.dim(2), out.dim(3));
        }
        int mapD = isMap(out) ? mapD(out) : (window != null ? 1 : in.mapD);
        int mapH = isMap(out) ? mapH(out) : (window != null ? 1 : in.mapH);
        int mapW = isMap(out) ? mapW(out) : (window != null ? 1 : in.mapW);
        if (window == null) return new State(out, in.rfD, in.rfH, in.rfW, in.jumpD, in.jumpH, in.jumpW, mapD, mapH, mapW);
        return new State(out, in.rfD + (window[0] - 1) * in.jumpD, in.rfH + (window[1] - 1) * in.jumpH, in.rfW + (window[2] - 1) * in.jumpW,
                in.jumpD * window[3], in.jumpH * window[4], in.jumpW * window[5], mapD, mapH, mapW);
    }

    /**
     * A layer that upsamples by a factor (sh, sw) with windows of kh x kw output pixels: an output
     * pixel sees ceil(k / s) input pixels, so {@code rf += (ceil(k/s) - 1) * jump}, and the jump
     * shrinks by the factor (kept at least 1 input pixel: the table counts whole pixels).
     */
    private static State upsampling(State in, Shape out, int kh, int kw, int sh, int sw) {
        return new State(out, in.rfD, in.rfH + ((kh + sh - 1) / sh - 1) * in.jumpH, in.rfW + ((kw + sw - 1) / sw - 1) * in.jumpW,
                in.jumpD, Math.max(1, in.jumpH / sh), Math.max(1, in.jumpW / sw), in.mapD, out.dim(2), out.dim(3));
    }

    // a (depth, height, width) window: effective sizes and strides
    private static int[] volumeWindow(int[] k, int[] d, int[] s) {
        return new int[] {d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1, d[2] * (k[2] - 1) + 1, s[0], s[1], s[2]};
    }

    // a map: (N, C, L) is one row of L, (N, C, H, W) one plane, (N, C, D, H, W) a volume
    private static boolean isMap(Shape s) {
        return s.rank() >= 3 && s.rank() <= 5;
    }

    private static int mapD(Shape s) {
        return s.rank() == 5 ? s.dim(2) : 1;
    }

    private static int mapH(Shape s) {
        return s.rank() == 3 ? 1 : s.dim(s.rank() - 2);
    }

    private static int mapW(Shape s) {
        return s.dim(s.rank() - 1);
    }

    private static long flops(Layer layer, Shape in, Shape out) {
        long outPerImage = out.sizeFrom(1);
        if (layer instanceof Conv2d c) return 2L * outPerImage * (c.inChannels() / c.groups()) * c.kernelH() * c.kernelW();
        // a transposed convolution multiplies every input value by a kernel of each output channel of its group
        if (layer instanceof ConvTranspose2d t) return 2L * in.sizeFrom(1) * (t.outChannels() / t.groups()) * t.kernelH() * t.kernelW();
        if (layer instanceof Conv1d c) return 2L * outPerImage * (c.inChannels() / c.groups()) * c.kernelSize();
        if (layer instanceof Conv3d c) {
            int[] k = c.kernelSize();
            return 2L * outPerImage * (c.inChannels() / c.groups()) * k[0] * k[1] * k[2];
        }
        if (layer instanceof Linear l) return 2L * l.inFeatures() * l.outFeatures();
        if (layer instanceof Upsample u && u.interpolation() == Upsample.Interpolation.BILINEAR) return 2L * 4 * outPerImage;
        if (layer instanceof BatchNorm2d || layer instanceof BatchNorm1d || layer instanceof BatchNorm3d) return 2L * outPerImage;
        if (layer instanceof GaussianPool2d p) return 2L * outPerImage * p.kernelH() * p.kernelW();
        if (layer instanceof TrainablePool2d p) return 2L * outPerImage * p.kernelH() * p.kernelW();
        return 0;
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    public Shape input() {
        return input;
    }

    public Shape output() {
        return output;
    }

    /** Trainable parameters of the whole model. */
    public long parameters() {
        return totalParameters;
    }

    /** FLOPs of one forward pass of one image. */
    public long flops() {
        long f = 0;
        for (Row r : rows) f += r.flops;
        return f;
    }

    /** Bytes of the layer outputs of one forward pass for a batch (training keeps about as much again for their gradients). */
    public long activationBytes(int batch) {
        long floats = 0;
        for (Row r : rows) floats += r.output.sizeFrom(1);
        return 4L * batch * floats;
    }

    /** The system property that sets {@link #defaultActivationBudget()}, in bytes. */
    public static final String ACTIVATION_BUDGET_PROPERTY = "conv4j.maxActivationBytes";

    /** {@value #ACTIVATION_BUDGET_PROPERTY} when set, else half the heap: what one forward pass may hold in layer outputs. */
    public static long defaultActivationBudget() {
        String p = System.getProperty(ACTIVATION_BUDGET_PROPERTY);
        if (p == null) return Runtime.getRuntime().maxMemory() / 2;
        try {
            long n = Long.parseLong(p.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(ACTIVATION_BUDGET_PROPERTY + " must be a positive number of bytes, got '" + p + "'");
    }

    /**
     * Fails, before anything is allocated, when the layer outputs of one forward pass of
     * {@code input} (with its batch dimension) would need more than {@code budgetBytes}: the
     * {@link IllegalArgumentException} names the first layer at which the running total passes
     * the budget, its output and the bytes. Shapes come from {@link Layer#outputShape}, so the
     * check costs no tensor.
     */
    public static void checkActivations(Layer model, Shape input, long budgetBytes) {
        // layer by layer: a layer past the budget fails before the shapes of the ones after it are checked
        new ModelSummary(model, input, budgetBytes);
    }

    /** The receptive field of the final output, H x W (1 x 1 for a model without layers). */
    public int[] receptiveField() {
        return new int[] {receptiveH, receptiveW};
    }

    /** The receptive field of the final output per spatial axis of the input: (L), (H, W) or (D, H, W). */
    public int[] receptiveFieldAxes() {
        return axes(new int[] {receptiveD, receptiveH, receptiveW});
    }

    /** The spatial axes of the input, "L", "HxW" or "DxHxW" (an input without a map counts as HxW). */
    public String axisNames() {
        return switch (input.rank()) {
            case 3 -> "L";
            case 5 -> "DxHxW";
            default -> "HxW";
        };
    }

    /** Of a (D, H, W) triple such as {@link Row#receptiveField()}, the axes the input has: (W) = (L), (H, W) or all three. */
    public int[] axes(int[] dhw) {
        return switch (input.rank()) {
            case 3 -> new int[] {dhw[2]};
            case 5 -> dhw.clone();
            default -> new int[] {dhw[1], dhw[2]};
        };
    }

    private String joined(int[] dhw) {
        StringBuilder sb = new StringBuilder();
        for (int v : axes(dhw)) sb.append(sb.length() == 0 ? "" : "x").append(v);
        return sb.toString();
    }

    /** A table for people. */
    public String format(int batch) {
        StringBuilder sb = new StringBuilder();
        int nameWidth = 12;
        for (Row r : rows) nameWidth = Math.max(nameWidth, r.name.length() + r.type.length() + 3);
        // an image's table is as it always was; a sequence's or a volume's names its axes
        boolean image = axisNames().equals("HxW");
        String fmt = "%-" + nameWidth + "s %-20s %12s %14s %" + (image ? 9 : 12) + "s %" + (image ? 7 : 12) + "s%n";
        sb.append(String.format(fmt, "layer", "output shape", "parameters", "FLOPs",
                image ? "RF" : "RF " + axisNames(), image ? "jump" : "jump " + axisNames()));
        for (Row r : rows) {
            sb.append(String.format(fmt, r.name + " (" + r.type + ")", r.output, String.format("%,d", r.parameters),
                    String.format("%,d", r.flops), joined(r.receptiveField()), joined(r.jump())));
        }
        sb.append(String.format("input %s -> output %s%n", input, output));
        sb.append(String.format("parameters: %,d (%.2f MB as float32)%n", parameters(), parameters() * 4 / 1e6));
        sb.append(String.format("FLOPs per image: %,d (%.3f GFLOPs)%n", flops(), flops() / 1e9));
        sb.append(String.format("activation memory, batch %d: %.2f MB forward (about twice that when training)%n",
                batch, activationBytes(batch) / 1e6));
        return sb.toString();
    }
}
