package org.conv4j.zoo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.conv4j.nn.Layer;

/**
 * Named networks, by torchvision's command-line names (SPEC 4: LeNet, AlexNet, ZF Net, VGGNet,
 * GoogLeNet, ResNet). {@code Zoo.build("resnet18", 3, 224, 224, 1000)} gives a freshly initialized
 * network for (channels, height, width) images and that many classes, with PyTorch/torchvision
 * parameter names; {@link org.conv4j.nn.Init#seed} makes the weights repeatable.
 *
 * <table>
 *   <caption>The networks and their minimum input (height and width)</caption>
 *   <tr><th>name</th><th>network</th><th>minimum</th></tr>
 *   <tr><td>lenet5</td><td>{@link LeNet5}, 61,706 parameters at 1x28x28, 10 classes</td><td>12</td></tr>
 *   <tr><td>alexnet</td><td>{@link AlexNet}, torchvision's</td><td>63</td></tr>
 *   <tr><td>zfnet</td><td>{@link ZFNet}, Zeiler and Fergus' 7x7/2 first conv</td><td>47</td></tr>
 *   <tr><td>vgg11, vgg13, vgg16, vgg19</td><td>{@link VGG#build}</td><td>32</td></tr>
 *   <tr><td>vgg11_bn ... vgg19_bn</td><td>{@link VGG#build} with BatchNorm</td><td>32</td></tr>
 *   <tr><td>googlenet</td><td>{@link GoogLeNet}, no auxiliary heads</td><td>15</td></tr>
 *   <tr><td>resnet18, resnet34, resnet50</td><td>{@link ResNet#imagenet}</td><td>1</td></tr>
 *   <tr><td>resnet20, resnet32, resnet56</td><td>{@link ResNet#cifar}, projection shortcuts</td><td>1</td></tr>
 *   <tr><td>vgg_small</td><td>{@link VGG#small}, for 28x28 and 32x32</td><td>4</td></tr>
 *   <tr><td>unet_small</td><td>{@link UNet#small}, segmentation, sizes multiples of 8</td><td>8</td></tr>
 *   <tr><td>fcn8s_small</td><td>{@link FCN#small}, segmentation (FCN-8s), sizes multiples of 32</td><td>32</td></tr>
 * </table>
 *
 * The networks with a torchvision counterpart (AlexNet, the VGGs, GoogLeNet, ResNet-18/34/50) are
 * torchvision's architectures module for module, with its names, so a torchvision state dict loads
 * into them ({@link org.conv4j.io.PyTorchWeights}); like torchvision's they end in (adaptive)
 * average pooling and take any size at or above the minimum, as do the CIFAR ResNets. LeNet-5,
 * ZF Net and {@code vgg_small} size their first Linear from the map of the given input, so they
 * take that input size only. GoogLeNet with its auxiliary classifiers is
 * {@link GoogLeNet#build(int, int, int, int, boolean)}. A trained classifier becomes fully
 * convolutional with {@link FullyConvolutional}.
 * Names are matched ignoring case,
 * with '-' read as '_' ({@code vgg-small}).
 */
public final class Zoo {
    /** Builds one network for (channels, height, width) inputs and a class count. */
    @FunctionalInterface
    public interface Builder {
        Layer build(int channels, int height, int width, int classes);
    }

    private record Entry(int minimumSize, Builder builder) {
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register("lenet5", LeNet5.MIN_SIZE, LeNet5::build);
        register("alexnet", AlexNet.MIN_SIZE, AlexNet::build);
        register("zfnet", ZFNet.MIN_SIZE, ZFNet::build);
        for (int depth : new int[] {11, 13, 16, 19}) {
            register("vgg" + depth, VGG.MIN_SIZE, (c, h, w, k) -> VGG.build(depth, false, c, h, w, k));
        }
        for (int depth : new int[] {11, 13, 16, 19}) {
            register("vgg" + depth + "_bn", VGG.MIN_SIZE, (c, h, w, k) -> VGG.build(depth, true, c, h, w, k));
        }
        register("googlenet", GoogLeNet.MIN_SIZE, GoogLeNet::build);
        for (int depth : new int[] {18, 34, 50}) {
            register("resnet" + depth, ResNet.MIN_SIZE, (c, h, w, k) -> ResNet.imagenet(depth, c, h, w, k));
        }
        for (int depth : new int[] {20, 32, 56}) {
            register("resnet" + depth, ResNet.MIN_SIZE, (c, h, w, k) -> ResNet.cifar(depth, c, h, w, k));
        }
        register("vgg_small", VGG.SMALL_MIN_SIZE, VGG::small);
        register("unet_small", 1 << UNet.SMALL_DEPTH, UNet::small);
        register("fcn8s_small", FCN.MIN_SIZE, FCN::small);
    }

    private Zoo() {
    }

    private static void register(String name, int minimumSize, Builder builder) {
        ENTRIES.put(name, new Entry(minimumSize, builder));
    }

    /** The registered names, in the order of the table above. */
    public static List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(ENTRIES.keySet()));
    }

    /**
     * The network called {@code name} for (channels, height, width) inputs and {@code classes}
     * classes. Throws {@link IllegalArgumentException} for an unknown name (listing the known
     * ones), a non-positive size or class count, or an input too small for the network (naming
     * the layer where the shapes break and the minimum size).
     */
    public static Layer build(String name, int channels, int height, int width, int classes) {
        return entry(name).builder.build(channels, height, width, classes);
    }

    /** The smallest height and width the network called {@code name} accepts. */
    public static int minimumSize(String name) {
        return entry(name).minimumSize;
    }

    private static Entry entry(String name) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT).replace('-', '_');
        Entry e = ENTRIES.get(key);
        if (e == null) {
            throw new IllegalArgumentException("Zoo: unknown model '" + name + "'; known models: " + String.join(", ", ENTRIES.keySet()));
        }
        return e;
    }
}
