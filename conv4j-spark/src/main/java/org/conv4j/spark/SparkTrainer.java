package org.conv4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Transform;
import org.conv4j.io.Architecture;
import org.conv4j.kernel.Updates;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Loss;
import org.conv4j.nn.Parameter;
import org.conv4j.optim.GradClip;
import org.conv4j.optim.Optimizer;
import org.conv4j.tensor.Tensor;
import org.conv4j.train.EpochResult;
import org.conv4j.train.Metric;
import org.conv4j.train.Trainer;
import org.conv4j.train.TrainingDivergedException;

/**
 * Synchronous data-parallel training on Apache Spark: the {@link Trainer}'s model, optimizer,
 * schedule, listeners (metrics log, checkpoints, progress, early stopping) and checkpoints, with
 * each step's forward and backward pass spread over the executors.
 *
 * <p>A step takes the next global batch of the {@link DataLoader} order (the same samples, in
 * the same order, as {@link Trainer#fit(DataLoader, DataLoader)} takes); the driver broadcasts
 * the weights, each shard computes the gradient of the batch's samples it holds, a
 * {@code treeAggregate} sums those gradients (each times its sample count, in double) to the
 * driver, and the driver divides by the batch size, applies the non-finite guard, clipping and
 * the optimizer step. So a run on any number of executors is the single-machine run up to float
 * rounding. Tasks keep no state between steps, so a task that fails is simply run again.
 *
 * <p>The listeners see every epoch ({@code onFitStart}, {@code onEpochStart}, {@code onEpochEnd},
 * {@code onFitEnd}) but no single step, whose tensors live on the executors. Models with buffers
 * (batch normalization's running statistics) are refused: each shard would update its own copy.
 * Dropout draws its masks per shard, so a model with dropout trains reproducibly but not
 * identically to the single-machine run. The loss is made on the executors by a {@link LossFactory}
 * (default: {@link org.conv4j.nn.SoftmaxCrossEntropy}), and the targets are class indices.
 */
public final class SparkTrainer implements Trainer.Engine {
    private final JavaSparkContext sc;
    private final Trainer trainer;
    private final SparkData train;
    private final DataLoader order;
    private SparkData validation;
    private int validationBatch = 256;
    private LossFactory loss = org.conv4j.nn.SoftmaxCrossEntropy::new;
    private int depth = 2;
    private final List<Parameter> params; // every parameter of the model, in order
    private final int[] trained; // positions in params of the optimizer's parameters

    /**
     * Trains {@code trainer}'s model on {@code train} in the batches of {@code order}: its batch
     * size, shuffling, seed, drop-last and transforms (which must be Serializable); its data set
     * must have train's size, its samples are not read ({@link SparkData#loader} makes one).
     */
    public SparkTrainer(JavaSparkContext sc, Trainer trainer, SparkData train, DataLoader order) {
        this.sc = Objects.requireNonNull(sc, "sc");
        this.trainer = Objects.requireNonNull(trainer, "trainer");
        this.train = Objects.requireNonNull(train, "train");
        this.order = Objects.requireNonNull(order, "order");
        if (order.dataset().size() != train.size()) {
            throw new IllegalArgumentException("SparkTrainer: the order's data set has " + order.dataset().size() + " samples, the Spark data " + train.size());
        }
        for (Transform t : order.transforms()) {
            if (!(t instanceof Serializable)) throw new IllegalArgumentException("SparkTrainer: transform " + t + " must be Serializable to reach the executors");
        }
        Map<String, Parameter> named = Layers.namedParameters(trainer.model());
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            if (!e.getValue().isTrainable()) {
                throw new IllegalArgumentException("SparkTrainer: the model keeps the buffer " + e.getKey() + ", which data-parallel training would "
                        + "update separately on every shard; train a model without batch normalization, or on one machine");
            }
        }
        params = new ArrayList<>(named.values());
        Map<Parameter, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < params.size(); i++) position.put(params.get(i), i);
        trained = trainer.optimizer().parameters().values().stream().mapToInt(position::get).toArray();
    }

    /** Validates after each epoch on this data, in chunks of {@code batchSize} per shard (null: no validation). */
    public SparkTrainer validation(SparkData data, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("SparkTrainer: validation batch size must be >= 1, got " + batchSize);
        validation = data;
        validationBatch = batchSize;
        return this;
    }

    /** Makes the loss on the executors; it must make the trainer's kind of loss, which the driver uses for the validation loss. */
    public SparkTrainer loss(LossFactory factory) {
        loss = Objects.requireNonNull(factory, "loss factory");
        return this;
    }

    /** The depth of the tree that sums the shards' gradients (Spark's treeAggregate; default 2). */
    public SparkTrainer aggregationDepth(int d) {
        if (d < 1) throw new IllegalArgumentException("SparkTrainer: aggregation depth must be >= 1, got " + d);
        depth = d;
        return this;
    }

    /** Trains until the trainer's epochs are done or a listener stops the run (see {@link Trainer#fit(Trainer.Engine)}). */
    public List<EpochResult> fit() throws IOException {
        Loss made = loss.create();
        if (made.getClass() != trainer.loss().getClass()) {
            throw new IllegalArgumentException("SparkTrainer: the loss factory makes " + made.getClass().getSimpleName() + " but the trainer minimizes "
                    + trainer.loss().getClass().getSimpleName() + "; give SparkTrainer.loss a factory of the trainer's loss");
        }
        return trainer.fit(this);
    }

    @Override
    public EpochResult epoch(Trainer t, int epoch) {
        Job job = new Job(Architecture.toJson(t.model()), trained, loss, order.transforms().toArray(new Transform[0]), order.seed(), t.seed(),
                train.sampleShape().dims());
        int[] perm = order.order(epoch);
        int batches = order.batchesPerEpoch(), size = order.batchSize();
        for (Metric m : t.metrics()) m.reset();
        double lossSum = 0;
        long samples = 0, start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            int[] batch = Arrays.copyOfRange(perm, b * size, Math.min(perm.length, (b + 1) * size));
            Broadcast<float[]> weights = sc.broadcast(flatWeights());
            StepTask task = new StepTask(job, weights, epoch, b, batch);
            Partial p = train.shards().treeAggregate(new Partial(), (acc, s) -> acc.plus(task.run(s)), Partial::plus, depth);
            weights.destroy();
            String where = "epoch " + (epoch + 1) + ", batch " + (b + 1);
            if (p.samples != batch.length) throw new IllegalStateException("SparkTrainer: the shards held " + p.samples + " of the " + batch.length + " samples of " + where);
            float meanLoss = (float) (p.loss / batch.length);
            step(t, p, batch.length, meanLoss, where);
            Tensor output = Tensor.of(p.outputs, batch.length, p.outputs.length / batch.length), target = Tensor.of(p.targets, batch.length);
            for (Metric m : t.metrics()) m.add(output, target);
            lossSum += (double) meanLoss * batch.length;
            samples += batch.length;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("train_loss", lossSum / samples);
        for (Metric m : t.metrics()) figures.put("train_" + m.name(), m.value());
        validate(t, job, figures);
        return new EpochResult(epoch + 1, t.optimizer().learningRate(), figures, seconds, samples / seconds);
    }

    // the mean gradient into the parameters, the non-finite guard, clipping, the optimizer's step
    private void step(Trainer t, Partial p, int n, float meanLoss, String where) {
        if (!Float.isFinite(meanLoss)) throw new TrainingDivergedException("the loss (" + meanLoss + ") is NaN or infinite at " + where + "; lower the learning rate or clip gradients");
        Optimizer opt = t.optimizer();
        Map<String, Parameter> byName = opt.parameters();
        int off = 0;
        for (Map.Entry<String, Parameter> e : byName.entrySet()) {
            Tensor g = e.getValue().grad();
            float[] gd = g.data();
            for (int i = 0, o = g.offset(); i < g.size(); i++) gd[o + i] = (float) (p.gradient[off + i] / n);
            off += g.size();
            int bad = Updates.firstNonFinite(g);
            if (bad >= 0) {
                throw new TrainingDivergedException(String.format("gradient of %s is %s (element %d) at %s; lower the learning rate or clip gradients", e.getKey(), g.at(bad), bad, where));
            }
        }
        if (t.clipGradNorm() > 0) GradClip.clipGradNorm(byName, t.clipGradNorm());
        opt.step();
    }

    // val_loss and val_METRIC for every validation metric, NaN without validation data
    private void validate(Trainer t, Job job, Map<String, Double> figures) {
        List<Metric> metrics = t.metricsOnValidation();
        for (Metric m : metrics) m.reset();
        double lossSum = 0;
        long samples = 0;
        if (validation != null) {
            Broadcast<float[]> weights = sc.broadcast(flatWeights());
            EvalTask task = new EvalTask(job, weights, validationBatch);
            List<EvalTask.Scores> all = validation.shards().map(task::run).collect(); // in partition order
            weights.destroy();
            for (EvalTask.Scores s : all) {
                int n = s.targets().length;
                if (n == 0) continue;
                Tensor output = Tensor.of(s.outputs(), n, s.classes()), target = Tensor.of(s.targets(), n);
                lossSum += (double) t.loss().forward(output, target) * n;
                samples += n;
                for (Metric m : metrics) m.add(output, target);
            }
        }
        figures.put("val_loss", samples == 0 ? Double.NaN : lossSum / samples);
        for (Metric m : metrics) figures.put("val_" + m.name(), samples == 0 ? Double.NaN : m.value());
    }

    private float[] flatWeights() {
        int total = 0;
        for (Parameter p : params) total += p.value().size();
        float[] flat = new float[total];
        int off = 0;
        for (Parameter p : params) {
            Tensor v = p.value();
            System.arraycopy(v.data(), v.offset(), flat, off, v.size());
            off += v.size();
        }
        return flat;
    }
}
