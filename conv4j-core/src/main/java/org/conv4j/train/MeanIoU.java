package org.conv4j.train;

import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.tensor.Tensor;

/**
 * Mean intersection over union of dense predictions: per class, the positions both labelled and
 * predicted (arg-max) that class over those labelled or predicted it, averaged over the classes
 * that appear in the labels or the predictions of the pass. Positions labelled with the ignore
 * index are left out.
 */
public final class MeanIoU implements Metric {
    private final Confusion confusion;

    /** With no ignore index. */
    public MeanIoU() {
        this(SoftmaxCrossEntropy.NO_IGNORE);
    }

    public MeanIoU(int ignoreIndex) {
        confusion = new Confusion("MeanIoU", ignoreIndex);
    }

    @Override
    public String name() {
        return "mean_iou";
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
        return confusion.classes() == 0 ? Double.NaN : confusion.meanIoU();
    }
}
