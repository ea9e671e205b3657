package org.conv4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
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
import org.conv4j.tensor.Shape;
import org.conv4j.train.Evaluation;
import org.conv4j.train.Evaluator;
import org.conv4j.train.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv4j eval}: loss, accuracy, per-class accuracy and confusion matrix of a model on a data set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates a model on a data set: loss, accuracy, top-5, per-class accuracy and the confusion matrix, with the class names the model file records.",
                "A flat folder of class folders that the model's run was trained on is divided as the run divided it (its test part by default), so the model is never scored on images it trained on.",
                "JSON keys: images, accuracy (a fraction), loss, top5_accuracy, per_class (class, name, accuracy, images), confusion_matrix.",
                "Segmentation data (mnist-seg, images/ and masks/ folders) gives instead: mean IoU, pixel accuracy and per-class IoU; "
                        + "JSON keys task, images, pixels, mean_iou, pixel_accuracy, loss, per_class (class, name, iou), confusion_matrix."})
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
        DataSource source = DataSource.open(data.data, m.inputShape() == null ? Shape.of(1, 28, 28) : m.inputShape());
        if (source.segmentation()) return segmentation(m, source, s);
        Dataset d;
        String what = null;
        RunConfig run = m.run();
        if (source.stratified() && run != null && DataSource.same(data.data, run.data())) {
            // the run's own split of this pool: its test part is what the model never trained on
            DataSource.Parts parts = source.parts(run.split());
            d = s == Split.TEST ? parts.test() : parts.train();
            what = String.format("the %s part of the run's stratified split of %s (seed %d, validation %s, test %s)",
                    s.label(), data.data, run.split().seed(), run.split().validation(), run.split().test());
        } else if (source.stratified()) {
            d = source.pool();
            what = "all images of " + data.data + (run == null ? " (the model file records no run, so no split of it)" : " (the model was trained on " + run.data() + ")");
        } else {
            d = source.load(s);
        }
        int classes = ModelSource.classesFor(m.model(), d.sampleShape(), data.data);
        if (d.numClasses() > classes) {
            throw new Main.UsageError("the data has " + d.numClasses() + " classes but the model predicts " + classes);
        }
        List<String> names = m.classNames(classes);
        if (names != null && source.imageFolders() && !names.subList(0, d.numClasses()).equals(d.classNames())) {
            throw new Main.UsageError("the class folders of " + data.data + " are " + d.classNames() + " but the model's classes are " + names);
        }
        if (names == null && d.classNames().size() == classes) names = d.classNames();
        Evaluation ev = Evaluator.evaluate(m.model(), new DataLoader(d, batchSize), 5);
        var out = spec.commandLine().getOut();
        if (json.json) {
            out.println(Json.write(toJson(ev, names)));
        } else {
            if (what != null) out.println(what);
            out.printf("%d images: accuracy %.2f%%  loss %.4f  top-5 %.2f%%%n%n", ev.count(), 100 * ev.accuracy(), ev.loss(), 100 * ev.topKAccuracy());
            printTables(out, ev, names);
        }
        out.flush();
        return 0;
    }

    /** {@code eval} of segmentation data: mean IoU, pixel accuracy and per-class IoU (the run's test part of a pool it was trained on). */
    private int segmentation(ModelSource m, DataSource source, Split s) throws IOException {
        RunConfig run = m.run();
        Dataset d;
        String what = null;
        if (source.stratified()) {
            if (run == null || !DataSource.same(data.data, run.data())) {
                throw new Main.UsageError(data.data + " is one pool of images: evaluate a run trained on it (--model RUN_DIR), which knows its test part");
            }
            DataSource.Parts parts = source.parts(run.split());
            d = s == Split.TEST ? parts.test() : parts.train();
            what = String.format("the %s part of the run's split of %s (seed %d, validation %s, test %s)",
                    s.label(), data.data, run.split().seed(), run.split().validation(), run.split().test());
        } else {
            d = source.load(s);
        }
        List<String> names = m.classNames() != null ? m.classNames() : d.classNames();
        var ev = Segmentation.evaluate(m.model(), d, batchSize);
        if (ev.classes() < d.numClasses()) throw new Main.UsageError("the data has " + d.numClasses() + " classes but the model predicts " + ev.classes());
        if (names.size() != ev.classes()) names = null;
        var out = spec.commandLine().getOut();
        if (json.json) {
            out.println(Json.write(Segmentation.toJson(ev, names)));
        } else {
            if (what != null) out.println(what);
            Segmentation.print(out, ev, names);
        }
        out.flush();
        return 0;
    }

    /** The per-class table and the confusion matrix, with a name column where the names are more than the indices. */
    private static void printTables(PrintWriter out, Evaluation ev, List<String> names) {
        int width = 0;
        for (int c = 0; names != null && c < names.size(); c++) if (!names.get(c).equals(Integer.toString(c))) width = 4;
        for (int c = 0; width > 0 && c < names.size(); c++) width = Math.min(24, Math.max(width, names.get(c).length()));
        double[] pc = ev.perClassAccuracy();
        long[] support = ev.support();
        out.println("class" + name(width, "name") + "  accuracy  images");
        for (int c = 0; c < pc.length; c++) out.printf("%5d%s  %7.2f%%  %6d%n", c, name(width, label(names, c)), 100 * pc[c], support[c]);
        out.println();
        out.println("confusion matrix (rows: true class, columns: predicted)");
        long[][] cm = ev.confusion();
        StringBuilder head = new StringBuilder(" ".repeat(5)).append(name(width, ""));
        for (int c = 0; c < cm.length; c++) head.append(String.format("%6d", c));
        out.println(head);
        for (int r = 0; r < cm.length; r++) {
            StringBuilder row = new StringBuilder(String.format("%5d", r)).append(name(width, label(names, r)));
            for (long v : cm[r]) row.append(String.format("%6d", v));
            out.println(row);
        }
    }

    /** A name column {@code width} wide (none for 0). */
    private static String name(int width, String text) {
        return width == 0 ? "" : String.format("  %-" + width + "s", text);
    }

    /** The name of class {@code c}, cut to 24 characters for the tables; its index without names. */
    private static String label(List<String> names, int c) {
        String n = names == null ? Integer.toString(c) : names.get(c);
        return n.length() <= 24 ? n : n.substring(0, 21) + "...";
    }

    /** The figures of an evaluation with plain keys; accuracy as a fraction; each class with its index and name (null without names). */
    static Map<String, Object> toJson(Evaluation ev, List<String> names) {
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
            e.put("name", names == null || c >= names.size() ? null : names.get(c));
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
