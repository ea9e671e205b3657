package org.conv4j.zoo;

import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Shape;

/**
 * VGG (Simonyan and Zisserman 2014) in torchvision's ImageNet form ({@code vgg11} ... {@code vgg19}
 * and {@code vgg11_bn} ... {@code vgg19_bn}), and a small VGG for 28x28 and 32x32 images.
 *
 * <p>The features are torchvision's configurations A, B, D, E (a number is a 3x3 conv with
 * padding 1 and that many filters, followed by BatchNorm2d in the _bn variants and ReLU; M is
 * MaxPool2d(2)):
 * <pre>
 *   11: 64 M 128 M 256 256 M 512 512 M 512 512 M
 *   13: 64 64 M 128 128 M 256 256 M 512 512 M 512 512 M
 *   16: 64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M
 *   19: 64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M
 *   avgpool:    AdaptiveAvgPool2d((7, 7))
 *   classifier: 0 Linear(512*7*7, 4096)  1 ReLU  2 Dropout  3 Linear(4096, 4096)  4 ReLU
 *               5 Dropout  6 Linear(4096, classes)
 * </pre>
 * numbered in {@code features} as torchvision numbers them (conv, [bn,] relu, ... so VGG-16's
 * convs are {@code features.0, 2, 5, 7, 10 ...} and VGG-16-BN's {@code features.0, 3, 7 ...}).
 * These are torchvision's modules (BatchNorm2d with eps 1e-5 and momentum 0.1), so any input at or
 * above the minimum works, a torchvision state dict loads into them ({@link org.conv4j.io.PyTorchWeights}),
 * and with 1000 classes the parameter counts are torchvision's whatever the input size (VGG-11
 * 132,863,336; VGG-16 138,357,544; VGG-16-BN 138,365,992; VGG-19 143,667,240). At 224x224 the
 * feature map is 7x7 and the pool is the identity; at the 32x32 minimum it repeats a 1x1 map 49 times.
 * Initialization: convolutions as torchvision ({@code kaiming_normal_}, fan_out, relu; zero bias);
 * Linear layers keep PyTorch's default U(-1/sqrt(in), 1/sqrt(in)) rather than torchvision's
 * N(0, 0.01^2), which would cost a Gaussian draw for each of the ~120M head weights.
 * The minimum input is {@value #MIN_SIZE}x{@value #MIN_SIZE} (five 2x2 pools).
 *
 * <p>{@link #small} ({@code vgg_small}): features {@code [Conv2d(C, 32, 3, padding 1), BN, ReLU] x2,
 * MaxPool2d(2), [Conv2d(., 64, 3, padding 1), BN, ReLU] x2, MaxPool2d(2)}, then classifier
 * {@code 0 Linear(64*h*w, 256), 1 ReLU, 2 Linear(256, classes)} with {@code h = floor(H / 4)}
 * (7 for 28x28, 8 for 32x32). Minimum input {@value #SMALL_MIN_SIZE}x{@value #SMALL_MIN_SIZE}.
 */
public final class VGG {
    /** The smallest height and width of the ImageNet VGGs. */
    public static final int MIN_SIZE = 32;
    /** The smallest height and width of {@code vgg_small}. */
    public static final int SMALL_MIN_SIZE = 4;

    private static final int M = 0; // a max pool in a configuration

    private VGG() {
    }

    /** The configuration for depth 11, 13, 16 or 19 (0 marks a max pool). */
    static int[] config(int depth) {
        switch (depth) {
            case 11: return new int[] {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
            case 13: return new int[] {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
            case 16: return new int[] {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
            case 19: return new int[] {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M};
            default:
                throw new IllegalArgumentException("VGG: depth must be 11, 13, 16 or 19, got " + depth);
        }
    }

    /** VGG-{@code depth} (11, 13, 16, 19), with BatchNorm2d after every conv if {@code batchNorm}. */
    public static Sequential build(int depth, boolean batchNorm, int channels, int height, int width, int classes) {
        return build("vgg" + depth + (batchNorm ? "_bn" : ""), config(depth), batchNorm, 4096, channels, height, width, classes);
    }

    /**
     * torchvision's VGG class with another configuration (filter counts, 0 for a max pool, as
     * torchvision's {@code make_layers}) and {@code hidden} units in the two hidden Linear layers
     * (4096 in the ImageNet VGGs); the avgpool is 7x7 and the first Linear takes the last filter
     * count x 7 x 7. Names and numbering as in the ImageNet VGGs.
     */
    public static Sequential build(String name, int[] config, boolean batchNorm, int hidden, int channels, int height, int width, int classes) {
        Nets.checkArgs(name, channels, height, width, classes);
        Sequential features = new Sequential();
        int in = channels;
        for (int v : config) {
            if (v == M) {
                features.add(new MaxPool2d(2));
                continue;
            }
            features.add(new Conv2d(in, v, 3).padding(1));
            if (batchNorm) features.add(new BatchNorm2d(v));
            features.add(new ReLU());
            in = v;
        }
        Nets.kaimingConvs(features);
        Sequential classifier = new Sequential(
                new Linear(in * 7 * 7, hidden), new ReLU(), new Dropout(0.5),
                new Linear(hidden, hidden), new ReLU(), new Dropout(0.5),
                new Linear(hidden, classes));
        Sequential net = new Sequential().add("features", features).add("avgpool", new AdaptiveAvgPool2d(7))
                .add("flatten", new Flatten()).add("classifier", classifier);
        int pools = 0;
        for (int v : config) if (v == M) pools++;
        Nets.shape(name, net, channels, height, width, 1 << pools);
        return net;
    }

    /** {@code vgg_small}: two blocks of two 3x3 conv + BN + ReLU (32, then 64 filters), each ending in a 2x2 max pool; FC 256, ReLU, FC classes. */
    public static Sequential small(int channels, int height, int width, int classes) {
        Nets.checkArgs("vgg_small", channels, height, width, classes);
        Sequential features = new Sequential(
                new Conv2d(channels, 32, 3).padding(1), new BatchNorm2d(32), new ReLU(),
                new Conv2d(32, 32, 3).padding(1), new BatchNorm2d(32), new ReLU(),
                new MaxPool2d(2),
                new Conv2d(32, 64, 3).padding(1), new BatchNorm2d(64), new ReLU(),
                new Conv2d(64, 64, 3).padding(1), new BatchNorm2d(64), new ReLU(),
                new MaxPool2d(2));
        Nets.kaimingConvs(features);
        Shape f = Nets.shape("vgg_small", "features", features, channels, height, width, SMALL_MIN_SIZE);
        Sequential classifier = new Sequential(new Linear(Nets.features(f), 256), new ReLU(), new Linear(256, classes));
        return new Sequential().add("features", features).add("flatten", new Flatten()).add("classifier", classifier);
    }
}
