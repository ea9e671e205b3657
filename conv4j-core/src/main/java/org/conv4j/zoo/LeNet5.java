package org.conv4j.zoo;

import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Shape;

/**
 * LeNet-5 as the sources train it on MNIST (SPEC 4, source 000), with ReLU and max pooling:
 * <pre>
 *   features:   0 Conv2d(C, 6, 5, padding 2)  1 ReLU  2 MaxPool2d(2)
 *               3 Conv2d(6, 16, 5)            4 ReLU  5 MaxPool2d(2)
 *   flatten:    Flatten
 *   classifier: 0 Linear(16*h*w, 120)  1 ReLU  2 Linear(120, 84)  3 ReLU  4 Linear(84, classes)
 * </pre>
 * Parameters are named {@code features.0.weight}, {@code features.3.weight},
 * {@code classifier.0.weight}, {@code classifier.2.weight}, {@code classifier.4.weight} (and their
 * biases), torchvision's features/classifier layout. For 1x28x28 the feature map is 16x5x5, and with
 * 10 classes the model has 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 parameters.
 *
 * <p>The first Linear is sized from the feature map of the given input:
 * {@code h = floor((floor(H/2) - 4) / 2)}. The minimum input is {@value #MIN_SIZE}x{@value #MIN_SIZE}
 * (a 1x1 feature map).
 */
public final class LeNet5 {
    /** The smallest height and width LeNet-5 accepts. */
    public static final int MIN_SIZE = 12;

    private LeNet5() {
    }

    /** LeNet-5 for (channels, height, width) images and {@code classes} classes. */
    public static Sequential build(int channels, int height, int width, int classes) {
        Nets.checkArgs("lenet5", channels, height, width, classes);
        Sequential features = new Sequential(
                new Conv2d(channels, 6, 5).padding(2), new ReLU(), new MaxPool2d(2),
                new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2));
        Shape f = Nets.shape("lenet5", "features", features, channels, height, width, MIN_SIZE);
        Sequential classifier = new Sequential(
                new Linear(Nets.features(f), 120), new ReLU(),
                new Linear(120, 84), new ReLU(),
                new Linear(84, classes));
        return new Sequential().add("features", features).add("flatten", new Flatten()).add("classifier", classifier);
    }
}
