package org.conv4j.jmh;

import java.util.Map;
import org.conv4j.bench.GemmShape;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.PaddingMode;

/**
 * The layer shapes of the bench cases (batch 64), by name, for the JMH benchmarks: each conv layer
 * of LeNet-5, VGG-small and ResNet-20 as (C, H, W) input, output channels, kernel, stride, padding,
 * and the activation maps that the pooling, BatchNorm and ReLU layers see.
 */
public final class Shapes {
    /** The batch of every model case. */
    public static final int BATCH = 64;

    /** One convolution: input (C, H, W), OC filters of K x K, stride, symmetric padding. */
    public record ConvShape(int c, int h, int w, int oc, int k, int stride, int pad) {
        public ConvGeometry geometry() {
            return new ConvGeometry(c, h, w, k, k, stride, stride, 1, 1, pad, pad, pad, pad, PaddingMode.ZEROS);
        }
    }

    /** An activation map (C, H, W) of the batch. */
    public record MapShape(int c, int h, int w) {
        public int size() {
            return BATCH * c * h * w;
        }
    }

    public static final Map<String, ConvShape> CONVS = Map.ofEntries(
            Map.entry("lenet5-conv1", new ConvShape(1, 28, 28, 6, 5, 1, 2)),
            Map.entry("lenet5-conv2", new ConvShape(6, 14, 14, 16, 5, 1, 0)),
            Map.entry("vgg-conv1", new ConvShape(3, 32, 32, 32, 3, 1, 1)),
            Map.entry("vgg-conv2", new ConvShape(32, 32, 32, 32, 3, 1, 1)),
            Map.entry("vgg-conv3", new ConvShape(32, 16, 16, 64, 3, 1, 1)),
            Map.entry("vgg-conv4", new ConvShape(64, 16, 16, 64, 3, 1, 1)),
            Map.entry("resnet-l1", new ConvShape(16, 32, 32, 16, 3, 1, 1)),
            Map.entry("resnet-l2", new ConvShape(32, 16, 16, 32, 3, 1, 1)),
            Map.entry("resnet-l3", new ConvShape(64, 8, 8, 64, 3, 1, 1)),
            Map.entry("resnet-l2-first", new ConvShape(16, 32, 32, 32, 3, 2, 1)),
            Map.entry("resnet-l3-first", new ConvShape(32, 16, 16, 64, 3, 2, 1)),
            Map.entry("resnet-down2", new ConvShape(16, 32, 32, 32, 1, 2, 0)));

    /** Maps entering the max pools (LeNet-5, VGG-small) and the BatchNorm/ReLU maps (VGG-small, ResNet-20). */
    public static final Map<String, MapShape> MAPS = Map.of(
            "lenet5-6x28x28", new MapShape(6, 28, 28),
            "lenet5-16x10x10", new MapShape(16, 10, 10),
            "32x32x32", new MapShape(32, 32, 32),
            "64x16x16", new MapShape(64, 16, 16),
            "16x32x32", new MapShape(16, 32, 32),
            "32x16x16", new MapShape(32, 16, 16),
            "64x8x8", new MapShape(64, 8, 8));

    private Shapes() {
    }

    /** The GEMM size called {@code name}: one of {@link GemmShape#CASE_SHAPES} or {@link GemmShape#PEAK}. */
    public static GemmShape gemm(String name) {
        if (name.equals(GemmShape.PEAK.name())) return GemmShape.PEAK;
        for (GemmShape s : GemmShape.CASE_SHAPES) if (s.name().equals(name)) return s;
        throw new IllegalArgumentException("no GEMM shape '" + name + "'");
    }

    static ConvShape conv(String name) {
        ConvShape s = CONVS.get(name);
        if (s == null) throw new IllegalArgumentException("no conv shape '" + name + "'; known: " + CONVS.keySet());
        return s;
    }

    static MapShape map(String name) {
        MapShape s = MAPS.get(name);
        if (s == null) throw new IllegalArgumentException("no map shape '" + name + "'; known: " + MAPS.keySet());
        return s;
    }
}
