package org.conv4j.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.conv4j.data.Batch;
import org.conv4j.data.DataLoader;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Loss;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.optim.GradClip;
import org.conv4j.optim.LrSchedule;
import org.conv4j.optim.Optimizer;
import org.conv4j.tensor.Tensor;

/**
 * The training loop (SPEC 3): epochs of steps (forward, loss, backward, an optimizer step) with a
 * pluggable {@link Loss} (default {@link SoftmaxCrossEntropy}) and {@link Metric}s (default
 * {@link Accuracy}, and {@link TopKAccuracy} top-5 on validation data); everything else is a
 * {@link TrainingListener}: the {@link NonFiniteGuard} (always on), {@link MetricsLog},
 * {@link Checkpoints}, {@link ProgressBar}, {@link EarlyStopping}, and the user's own.
 *
 * <p>The loss and metrics compare the model's output with a target the {@linkplain #targets
 * target function} makes from each batch, by default its class indices (N); a per-position
 * task (per-pixel classification: output (N, C, H, W), target (N, H, W)) supplies its own.
 *
 * <p>Reproducible: data order and augmentation are functions of the loader's seed and the
 * epoch, dropout layers are re-seeded from this trainer's seed at the start of each epoch, and
 * the kernels do not depend on the thread count, so the same seed and data give bit-identical
 * weights. A checkpoint ({@link #saveCheckpoint}) holds the model, the optimizer's state, this
 * trainer's state and the user's {@linkplain #metadata(Map) metadata}; {@link #resume(Path)}
 * continues from it exactly as if the run had not stopped.
 */
public final class Trainer {
    /** Metadata key of the trainer state inside a checkpoint. */
    public static final String STATE_KEY = TrainerState.KEY;

    private final Layer model;
    private final Optimizer optimizer;
    private final double baseLearningRate;
    private Loss loss = new SoftmaxCrossEntropy();
    private Function<Batch, Tensor> targets = Trainer::classIndices;
    private Function<Batch, Tensor> validationTargets;
    private List<Metric> metrics = List.of(new Accuracy());
    private List<Metric> validationMetrics = List.of(new TopKAccuracy(5));
    private int epochs = 10;
    private LrSchedule schedule = LrSchedule.constant();
    private double clipNorm;
    private long seed;
    private Monitor monitor = new Monitor("loss", false);
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private final NonFiniteGuard guard = new NonFiniteGuard();
    private MetricsLog metricsLog;
    private Checkpoints checkpoints;
    private ProgressBar progress;
    private EarlyStopping earlyStopping;
    private final List<TrainingListener> listeners = new ArrayList<>();

    // trainer state, saved in checkpoints (with the monitor's)
    private int epochsDone;
    private final List<EpochResult> history = new ArrayList<>();

    private Tally running; // the epoch in progress
    private String stopReason;

    public Trainer(Layer model, Optimizer optimizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLearningRate = optimizer.learningRate();
        Set<Parameter> own = Collections.newSetFromMap(new IdentityHashMap<>());
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
     * figures are monitored. The same figure picks the best checkpoint.
     */
    public Trainer earlyStopping(int patience, boolean monitorAccuracy) {
        earlyStopping = new EarlyStopping(patience);
        return monitor(monitorAccuracy ? "accuracy" : "loss", monitorAccuracy);
    }

    /** The figure ("loss" or a metric's name) that picks the best checkpoint and drives early stopping. */
    public Trainer monitor(String figure, boolean higherIsBetter) {
        Monitor m = new Monitor(figure, higherIsBetter);
        if (figure.equals(monitor.name()) && higherIsBetter == monitor.higherIsBetter()) {
            m.restore(monitor.best(), monitor.epochsWithoutImprovement()); // keep what a resume restored
        }
        monitor = m;
        return this;
    }

    /** Seed of the dropout masks. */
    public Trainer seed(long s) {
        seed = s;
        return this;
    }

    /** The k of the top-k accuracy measured on validation data (default 5). */
    public Trainer topK(int k) {
        return validationMetrics(new TopKAccuracy(k));
    }

    /** The loss to minimize (default {@link SoftmaxCrossEntropy}). */
    public Trainer loss(Loss l) {
        loss = Objects.requireNonNull(l, "loss");
        return this;
    }

    /**
     * Makes the loss's and metrics' target from a batch (default: its class indices as a (N)
     * tensor); also for validation batches unless {@link #validationTargets} is set.
     */
    public Trainer targets(Function<Batch, Tensor> f) {
        targets = Objects.requireNonNull(f, "targets");
        return this;
    }

    /** Makes the target of a validation batch, when it comes from another source than the training targets. */
    public Trainer validationTargets(Function<Batch, Tensor> f) {
        validationTargets = Objects.requireNonNull(f, "validation targets");
        return this;
    }

    /** The metrics measured on the training and the validation data (default: {@link Accuracy}). */
    public Trainer metrics(Metric... m) {
        metrics = List.of(m);
        checkNames();
        return this;
    }

    /** Metrics measured on the validation data only, after {@link #metrics} (default: top-5 accuracy). */
    public Trainer validationMetrics(Metric... m) {
        validationMetrics = List.of(m);
        checkNames();
        return this;
    }

    private void checkNames() {
        Set<String> seen = new HashSet<>(Set.of("loss"));
        for (Metric m : allMetrics()) {
            if (!seen.add(m.name())) throw new IllegalArgumentException("Trainer: two figures are named '" + m.name() + "'; metric names must differ from each other and from 'loss'");
        }
    }

    /** Writes {@code last.safetensors} and {@code best.safetensors} checkpoints into this directory (null: none). */
    public Trainer checkpoints(Path dir) {
        checkpoints = dir == null ? null : new Checkpoints(dir);
        return this;
    }

    /** Writes the per-epoch figures to this file (CSV for .csv, JSON lines otherwise; null: none). */
    public Trainer metricsLog(Path file) {
        metricsLog = file == null ? null : new MetricsLog(file);
        return this;
    }

    /** Prints progress to {@code out}: in place when {@code terminal}, one line per epoch otherwise (null: none). */
    public Trainer progress(PrintStream out, boolean terminal) {
        progress = out == null ? null : new ProgressBar(out, terminal);
        return this;
    }

    /** Adds a listener, called after the built-in ones, in the order added. */
    public Trainer listener(TrainingListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
        return this;
    }

    /**
     * Entries stored in every checkpoint's metadata (keys must not start with "conv4j." nor be
     * "format" or "trainer") and read back by {@link #resume}; added to those already set.
     */
    public Trainer metadata(Map<String, String> extra) {
        for (Map.Entry<String, String> e : extra.entrySet()) {
            String k = Objects.requireNonNull(e.getKey(), "metadata key");
            if (k.startsWith("conv4j.") || k.equals(ModelFile.FORMAT_KEY) || k.equals(STATE_KEY)) {
                throw new IllegalArgumentException("Trainer: metadata key '" + k + "' is reserved; keys must not start with \"conv4j.\" nor be \""
                        + ModelFile.FORMAT_KEY + "\" or \"" + STATE_KEY + "\"");
            }
            metadata.put(k, Objects.requireNonNull(e.getValue(), "metadata value of '" + k + "'"));
        }
        return this;
    }

    /** The metadata to store in checkpoints: as set, or as read by {@link #resume}. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    public Layer model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The total epochs of the run. */
    public int epochs() {
        return epochs;
    }

    public int epochsDone() {
        return epochsDone;
    }

    public long seed() {
        return seed;
    }

    public List<EpochResult> history() {
        return List.copyOf(history);
    }

    public Monitor monitor() {
        return monitor;
    }

    /** The loss it minimizes. */
    public Loss loss() {
        return loss;
    }

    /** The global gradient norm it clips to before each step (0 = off). */
    public double clipGradNorm() {
        return clipNorm;
    }

    /** The metrics measured on the validation data: {@link #metrics()}, then the validation-only ones. */
    public List<Metric> metricsOnValidation() {
        return allMetrics();
    }

    /** The metrics measured on the training data (their values are running during an epoch). */
    public List<Metric> metrics() {
        return metrics;
    }

    /** The mean loss of the epoch in progress so far. */
    public double runningLoss() {
        return running == null ? Double.NaN : running.loss();
    }

    /** Ends the run after the current epoch; the reason is printed by the progress output. */
    public void stop(String reason) {
        stopReason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the last fit stopped before its epochs, or null. */
    public String stopReason() {
        return stopReason;
    }

    /** The column names of the figures each epoch records: train_loss, train_METRIC..., val_loss, val_METRIC... */
    public List<String> figureNames() {
        List<String> names = new ArrayList<>(List.of("train_loss"));
        for (Metric m : metrics) names.add("train_" + m.name());
        names.add("val_loss");
        for (Metric m : allMetrics()) names.add("val_" + m.name());
        return names;
    }

    private List<Metric> allMetrics() {
        List<Metric> all = new ArrayList<>(metrics);
        all.addAll(validationMetrics);
        return all;
    }

    private List<TrainingListener> allListeners() {
        List<TrainingListener> all = new ArrayList<>(List.of(guard));
        for (TrainingListener l : new TrainingListener[] {metricsLog, checkpoints, progress, earlyStopping}) if (l != null) all.add(l);
        all.addAll(listeners);
        return all;
    }

    /**
     * Trains until {@link #epochs(int)} are done or a listener stops the run; validation may be
     * null. While it runs, the model {@linkplain Layer#reuseBuffers reuses} its TRAIN buffers.
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
        List<TrainingListener> all = allListeners();
        return fit((trainer, epoch) -> runEpoch(train, validation, all, epoch));
    }

    /**
     * What trains one epoch for {@link #fit(Engine)}: this machine's loop over a DataLoader, or
     * another engine's (conv4j-spark trains the same steps on a cluster).
     */
    public interface Engine {
        /**
         * Trains epoch {@code epoch} (0-based) and validates: the schedule has set the learning
         * rate and the listeners have been told the epoch starts.
         */
        EpochResult epoch(Trainer trainer, int epoch) throws IOException;
    }

    /**
     * Trains with {@code engine} until {@link #epochs(int)} are done or a listener stops the run:
     * the same schedule, listeners, history and checkpoints as {@link #fit(DataLoader, DataLoader)}.
     */
    public List<EpochResult> fit(Engine engine) throws IOException {
        List<TrainingListener> all = allListeners();
        stopReason = null;
        for (TrainingListener l : all) l.onFitStart(this);
        while (epochsDone < epochs && stopReason == null) {
            int epoch = epochsDone; // 0-based
            schedule.apply(optimizer, baseLearningRate, epoch);
            reseedDropout(model, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))));
            for (TrainingListener l : all) l.onEpochStart(this, epoch + 1);
            EpochResult r = engine.epoch(this, epoch);
            history.add(r);
            epochsDone++;
            monitor.update(r);
            for (TrainingListener l : all) l.onEpochEnd(this, r);
        }
        for (TrainingListener l : all) l.onFitEnd(this);
        return history();
    }

    private EpochResult runEpoch(DataLoader train, DataLoader validation, List<TrainingListener> all, int epoch) {
        Map<String, Parameter> params = optimizer.parameters();
        running = new Tally(metrics);
        long start = System.nanoTime();
        int total = train.batchesPerEpoch(), done = 0;
        try (DataLoader.Epoch batches = train.epoch(epoch)) {
            for (Batch b : batches) {
                optimizer.zeroGrad();
                Tensor output = model.forward(b.images(), Mode.TRAIN);
                Tensor target = targets.apply(b);
                Step step = new Step(epoch + 1, done, total, b, output, target, Float.NaN);
                for (TrainingListener l : all) l.onForward(this, step);
                step = step.withLoss(loss.forward(output, target));
                model.backwardParameters(loss.backward());
                for (TrainingListener l : all) l.onBackward(this, step);
                if (clipNorm > 0) GradClip.clipGradNorm(params, clipNorm);
                optimizer.step();
                running.add(output, target, step.loss(), b.size());
                done++;
                for (TrainingListener l : all) l.onStep(this, step);
            }
        }
        if (running.samples() == 0) throw new IllegalStateException("Trainer: the training data produced no batch");
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> figures = new LinkedHashMap<>();
        running.into(figures, "train_");
        validate(validation).into(figures, "val_");
        return new EpochResult(epoch + 1, optimizer.learningRate(), figures, seconds, running.samples() / seconds);
    }

    // the loss and every metric over the validation data in EVAL mode (NaN without it)
    private Tally validate(DataLoader data) {
        Tally tally = new Tally(allMetrics());
        if (data == null) return tally;
        try (DataLoader.Epoch batches = data.epoch(0)) {
            for (Batch b : batches) {
                Tensor output = model.forward(b.images(), Mode.EVAL);
                Tensor target = (validationTargets != null ? validationTargets : targets).apply(b);
                tally.add(output, target, loss.forward(output, target), b.size());
            }
        }
        return tally;
    }

    /** The default target: the batch's class indices as a float tensor of shape (N). */
    public static Tensor classIndices(Batch b) {
        int[] labels = b.labels();
        float[] t = new float[labels.length];
        for (int i = 0; i < labels.length; i++) t[i] = labels[i];
        return Tensor.of(t, labels.length);
    }

    private static void reseedDropout(Layer layer, SplittableRandom rng) {
        if (layer instanceof Dropout d) d.seed(rng.nextLong());
        for (Layer child : layer.children().values()) reseedDropout(child, rng);
    }

    // --- checkpoints ---

    /** Saves model, optimizer state, trainer state and metadata, atomically. */
    public void saveCheckpoint(Path file) throws IOException {
        TrainerState.save(this, file);
    }

    /**
     * Restores model weights, optimizer state, trainer state and metadata from a checkpoint of
     * the same model; the checkpoint's metadata replaces this trainer's.
     */
    public Trainer resume(Path file) throws IOException {
        TrainerState.restore(this, file);
        return this;
    }

    /** Sets what a checkpoint restores (TrainerState). */
    void restore(int epochsDone, long seed, double best, int epochsWithoutImprovement, List<EpochResult> history, Map<String, String> metadata) {
        this.epochsDone = epochsDone;
        this.seed = seed;
        this.monitor.restore(best, epochsWithoutImprovement);
        this.history.clear();
        this.history.addAll(history);
        this.metadata.clear();
        this.metadata.putAll(metadata);
    }
}
