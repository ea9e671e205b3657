package org.conv4j.zoo;

import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.Concat;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;

/**
 * GoogLeNet (Inception v1, Szegedy et al. 2014) as torchvision's {@code googlenet} (SPEC 4).
 *
 * <p>BasicConv2d is Sequential({@code conv}: Conv2d without bias, {@code bn}: BatchNorm2d eps 0.001,
 * {@code relu}). An inception block is a {@link Graph} of four branches joined by {@link Concat}:
 * {@code branch1} 1x1; {@code branch2} 1x1 reduce then 3x3 (padding 1); {@code branch3} 1x1 reduce
 * then a 3x3 (torchvision's choice, where the paper has 5x5); {@code branch4} MaxPool2d(3, stride 1,
 * padding 1, ceil) then 1x1. The trunk:
 * <pre>
 *   conv1 7x7/2 pad 3 (64)  maxpool1 3/2 ceil  conv2 1x1 (64)  conv3 3x3 pad 1 (192)  maxpool2 3/2 ceil
 *   inception3a (192: 64, 96-128, 16-32, 32)   inception3b (256: 128, 128-192, 32-96, 64)  maxpool3 3/2 ceil
 *   inception4a (480: 192, 96-208, 16-48, 64)  4b (512: 160, 112-224, 24-64, 64)
 *   4c (512: 128, 128-256, 24-64, 64)  4d (512: 112, 144-288, 32-64, 64)  4e (528: 256, 160-320, 32-128, 128)
 *   maxpool4 2/2 ceil  inception5a (832: 256, 160-320, 32-128, 128)  5b (832: 384, 192-384, 48-128, 128)
 *   avgpool (global)  flatten  dropout (0.2)  fc (1024, classes)
 * </pre>
 * torchvision's {@code avgpool} is {@code AdaptiveAvgPool2d((1, 1))}, which {@link GlobalAvgPool2d}
 * computes bit for bit; {@code transform_input} is torchvision's default without pretrained weights (off).
 * Names are torchvision's: {@code conv1.conv.weight}, {@code conv1.bn.running_mean},
 * {@code inception3a.branch2.0.conv.weight}, {@code inception3a.branch4.1.bn.bias}, {@code fc.weight}.
 * At 3x224x224 with 1000 classes: 6,624,904 parameters without the auxiliary heads.
 * Initialization as torchvision: conv and linear weights N(0, 0.01^2), BatchNorm 1 and 0.
 * Minimum input {@value #MIN_SIZE}x{@value #MIN_SIZE} (below it the 3x3 ceil-mode pools meet a 1x1
 * map; 32x32 gives a 1x1 map before the global average pool).
 *
 * <p>Auxiliary classifiers (off by default; {@link #build(int, int, int, int, boolean)}): {@code aux1}
 * after inception4a and {@code aux2} after inception4d, each Sequential({@code avgpool}
 * AdaptiveAvgPool2d((4, 4)), {@code conv} BasicConv2d 1x1 (128), {@code flatten}, {@code fc1}
 * Linear(2048, 1024), {@code relu}, {@code dropout} (0.7), {@code fc2} Linear(1024, classes)).
 * That pool is torchvision's {@code adaptive_avg_pool2d(x, (4, 4))} (the paper has a fixed 5x5/3
 * pool: different windows), so the heads take any map and match torchvision's names and numbers (13,004,888 parameters in all). The model is then a Graph whose
 * output is {@code Concat(fc, aux1, aux2)}, shape (N, 3 * classes): columns [0, K) are the main
 * logits, [K, 2K) aux1's and [2K, 3K) aux2's (torchvision trains on main + 0.3 * (aux1 + aux2)).
 * The heads pool any map, so the minimum input is the same with them.
 */
public final class GoogLeNet {
    /** The smallest height and width GoogLeNet accepts. */
    public static final int MIN_SIZE = 15;

    private GoogLeNet() {
    }

    /** GoogLeNet without the auxiliary classifiers, as torchvision's {@code googlenet(aux_logits=False)}. */
    public static Sequential build(int channels, int height, int width, int classes) {
        Nets.checkArgs("googlenet", channels, height, width, classes);
        Sequential net = new Sequential();
        for (Object[] part : trunk(channels)) net.add((String) part[0], (Layer) part[1]);
        net.add("avgpool", new GlobalAvgPool2d()).add("flatten", new Flatten()).add("dropout", new Dropout(0.2))
                .add("fc", new Linear(1024, classes));
        Nets.normalWeights(net, 0.01);
        Nets.shape("googlenet", net, channels, height, width, MIN_SIZE);
        return net;
    }

    /** GoogLeNet, with the two auxiliary classifiers when {@code auxLogits} (a Graph with output (N, 3 * classes)). */
    public static Layer build(int channels, int height, int width, int classes, boolean auxLogits) {
        if (!auxLogits) return build(channels, height, width, classes);
        Nets.checkArgs("googlenet", channels, height, width, classes);
        // the trunk as a Graph, measuring the maps the aux heads see as the nodes are added
        Graph g = new Graph();
        String last = Graph.INPUT;
        for (Object[] part : trunk(channels)) {
            String name = (String) part[0];
            g.add(name, (Layer) part[1], last);
            last = name;
            if (name.equals("inception4a")) g.add("aux1", auxHead(512, classes), name);
            if (name.equals("inception4d")) g.add("aux2", auxHead(528, classes), name);
        }
        g.add("avgpool", new GlobalAvgPool2d(), last).add("flatten", new Flatten(), "avgpool")
                .add("dropout", new Dropout(0.2), "flatten").add("fc", new Linear(1024, classes), "dropout")
                .add("logits", new Concat(), "fc", "aux1", "aux2").output("logits");
        Nets.normalWeights(g, 0.01);
        Nets.shape("googlenet (aux)", g, channels, height, width, MIN_SIZE);
        return g;
    }

    // torchvision's InceptionAux: pooled to 4x4 whatever the map, so fc1 always takes 128 * 4 * 4
    private static Sequential auxHead(int in, int classes) {
        return new Sequential()
                .add("avgpool", new AdaptiveAvgPool2d(4))
                .add("conv", Nets.basicConv(in, 128, 1, 1, 0))
                .add("flatten", new Flatten())
                .add("fc1", new Linear(128 * 4 * 4, 1024))
                .add("relu", new ReLU())
                .add("dropout", new Dropout(0.7))
                .add("fc2", new Linear(1024, classes));
    }

    // the trunk up to inception5b, as (name, layer) pairs in order
    private static Object[][] trunk(int channels) {
        return new Object[][] {
            {"conv1", Nets.basicConv(channels, 64, 7, 2, 3)},
            {"maxpool1", new MaxPool2d(3).stride(2).ceilMode(true)},
            {"conv2", Nets.basicConv(64, 64, 1, 1, 0)},
            {"conv3", Nets.basicConv(64, 192, 3, 1, 1)},
            {"maxpool2", new MaxPool2d(3).stride(2).ceilMode(true)},
            {"inception3a", inception(192, 64, 96, 128, 16, 32, 32)},
            {"inception3b", inception(256, 128, 128, 192, 32, 96, 64)},
            {"maxpool3", new MaxPool2d(3).stride(2).ceilMode(true)},
            {"inception4a", inception(480, 192, 96, 208, 16, 48, 64)},
            {"inception4b", inception(512, 160, 112, 224, 24, 64, 64)},
            {"inception4c", inception(512, 128, 128, 256, 24, 64, 64)},
            {"inception4d", inception(512, 112, 144, 288, 32, 64, 64)},
            {"inception4e", inception(528, 256, 160, 320, 32, 128, 128)},
            {"maxpool4", new MaxPool2d(2).stride(2).ceilMode(true)},
            {"inception5a", inception(832, 256, 160, 320, 32, 128, 128)},
            {"inception5b", inception(832, 384, 192, 384, 48, 128, 128)},
        };
    }

    /**
     * torchvision's Inception block: four branches over the same input, joined along channels;
     * the output has {@code ch1x1 + ch3x3 + ch5x5 + poolProj} channels and the input's H and W.
     */
    public static Graph inception(int in, int ch1x1, int ch3x3red, int ch3x3, int ch5x5red, int ch5x5, int poolProj) {
        return new Graph()
                .add("branch1", Nets.basicConv(in, ch1x1, 1, 1, 0), Graph.INPUT)
                .add("branch2", new Sequential(Nets.basicConv(in, ch3x3red, 1, 1, 0), Nets.basicConv(ch3x3red, ch3x3, 3, 1, 1)), Graph.INPUT)
                .add("branch3", new Sequential(Nets.basicConv(in, ch5x5red, 1, 1, 0), Nets.basicConv(ch5x5red, ch5x5, 3, 1, 1)), Graph.INPUT)
                .add("branch4", new Sequential(new MaxPool2d(3).stride(1).padding(1).ceilMode(true), Nets.basicConv(in, poolProj, 1, 1, 0)), Graph.INPUT)
                .add("cat", new Concat(), "branch1", "branch2", "branch3", "branch4")
                .output("cat");
    }
}
