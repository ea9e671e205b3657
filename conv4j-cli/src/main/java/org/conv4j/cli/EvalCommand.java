package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.Split;
import org.conv4j.io.Json;
import org.conv4j.train.Evaluation;
import org.conv4j.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j eval}: loss, accuracy, per-class accuracy and confusion matrix of a model on a data set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates a model on a data set: loss, accuracy, top-5, per-class accuracy and the confusion matrix.",
                "JSON keys: images, accuracy (a fraction), loss, top5_accuracy, per_class, confusion_matrix."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Mixin
    DataOption data;

    @Option(names = "--split", paramLabel = "NAME", defaultValue = "test", description = "train or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) throw new Main.UsageError("--batch-size must be >= 1, got " + batchSize);
        Split s;
        try {
            s = Split.parse(split);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("--split must be train or test, got '" + split + "'");
        }
        threads.apply();
        ModelSource m = model.load(null, 10);
        int[] size = m.inputShape() == null ? new int[] {1, 28, 28} : m.inputShape().dims();
        Dataset d = DataSource.load(data.data, s, size);
        int classes = ModelSource.classesFor(m.model(), d.sampleShape(), data.data);
        if (d.numClasses() > classes) {
            throw new Main.UsageError("the data has " + d.numClasses() + " classes but the model predicts " + classes);
        }
        Evaluation ev = Evaluator.evaluate(m.model(), new DataLoader(d, batchSize), 5);
        var out = spec.commandLine().getOut();
        if (json.json) {
            out.println(Json.write(toJson(ev)));
        } else {
            out.printf("%d images: accuracy %.2f%%  loss %.4f  top-5 %.2f%%%n%n", ev.count(), 100 * ev.accuracy(), ev.loss(), 100 * ev.topKAccuracy());
            out.println("class  accuracy  images");
            double[] pc = ev.perClassAccuracy();
            long[] support = ev.support();
            for (int c = 0; c < pc.length; c++) out.printf("%5d  %7.2f%%  %6d%n", c, 100 * pc[c], support[c]);
            out.println();
            out.println("confusion matrix (rows: true class, columns: predicted)");
            long[][] cm = ev.confusion();
            StringBuilder head = new StringBuilder("     ");
            for (int c = 0; c < cm.length; c++) head.append(String.format("%6d", c));
            out.println(head);
            for (int r = 0; r < cm.length; r++) {
                StringBuilder row = new StringBuilder(String.format("%5d", r));
                for (long v : cm[r]) row.append(String.format("%6d", v));
                out.println(row);
            }
        }
        out.flush();
        return 0;
    }

    /** The figures of an evaluation with plain keys; accuracy as a fraction. */
    static Map<String, Object> toJson(Evaluation ev) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", ev.count());
        m.put("accuracy", ev.accuracy());
        m.put("loss", ev.loss());
        m.put("top5_accuracy", ev.topKAccuracy());
        List<Object> perClass = new ArrayList<>();
        double[] pc = ev.perClassAccuracy();
        long[] support = ev.support();
        for (int c = 0; c < pc.length; c++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("class", (long) c);
            e.put("accuracy", Double.isNaN(pc[c]) ? null : pc[c]);
            e.put("images", support[c]);
            perClass.add(e);
        }
        m.put("per_class", perClass);
        List<Object> rows = new ArrayList<>();
        for (long[] r : ev.confusion()) {
            List<Object> row = new ArrayList<>();
            for (long v : r) row.add(v);
            rows.add(row);
        }
        m.put("confusion_matrix", rows);
        return m;
    }
}
