package org.conv4j.train;

import java.util.function.Function;
import org.conv4j.data.Batch;
import org.conv4j.data.DataLoader;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Runs a classifier in {@link Mode#EVAL} over a data set and returns its {@link Evaluation}, or
 * a segmentation model (per-pixel scores) and returns its {@link SegmentationEvaluation}.
 */
public final class Evaluator {
    private Evaluator() {
    }

    public static Evaluation evaluate(Layer model, DataLoader data, int topK) {
        Shape sample = data.sampleShape();
        Shape out = model.outputShape(Shape.of(1, sample.dim(0), sample.dim(1), sample.dim(2)));
        if (out.rank() != 2) {
            throw new IllegalArgumentException("the model's output " + out + " is not (N, classes) for input " + sample);
        }
        int classes = out.dim(1), dataClasses = data.dataset().numClasses();
        if (dataClasses > classes) {
            throw new IllegalArgumentException("the model predicts " + classes + " classes but the data has " + dataClasses);
        }
        Evaluation ev = new Evaluation(classes, topK);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        try (DataLoader.Epoch epoch = data.epoch(0)) {
            for (Batch b : epoch) {
                Tensor logits = model.forward(b.images(), Mode.EVAL);
                ev.add(logits, b.labels(), loss.forward(logits, b.labels()));
            }
        }
        return ev;
    }

    /**
     * A segmentation model, whose output is (N, classes, H, W) scores for each image, against the
     * masks (N, H, W) that {@code masks} gives for each batch; the loss is the per-pixel
     * cross-entropy, and positions labelled {@code ignoreIndex} count for nothing.
     */
    public static SegmentationEvaluation evaluateSegmentation(Layer model, DataLoader data, Function<Batch, Tensor> masks, int ignoreIndex) {
        Shape sample = data.sampleShape();
        Shape out = model.outputShape(Shape.of(1, sample.dim(0), sample.dim(1), sample.dim(2)));
        if (out.rank() != 4 || out.dim(2) != sample.dim(1) || out.dim(3) != sample.dim(2)) {
            throw new IllegalArgumentException("the model's output " + out + " is not per-pixel scores (N, classes, " + sample.dim(1) + ", " + sample.dim(2)
                    + ") for input " + sample);
        }
        SegmentationEvaluation ev = new SegmentationEvaluation(out.dim(1), ignoreIndex);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy().ignoreIndex(ignoreIndex);
        try (DataLoader.Epoch epoch = data.epoch(0)) {
            for (Batch b : epoch) {
                Tensor scores = model.forward(b.images(), Mode.EVAL), target = masks.apply(b);
                ev.add(scores, target, loss.forward(scores, target));
            }
        }
        return ev;
    }
}
