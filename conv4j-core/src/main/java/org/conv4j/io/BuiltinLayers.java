package org.conv4j.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.conv4j.nn.Add;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Concat;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.GaussianPool2d;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Identity;
import org.conv4j.nn.LeakyReLU;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Maxout;
import org.conv4j.nn.Merge;
import org.conv4j.nn.Sigmoid;
import org.conv4j.nn.Tanh;
import org.conv4j.nn.Upsample;
import org.conv4j.nn.TrainablePool2d;

/** The codecs of the built-in layers beyond those in {@link Architecture}'s own block: pooling, activations, normalization, dropout, Graph. */
final class BuiltinLayers {
    private BuiltinLayers() {
    }

    static void register() {
        Architecture.register("MaxPool2d", MaxPool2d.class,
                (p, out) -> {
                    out.put("kernel_size", List.of(p.kernelH(), p.kernelW()));
                    out.put("stride", List.of(p.strideH(), p.strideW()));
                    out.put("padding", List.of(p.paddingH(), p.paddingW()));
                    out.put("dilation", List.of(p.dilationH(), p.dilationW()));
                    out.put("ceil_mode", p.ceilMode());
                },
                c -> {
                    int[] k = c.intPair("kernel_size");
                    int[] s = c.intPair("stride", 0), p = c.intPair("padding", 0), d = c.intPair("dilation", 1);
                    MaxPool2d m = new MaxPool2d(k[0], k[1]).padding(p[0], p[1]).dilation(d[0], d[1]).ceilMode(c.bool("ceil_mode", false));
                    return s[0] == 0 ? m : m.stride(s[0], s[1]);
                });
        Architecture.register("AvgPool2d", AvgPool2d.class,
                (p, out) -> {
                    out.put("kernel_size", List.of(p.kernelH(), p.kernelW()));
                    out.put("stride", List.of(p.strideH(), p.strideW()));
                    out.put("padding", List.of(p.paddingH(), p.paddingW()));
                    out.put("ceil_mode", p.ceilMode());
                    out.put("count_include_pad", p.countIncludePad());
                },
                c -> {
                    int[] k = c.intPair("kernel_size");
                    int[] s = c.intPair("stride", 0), p = c.intPair("padding", 0);
                    AvgPool2d a = new AvgPool2d(k[0], k[1]).padding(p[0], p[1]).ceilMode(c.bool("ceil_mode", false))
                            .countIncludePad(c.bool("count_include_pad", true));
                    return s[0] == 0 ? a : a.stride(s[0], s[1]);
                });
        Architecture.register("GlobalAvgPool2d", GlobalAvgPool2d.class, (l, out) -> { }, c -> new GlobalAvgPool2d());
        Architecture.register("GaussianPool2d", GaussianPool2d.class,
                (p, out) -> {
                    out.put("kernel_size", List.of(p.kernelH(), p.kernelW()));
                    out.put("sigma", p.sigma());
                    out.put("stride", List.of(p.strideH(), p.strideW()));
                    out.put("padding", List.of(p.paddingH(), p.paddingW()));
                },
                c -> {
                    int[] k = c.intPair("kernel_size");
                    int[] s = c.intPair("stride", 0), p = c.intPair("padding", 0);
                    c.reserve(k[0], k[1]);
                    GaussianPool2d g = new GaussianPool2d(k[0], k[1], c.number("sigma")).padding(p[0], p[1]);
                    return s[0] == 0 ? g : g.stride(s[0], s[1]);
                });
        Architecture.register("TrainablePool2d", TrainablePool2d.class,
                (p, out) -> {
                    out.put("channels", p.channels());
                    out.put("kernel_size", List.of(p.kernelH(), p.kernelW()));
                    out.put("stride", List.of(p.strideH(), p.strideW()));
                    out.put("padding", List.of(p.paddingH(), p.paddingW()));
                },
                c -> {
                    int channels = c.intValue("channels");
                    int[] k = c.intPair("kernel_size");
                    int[] s = c.intPair("stride", 0), p = c.intPair("padding", 0);
                    c.reserve(channels, k[0], k[1]);
                    TrainablePool2d t = new TrainablePool2d(channels, k[0], k[1]).padding(p[0], p[1]);
                    return s[0] == 0 ? t : t.stride(s[0], s[1]);
                });
        Architecture.register("LeakyReLU", LeakyReLU.class,
                (l, out) -> out.put("negative_slope", (double) l.negativeSlope()),
                c -> new LeakyReLU((float) c.number("negative_slope", 0.01)));
        Architecture.register("Sigmoid", Sigmoid.class, (l, out) -> { }, c -> new Sigmoid());
        Architecture.register("Tanh", Tanh.class, (l, out) -> { }, c -> new Tanh());
        Architecture.register("Identity", Identity.class, (l, out) -> { }, c -> new Identity());
        Architecture.register("Maxout", Maxout.class, (l, out) -> out.put("pieces", l.pieces()), c -> new Maxout(c.intValue("pieces")));
        Architecture.register("Dropout", Dropout.class,
                (d, out) -> {
                    out.put("p", d.p());
                    out.put("mode", d.scaling().name().toLowerCase(Locale.ROOT));
                },
                c -> {
                    String mode = c.string("mode", "upscale_in_train");
                    for (Dropout.Scaling s : Dropout.Scaling.values()) {
                        if (s.name().toLowerCase(Locale.ROOT).equals(mode)) return new Dropout(c.number("p", 0.5)).scaling(s);
                    }
                    throw c.error("'mode' must be upscale_in_train or downscale_in_infer, got \"%s\"", mode);
                });
        Architecture.register("BatchNorm2d", BatchNorm2d.class,
                (b, out) -> {
                    out.put("num_features", b.numChannels());
                    out.put("eps", b.eps());
                    out.put("momentum", b.momentum());
                    out.put("affine", b.isAffine());
                },
                c -> {
                    int n = c.intValue("num_features");
                    c.reserve(4, n);
                    return new BatchNorm2d(n).eps(c.number("eps", 1e-5)).momentum(c.number("momentum", 0.1)).affine(c.bool("affine", true));
                });
        Architecture.register("BatchNorm1d", BatchNorm1d.class,
                (b, out) -> {
                    out.put("num_features", b.numFeatures());
                    out.put("eps", b.eps());
                    out.put("momentum", b.momentum());
                    out.put("affine", b.isAffine());
                },
                c -> {
                    int n = c.intValue("num_features");
                    c.reserve(4, n);
                    return new BatchNorm1d(n).eps(c.number("eps", 1e-5)).momentum(c.number("momentum", 0.1)).affine(c.bool("affine", true));
                });
        Architecture.register("Graph", Graph.class, BuiltinLayers::encodeGraph, BuiltinLayers::decodeGraph);
        Architecture.register("ConvTranspose2d", ConvTranspose2d.class, BuiltinLayers::encodeConvTranspose2d, BuiltinLayers::decodeConvTranspose2d);
        Architecture.register("Upsample", Upsample.class, BuiltinLayers::encodeUpsample, BuiltinLayers::decodeUpsample);
    }

    private static void encodeConvTranspose2d(ConvTranspose2d c, Map<String, Object> out) {
        out.put("in_channels", c.inChannels());
        out.put("out_channels", c.outChannels());
        out.put("kernel_size", List.of(c.kernelH(), c.kernelW()));
        out.put("stride", List.of(c.strideH(), c.strideW()));
        out.put("padding", List.of(c.paddingH(), c.paddingW()));
        out.put("output_padding", List.of(c.outputPaddingH(), c.outputPaddingW()));
        out.put("dilation", List.of(c.dilationH(), c.dilationW()));
        out.put("groups", c.groups());
        out.put("bias", c.hasBias());
    }

    private static ConvTranspose2d decodeConvTranspose2d(LayerConfig c) {
        int in = c.intValue("in_channels"), outC = c.intValue("out_channels"), groups = c.intValue("groups", 1);
        int[] k = c.intPair("kernel_size"), s = c.intPair("stride", 1), p = c.intPair("padding", 0);
        int[] op = c.intPair("output_padding", 0), d = c.intPair("dilation", 1);
        boolean bias = c.bool("bias", true);
        // the constructor allocates the ungrouped weight before groups() shrinks it
        c.reserveTemporary(in, outC, k[0], k[1]);
        c.reserve(in, Math.max(1, outC / Math.max(1, groups)), k[0], k[1]);
        if (bias) c.reserve(outC);
        return new ConvTranspose2d(in, outC, k[0], k[1]).groups(groups).bias(bias).stride(s[0], s[1]).padding(p[0], p[1])
                .outputPadding(op[0], op[1]).dilation(d[0], d[1]);
    }

    // {"size": [h, w]} or {"scale_factor": [sh, sw]}, "mode": "nearest"|"bilinear", "align_corners"
    private static void encodeUpsample(Upsample u, Map<String, Object> out) {
        int[] size = u.size();
        if (size != null) out.put("size", List.of(size[0], size[1]));
        else out.put("scale_factor", List.of(u.scaleFactor()[0], u.scaleFactor()[1]));
        out.put("mode", u.interpolation().name().toLowerCase(Locale.ROOT));
        out.put("align_corners", u.alignCorners());
    }

    private static Upsample decodeUpsample(LayerConfig c) {
        Upsample u;
        if (c.has("size")) {
            int[] size = c.intPair("size");
            u = new Upsample(size[0], size[1]);
        } else {
            Object v = c.raw("scale_factor");
            if (v instanceof Number n) {
                u = new Upsample(n.doubleValue());
            } else if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number h && l.get(1) instanceof Number w) {
                u = new Upsample(1).scaleFactor(h.doubleValue(), w.doubleValue());
            } else {
                throw c.error("'scale_factor' must be a number or [sh, sw], got %s", Json.typeName(v));
            }
        }
        return u.mode(c.string("mode", "nearest")).alignCorners(c.bool("align_corners", false));
    }

    // {"type": "Graph", "nodes": [{"name", "inputs", "layer": {...}} or {"name", "inputs", "merge": "add"|"concat"}], "output": name}
    private static void encodeGraph(Graph g, Map<String, Object> out) {
        List<Object> nodes = new ArrayList<>();
        for (Graph.Node n : g.nodes()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("name", n.name());
            node.put("inputs", new ArrayList<Object>(n.inputs()));
            if (n.isMerge()) node.put("merge", mergeName(n.merge()));
            else node.put("layer", Architecture.encode(n.layer()));
            nodes.add(node);
        }
        out.put("nodes", nodes);
        out.put("output", g.outputName());
    }

    private static String mergeName(Merge m) {
        if (m instanceof Add) return "add";
        if (m instanceof Concat) return "concat";
        throw new IllegalArgumentException("Architecture: cannot save the merge " + m.getClass().getName() + ": only add and concat are known");
    }

    private static Graph decodeGraph(LayerConfig c) {
        Graph g = new Graph();
        for (LayerConfig node : c.objects("nodes")) {
            String name = node.string("name");
            String[] inputs = node.strings("inputs").toArray(new String[0]);
            if (node.has("merge")) {
                String merge = node.string("merge");
                switch (merge) {
                    case "add" -> g.add(name, new Add(), inputs);
                    case "concat" -> g.add(name, new Concat(), inputs);
                    default -> throw node.error("'merge' must be add or concat, got \"%s\"", merge);
                }
            } else {
                g.add(name, node.layer("layer"), inputs);
            }
        }
        return g.output(c.string("output"));
    }
}
