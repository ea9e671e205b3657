package org.conv4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Loss;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;

/**
 * One training step on one shard: the forward and backward pass over the samples of the global
 * batch that the shard holds, from the step's broadcast weights. It reads nothing but its inputs
 * and changes nothing but the replica it borrows, so Spark may run it again after a failure.
 */
final class StepTask implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Job job;
    private final Broadcast<float[]> weights;
    private final int epoch, step;
    private final int[] batch; // data set indices, in batch order

    StepTask(Job job, Broadcast<float[]> weights, int epoch, int step, int[] batch) {
        this.job = job;
        this.weights = weights;
        this.epoch = epoch;
        this.step = step;
        this.batch = batch;
    }

    /** This shard's gradient (times its sample count), loss, outputs and targets; an empty Partial if it holds none of the batch. */
    Partial run(Shard s) {
        int[] positions = new int[batch.length], local = new int[batch.length];
        int m = 0;
        for (int j = 0; j < batch.length; j++) {
            int k = s.find(batch[j]);
            if (k < 0) continue;
            positions[m] = j;
            local[m++] = k;
        }
        if (m == 0) return new Partial();
        Tensor images = job.images(s, local, m, epoch);
        float[] t = new float[m];
        for (int i = 0; i < m; i++) t[i] = s.labels[local[i]];
        Tensor target = Tensor.of(t, m);

        Layer model = Replicas.take(job.architecture());
        List<Parameter> params = new ArrayList<>(Layers.namedParameters(model).values());
        Job.setWeights(params, weights.value());
        Layers.zeroGrad(model);
        job.reseedDropout(model, epoch, step, s.indices[local[0]]);
        Tensor out = model.forward(images, Mode.TRAIN);
        Loss loss = job.loss().create();
        float l = loss.forward(out, target);
        model.backwardParameters(loss.backward());
        Partial p = gather(params, out, l, m, positions, t);
        Replicas.give(job.architecture(), model);
        return p;
    }

    private Partial gather(List<Parameter> params, Tensor out, float loss, int m, int[] positions, float[] target) {
        if (out.rank() != 2) throw new IllegalArgumentException("SparkTrainer: expected class scores (N, classes) from the model, got " + out.shape());
        Partial p = new Partial();
        int size = 0;
        for (int i : job.trained()) size += params.get(i).value().size();
        p.gradient = new double[size];
        int off = 0;
        for (int i : job.trained()) {
            Tensor g = params.get(i).grad();
            float[] gd = g.data();
            for (int e = 0, o = g.offset(); e < g.size(); e++) p.gradient[off + e] = (double) gd[o + e] * m;
            off += g.size();
        }
        int k = out.dim(1);
        p.outputs = new float[batch.length * k];
        p.targets = new float[batch.length];
        float[] od = out.data();
        for (int i = 0; i < m; i++) {
            System.arraycopy(od, out.offset() + i * k, p.outputs, positions[i] * k, k);
            p.targets[positions[i]] = target[i];
        }
        p.loss = (double) loss * m;
        p.samples = m;
        return p;
    }
}
