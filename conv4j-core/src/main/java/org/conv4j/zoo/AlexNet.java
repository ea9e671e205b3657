package org.conv4j.zoo;

import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;

/**
 * AlexNet in torchvision's ImageNet form ({@code torchvision.models.alexnet}, the one-GPU
 * variant of Krizhevsky et al. 2012 without local response normalization) (SPEC 4):
 * <pre>
 *   features:   0 Conv2d(C, 64, 11, stride 4, padding 2)  1 ReLU  2 MaxPool2d(3, stride 2)
 *               3 Conv2d(64, 192, 5, padding 2)           4 ReLU  5 MaxPool2d(3, stride 2)
 *               6 Conv2d(192, 384, 3, padding 1)  7 ReLU
 *               8 Conv2d(384, 256, 3, padding 1)  9 ReLU
 *              10 Conv2d(256, 256, 3, padding 1) 11 ReLU 12 MaxPool2d(3, stride 2)
 *   avgpool:    AdaptiveAvgPool2d((6, 6))
 *   flatten:    Flatten
 *   classifier: 0 Dropout(0.5)  1 Linear(256*6*6, 4096)  2 ReLU  3 Dropout(0.5)
 *               4 Linear(4096, 4096)  5 ReLU  6 Linear(4096, classes)
 * </pre>
 * exactly torchvision's modules, so it takes any input at or above the minimum, has torchvision's
 * 61,100,840 parameters with 1000 classes whatever the input size, and torchvision's names
 * ({@code features.0.weight} ... {@code classifier.6.bias}): a torchvision state dict loads into it
 * ({@link org.conv4j.io.PyTorchWeights}). At 224x224 the feature map is already 6x6 and the pool is the identity.
 * Initialization: PyTorch's layer defaults, as torchvision.
 *
 * <p>Feature map side: {@code s1 = floor((H - 7) / 4) + 1}, then three 3x3/2 pools. The minimum
 * input is {@value #MIN_SIZE}x{@value #MIN_SIZE} (a 1x1 feature map).
 */
public final class AlexNet {
    /** The smallest height and width AlexNet accepts. */
    public static final int MIN_SIZE = 63;

    private AlexNet() {
    }

    /** AlexNet for (channels, height, width) images and {@code classes} classes. */
    public static Sequential build(int channels, int height, int width, int classes) {
        Nets.checkArgs("alexnet", channels, height, width, classes);
        Sequential features = new Sequential(
                new Conv2d(channels, 64, 11).stride(4).padding(2), new ReLU(), new MaxPool2d(3).stride(2),
                new Conv2d(64, 192, 5).padding(2), new ReLU(), new MaxPool2d(3).stride(2),
                new Conv2d(192, 384, 3).padding(1), new ReLU(),
                new Conv2d(384, 256, 3).padding(1), new ReLU(),
                new Conv2d(256, 256, 3).padding(1), new ReLU(), new MaxPool2d(3).stride(2));
        Sequential net = new Sequential().add("features", features).add("avgpool", new AdaptiveAvgPool2d(6))
                .add("flatten", new Flatten()).add("classifier", classifier(256 * 6 * 6, classes));
        Nets.shape("alexnet", net, channels, height, width, MIN_SIZE);
        return net;
    }

    /** torchvision's AlexNet classifier: Dropout, Linear(in, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Linear(4096, classes). */
    static Sequential classifier(int inFeatures, int classes) {
        return new Sequential(
                new Dropout(0.5), new Linear(inFeatures, 4096), new ReLU(),
                new Dropout(0.5), new Linear(4096, 4096), new ReLU(),
                new Linear(4096, classes));
    }
}
