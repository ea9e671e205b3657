package org.conv4j.train;

import org.conv4j.data.Batch;
import org.conv4j.data.DataLoader;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/** Runs a classifier in {@link Mode#EVAL} over a data set and returns its {@link Evaluation}. */
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
}
