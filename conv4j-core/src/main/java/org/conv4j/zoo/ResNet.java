package org.conv4j.zoo;

import org.conv4j.nn.Add;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;

/**
 * Residual networks (He et al. 2015), SPEC 4: the ImageNet form as torchvision's
 * {@code resnet18/34/50}, and the CIFAR form of the paper's section 4.2 ({@code resnet20/32/56}).
 * Every block is a {@link Graph} computing {@code y = relu(F(x) + shortcut(x))}.
 *
 * <p>Blocks, with torchvision's child names:
 * <ul>
 *   <li>BasicBlock (expansion 1): {@code conv1} 3x3 (stride s) - {@code bn1} - relu -
 *       {@code conv2} 3x3 - {@code bn2};
 *   <li>Bottleneck (expansion 4, torchvision's "v1.5" with the stride on the 3x3): {@code conv1}
 *       1x1 - {@code bn1} - relu - {@code conv2} 3x3 (stride s) - {@code bn2} - relu - {@code conv3}
 *       1x1 to 4 x planes - {@code bn3};
 *   <li>the shortcut is the identity, or, when the stride is not 1 or the channel count changes,
 *       {@code downsample} = Sequential(0 Conv2d 1x1 stride s without bias, 1 BatchNorm2d).
 * </ul>
 * All convolutions are bias-free and followed by BatchNorm.
 *
 * <p>ImageNet form ({@link #imagenet}): {@code conv1} 7x7/2 padding 3 (64) - {@code bn1} - {@code relu} -
 * {@code maxpool} 3x3/2 padding 1 - {@code layer1..layer4} (64, 128, 256, 512 planes; blocks
 * [2,2,2,2] basic for 18, [3,4,6,3] basic for 34, [3,4,6,3] bottleneck for 50; the first block of
 * layers 2-4 has stride 2) - {@code avgpool} (global) - {@code flatten} - {@code fc}. Parameter
 * names are torchvision's ({@code layer1.0.conv1.weight}, {@code layer2.0.downsample.0.weight},
 * {@code fc.weight}); at 3x224x224 with 1000 classes the counts are 11,689,512 (18), 21,797,672
 * (34) and 25,557,032 (50). Any input of at least 1x1 works (the padding keeps every map >= 1x1),
 * though BatchNorm in training needs more than one value per channel (batch x H x W > 1).
 *
 * <p>CIFAR form ({@link #cifar}, depth 6n + 2): {@code conv1} 3x3 padding 1 (16) - {@code bn1} -
 * {@code relu} - {@code layer1..layer3} of n BasicBlocks with 16, 32, 64 planes (stride 1, 2, 2) -
 * {@code avgpool} - {@code flatten} - {@code fc}. The paper's CIFAR nets use option A shortcuts
 * (identity with zero-padded extra channels, no parameters); here the two downsampling blocks use
 * option B, the 1x1 conv + BN projection above, as most PyTorch ports do. That adds
 * (16*32 + 2*32) + (32*64 + 2*64) = 2,752 parameters: ResNet-20 with 10 classes has 272,474
 * (269,722 with option A, the paper's "0.27M"); ResNet-32 466,906 and ResNet-56 855,770 likewise (464,154 and 853,018 with option A).
 * Any input of at least 1x1 works; 28x28 and 32x32 suit it.
 *
 * <p>Initialization as torchvision: convolutions {@code kaiming_normal_} (fan_out, relu), BatchNorm
 * weight 1 and bias 0, {@code fc} PyTorch's default.
 */
public final class ResNet {
    /** The smallest height and width either form accepts. */
    public static final int MIN_SIZE = 1;

    private ResNet() {
    }

    /** ResNet-18, -34 or -50 in torchvision's ImageNet form. */
    public static Sequential imagenet(int depth, int channels, int height, int width, int classes) {
        int[] blocks;
        boolean bottleneck;
        switch (depth) {
            case 18: blocks = new int[] {2, 2, 2, 2}; bottleneck = false; break;
            case 34: blocks = new int[] {3, 4, 6, 3}; bottleneck = false; break;
            case 50: blocks = new int[] {3, 4, 6, 3}; bottleneck = true; break;
            default: throw new IllegalArgumentException("ResNet: ImageNet depth must be 18, 34 or 50, got " + depth);
        }
        String name = "resnet" + depth;
        Nets.checkArgs(name, channels, height, width, classes);
        Sequential net = new Sequential()
                .add("conv1", new Conv2d(channels, 64, 7).stride(2).padding(3).bias(false))
                .add("bn1", new BatchNorm2d(64))
                .add("relu", new ReLU())
                .add("maxpool", new MaxPool2d(3).stride(2).padding(1));
        int in = 64, expansion = bottleneck ? 4 : 1;
        int[] planes = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            Sequential layer = new Sequential();
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                layer.add(bottleneck ? bottleneck(in, planes[stage], stride) : basicBlock(in, planes[stage], stride));
                in = planes[stage] * expansion;
            }
            net.add("layer" + (stage + 1), layer);
        }
        net.add("avgpool", new GlobalAvgPool2d()).add("flatten", new Flatten()).add("fc", new Linear(in, classes));
        Nets.kaimingConvs(net);
        Nets.shape(name, net, channels, height, width, MIN_SIZE);
        return net;
    }

    /** The CIFAR ResNet of depth 6n + 2 (20, 32, 44, 56, 110 ...), with projection shortcuts where it downsamples. */
    public static Sequential cifar(int depth, int channels, int height, int width, int classes) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("ResNet: CIFAR depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 56 ...), got " + depth);
        }
        int n = (depth - 2) / 6;
        String name = "resnet" + depth;
        Nets.checkArgs(name, channels, height, width, classes);
        Sequential net = new Sequential()
                .add("conv1", new Conv2d(channels, 16, 3).padding(1).bias(false))
                .add("bn1", new BatchNorm2d(16))
                .add("relu", new ReLU());
        int in = 16;
        int[] planes = {16, 32, 64};
        for (int stage = 0; stage < 3; stage++) {
            Sequential layer = new Sequential();
            for (int b = 0; b < n; b++) {
                layer.add(basicBlock(in, planes[stage], b == 0 && stage > 0 ? 2 : 1));
                in = planes[stage];
            }
            net.add("layer" + (stage + 1), layer);
        }
        net.add("avgpool", new GlobalAvgPool2d()).add("flatten", new Flatten()).add("fc", new Linear(in, classes));
        Nets.kaimingConvs(net);
        Nets.shape(name, net, channels, height, width, MIN_SIZE);
        return net;
    }

    /** BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), out = planes channels. */
    public static Graph basicBlock(int in, int planes, int stride) {
        Graph g = new Graph()
                .add("conv1", new Conv2d(in, planes, 3).stride(stride).padding(1).bias(false), Graph.INPUT)
                .add("bn1", new BatchNorm2d(planes), "conv1")
                .add("relu1", new ReLU(), "bn1")
                .add("conv2", new Conv2d(planes, planes, 3).padding(1).bias(false), "relu1")
                .add("bn2", new BatchNorm2d(planes), "conv2");
        return close(g, "bn2", in, planes, stride);
    }

    /** Bottleneck: 1x1 reduce to planes, 3x3 (stride) at planes, 1x1 expand to 4 * planes, plus the shortcut. */
    public static Graph bottleneck(int in, int planes, int stride) {
        int out = planes * 4;
        Graph g = new Graph()
                .add("conv1", new Conv2d(in, planes, 1).bias(false), Graph.INPUT)
                .add("bn1", new BatchNorm2d(planes), "conv1")
                .add("relu1", new ReLU(), "bn1")
                .add("conv2", new Conv2d(planes, planes, 3).stride(stride).padding(1).bias(false), "relu1")
                .add("bn2", new BatchNorm2d(planes), "conv2")
                .add("relu2", new ReLU(), "bn2")
                .add("conv3", new Conv2d(planes, out, 1).bias(false), "relu2")
                .add("bn3", new BatchNorm2d(out), "conv3");
        return close(g, "bn3", in, out, stride);
    }

    // the shortcut: identity, or a 1x1 conv + BN projection where the shape changes (option B)
    private static Graph close(Graph g, String residual, int in, int out, int stride) {
        String shortcut = Graph.INPUT;
        if (stride != 1 || in != out) {
            g.add("downsample", new Sequential(new Conv2d(in, out, 1).stride(stride).bias(false), new BatchNorm2d(out)), Graph.INPUT);
            shortcut = "downsample";
        }
        return g.add("add", new Add(), residual, shortcut).add("relu", new ReLU(), "add").output("relu");
    }
}
