package org.conv4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.data.DataLoader;
import org.conv4j.io.AtomicFiles;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.kernel.Parallel;
import org.conv4j.nn.Layer;
import org.conv4j.tensor.Shape;
import org.conv4j.train.EpochResult;
import org.conv4j.train.Evaluation;
import org.conv4j.train.Evaluator;
import org.conv4j.train.OptimizerConfig;
import org.conv4j.train.RunConfig;
import org.conv4j.train.SegmentationEvaluation;
import org.conv4j.train.Trainer;
import org.conv4j.zoo.Zoo;
import picocli.CommandLine;
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

    @Option(names = "--task", paramLabel = "NAME", defaultValue = RunConfig.CLASSIFY,
            description = "classify (a class per image) or segment (a class per pixel: a model such as unet_small or fcn8s_small, "
                    + "segmentation data such as mnist-seg or a folder with images/ and masks/; mask value 255 is ignored; "
                    + "the figures are mean IoU and pixel accuracy) (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--loss", paramLabel = "NAME", defaultValue = "cross_entropy",
            description = "cross_entropy; for --task segment also dice (soft Dice over the classes) or cross_entropy_dice (their sum) (default: ${DEFAULT-VALUE}).")
    String loss;

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

    @Option(names = "--test-split", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "For a flat folder of class folders (no train/ and test/): the fraction of each class held out for testing (default: ${DEFAULT-VALUE}).")
    double testSplit;

    @Option(names = "--input", paramLabel = "CxHxW",
            description = "Image folders: load the images as C channels of H x W pixels, e.g. 1x28x28 or 3x64x64. Default: 1 channel "
                    + "if the first 100 images are grey (R = G = B at every pixel), else 3; the images' height and width, which must then "
                    + "be the same for all of them.")
    String input;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after this many epochs without a better validation loss (0 = never; default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the weights, data order, augmentation and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = ThreadsOption.DESCRIPTION)
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/MODEL-DATE-TIME); its parent must exist.")
    Path out;

    @Option(names = "--mkdirs", description = "Create the parent directories of --out when they do not exist.")
    boolean mkdirs;

    @Option(names = "--resume", paramLabel = "CKPT|RUN_DIR", converter = Runs.Converter.class,
            description = "Continue a stopped run, from a run directory (its checkpoints/last.safetensors; runs/latest is the newest run) or a "
            + "checkpoint file, with the run's saved configuration and in its directory: --epochs sets a new total, --threads may change, "
            + "any other setting must be left out.")
    Path resume;

    @Option(names = "--stop-after", paramLabel = "EPOCH",
            description = "Stop after this epoch, as if interrupted: the run keeps its checkpoints and continues with --resume.")
    Integer stopAfter;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Train on Apache Spark with synchronous data parallelism: local[N] (N cores of this machine) or spark://HOST:PORT; "
                    + "needs ./conv4j-on-spark or spark-submit (see conv4j-spark/README.md).")
    String spark;

    @Option(names = "--json", description = JsonOption.DESCRIPTION)
    boolean json;

    @Mixin
    VerboseOption verbose;

    /** Where a run starts: its configuration and data, its folder, and the checkpoint it resumes (null for a new run). */
    private record Start(RunConfig config, DataSource.Parts parts, Path runDir, Path checkpoint) {
    }

    @Override
    public Integer call() throws IOException {
        validate();
        if (threads != null) Parallel.setThreads(threads);
        DistributedTraining cluster = spark == null ? null : DistributedTraining.find();
        Start start = resume == null ? newRun() : resumedRun();
        RunConfig cfg = start.config();
        Path runDir = start.runDir();
        Layer net = cfg.buildModel();
        checkOutput(cfg, net);
        Trainer trainer = new Trainer(net, cfg.optimizer().build(net)).epochs(stopAfter != null ? Math.min(stopAfter, cfg.epochs()) : cfg.epochs())
                .schedule(cfg.lrSchedule()).seed(cfg.seed()).earlyStopping(cfg.patience(), false)
                .checkpoints(runDir.resolve("checkpoints")).metricsLog(runDir.resolve("metrics.csv")).metadata(cfg.metadata());
        if (!json) trainer.progress(System.out, System.console() != null);
        DataSource.Parts parts = start.parts();
        DataLoader trainLoader = new DataLoader(parts.train(), cfg.batchSize()).shuffle(true).seed(cfg.seed()).transforms(cfg.augmentation());
        DataLoader valLoader = parts.validation() != null ? new DataLoader(parts.validation(), 256) : null;
        if (cfg.segmentation()) Segmentation.configure(trainer, cfg.loss(), trainLoader, valLoader); // before a resume, which checks the metrics
        var o = spec.commandLine().getOut();
        if (start.checkpoint() != null) {
            trainer.resume(start.checkpoint());
            if (trainer.epochsDone() > cfg.epochs()) {
                throw new Main.UsageError("--epochs " + cfg.epochs() + " is fewer than the " + trainer.epochsDone() + " epochs " + runDir + " has done");
            }
            if (stopAfter != null && stopAfter <= trainer.epochsDone()) {
                throw new Main.UsageError("--stop-after " + stopAfter + ": " + runDir + " has done " + trainer.epochsDone() + " epochs already");
            }
            if (!json) o.printf("resuming %s after epoch %d of %d (from %s)%n", runDir, trainer.epochsDone(), cfg.epochs(), start.checkpoint());
        }
        // the folder is made only now that everything has been checked, so a refused run leaves none
        if (out != null) Outputs.parentExists(runDir, mkdirs, "--out");
        Files.createDirectories(runDir);
        cfg.write(runDir.resolve("config.json"));
        Runs.markLatest(runDir, spec.commandLine().getErr());
        if (!json) {
            o.printf("training %s on %s: %d images for training, %d for validation, %d for testing%s; %,d parameters; %d threads%n",
                    cfg.model(), cfg.data(), parts.train().size(), valLoader == null ? 0 : parts.validation().size(), parts.test().size(),
                    !cfg.split().kind().equals(RunConfig.DataSplit.STRATIFIED) ? ""
                            : cfg.segmentation() ? " (a seeded split of its images, seed " + cfg.split().seed() + ")"
                            : " (a stratified split of its class folders, seed " + cfg.split().seed() + ")",
                    org.conv4j.nn.Layers.parameterCount(net), Parallel.threads());
            o.flush(); // before the progress lines, which go to System.out directly
        }
        long t0 = System.nanoTime();
        List<EpochResult> history = cluster == null ? trainer.fit(trainLoader, valLoader) : cluster.fit(spark, trainer, trainLoader, valLoader);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (stopAfter != null && trainer.epochsDone() == stopAfter && stopAfter < cfg.epochs()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("stopped", true);
            result.put("epochs", (long) history.size());
            result.put("run_dir", runDir.toString());
            o.println(json ? Json.write(result) : "stopped after epoch " + stopAfter + " of " + cfg.epochs() + "; continue with: conv4j train --resume " + runDir);
            o.flush();
            return 0;
        }
        finish(start, net, history.size(), seconds);
        return 0;
    }

    /** A new run: the configuration from the flags and the data. */
    private Start newRun() throws IOException {
        DataSource source = DataSource.open(data, input == null ? null : ModelSource.parseShape(input, "--input"));
        RunConfig.DataSplit split = source.stratified() ? new RunConfig.DataSplit(RunConfig.DataSplit.STRATIFIED, valSplit, testSplit, seed)
                : new RunConfig.DataSplit(RunConfig.DataSplit.GIVEN, valSplit, 0, seed);
        DataSource.Parts parts = source.parts(split);
        Shape s = parts.train().sampleShape();
        if (input != null && !ModelSource.parseShape(input, "--input").equals(s)) {
            throw new Main.UsageError("--input " + input + " applies to image folders; the images of " + data + " are " + shapeText(s));
        }
        List<String> names = parts.train().classNames();
        if (parts.test().numClasses() > names.size()) {
            throw new Main.UsageError("the test data of " + data + " has " + parts.test().numClasses() + " classes but its training data " + names.size());
        }
        if (source.segmentation() != task.equals(RunConfig.SEGMENT)) {
            throw new Main.UsageError(source.segmentation() ? data + " is segmentation data (a class per pixel): train it with --task segment"
                    : "--task segment needs segmentation data (mnist-seg, or a folder with images/ and masks/), and " + data + " has a class per image");
        }
        RunConfig cfg = new RunConfig(model, s, names, source.saved(), split, OptimizerConfig.standard(optimizer, lr, weightDecay), schedule, epochs, batchSize,
                seed, augment, loss, patience, task);
        return new Start(cfg, parts, out != null ? out : defaultRunDir(model), null);
    }

    /** A resumed run: the saved configuration (its folder's config.json, else the checkpoint's), the same folder. */
    private Start resumedRun() throws IOException {
        Path ckpt = Files.isDirectory(resume) ? resume.resolve("checkpoints").resolve("last.safetensors") : resume;
        if (!Files.isRegularFile(ckpt)) throw new Main.UsageError("no checkpoint at " + ckpt);
        Path folder = Files.isDirectory(resume) ? resume : runFolder(ckpt);
        Path configFile = folder != null && Files.isRegularFile(folder.resolve("config.json")) ? folder.resolve("config.json") : null;
        RunConfig saved = configFile != null ? RunConfig.read(configFile) : RunConfig.fromMetadata(ModelFile.read(ckpt).extraMetadata());
        if (saved == null) throw new Main.UsageError(ckpt + " records no run configuration (it was written by an older conv4j or outside a run)");
        refuseContradictions(saved, folder, configFile != null ? configFile : ckpt);
        RunConfig cfg = spec.commandLine().getParseResult().hasMatchedOption("--epochs") ? saved.withEpochs(epochs) : saved;
        DataSource.Parts parts = DataSource.open(cfg.data(), cfg.inputShape()).parts(cfg.split());
        Shape s = parts.train().sampleShape();
        if (!s.equals(cfg.inputShape()) || !parts.train().classNames().equals(cfg.classNames())) {
            throw new Main.UsageError(cfg.data() + " now holds " + shapeText(s) + " images of the classes " + parts.train().classNames()
                    + "; the run was trained on " + shapeText(cfg.inputShape()) + " images of " + cfg.classNames());
        }
        return new Start(cfg, parts, folder != null ? folder : out != null ? out : defaultRunDir(cfg.model()), ckpt);
    }

    private static Path defaultRunDir(String model) {
        return Path.of("runs", model + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** The end of a finished run: the model file, the test figures (test.json and the output) and the report. */
    private void finish(Start start, Layer net, int epochsDone, double seconds) throws IOException {
        RunConfig cfg = start.config();
        Path runDir = start.runDir();
        DataSource.Parts parts = start.parts();
        ModelFile.save(net, runDir.resolve("model.safetensors"), Map.of(), cfg.metadata());
        Evaluation ev = null;
        SegmentationEvaluation sev = null;
        Map<String, Object> result;
        if (cfg.segmentation()) {
            sev = Segmentation.evaluate(net, parts.test(), 256);
            result = Segmentation.toJson(sev, cfg.classNames());
        } else {
            ev = Evaluator.evaluate(net, new DataLoader(parts.test(), 256), 5);
            result = EvalCommand.toJson(ev, cfg.classNames());
        }
        result.put("model", cfg.model());
        result.put("epochs", (long) epochsDone);
        result.put("train_seconds", seconds);
        result.put("run_dir", runDir.toString());
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("kind", cfg.split().kind());
        split.put("train", (long) parts.train().size());
        split.put("validation", (long) (parts.validation() == null ? 0 : parts.validation().size()));
        split.put("test", (long) parts.test().size());
        result.put("split", split);
        AtomicFiles.write(runDir.resolve("test.json"), (Json.write(result) + "\n").getBytes(StandardCharsets.UTF_8));
        var o = spec.commandLine().getOut();
        if (json) {
            o.println(Json.write(result));
        } else if (sev != null) {
            o.printf("test: mean IoU %.4f  pixel accuracy %.2f%%  loss %.4f  (%d images)%n", sev.meanIoU(), 100 * sev.pixelAccuracy(), sev.loss(), sev.count());
            o.printf("trained %d epochs in %.1f s; run directory %s%n", epochsDone, seconds, runDir);
        } else {
            o.printf("test: accuracy %.2f%%  loss %.4f  top-5 %.2f%%  (%d images)%n", 100 * ev.accuracy(), ev.loss(), 100 * ev.topKAccuracy(), ev.count());
            o.printf("trained %d epochs in %.1f s; run directory %s%n", epochsDone, seconds, runDir);
        }
        o.flush();
        ReportCommand.afterTraining(spec, runDir, net, parts.test(), cfg.classNames(), json);
    }

    /** The run directory of a checkpoint at RUN/checkpoints/NAME beside RUN/config.json, or null. */
    private static Path runFolder(Path ckpt) {
        Path parent = ckpt.toAbsolutePath().getParent();
        if (parent == null || !"checkpoints".equals(String.valueOf(parent.getFileName())) || parent.getParent() == null) return null;
        Path rel = ckpt.getParent();
        Path run = rel != null && rel.getParent() != null ? rel.getParent() : parent.getParent(); // keep the user's spelling where there is one
        return Files.isRegularFile(run.resolve("config.json")) ? run : null;
    }

    /**
     * A flag that enters the run's configuration, given with --resume, must say what the run saved;
     * the others (--epochs, which extends the run, --threads, --stop-after and the output flags) are free.
     */
    private void refuseContradictions(RunConfig saved, Path folder, Path where) throws IOException {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        for (CommandLine.Model.OptionSpec o : pr.matchedOptions()) {
            String name = o.longestName();
            Object given = o.getValue(), kept;
            String key;
            boolean same;
            switch (name) {
                case "--model" -> { key = "model"; kept = saved.model(); same = kept.equals(given); }
                case "--task" -> { key = "task"; kept = saved.task(); same = kept.equals(given); }
                case "--loss" -> { key = "loss"; kept = saved.loss(); same = kept.equals(given); }
                case "--data" -> { key = "data"; kept = saved.data(); same = DataSource.same(data, saved.data()); }
                case "--input" -> { key = "input shape"; kept = shapeText(saved.inputShape()); same = ModelSource.parseShape(input, "--input").equals(saved.inputShape()); }
                case "--batch-size" -> { key = "batch size"; kept = saved.batchSize(); same = kept.equals(given); }
                case "--lr" -> { key = "lr"; kept = saved.optimizer().lr(); same = kept.equals(given); }
                case "--optimizer" -> { key = "optimizer"; kept = saved.optimizer().name(); same = kept.equals(given); }
                case "--weight-decay" -> { key = "weight decay"; kept = saved.optimizer().weightDecay(); same = kept.equals(given); }
                case "--schedule" -> { key = "schedule"; kept = saved.schedule(); same = kept.equals(given); }
                case "--augment" -> { key = "augment"; kept = saved.augment(); same = kept.equals(given); }
                case "--val-split" -> { key = "validation split"; kept = saved.split().validation(); same = kept.equals(given); }
                case "--test-split" -> { key = "test split"; kept = saved.split().test(); same = kept.equals(given); }
                case "--patience" -> { key = "patience"; kept = saved.patience(); same = kept.equals(given); }
                case "--seed" -> { key = "seed"; kept = saved.seed(); same = kept.equals(given); }
                case "--out" -> {
                    if (folder == null) continue; // a checkpoint outside a run: --out names the new run directory
                    key = "directory";
                    kept = folder;
                    same = Files.exists(out) && Files.isSameFile(out, folder);
                }
                default -> {
                    continue;
                }
            }
            if (!same) {
                String flag = name.equals("--augment") ? ((Boolean) given ? "--augment" : "--no-augment") : name + " " + given;
                throw new Main.UsageError(flag + " contradicts the run's saved " + key + " " + kept + " (" + where + "); resume without it");
            }
        }
    }

    private static String shapeText(Shape s) {
        return s.dim(0) + "x" + s.dim(1) + "x" + s.dim(2);
    }

    private void validate() {
        if (epochs < 1) throw new Main.UsageError("--epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new Main.UsageError("--batch-size must be >= 1, got " + batchSize);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new Main.UsageError("--lr must be a positive number, got " + lr);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new Main.UsageError("--weight-decay must be >= 0, got " + weightDecay);
        if (!(valSplit >= 0 && valSplit < 1)) throw new Main.UsageError("--val-split must be in [0, 1), got " + valSplit);
        if (!(testSplit > 0 && testSplit < 1 && valSplit + testSplit < 1)) {
            throw new Main.UsageError("--test-split must be in (0, 1) with --val-split + --test-split below 1, got " + testSplit);
        }
        if (patience < 0) throw new Main.UsageError("--patience must be >= 0, got " + patience);
        if (threads != null) ThreadsOption.check(threads);
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw new Main.UsageError("--out " + out + " is an existing file; it must name a run directory (new or existing)");
        }
        if (!Zoo.names().contains(model) && Files.exists(Path.of(model))) {
            throw new Main.UsageError("train --model takes a zoo network name, and " + model + " is a file or directory: "
                    + "continue a run with --resume RUN_DIR, or evaluate a model with eval --model " + model);
        }
        if (stopAfter != null && stopAfter < 1) throw new Main.UsageError("--stop-after must be >= 1, got " + stopAfter);
        if (!Zoo.names().contains(model)) throw new Main.UsageError("unknown model '" + model + "'; known: " + String.join(", ", Zoo.names()));
        if (!OptimizerConfig.NAMES.contains(optimizer)) throw new Main.UsageError("--optimizer must be adam, adamw, sgd or rmsprop, got '" + optimizer + "'");
        if (!RunConfig.SCHEDULES.contains(schedule)) throw new Main.UsageError("--schedule must be cosine, step or constant, got '" + schedule + "'");
        if (!RunConfig.TASKS.contains(task)) throw new Main.UsageError("--task must be classify or segment, got '" + task + "'");
        if (!RunConfig.LOSSES.contains(loss)) throw new Main.UsageError("--loss must be one of " + String.join(", ", RunConfig.LOSSES) + ", got '" + loss + "'");
        if (!task.equals(RunConfig.SEGMENT) && !loss.equals("cross_entropy")) throw new Main.UsageError("--loss " + loss + " needs --task segment");
    }

    /** The model's output must be what the task needs: a score per class, or per class and pixel at the input's size. */
    private static void checkOutput(RunConfig cfg, Layer net) {
        Shape in = cfg.inputShape(), out = net.outputShape(Shape.of(1, in.dim(0), in.dim(1), in.dim(2)));
        boolean perPixel = out.rank() == 4 && out.dim(2) == in.dim(1) && out.dim(3) == in.dim(2);
        if (cfg.segmentation() && !perPixel) {
            throw new Main.UsageError("--task segment needs a model that scores every pixel, such as unet_small or fcn8s_small; " + cfg.model()
                    + " gives " + out + " for " + shapeText(in) + " images");
        }
        if (!cfg.segmentation() && out.rank() != 2) {
            throw new Main.UsageError(cfg.model() + " scores every pixel (" + out + "): train it with --task segment on segmentation data");
        }
    }

    /** The zoo's names for --help. */
    static final class ZooNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Zoo.names().iterator();
        }
    }
}
