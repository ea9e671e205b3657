package org.conv4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.cli.report.TrainingReport;
import org.conv4j.data.Cifar10;
import org.conv4j.data.Dataset;
import org.conv4j.data.ImageFolderDataset;
import org.conv4j.data.Split;
import org.conv4j.io.Json;
import org.conv4j.nn.Layer;
import org.conv4j.tensor.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conv4j report [--run] RUN_DIR}: (re)builds a run directory's report.html; {@code conv4j train} calls it at the end. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Builds a training run's report.html: curves, mistakes, filters, model.",
                "",
                "One self-contained page that opens in any browser without network: the loss and accuracy curves "
                        + "(also saved as loss.png and accuracy.png), the test-set confusion matrix, the misclassified "
                        + "test images, the first layer's filters, feature maps and the model summary. The test set is "
                        + "the one the run used (config.json's data), evaluated again with model.safetensors."})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", paramLabel = "RUN_DIR", description = "A run directory written by conv4j train (default: runs/latest, the newest run).")
    Path run;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_DIR", description = "The run directory, as --run gives it.")
    Path positional;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        if (run != null && positional != null && !run.equals(positional)) {
            throw new Main.UsageError("two run directories given: --run " + run + " and " + positional + "; give one");
        }
        Path given = run != null ? run : positional != null ? positional : Path.of("runs", Runs.LATEST);
        Path runDir = Runs.resolve(given);
        if (!Files.isDirectory(runDir)) {
            throw new Main.UsageError(run == null && positional == null ? "no run given and no runs/latest here: give --run RUN_DIR"
                    : "no such run directory: " + given);
        }
        threads.apply();
        for (String f : new String[] {"config.json", "metrics.csv", "model.safetensors"}) {
            if (!Files.isRegularFile(runDir.resolve(f))) throw new Main.UsageError(runDir + " is not a finished run directory: it has no " + f);
        }
        Map<String, Object> config = Json.parseObject(Files.readString(runDir.resolve("config.json")));
        if (!(config.get("data") instanceof String data)) throw new Main.UsageError(runDir.resolve("config.json") + " has no \"data\"");
        ModelSource m = ModelSource.load(runDir.resolve("model.safetensors"));
        Dataset test = DataSource.load(data, Split.TEST, size(config, m));
        Path file = TrainingReport.write(runDir, m.model(), test, classNames(test, data));
        var o = spec.commandLine().getOut();
        o.println(json.json ? Json.write(Map.of("report", file.toString())) : "report: " + file);
        o.flush();
        return 0;
    }

    /** The (C, H, W) the run trained on: config.json's input_shape, else the model file's, else null. */
    private static int[] size(Map<String, Object> config, ModelSource m) {
        if (config.get("input_shape") instanceof List<?> l && l.size() == 3) {
            int[] d = new int[3];
            for (int i = 0; i < 3; i++) d[i] = ((Number) l.get(i)).intValue();
            return d;
        }
        Shape s = m.inputShape();
        return s == null ? null : new int[] {s.dim(0), s.dim(1), s.dim(2)};
    }

    /** Class names where the data set has them: an image folder's directories, CIFAR-10's and Fashion-MNIST's names; else null (indices). */
    static List<String> classNames(Dataset test, String data) {
        if (test instanceof ImageFolderDataset f) return f.classNames();
        String d = data.toLowerCase(Locale.ROOT);
        if (d.contains("cifar") && test.numClasses() <= Cifar10.CLASSES.size()) return Cifar10.CLASSES;
        if (d.contains("fashion")) {
            return List.of("T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot");
        }
        return null;
    }

    /**
     * Writes the report at the end of {@code conv4j train}. The run is complete before this, so a
     * failure here is a warning on stderr (the exit code stays 0) that says how to retry.
     */
    static void afterTraining(CommandSpec spec, Path runDir, Layer model, Dataset test, String data, boolean json) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Path file = TrainingReport.write(runDir, model, test, classNames(test, data));
            if (!json) {
                spec.commandLine().getOut().println("report: " + file);
                spec.commandLine().getOut().flush();
            }
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err.println("conv4j train: warning: could not write report.html (" + why + "); retry with: conv4j report --run " + runDir);
            err.flush();
        }
    }
}
