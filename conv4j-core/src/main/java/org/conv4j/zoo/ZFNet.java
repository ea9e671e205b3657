package org.conv4j.zoo;

import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Shape;

/**
 * ZF Net (Zeiler and Fergus 2013, "Visualizing and Understanding Convolutional Networks", their
 * figure 3), the network SPEC 4 names beside AlexNet. The variant built here:
 * <pre>
 *   features:   0 Conv2d(C, 96, 7, stride 2, padding 1)   1 ReLU  2 MaxPool2d(3, stride 2, ceil)
 *               3 Conv2d(96, 256, 5, stride 2)            4 ReLU  5 MaxPool2d(3, stride 2, ceil)
 *               6 Conv2d(256, 384, 3, padding 1)  7 ReLU
 *               8 Conv2d(384, 384, 3, padding 1)  9 ReLU
 *              10 Conv2d(384, 256, 3, padding 1) 11 ReLU 12 MaxPool2d(3, stride 2, ceil)
 *   flatten:    Flatten
 *   classifier: as AlexNet's, 0 Dropout  1 Linear(256*h*w, 4096)  2 ReLU  3 Dropout
 *               4 Linear(4096, 4096)  5 ReLU  6 Linear(4096, classes)
 * </pre>
 * The padding and ceil-mode pools reproduce the paper's map sizes at 224x224: 110, 55, 26, 13, 13,
 * 13, 6. The paper's local contrast normalization after the first two pools is left out (as
 * torchvision leaves out AlexNet's LRN), and its 1-GPU layout has no grouped convolutions. At
 * 3x224x224 with 1000 classes the model has 62,357,608 parameters: convolutions 3,726,464,
 * Linear layers 37,752,832 + 16,781,312 + 4,097,000. Names follow AlexNet's
 * ({@code features.0.weight}, {@code classifier.1.weight} ...); PyTorch's default initialization.
 *
 * <p>The minimum input is {@value #MIN_SIZE}x{@value #MIN_SIZE} (a 1x1 feature map; the ceil-mode
 * pools accept a last window that hangs over the border, so it is smaller than AlexNet's 63).
 */
public final class ZFNet {
    /** The smallest height and width ZF Net accepts. */
    public static final int MIN_SIZE = 47;

    private ZFNet() {
    }

    /** ZF Net for (channels, height, width) images and {@code classes} classes. */
    public static Sequential build(int channels, int height, int width, int classes) {
        Nets.checkArgs("zfnet", channels, height, width, classes);
        Sequential features = new Sequential(
                new Conv2d(channels, 96, 7).stride(2).padding(1), new ReLU(), new MaxPool2d(3).stride(2).ceilMode(true),
                new Conv2d(96, 256, 5).stride(2), new ReLU(), new MaxPool2d(3).stride(2).ceilMode(true),
                new Conv2d(256, 384, 3).padding(1), new ReLU(),
                new Conv2d(384, 384, 3).padding(1), new ReLU(),
                new Conv2d(384, 256, 3).padding(1), new ReLU(), new MaxPool2d(3).stride(2).ceilMode(true));
        Shape f = Nets.shape("zfnet", "features", features, channels, height, width, MIN_SIZE);
        return new Sequential().add("features", features).add("flatten", new Flatten())
                .add("classifier", AlexNet.classifier(Nets.features(f), classes));
    }
}
