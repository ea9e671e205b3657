package org.conv4j.train;

import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.tensor.Tensor;

/**
 * The fraction of positions whose arg-max class is the label, over the positions not labelled
 * with the ignore index ({@link Accuracy} counts every position and accepts no ignore index).
 */
public final class PixelAccuracy implements Metric {
    private final Confusion confusion;

    /** With no ignore index. */
    public PixelAccuracy() {
        this(SoftmaxCrossEntropy.NO_IGNORE);
    }

    public PixelAccuracy(int ignoreIndex) {
        confusion = new Confusion("PixelAccuracy", ignoreIndex);
    }

    @Override
    public String name() {
        return "pixel_accuracy";
    }

    @Override
    public void reset() {
        confusion.reset();
    }

    @Override
    public void add(Tensor output, Tensor target) {
        confusion.add(output, target);
    }

    @Override
    public double value() {
        return confusion.pixelAccuracy();
    }
}
