package org.conv4j.spark;

import java.io.Serializable;
import java.util.SplittableRandom;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Transform;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * What every task of a run shares: the model's architecture (JSON; the weights travel per step),
 * which parameters the optimizer trains (positions in the model's parameter order), the loss,
 * the training transforms, the data order's seed and the sample shape.
 */
record Job(String architecture, int[] trained, LossFactory loss, Transform[] transforms, long dataSeed, long dropoutSeed, int[] sampleDims)
        implements Serializable {

    /** The images of shard samples {@code local[0 .. m)}, transformed as the DataLoader does in epoch {@code epoch}. */
    Tensor images(Shard s, int[] local, int m, int epoch) {
        Shape[] shapes = new Shape[transforms.length + 1];
        shapes[0] = Shape.of(sampleDims);
        int scratch = shapes[0].size();
        for (int k = 0; k < transforms.length; k++) {
            shapes[k + 1] = transforms[k].outputShape(shapes[k]);
            scratch = Math.max(scratch, shapes[k + 1].size());
        }
        Shape out = shapes[transforms.length];
        Tensor images = Tensor.zeros(m, out.dim(0), out.dim(1), out.dim(2));
        float[] x = images.data();
        float[] a = new float[scratch], c = new float[scratch];
        for (int i = 0; i < m; i++) {
            int k = local[i];
            if (transforms.length == 0) {
                System.arraycopy(s.pixels, k * s.sampleSize, x, i * out.size(), s.sampleSize);
                continue;
            }
            // the same generator and chain as DataLoader, so the same augmented sample
            System.arraycopy(s.pixels, k * s.sampleSize, a, 0, s.sampleSize);
            SplittableRandom rng = new SplittableRandom(DataLoader.sampleSeed(dataSeed, epoch, s.indices[k]));
            float[] src = a, other = c;
            for (int t = 0; t < transforms.length; t++) {
                boolean last = t == transforms.length - 1;
                float[] dst = last ? x : other;
                transforms[t].apply(src, 0, shapes[t], dst, last ? i * out.size() : 0, rng);
                other = src;
                src = dst;
            }
        }
        return images;
    }

    /** Copies the flat weights (every parameter and buffer, in the model's order) into a replica. */
    static void setWeights(Iterable<Parameter> params, float[] flat) {
        int off = 0;
        for (Parameter p : params) {
            Tensor v = p.value();
            System.arraycopy(flat, off, v.data(), v.offset(), v.size());
            off += v.size();
        }
    }

    /** Dropout masks drawn from (run seed, epoch, step, first sample of the shard): reproducible whatever the schedule of tasks. */
    void reseedDropout(Layer layer, int epoch, int step, int firstSample) {
        reseed(layer, new SplittableRandom(dropoutSeed ^ (0x9E3779B97F4A7C15L * (epoch + 1)) ^ ((long) step << 32) ^ firstSample));
    }

    private static void reseed(Layer layer, SplittableRandom rng) {
        if (layer instanceof Dropout d) d.seed(rng.nextLong());
        for (Layer child : layer.children().values()) reseed(child, rng);
    }
}
