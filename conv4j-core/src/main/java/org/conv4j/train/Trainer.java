package org.conv4j.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.conv4j.data.Batch;
import org.conv4j.data.DataLoader;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.kernel.Updates;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.optim.GradClip;
import org.conv4j.optim.LrSchedule;
import org.conv4j.optim.Optimizer;
import org.conv4j.optim.OptimizerState;
import org.conv4j.tensor.Tensor;

/**
 * The training loop (SPEC 3): for each batch, forward, softmax cross-entropy, backward, an
 * optimizer step; per epoch, the learning-rate schedule, validation, metrics, checkpoints and
 * early stopping.
 *
 * <p>Reproducible: data order and augmentation are functions of the loader's seed and the
 * epoch, dropout layers are re-seeded from this trainer's seed at the start of each epoch, and
 * the kernels do not depend on the thread count, so the same seed and data give bit-identical
 * weights. A checkpoint (after every epoch, {@code last.safetensors}, and whenever the
 * monitored metric improves, {@code best.safetensors}) holds the model, the optimizer's state
 * and this trainer's state; {@link #resume(Path)} continues from it exactly as if the run had
 * not stopped.
 *
 * <p>A non-finite loss, gradient or parameter stops training with a
 * {@link TrainingDivergedException} naming the layer or parameter that went bad.
 */
public final class Trainer {
    /** Metadata key of the trainer state inside a checkpoint. */
    public static final String STATE_KEY = "trainer";
    private static final String OPTIMIZER_PREFIX = "optimizer.";

    private final Layer model;
    private final Optimizer optimizer;
    private final double baseLearningRate;
    private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    private int epochs = 10;
    private LrSchedule schedule = LrSchedule.constant();
    private double clipNorm;
    private int patience;
    private boolean monitorAccuracy;
    private long seed;
    private int topK = 5;
    private Path checkpointDir;
    private MetricsLog metricsLog;
    private ProgressBar progress;
    private Map<String, String> metadata = Map.of();

    // trainer state, saved in checkpoints
    private int epochsDone;
    private double best = Double.NaN;
    private int epochsWithoutImprovement;
    private final List<EpochResult> history = new ArrayList<>();

    public Trainer(Layer model, Optimizer optimizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLearningRate = optimizer.learningRate();
        java.util.Set<Parameter> own = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        own.addAll(Layers.namedParameters(model).values());
        for (Map.Entry<String, Parameter> e : optimizer.parameters().entrySet()) {
            if (!own.contains(e.getValue())) {
                throw new IllegalArgumentException("Trainer: the optimizer's parameter '" + e.getKey() + "' is not a parameter of the model");
            }
        }
    }

    /** Total epochs to train (a resumed run counts the epochs already done). */
    public Trainer epochs(int n) {
        if (n < 1) throw new IllegalArgumentException("Trainer: epochs must be >= 1, got " + n);
        epochs = n;
        return this;
    }

    /** A per-epoch schedule of the optimizer's initial learning rate. */
    public Trainer schedule(LrSchedule s) {
        schedule = Objects.requireNonNull(s, "schedule");
        return this;
    }

    /** Clips the global gradient norm to this value before each step (0 = off). */
    public Trainer clipGradNorm(double maxNorm) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("Trainer: clip norm must be >= 0, got " + maxNorm);
        clipNorm = maxNorm;
        return this;
    }

    /**
     * Stops after {@code patience} epochs without improvement of the validation loss (or, with
     * {@code monitorAccuracy}, accuracy); 0 = never. Without validation data the training
     * figures are monitored.
     */
    public Trainer earlyStopping(int patience, boolean monitorAccuracy) {
        if (patience < 0) throw new IllegalArgumentException("Trainer: patience must be >= 0, got " + patience);
        this.patience = patience;
        this.monitorAccuracy = monitorAccuracy;
        return this;
    }

    /** Seed of the dropout masks. */
    public Trainer seed(long s) {
        seed = s;
        return this;
    }

    public Trainer topK(int k) {
        if (k < 1) throw new IllegalArgumentException("Trainer: top-k must be >= 1, got " + k);
        topK = k;
        return this;
    }

    /** Writes {@code last.safetensors} and {@code best.safetensors} checkpoints into this directory. */
    public Trainer checkpoints(Path dir) {
        checkpointDir = dir;
        return this;
    }

    /** Writes the per-epoch metrics to this file (CSV for .csv, JSON lines otherwise). */
    public Trainer metricsLog(Path file) {
        metricsLog = file == null ? null : new MetricsLog(file);
        return this;
    }

    /** Prints progress to {@code out}: in place when {@code terminal}, one line per epoch otherwise. */
    public Trainer progress(PrintStream out, boolean terminal) {
        progress = out == null ? null : new ProgressBar(out, terminal);
        return this;
    }

    /**
     * Extra metadata written into every checkpoint beside the trainer state (for example the run
     * configuration, {@link RunConfig#metadata()}); the key {@value #STATE_KEY} is the trainer's own.
     */
    public Trainer metadata(Map<String, String> extra) {
        if (extra.containsKey(STATE_KEY)) throw new IllegalArgumentException("Trainer: metadata key '" + STATE_KEY + "' is the trainer state's own");
        metadata = new LinkedHashMap<>(extra);
        return this;
    }

    public List<EpochResult> history() {
        return List.copyOf(history);
    }

    public int epochsDone() {
        return epochsDone;
    }

    /**
     * Trains until {@link #epochs(int)} are done or early stopping; validation may be null. While
     * it runs, the model {@linkplain Layer#reuseBuffers reuses} its TRAIN buffers from step to step.
     */
    public List<EpochResult> fit(DataLoader train, DataLoader validation) throws IOException {
        model.reuseBuffers(true);
        try {
            return trainEpochs(train, validation);
        } finally {
            model.reuseBuffers(false);
        }
    }

    private List<EpochResult> trainEpochs(DataLoader train, DataLoader validation) throws IOException {
        while (epochsDone < epochs) {
            EpochResult r = runEpoch(train, validation);
            history.add(r);
            epochsDone++;
            boolean improved = updateBest(r);
            if (metricsLog != null) metricsLog.write(history);
            if (checkpointDir != null) {
                Files.createDirectories(checkpointDir);
                saveCheckpoint(checkpointDir.resolve("last.safetensors"));
                if (improved) saveCheckpoint(checkpointDir.resolve("best.safetensors"));
            }
            if (progress != null) progress.finish(summary(r, improved));
            if (patience > 0 && epochsWithoutImprovement >= patience) {
                if (progress != null) progress.finish("early stopping: no improvement for " + patience + " epochs");
                break;
            }
        }
        return history();
    }

    private EpochResult runEpoch(DataLoader train, DataLoader validation) {
        int epoch = epochsDone; // 0-based
        schedule.apply(optimizer, baseLearningRate, epoch);
        reseedDropout(model, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))));
        Map<String, Parameter> params = optimizer.parameters();
        Evaluation running = null;
        long start = System.nanoTime();
        int total = train.batchesPerEpoch(), done = 0;
        try (DataLoader.Epoch batches = train.epoch(epoch)) {
            for (Batch b : batches) {
                optimizer.zeroGrad();
                Tensor logits = model.forward(b.images(), Mode.TRAIN);
                float l;
                try {
                    l = loss.forward(logits, b.labels());
                } catch (IllegalArgumentException e) {
                    if (!allFinite(logits)) throw diverged(b, epoch, done);
                    throw e;
                }
                model.backwardParameters(loss.backward());
                checkGradients(params, epoch, done);
                if (clipNorm > 0) GradClip.clipGradNorm(params, clipNorm);
                optimizer.step();
                if (running == null) running = new Evaluation(logits.dim(1), 1);
                running.add(logits, b.labels(), l);
                done++;
                if (progress != null) {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    progress.update(epoch + 1, epochs, done, total, running.loss(), running.accuracy(), running.count() / seconds);
                }
            }
        }
        if (running == null) throw new IllegalStateException("Trainer: the training data produced no batch");
        double seconds = (System.nanoTime() - start) / 1e9;
        double vLoss = Double.NaN, vAcc = Double.NaN, vTop = Double.NaN;
        if (validation != null) {
            Evaluation v = Evaluator.evaluate(model, validation, topK);
            vLoss = v.loss();
            vAcc = v.accuracy();
            vTop = v.topKAccuracy();
        }
        return new EpochResult(epoch + 1, optimizer.learningRate(), running.loss(), running.accuracy(), vLoss, vAcc, vTop,
                seconds, running.count() / seconds);
    }

    private boolean updateBest(EpochResult r) {
        double metric = monitorAccuracy ? (Double.isNaN(r.valAccuracy()) ? r.trainAccuracy() : r.valAccuracy())
                : (Double.isNaN(r.valLoss()) ? r.trainLoss() : r.valLoss());
        boolean improved = Double.isNaN(best) || (monitorAccuracy ? metric > best : metric < best);
        if (improved) {
            best = metric;
            epochsWithoutImprovement = 0;
        } else {
            epochsWithoutImprovement++;
        }
        return improved;
    }

    private String summary(EpochResult r, boolean improved) {
        StringBuilder sb = new StringBuilder(String.format("epoch %d/%d  loss %.4f  acc %.2f%%", r.epoch(), epochs, r.trainLoss(), 100 * r.trainAccuracy()));
        if (!Double.isNaN(r.valLoss())) sb.append(String.format("  val_loss %.4f  val_acc %.2f%%", r.valLoss(), 100 * r.valAccuracy()));
        sb.append(String.format("  lr %.3g  %.1fs  %.0f img/s", r.learningRate(), r.seconds(), r.imagesPerSecond()));
        if (improved) sb.append("  *");
        return sb.toString();
    }

    // --- NaN/Inf guard ---

    private static boolean allFinite(Tensor t) {
        return Updates.firstNonFinite(t) < 0;
    }

    private void checkGradients(Map<String, Parameter> params, int epoch, int batch) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor g = e.getValue().grad();
            int bad = Updates.firstNonFinite(g);
            if (bad >= 0) {
                throw new TrainingDivergedException(String.format("gradient of %s is %s (element %d) at epoch %d, batch %d; lower the learning rate or clip gradients",
                        e.getKey(), g.at(bad), bad, epoch + 1, batch + 1));
            }
        }
    }

    /**
     * Finds what made the logits non-finite: the input, a trainable parameter, or the first layer
     * whose output is (buffers such as running statistics only follow what their layer received).
     */
    private TrainingDivergedException diverged(Batch b, int epoch, int batch) {
        String where = String.format(" at epoch %d, batch %d", epoch + 1, batch + 1);
        if (!allFinite(b.images())) return new TrainingDivergedException("the input batch contains NaN or infinity" + where);
        for (Map.Entry<String, Parameter> e : optimizer.parameters().entrySet()) {
            if (!allFinite(e.getValue().value())) {
                return new TrainingDivergedException("parameter " + e.getKey() + " is NaN or infinite" + where + "; lower the learning rate or clip gradients");
            }
        }
        String layer = firstNonFiniteLayer(model, b.images(), "");
        return new TrainingDivergedException("the output of layer " + (layer == null ? "(model)" : layer) + " is NaN or infinite" + where);
    }

    private static String firstNonFiniteLayer(Layer layer, Tensor x, String name) {
        if (layer instanceof Sequential seq) {
            for (int i = 0; i < seq.size(); i++) {
                String child = (name.isEmpty() ? "" : name + ".") + seq.names().get(i);
                Tensor y = seq.get(i).forward(x, Mode.EVAL);
                if (!allFinite(y)) {
                    String inner = firstNonFiniteLayer(seq.get(i), x, child);
                    return inner != null ? inner : child;
                }
                x = y;
            }
            return null;
        }
        return allFinite(layer.forward(x, Mode.EVAL)) ? null : (name.isEmpty() ? null : name);
    }

    private static void reseedDropout(Layer layer, SplittableRandom rng) {
        if (layer instanceof Dropout d) d.seed(rng.nextLong());
        for (Layer child : layer.children().values()) reseedDropout(child, rng);
    }

    // --- checkpoints ---

    /** Saves model, optimizer state and trainer state, atomically. */
    public void saveCheckpoint(Path file) throws IOException {
        OptimizerState s = optimizer.state();
        Map<String, Tensor> extra = new LinkedHashMap<>();
        s.tensors().forEach((k, v) -> extra.put(OPTIMIZER_PREFIX + k, v));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epochs_done", (long) epochsDone);
        state.put("best", Double.isNaN(best) ? null : best);
        state.put("epochs_without_improvement", (long) epochsWithoutImprovement);
        state.put("seed", Long.toString(seed));
        state.put("optimizer_type", s.type());
        Map<String, Object> scalars = new LinkedHashMap<>(s.scalars());
        state.put("optimizer_scalars", scalars);
        List<Object> rows = new ArrayList<>();
        for (EpochResult r : history) {
            List<Object> row = new ArrayList<>();
            for (double v : r.values()) row.add(Double.isFinite(v) ? v : null);
            rows.add(row);
        }
        state.put("history", rows);
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(STATE_KEY, Json.write(state));
        ModelFile.save(model, file, extra, meta);
    }

    /** Restores model weights, optimizer state and trainer state from a checkpoint of the same model. */
    public Trainer resume(Path file) throws IOException {
        ModelFile.Contents c = ModelFile.read(file);
        String json = c.extraMetadata().get(STATE_KEY);
        if (json == null) throw new IOException(file + " is a model file, not a training checkpoint (no trainer state)");
        Map<String, Parameter> mine = Layers.namedParameters(model);
        Map<String, Parameter> theirs = Layers.namedParameters(c.model());
        if (!mine.keySet().equals(theirs.keySet())) {
            throw new IllegalArgumentException("checkpoint " + file + " holds a different model: parameters " + theirs.keySet() + " vs " + mine.keySet());
        }
        for (Map.Entry<String, Parameter> e : mine.entrySet()) {
            Tensor src = theirs.get(e.getKey()).value();
            if (!src.shape().equals(e.getValue().value().shape())) {
                throw new IllegalArgumentException("checkpoint " + file + ": " + e.getKey() + " has shape " + src.shape() + ", the model has " + e.getValue().value().shape());
            }
            e.getValue().value().copyFrom(src);
        }
        try {
            restoreState(Json.parseObject(json), c.extraTensors());
        } catch (RuntimeException e) {
            throw new IOException(file + ": invalid trainer state in checkpoint: " + e.getMessage(), e);
        }
        return this;
    }

    private void restoreState(Map<String, Object> state, Map<String, Tensor> extraTensors) {
        Map<String, Tensor> optTensors = new LinkedHashMap<>();
        extraTensors.forEach((k, v) -> {
            if (k.startsWith(OPTIMIZER_PREFIX)) optTensors.put(k.substring(OPTIMIZER_PREFIX.length()), v);
        });
        Map<String, Double> scalars = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> rawScalars = (Map<String, Object>) state.get("optimizer_scalars");
        rawScalars.forEach((k, v) -> scalars.put(k, ((Number) v).doubleValue()));
        optimizer.loadState(new OptimizerState((String) state.get("optimizer_type"), optTensors, scalars));
        epochsDone = ((Number) state.get("epochs_done")).intValue();
        Object b = state.get("best");
        best = b == null ? Double.NaN : ((Number) b).doubleValue();
        epochsWithoutImprovement = ((Number) state.get("epochs_without_improvement")).intValue();
        seed = Long.parseLong((String) state.get("seed"));
        history.clear();
        for (Object row : (List<?>) state.get("history")) {
            List<?> values = (List<?>) row;
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) v[i] = values.get(i) == null ? Double.NaN : ((Number) values.get(i)).doubleValue();
            history.add(EpochResult.of(v));
        }
    }
}
