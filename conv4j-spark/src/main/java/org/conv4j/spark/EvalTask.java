package org.conv4j.spark;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Mode;
import org.conv4j.tensor.Tensor;

/** The EVAL-mode class scores of every sample of a shard, in chunks of {@code batchSize}, with their labels. */
final class EvalTask implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Job job;
    private final Broadcast<float[]> weights;
    private final int batchSize;

    /** Scores (n, classes) row by row and the n labels. */
    record Scores(float[] outputs, float[] targets, int classes) implements Serializable {
    }

    EvalTask(Job job, Broadcast<float[]> weights, int batchSize) {
        this.job = job;
        this.weights = weights;
        this.batchSize = batchSize;
    }

    Scores run(Shard s) {
        Layer model = Replicas.take(job.architecture());
        Job.setWeights(Layers.namedParameters(model).values(), weights.value());
        int n = s.size(), classes = 0;
        float[] outputs = null, targets = new float[n];
        for (int from = 0; from < n; from += batchSize) {
            int m = Math.min(batchSize, n - from);
            Tensor images = Tensor.zeros(m, job.sampleDims()[0], job.sampleDims()[1], job.sampleDims()[2]);
            System.arraycopy(s.pixels, from * s.sampleSize, images.data(), 0, m * s.sampleSize);
            Tensor out = model.forward(images, Mode.EVAL);
            if (out.rank() != 2) throw new IllegalArgumentException("SparkTrainer: expected class scores (N, classes) from the model, got " + out.shape());
            if (outputs == null) {
                classes = out.dim(1);
                outputs = new float[n * classes];
            }
            System.arraycopy(out.data(), out.offset(), outputs, from * classes, m * classes);
            for (int i = 0; i < m; i++) targets[from + i] = s.labels[from + i];
        }
        Replicas.give(job.architecture(), model);
        return new Scores(outputs == null ? new float[0] : outputs, targets, classes);
    }
}
