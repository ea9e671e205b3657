package org.conv4j.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.conv4j.data.Batch;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.io.AtomicFiles;
import org.conv4j.io.Json;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Softmax;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.train.Evaluation;

/**
 * The training report of a run directory: {@code report.html}, one self-contained page (inline
 * CSS, pictures as PNG data: URIs, no script and no link outside the file), plus the curves as
 * {@code loss.png} and {@code accuracy.png} beside it.
 *
 * <p>The page holds: the headline figures; the loss and accuracy curves of training and
 * validation per epoch (from {@code metrics.csv}); the test-set confusion matrix (rows: true
 * class, columns: predicted; each cell shaded by its share of the row, blue on the diagonal,
 * red off it); the misclassified test images, most confident mistakes first, with true and
 * predicted labels; the first convolution's filters; the feature maps of the first test image;
 * the model summary ({@link ModelSummary}) and the run's configuration ({@code config.json}).
 * The test-set figures are recomputed by running the model in {@link Mode#EVAL} over the given
 * test set, exactly as {@link org.conv4j.train.Evaluator} does.
 */
public final class TrainingReport {
    /** Misclassified images shown at most. */
    public static final int MAX_GALLERY = 48;
    /** Layers whose feature maps are shown at most, and maps per layer. */
    public static final int MAX_MAP_LAYERS = 8, MAX_MAPS = 16;

    /** A misclassified test image: its index in the test set, true and predicted class, and the predicted class's probability. */
    public record Mistake(int index, int truth, int predicted, double probability) {
    }

    private TrainingReport() {
    }

    /**
     * Writes {@code runDir/report.html}, {@code loss.png} and {@code accuracy.png}; returns the
     * report's path. {@code classNames} may be null (classes are then shown by index).
     */
    public static Path write(Path runDir, Layer model, Dataset test, List<String> classNames) throws IOException {
        Map<String, Object> config = readJsonObject(runDir.resolve("config.json"));
        Map<String, Object> testJson = Files.isRegularFile(runDir.resolve("test.json")) ? readJsonObject(runDir.resolve("test.json")) : Map.of();
        Map<String, double[]> metrics = readMetrics(runDir.resolve("metrics.csv"));

        // the test pass: the confusion matrix through Evaluation (the numbers of test.json) and the mistakes
        Shape s = test.sampleShape();
        Shape out = model.outputShape(Shape.of(1, s.dim(0), s.dim(1), s.dim(2)));
        if (out.rank() != 2) throw new IllegalArgumentException("the model's output " + out + " is not one score per class");
        int classes = out.dim(1);
        Evaluation ev = new Evaluation(classes, Math.min(5, classes));
        List<Mistake> mistakes = new ArrayList<>();
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        try (DataLoader.Epoch epoch = new DataLoader(test, 256).epoch(0)) {
            for (Batch b : epoch) {
                Tensor logits = model.forward(b.images(), Mode.EVAL); // logits is (N, classes)
                ev.add(logits, b.labels(), loss.forward(logits, b.labels()));
                Tensor p = Softmax.apply(logits);
                for (int i = 0; i < b.size(); i++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) if (p.at(i * classes + c) > p.at(i * classes + best)) best = c;
                    if (best != b.labels()[i]) mistakes.add(new Mistake(b.indices()[i], b.labels()[i], best, p.at(i * classes + best)));
                }
            }
        }
        mistakes.sort(Comparator.comparingDouble(Mistake::probability).reversed().thenComparingInt(Mistake::index));

        Html h = new Html(classNames);
        String title = "Training report: " + runDir.toAbsolutePath().normalize().getFileName();
        h.head(title);
        h.raw("<header><h1>").text(title).raw("</h1><p class=\"sub\">")
                .text(str(config.get("model")) + " on " + str(config.get("data")) + " \u00b7 written "
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .raw("</p></header>\n");
        cards(h, ev, metrics, testJson, model);

        byte[] lossPng = Charts.linePng("Loss", "cross-entropy loss", List.of(
                new Charts.Series("training", metrics.get("epoch"), metrics.get("train_loss")),
                new Charts.Series("validation", metrics.get("epoch"), metrics.get("val_loss"))));
        byte[] accPng = Charts.linePng("Accuracy", "accuracy (%)", List.of(
                new Charts.Series("training", metrics.get("epoch"), percent(metrics.get("train_accuracy"))),
                new Charts.Series("validation", metrics.get("epoch"), percent(metrics.get("val_accuracy")))));
        AtomicFiles.write(runDir.resolve("loss.png"), lossPng);
        AtomicFiles.write(runDir.resolve("accuracy.png"), accPng);
        h.raw("<section id=\"curves\"><h2>Training curves</h2><div class=\"charts\">")
                .img("chart", "loss per epoch", Pictures.dataUri(lossPng), Charts.WIDTH, Charts.HEIGHT)
                .img("chart", "accuracy per epoch", Pictures.dataUri(accPng), Charts.WIDTH, Charts.HEIGHT)
                .raw("</div><p class=\"note\">Training figures are averaged over each epoch (with augmentation and dropout active); "
                        + "validation figures are measured at its end. Also saved as loss.png and accuracy.png.</p></section>\n");

        confusion(h, ev);
        gallery(h, test, mistakes, ev.count());
        filters(h, model, test);
        summary(h, model, s);
        configuration(h, config);
        h.raw("<footer>Made by conv4j from ").text(runDir.toString())
                .raw(": metrics.csv, config.json, model.safetensors and the test set. Rebuild with <code>conv4j report ")
                .text(runDir.toString()).raw("</code>.</footer>\n</main></body></html>\n");
        Path file = runDir.resolve("report.html");
        AtomicFiles.write(file, h.sb.toString().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private static void cards(Html h, Evaluation ev, Map<String, double[]> metrics, Map<String, Object> testJson, Layer model) {
        h.raw("<section class=\"cards\">");
        h.card("test accuracy", String.format(Locale.ROOT, "%.2f%%", 100 * ev.accuracy()), ev.count() + " images");
        h.card("test loss", String.format(Locale.ROOT, "%.4f", ev.loss()), "cross-entropy");
        double[] va = metrics.get("val_accuracy");
        double best = Double.NaN;
        int bestEpoch = 0;
        for (int i = 0; i < va.length; i++) {
            if (Double.isFinite(va[i]) && !(va[i] <= best)) {
                best = va[i];
                bestEpoch = (int) metrics.get("epoch")[i];
            }
        }
        if (Double.isFinite(best)) h.card("best validation accuracy", String.format(Locale.ROOT, "%.2f%%", 100 * best), "epoch " + bestEpoch);
        h.card("epochs", Integer.toString(metrics.get("epoch").length), testJson.get("train_seconds") instanceof Number t
                ? String.format(Locale.ROOT, "%.1f s of training", t.doubleValue()) : "");
        h.card("parameters", String.format(Locale.ROOT, "%,d", org.conv4j.nn.Layers.parameterCount(model)), "trainable");
        h.raw("</section>\n");
    }

    private static void confusion(Html h, Evaluation ev) {
        long[][] cm = ev.confusion();
        double[] acc = ev.perClassAccuracy();
        h.raw("<section id=\"confusion\"><h2>Confusion matrix</h2><p class=\"note\">Test set, ").text(ev.count() + " images")
                .raw(". Rows: true class; columns: predicted class. Shade: the cell's share of its row "
                        + "(blue: correct, red: mistakes).</p>\n<div class=\"scroll\"><table class=\"cm\"><thead><tr><th class=\"corner\">true \\ predicted</th>");
        for (int c = 0; c < cm.length; c++) h.raw("<th>").text(h.label(c)).raw("</th>");
        h.raw("<th class=\"recall\">correct</th></tr></thead><tbody>\n");
        for (int r = 0; r < cm.length; r++) {
            long total = 0;
            for (long v : cm[r]) total += v;
            h.raw("<tr><th>").text(h.label(r)).raw("</th>");
            for (int c = 0; c < cm.length; c++) {
                double f = total == 0 ? 0 : (double) cm[r][c] / total;
                // mistakes are few, so their shade grows with the square root to stay visible
                double a = r == c ? f : Math.sqrt(f);
                String bg = r == c ? String.format(Locale.ROOT, "rgba(31,119,180,%.3f)", a) : String.format(Locale.ROOT, "rgba(214,39,40,%.3f)", a);
                h.raw("<td class=\"cm-cell" + (cm[r][c] == 0 ? " zero" : "") + (a > 0.55 ? " dark" : "") + "\" style=\"background:" + bg + "\" title=\"true ")
                        .text(h.label(r)).raw(", predicted ").text(h.label(c)).raw(": " + cm[r][c] + "\">" + cm[r][c] + "</td>");
            }
            h.raw("<td class=\"recall\">" + (Double.isNaN(acc[r]) ? "\u2013" : String.format(Locale.ROOT, "%.1f%%", 100 * acc[r])) + "</td></tr>\n");
        }
        h.raw("</tbody></table></div></section>\n");
    }

    private static void gallery(Html h, Dataset test, List<Mistake> mistakes, long count) {
        Shape s = test.sampleShape();
        int c = s.dim(0) == 3 ? 3 : 1, zoom = Pictures.zoom(Math.max(s.dim(1), s.dim(2)), 84);
        h.raw("<section id=\"mistakes\"><h2>Misclassified test images</h2><p class=\"note\">")
                .text(mistakes.size() + " of " + count + " test images are misclassified"
                        + (mistakes.size() > MAX_GALLERY ? "; the " + MAX_GALLERY + " most confident mistakes are shown" : "")
                        + (mistakes.isEmpty() ? "." : ", most confident first. Under each: true \u2192 predicted class (its probability)."))
                .raw("</p>\n<div id=\"gallery\" class=\"gallery\">");
        float[] buf = new float[test.sampleSize()];
        for (Mistake m : mistakes.subList(0, Math.min(MAX_GALLERY, mistakes.size()))) {
            test.copySample(m.index(), buf, 0);
            byte[] png = Pictures.png(Pictures.tile(buf, 0, c, s.dim(1), s.dim(2), zoom));
            h.raw("<figure class=\"miss\">").img("sample", "test image " + m.index(), Pictures.dataUri(png), s.dim(2) * zoom, s.dim(1) * zoom)
                    .raw("<figcaption><span class=\"truth\">").text(h.label(m.truth())).raw("</span> \u2192 <span class=\"pred\">")
                    .text(h.label(m.predicted())).raw("</span> <span class=\"prob\">(" + String.format(Locale.ROOT, "%.0f%%", 100 * m.probability())
                            + ")</span><br><span class=\"idx\">#" + m.index() + "</span></figcaption></figure>");
        }
        h.raw("</div></section>\n");
    }

    private static void filters(Html h, Layer model, Dataset test) {
        StringBuilder name = new StringBuilder();
        Conv2d conv = FeatureMaps.firstConv(model, name);
        if (conv == null) return;
        java.awt.image.BufferedImage grid = Pictures.filterGrid(conv.weight().value(), 256, 16, 56);
        byte[] png = Pictures.png(grid);
        int show = grid.getWidth() < 400 ? 2 : 1; // a few small filters are shown twice as large, still pixel-sharp
        h.raw("<section id=\"filters\"><h2>First-layer filters</h2><p class=\"note\">").text(name + " (" + conv + "), weight " + conv.weight().value().shape())
                .raw(": each filter scaled to its own range, black = lowest, white = highest weight.</p>")
                .img("filters", "first-layer filters", Pictures.dataUri(png), show * grid.getWidth(), show * grid.getHeight());
        if (test.size() > 0) {
            Shape s = test.sampleShape();
            float[] x = new float[test.sampleSize()];
            test.copySample(0, x, 0);
            List<FeatureMaps.Map2d> maps = FeatureMaps.of(model, Tensor.of(x, 1, s.dim(0), s.dim(1), s.dim(2)));
            if (!maps.isEmpty()) {
                h.raw("<h3>Feature maps of test image #0</h3><div class=\"maps\">");
                int zoom = Pictures.zoom(Math.max(s.dim(1), s.dim(2)), 84);
                h.raw("<figure>").img("sample", "test image 0", Pictures.dataUri(Pictures.png(Pictures.tile(x, 0, s.dim(0) == 3 ? 3 : 1, s.dim(1), s.dim(2), zoom))), -1, -1)
                        .raw("<figcaption>input</figcaption></figure>");
                for (FeatureMaps.Map2d m : maps.subList(0, Math.min(MAX_MAP_LAYERS, maps.size()))) {
                    h.raw("<figure>").img("fmap", m.name() + " maps", Pictures.dataUri(Pictures.png(Pictures.mapGrid(m.maps(), MAX_MAPS))), -1, -1)
                            .raw("<figcaption>").text(m.name() + " (" + m.type() + ") " + shapeText(m.maps().shape())).raw("</figcaption></figure>");
                }
                h.raw("</div>");
            }
        }
        h.raw("</section>\n");
    }

    static void summary(Html h, Layer model, Shape sample) {
        ModelSummary s = ModelSummary.of(model, Shape.of(1, sample.dim(0), sample.dim(1), sample.dim(2)));
        h.raw("<section id=\"summary\"><h2>Model</h2><div class=\"scroll\"><table class=\"grid\"><thead><tr><th>layer</th><th>type</th>"
                + "<th>output</th><th>parameters</th><th>FLOPs</th><th>receptive field</th></tr></thead><tbody>\n");
        for (ModelSummary.Row r : s.rows()) {
            h.raw("<tr><td>").text(r.name()).raw("</td><td>").text(r.type()).raw("</td><td>").text(shapeText(r.output()))
                    .raw("</td><td class=\"num\">" + String.format(Locale.ROOT, "%,d", r.parameters()) + "</td><td class=\"num\">"
                            + String.format(Locale.ROOT, "%,d", r.flops()) + "</td><td class=\"num\">" + r.receptiveH() + "\u00d7" + r.receptiveW() + "</td></tr>\n");
        }
        h.raw("</tbody><tfoot><tr><td colspan=\"3\">total, input ").text(shapeText(s.input()))
                .raw("</td><td class=\"num\">" + String.format(Locale.ROOT, "%,d", s.parameters()) + "</td><td class=\"num\">"
                        + String.format(Locale.ROOT, "%,d", s.flops()) + "</td><td></td></tr></tfoot></table></div></section>\n");
    }

    static void configuration(Html h, Map<String, Object> config) {
        h.raw("<section id=\"config\"><h2>Configuration</h2><table class=\"grid kv\"><tbody>");
        for (Map.Entry<String, Object> e : config.entrySet()) {
            h.raw("<tr><th>").text(e.getKey()).raw("</th><td>").text(e.getValue() instanceof String v ? v : Json.write(e.getValue())).raw("</td></tr>");
        }
        h.raw("</tbody></table></section>\n");
    }

    /** (1, C, H, W) as "C×H×W". */
    static String shapeText(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < s.rank(); i++) sb.append(i > 1 ? "\u00d7" : "").append(s.dim(i));
        return sb.toString();
    }

    private static double[] percent(double[] v) {
        double[] p = new double[v.length];
        for (int i = 0; i < v.length; i++) p[i] = 100 * v[i];
        return p;
    }

    static String str(Object o) {
        return o == null ? "?" : o.toString();
    }

    /** config.json or test.json; a missing or broken file is an error naming it. */
    static Map<String, Object> readJsonObject(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new java.io.FileNotFoundException("no " + file.getFileName() + " in " + file.getParent() + " (is it a run directory?)");
        try {
            return Json.parseObject(Files.readString(file, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * metrics.csv as columns by name ({@code epoch}, {@code train_loss}, {@code val_accuracy} ...);
     * an empty cell (no validation) is NaN, a missing column all NaN.
     */
    public static Map<String, double[]> readMetrics(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new java.io.FileNotFoundException("no metrics.csv in " + file.getParent() + " (is it a run directory?)");
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!l.isBlank()) lines.add(l);
        if (lines.isEmpty()) throw new IOException(file + ": empty, expected a header line");
        String[] head = lines.get(0).split(",", -1);
        int n = lines.size() - 1;
        Map<String, double[]> cols = new LinkedHashMap<>();
        for (String c : head) cols.put(c.trim(), new double[n]);
        for (int i = 0; i < n; i++) {
            String[] cells = lines.get(i + 1).split(",", -1);
            if (cells.length != head.length) {
                throw new IOException(file + ": line " + (i + 2) + " has " + cells.length + " values, the header " + head.length);
            }
            for (int j = 0; j < head.length; j++) {
                String t = cells[j].trim();
                try {
                    cols.get(head[j].trim())[i] = t.isEmpty() ? Double.NaN : Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    throw new IOException(file + ": line " + (i + 2) + ", column " + head[j].trim() + ": not a number: '" + t + "'");
                }
            }
        }
        for (String c : new String[] {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"}) {
            if (!cols.containsKey(c)) {
                double[] nan = new double[n];
                java.util.Arrays.fill(nan, Double.NaN);
                cols.put(c, nan);
            }
        }
        return cols;
    }

    /** A small HTML writer: raw markup, escaped text, images and the page head with its style sheet. */
    static final class Html {
        final StringBuilder sb = new StringBuilder(1 << 16);
        final List<String> classNames;

        Html(List<String> classNames) {
            this.classNames = classNames;
        }

        String label(int c) {
            return classNames != null && c < classNames.size() ? classNames.get(c) : Integer.toString(c);
        }

        Html raw(String s) {
            sb.append(s);
            return this;
        }

        Html text(String s) {
            for (char ch : s.toCharArray()) {
                switch (ch) {
                    case '<' -> sb.append("&lt;");
                    case '>' -> sb.append("&gt;");
                    case '&' -> sb.append("&amp;");
                    case '"' -> sb.append("&quot;");
                    default -> sb.append(ch);
                }
            }
            return this;
        }

        Html img(String cls, String alt, String src, int w, int h) {
            sb.append("<img class=\"").append(cls).append("\" alt=\"");
            text(alt);
            sb.append('"');
            if (w > 0) sb.append(" width=\"").append(w).append("\" height=\"").append(h).append('"');
            sb.append(" src=\"").append(src).append("\">");
            return this;
        }

        void card(String what, String value, String detail) {
            raw("<div class=\"card\"><div class=\"what\">").text(what).raw("</div><div class=\"value\">").text(value)
                    .raw("</div><div class=\"detail\">").text(detail).raw("</div></div>");
        }

        void head(String title) {
            raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    + "<link rel=\"icon\" href=\"data:,\"><title>").text(title).raw("</title>\n<style>\n" + CSS + "</style></head>\n<body><main>\n");
        }
    }

    private static final String CSS = String.join("\n",
            ":root{--fg:#1d2733;--muted:#5b6b7c;--line:#dfe4ea;--bg:#f5f7fa;--accent:#1f77b4}",
            "*{box-sizing:border-box}",
            "body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}",
            "main{max-width:1220px;margin:0 auto;padding:24px 28px 40px}",
            "header h1{margin:0 0 4px;font-size:26px}",
            ".sub{margin:0;color:var(--muted)}",
            "section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:18px 0}",
            "h2{margin:0 0 8px;font-size:19px}h3{font-size:16px;margin:18px 0 8px}",
            ".note{color:var(--muted);margin:0 0 12px;font-size:14px}",
            ".cards{display:flex;flex-wrap:wrap;gap:12px;background:none;border:none;padding:0}",
            ".card{flex:1 1 170px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px}",
            ".card .what{color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.04em}",
            ".card .value{font-size:26px;font-weight:600;color:var(--accent)}",
            ".card .detail{color:var(--muted);font-size:13px;min-height:1em}",
            ".charts{display:flex;flex-wrap:wrap;gap:16px}",
            ".chart{border:1px solid var(--line);border-radius:6px;flex:0 1 540px;min-width:280px;max-width:100%;height:auto}",
            ".scroll{overflow-x:auto}",
            "table{border-collapse:collapse}",
            ".cm th,.cm td{border:1px solid var(--line);padding:6px 9px;text-align:center;min-width:44px;font-variant-numeric:tabular-nums}",
            ".cm thead th,.cm tbody th{background:#eef2f6}",
            ".cm .corner{font-weight:normal;color:var(--muted);font-size:12px;white-space:nowrap}",
            ".cm td.zero{color:#b8c2cc}.cm td.dark{color:#fff;font-weight:600}",
            ".cm .recall{background:#f8fafc;font-weight:600}",
            ".gallery{display:flex;flex-wrap:wrap;gap:10px}",
            ".miss{margin:0;padding:6px;border:1px solid var(--line);border-radius:6px;text-align:center;background:#fafbfc}",
            ".miss img,.maps img,.sample{image-rendering:pixelated;display:block;margin:0 auto}",
            "figcaption{font-size:13px;margin-top:4px}",
            ".truth{color:#2ca02c;font-weight:600}.pred{color:#d62728;font-weight:600}.prob,.idx{color:var(--muted)}",
            ".filters{image-rendering:pixelated;border-radius:4px}",
            ".maps{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}.maps figure{margin:0}",
            ".grid th,.grid td{border-bottom:1px solid var(--line);padding:5px 12px;text-align:left}",
            ".grid thead th{background:#eef2f6}.grid tfoot td{font-weight:600}",
            ".grid .num{text-align:right;font-variant-numeric:tabular-nums}",
            ".kv th{color:var(--muted);font-weight:normal;width:180px}",
            "code{background:#eef2f6;padding:1px 5px;border-radius:4px}",
            "footer{color:var(--muted);font-size:13px;margin-top:10px}",
            ".triple{display:flex;gap:6px}.triple figure{margin:0;text-align:center}.swatch{display:inline-block;width:14px;height:14px;"
                    + "border:1px solid var(--line);vertical-align:middle;margin-right:6px}",
            "");
}
