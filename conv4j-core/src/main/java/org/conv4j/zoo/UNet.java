package org.conv4j.zoo;

import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Concat;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;

/**
 * U-Net (Ronneberger et al. 2015) for per-pixel classification, small: an encoder of
 * {@code depth} levels, each a block of two [3x3 conv (padding 1) - BatchNorm - ReLU] followed by
 * a 2x2 max pool, a bottom block, and a decoder that at each level upsamples with a 2x2 stride-2
 * {@link ConvTranspose2d}, concatenates the encoder block of the same resolution (the skip
 * connection) and runs a block; a 1x1 conv gives the class scores. Output (N, classes, H, W) for
 * input (N, C, H, W), H and W multiples of 2^depth. Widths: {@code base} filters at full
 * resolution, doubling at each level down.
 *
 * <p>Node names: {@code enc0 .. enc{depth-1}}, {@code pool0 ..}, {@code bottom},
 * {@code up{l}}, {@code cat{l}}, {@code dec{l}} for l from depth-1 down to 0, then {@code head}.
 * {@code unet_small} is depth 3 and base 8: 1x48x48 to 11 classes has 121,123 parameters.
 */
public final class UNet {
    /** {@code unet_small}'s levels and full-resolution width. */
    public static final int SMALL_DEPTH = 3, SMALL_BASE = 8;

    private UNet() {
    }

    /** {@code unet_small}. */
    public static Graph small(int channels, int height, int width, int classes) {
        return build(channels, height, width, classes, SMALL_DEPTH, SMALL_BASE);
    }

    public static Graph build(int channels, int height, int width, int classes, int depth, int base) {
        String name = "unet";
        Nets.checkArgs(name, channels, height, width, classes);
        if (depth < 1 || base < 1) throw new IllegalArgumentException("unet: depth and base width must be positive, got " + depth + " and " + base);
        int step = 1 << depth;
        if (height % step != 0 || width % step != 0) {
            throw new IllegalArgumentException("unet: input " + channels + "x" + height + "x" + width + " does not fit: its height and width must be multiples of "
                    + step + " (2^" + depth + " levels of 2x2 pooling)");
        }
        Graph g = new Graph();
        String last = Graph.INPUT;
        int in = channels;
        for (int l = 0; l < depth; l++) {
            int out = base << l;
            g.add("enc" + l, block(in, out), last).add("pool" + l, new MaxPool2d(2), "enc" + l);
            last = "pool" + l;
            in = out;
        }
        g.add("bottom", block(in, base << depth), last);
        last = "bottom";
        in = base << depth;
        for (int l = depth - 1; l >= 0; l--) {
            int out = base << l;
            g.add("up" + l, new ConvTranspose2d(in, out, 2).stride(2), last)
                    .add("cat" + l, new Concat(), "up" + l, "enc" + l)
                    .add("dec" + l, block(2 * out, out), "cat" + l);
            last = "dec" + l;
            in = out;
        }
        g.add("head", new Conv2d(base, classes, 1), last).output("head");
        Nets.kaimingConvs(g);
        Nets.shape(name, g, channels, height, width, step);
        return g;
    }

    // [3x3 conv - BN - ReLU] x2; the convs have no bias, as BatchNorm follows
    private static Sequential block(int in, int out) {
        return new Sequential()
                .add("conv1", new Conv2d(in, out, 3).padding(1).bias(false)).add("bn1", new BatchNorm2d(out)).add("relu1", new ReLU())
                .add("conv2", new Conv2d(out, out, 3).padding(1).bias(false)).add("bn2", new BatchNorm2d(out)).add("relu2", new ReLU());
    }
}
