package org.conv4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.RandomCrop;
import org.conv4j.data.Split;
import org.conv4j.data.Subset;
import org.conv4j.data.Transform;
import org.conv4j.io.AtomicFiles;
import org.conv4j.io.Json;
import org.conv4j.kernel.Parallel;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.optim.Adam;
import org.conv4j.optim.AdamW;
import org.conv4j.optim.LrSchedule;
import org.conv4j.optim.Optimizer;
import org.conv4j.optim.RMSprop;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Shape;
import org.conv4j.train.EpochResult;
import org.conv4j.train.Evaluation;
import org.conv4j.train.Evaluator;
import org.conv4j.train.Trainer;
import org.conv4j.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j train}: trains a zoo network on a data set and writes a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains a zoo network on a data set and evaluates it on the test split.",
                "Writes a run directory, runs/MODEL-DATE-TIME/ by default: model.safetensors (the final model), "
                        + "checkpoints/last and best, metrics.csv, config.json, test.json (the test-set evaluation) and "
                        + "report.html; then points runs/latest at it.",
                "With no arguments: LeNet-5 on the MNIST sample shipped with conv4j."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "lenet5", paramLabel = "NAME", completionCandidates = ZooNames.class,
            description = "The zoo network to train: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). "
                    + "To go on training a run, use --resume.")
    String model;

    @Option(names = "--data", paramLabel = DataOption.LABEL, defaultValue = DataSource.SAMPLE, description = DataOption.DESCRIPTION)
    String data;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "20", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64", description = "Images per training step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.002", description = "Initial learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "adam, adamw, sgd (momentum 0.9, Nesterov) or rmsprop (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0",
            description = "Weight decay (default: ${DEFAULT-VALUE}; decoupled for adamw).")
    double weightDecay;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "cosine",
            description = "Learning-rate schedule per epoch: cosine, step (divided by 10 after each third of the epochs) "
                    + "or constant (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--augment", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Random crops (padding of 1/14 of the size) and, for colour images, horizontal flips (default: on).")
    boolean augment;

    @Option(names = "--val-split", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "Fraction of the training data held out for validation (default: ${DEFAULT-VALUE}).")
    double valSplit;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after this many epochs without a better validation loss (0 = never; default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the weights, data order, augmentation and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = ThreadsOption.DESCRIPTION)
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/MODEL-DATE-TIME).")
    Path out;

    @Option(names = "--resume", paramLabel = "CKPT|RUN_DIR", converter = Runs.Converter.class,
            description = "Continue from a checkpoint file or a run directory (its checkpoints/last.safetensors); runs/latest is the newest run.")
    Path resume;

    @Option(names = "--json", description = JsonOption.DESCRIPTION)
    boolean json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        validate();
        if (threads != null) Parallel.setThreads(threads);
        Dataset all = DataSource.load(data, Split.TRAIN, new int[] {3, 32, 32});
        Dataset test = DataSource.load(data, Split.TEST, new int[] {all.sampleShape().dim(0), all.sampleShape().dim(1), all.sampleShape().dim(2)});
        if (!test.sampleShape().equals(all.sampleShape())) {
            throw new Main.UsageError("training images are " + all.sampleShape() + " but test images are " + test.sampleShape());
        }
        Shape s = all.sampleShape();
        int classes = Math.max(all.numClasses(), test.numClasses());
        Init.seed(seed);
        Layer net = Zoo.build(model, s.dim(0), s.dim(1), s.dim(2), classes);

        int valCount = (int) Math.round(all.size() * valSplit);
        if (valSplit > 0 && (valCount < 1 || valCount >= all.size())) {
            throw new Main.UsageError("--val-split " + valSplit + " leaves no training or no validation data out of " + all.size() + " images");
        }
        Subset[] parts = Subset.split(all, valCount, seed);
        Dataset train = parts[0];
        DataLoader trainLoader = new DataLoader(train, batchSize).shuffle(true).seed(seed).transforms(augmentation(s));
        DataLoader valLoader = valCount > 0 ? new DataLoader(parts[1], 256) : null;

        Optimizer opt = optimizer(net);
        Path runDir = out != null ? out : Path.of("runs", model + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(runDir);
        Trainer trainer = new Trainer(net, opt).epochs(epochs).schedule(schedule()).seed(seed).earlyStopping(patience, false)
                .checkpoints(runDir.resolve("checkpoints")).metricsLog(runDir.resolve("metrics.csv"));
        PrintStream progress = json ? null : System.out;
        if (progress != null) trainer.progress(progress, System.console() != null);
        if (resume != null) {
            Path ckpt = Files.isDirectory(resume) ? resume.resolve("checkpoints").resolve("last.safetensors") : resume;
            if (!Files.isRegularFile(ckpt)) throw new Main.UsageError("no checkpoint at " + ckpt);
            trainer.resume(ckpt);
            if (progress != null) progress.printf("resumed from %s after epoch %d%n", ckpt, trainer.epochsDone());
        }
        writeConfig(runDir, s, classes, train.size(), valCount, test.size());
        if (progress != null) {
            progress.printf("training %s on %s: %d images for training, %d for validation, %d for testing; %,d parameters; %d threads%n",
                    model, data, train.size(), valCount, test.size(), org.conv4j.nn.Layers.parameterCount(net), Parallel.threads());
        }
        long start = System.nanoTime();
        List<EpochResult> history = trainer.fit(trainLoader, valLoader);
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("input_shape", s.dim(0) + "x" + s.dim(1) + "x" + s.dim(2));
        org.conv4j.io.ModelFile.save(net, runDir.resolve("model.safetensors"), Map.of(), meta);
        Evaluation ev = Evaluator.evaluate(net, new DataLoader(test, 256), 5);
        Map<String, Object> result = EvalCommand.toJson(ev);
        result.put("model", model);
        result.put("epochs", (long) history.size());
        result.put("train_seconds", seconds);
        result.put("run_dir", runDir.toString());
        AtomicFiles.write(runDir.resolve("test.json"), (Json.write(result) + "\n").getBytes(StandardCharsets.UTF_8));
        Runs.markLatest(runDir, spec.commandLine().getErr());
        var o = spec.commandLine().getOut();
        if (json) {
            o.println(Json.write(result));
        } else {
            o.printf("test: accuracy %.2f%%  loss %.4f  top-5 %.2f%%  (%d images)%n", 100 * ev.accuracy(), ev.loss(), 100 * ev.topKAccuracy(), ev.count());
            o.printf("trained %d epochs in %.1f s; run directory %s%n", history.size(), seconds, runDir);
        }
        o.flush();
        ReportCommand.afterTraining(spec, runDir, net, test, data, json);
        return 0;
    }

    private void validate() {
        if (epochs < 1) throw new Main.UsageError("--epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new Main.UsageError("--batch-size must be >= 1, got " + batchSize);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new Main.UsageError("--lr must be a positive number, got " + lr);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new Main.UsageError("--weight-decay must be >= 0, got " + weightDecay);
        if (!(valSplit >= 0 && valSplit < 1)) throw new Main.UsageError("--val-split must be in [0, 1), got " + valSplit);
        if (patience < 0) throw new Main.UsageError("--patience must be >= 0, got " + patience);
        if (threads != null && threads < 1) throw new Main.UsageError("--threads must be >= 1, got " + threads);
        if (!Zoo.names().contains(model) && Files.exists(Path.of(model))) {
            throw new Main.UsageError("train --model takes a zoo network name, and " + model + " is a file or directory: "
                    + "continue a run with --resume RUN_DIR, or evaluate a model with eval --model " + model);
        }
        if (!Zoo.names().contains(model)) throw new Main.UsageError("unknown model '" + model + "'; known: " + String.join(", ", Zoo.names()));
        schedule();
    }

    private Transform[] augmentation(Shape s) {
        if (!augment) return new Transform[0];
        List<Transform> t = new ArrayList<>();
        t.add(new RandomCrop(s.dim(1), s.dim(2), Math.max(1, s.dim(1) / 14)));
        if (s.dim(0) == 3) t.add(new org.conv4j.data.RandomHorizontalFlip());
        return t.toArray(new Transform[0]);
    }

    private LrSchedule schedule() {
        switch (schedule) {
            case "cosine":
                return LrSchedule.cosine(epochs, 0);
            case "step":
                return LrSchedule.step(Math.max(1, epochs / 3), 0.1);
            case "constant":
                return LrSchedule.constant();
            default:
                throw new Main.UsageError("--schedule must be cosine, step or constant, got '" + schedule + "'");
        }
    }

    private Optimizer optimizer(Layer net) {
        switch (optimizer) {
            case "adam":
                return new Adam(net, lr).weightDecay(weightDecay);
            case "adamw":
                return new AdamW(net, lr).weightDecay(weightDecay);
            case "sgd":
                return new SGD(net, lr).momentum(0.9).nesterov(true).weightDecay(weightDecay);
            case "rmsprop":
                return new RMSprop(net, lr).weightDecay(weightDecay);
            default:
                throw new Main.UsageError("--optimizer must be adam, adamw, sgd or rmsprop, got '" + optimizer + "'");
        }
    }

    private void writeConfig(Path runDir, Shape s, int classes, int trainSize, int valSize, int testSize) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model", model);
        c.put("data", data);
        c.put("input_shape", List.of((long) s.dim(0), (long) s.dim(1), (long) s.dim(2)));
        c.put("classes", (long) classes);
        c.put("train_images", (long) trainSize);
        c.put("val_images", (long) valSize);
        c.put("test_images", (long) testSize);
        c.put("epochs", (long) epochs);
        c.put("batch_size", (long) batchSize);
        c.put("lr", lr);
        c.put("optimizer", optimizer);
        c.put("weight_decay", weightDecay);
        c.put("schedule", schedule);
        c.put("augment", augment);
        c.put("val_split", valSplit);
        c.put("patience", (long) patience);
        c.put("seed", seed);
        c.put("threads", (long) Parallel.threads());
        if (resume != null) c.put("resumed_from", resume.toString());
        AtomicFiles.write(runDir.resolve("config.json"), (Json.write(c) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The zoo's names for --help. */
    static final class ZooNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Zoo.names().iterator();
        }
    }
}
