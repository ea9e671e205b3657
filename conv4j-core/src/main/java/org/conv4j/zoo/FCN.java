package org.conv4j.zoo;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.nn.Add;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Layer;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * FCN-8s (Long, Shelhamer and Darrell 2015): a fully convolutional network for per-pixel
 * classification on a VGG-style backbone (convolutions and five 2x2 max pools). The backbone is
 * cut after each pool into {@code stage1 .. stage5}; {@code fc6} (3x3 conv) and {@code fc7} (1x1)
 * with ReLUs stand for VGG's fully connected layers, {@code score_fr} scores the classes at 1/32
 * of the input, and the scores are brought back to full size as in the paper:
 * <pre>
 *   upscore2      = ConvTranspose2d(4, stride 2)(score_fr)               1/16
 *   fuse_pool4    = upscore2 + score_pool4(stage4)                       (1x1 conv)
 *   upscore_pool4 = ConvTranspose2d(4, stride 2)(fuse_pool4)             1/8
 *   fuse_pool3    = upscore_pool4 + score_pool3(stage3)
 *   upscore8      = ConvTranspose2d(16, stride 8, padding 4)(fuse_pool3)  full size
 * </pre>
 * The transposed convolutions have no bias and start as bilinear interpolation (each class's
 * map upsampled on its own, FCN's {@code upsample_filt}); the skip scorers {@code score_pool3/4}
 * start at zero, so training begins from FCN-32s's prediction. Input height and width must be
 * multiples of 32.
 *
 * <p>{@link #fromBackbone} takes any conv4j backbone of that kind (VGG-16's {@code features} gives
 * the paper's net); {@code fcn8s_small} ({@link #small}) uses a small one, one [3x3 conv - BatchNorm -
 * ReLU] per stage with 16, 32, 64, 64, 64 filters, fc6/fc7 of 128 (1x64x64 to 11 classes: 225,457 parameters).
 */
public final class FCN {
    /** The smallest height and width: five 2x2 pools. */
    public static final int MIN_SIZE = 32;

    private FCN() {
    }

    /** {@code fcn8s_small}. */
    public static Graph small(int channels, int height, int width, int classes) {
        Nets.checkArgs("fcn8s_small", channels, height, width, classes);
        Sequential features = new Sequential();
        int in = channels;
        for (int out : new int[] {16, 32, 64, 64, 64}) {
            features.add(new Conv2d(in, out, 3).padding(1).bias(false)).add(new BatchNorm2d(out)).add(new ReLU()).add(new MaxPool2d(2));
            in = out;
        }
        Nets.kaimingConvs(features);
        return fromBackbone("fcn8s_small", features, channels, height, width, classes, 128);
    }

    /**
     * FCN-8s on {@code backbone}, a Sequential with five {@link MaxPool2d} layers of stride 2 (any
     * layers after the last pool are left out); {@code hidden} is the width of fc6 and fc7 (4096 in the paper).
     */
    public static Graph fromBackbone(String name, Sequential backbone, int channels, int height, int width, int classes, int hidden) {
        Nets.checkArgs(name, channels, height, width, classes);
        if (height % 32 != 0 || width % 32 != 0) {
            throw new IllegalArgumentException(name + ": input " + channels + "x" + height + "x" + width + " does not fit: its height and width must be multiples of 32 (five 2x2 pools)");
        }
        List<Sequential> stages = new ArrayList<>();
        Sequential stage = new Sequential();
        for (int i = 0; i < backbone.size() && stages.size() < 5; i++) {
            Layer l = backbone.get(i);
            stage.add(backbone.names().get(i), l);
            if (l instanceof MaxPool2d) {
                stages.add(stage);
                stage = new Sequential();
            }
        }
        if (stages.size() < 5) throw new IllegalArgumentException(name + ": the backbone has " + stages.size() + " max pools; FCN-8s needs five");
        Graph g = new Graph();
        String last = Graph.INPUT;
        int[] widths = new int[5];
        Shape s = Shape.of(1, channels, height, width);
        for (int i = 0; i < 5; i++) {
            g.add("stage" + (i + 1), stages.get(i), last);
            last = "stage" + (i + 1);
            s = Nets.shape(name, last, stages.get(i), s.dim(1), s.dim(2), s.dim(3), MIN_SIZE);
            widths[i] = s.dim(1);
        }
        Conv2d scorePool4 = new Conv2d(widths[3], classes, 1), scorePool3 = new Conv2d(widths[2], classes, 1);
        scorePool4.weight().value().fill(0f);
        scorePool4.biasParameter().value().fill(0f);
        scorePool3.weight().value().fill(0f);
        scorePool3.biasParameter().value().fill(0f);
        g.add("fc6", new Conv2d(widths[4], hidden, 3).padding(1), last).add("relu6", new ReLU(), "fc6")
                .add("fc7", new Conv2d(hidden, hidden, 1), "relu6").add("relu7", new ReLU(), "fc7")
                .add("score_fr", new Conv2d(hidden, classes, 1), "relu7")
                .add("upscore2", bilinear(classes, 4, 2, 1), "score_fr")
                .add("score_pool4", scorePool4, "stage4")
                .add("fuse_pool4", new Add(), "upscore2", "score_pool4")
                .add("upscore_pool4", bilinear(classes, 4, 2, 1), "fuse_pool4")
                .add("score_pool3", scorePool3, "stage3")
                .add("fuse_pool3", new Add(), "upscore_pool4", "score_pool3")
                .add("upscore8", bilinear(classes, 16, 8, 4), "fuse_pool3")
                .output("upscore8");
        Nets.shape(name, g, channels, height, width, MIN_SIZE);
        return g;
    }

    /**
     * A transposed convolution from {@code classes} to {@code classes} maps without bias whose
     * weight upsamples each map by bilinear interpolation: FCN's {@code upsample_filt}, the
     * outer product of {@code 1 - |i - centre| / factor} with {@code factor = ceil(k / 2)}, on the
     * diagonal (class c to class c), zero elsewhere.
     */
    static ConvTranspose2d bilinear(int classes, int kernel, int stride, int padding) {
        ConvTranspose2d up = new ConvTranspose2d(classes, classes, kernel).stride(stride).padding(padding).bias(false);
        int factor = (kernel + 1) / 2;
        double centre = kernel % 2 == 1 ? factor - 1 : factor - 0.5;
        Tensor w = up.weight().value();
        w.fill(0f);
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < kernel; i++) {
                for (int j = 0; j < kernel; j++) {
                    w.set((float) ((1 - Math.abs(i - centre) / factor) * (1 - Math.abs(j - centre) / factor)), c, c, i, j);
                }
            }
        }
        return up;
    }
}
