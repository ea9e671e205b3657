package org.conv4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.cli.report.SegmentationReport;
import org.conv4j.cli.report.TrainingReport;
import org.conv4j.data.Dataset;
import org.conv4j.data.SegmentationDataset;
import org.conv4j.io.Json;
import org.conv4j.nn.Layer;
import org.conv4j.train.RunConfig;
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
                        + "the one the run used (config.json's data and split), evaluated again with model.safetensors."})
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
        RunConfig config = RunConfig.read(runDir.resolve("config.json"));
        ModelSource m = ModelSource.load(runDir.resolve("model.safetensors"));
        Dataset test = DataSource.open(config.data(), config.inputShape()).parts(config.split()).test();
        Path file = write(runDir, m.model(), test, config.classNames());
        var o = spec.commandLine().getOut();
        o.println(json.json ? Json.write(Map.of("report", file.toString())) : "report: " + file);
        o.flush();
        return 0;
    }

    /** The report of a classification run, or of a segmentation run when the test set has masks. */
    private static Path write(Path runDir, Layer model, Dataset test, List<String> classNames) throws IOException {
        return test instanceof SegmentationDataset seg ? SegmentationReport.write(runDir, model, seg, classNames)
                : TrainingReport.write(runDir, model, test, classNames);
    }

    /**
     * Writes the report at the end of {@code conv4j train}. The run is complete before this, so a
     * failure here is a warning on stderr (the exit code stays 0) that says how to retry.
     */
    static void afterTraining(CommandSpec spec, Path runDir, Layer model, Dataset test, List<String> classNames, boolean json) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Path file = write(runDir, model, test, classNames);
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
