/**
 * conv4j: convolutional neural networks in pure Java, with no run-time dependencies.
 *
 * <p>The kernels use the incubating Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}; without it they take their scalar paths
 * (same results up to rounding, several times slower), hence {@code requires static}.
 */
module org.conv4j.core {
    requires static jdk.incubator.vector;
    // ImageIO and java.awt.image read PNG and JPEG image folders
    requires java.desktop;

    exports org.conv4j.tensor;
    exports org.conv4j.nn;
    exports org.conv4j.optim;
    exports org.conv4j.data;
    exports org.conv4j.train;
    exports org.conv4j.io;
    exports org.conv4j.check;
    exports org.conv4j.zoo;
    exports org.conv4j.summary;
    // PaddingMode is part of Conv2d's API, Parallel.setThreads sizes the kernels' pool
    exports org.conv4j.kernel;
}
