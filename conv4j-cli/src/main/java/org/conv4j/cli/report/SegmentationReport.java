package org.conv4j.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.conv4j.data.Batch;
import org.conv4j.data.DataLoader;
import org.conv4j.data.JointMasks;
import org.conv4j.data.SegmentationDataset;
import org.conv4j.io.AtomicFiles;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.train.Evaluator;
import org.conv4j.train.SegmentationEvaluation;

/**
 * The report of a segmentation run ({@code --task segment}): {@code report.html} with the
 * headline figures (test mean IoU, pixel accuracy, loss), the loss and mean IoU curves (also
 * {@code loss.png} and {@code mean_iou.png}), the per-class IoU with each class's colour, the
 * first {@value #SAMPLES} test images shown as input, true mask and predicted mask side by side
 * (ignored pixels white), the model summary and the configuration. The figures are recomputed
 * with the model in {@link Mode#EVAL} over the test set, as {@link Evaluator#evaluateSegmentation} does.
 */
public final class SegmentationReport {
    /** Test images shown with their masks. */
    public static final int SAMPLES = 8;

    private SegmentationReport() {
    }

    public static Path write(Path runDir, Layer model, SegmentationDataset test, List<String> classNames) throws IOException {
        Map<String, Object> config = TrainingReport.readJsonObject(runDir.resolve("config.json"));
        Map<String, Object> testJson = Files.isRegularFile(runDir.resolve("test.json")) ? TrainingReport.readJsonObject(runDir.resolve("test.json")) : Map.of();
        Map<String, double[]> metrics = TrainingReport.readMetrics(runDir.resolve("metrics.csv"));
        DataLoader loader = new DataLoader(test, 64);
        SegmentationEvaluation ev = Evaluator.evaluateSegmentation(model, loader, new JointMasks(loader), test.ignoreIndex());

        TrainingReport.Html h = new TrainingReport.Html(classNames);
        String title = "Segmentation report: " + runDir.toAbsolutePath().normalize().getFileName();
        h.head(title);
        h.raw("<header><h1>").text(title).raw("</h1><p class=\"sub\">")
                .text(TrainingReport.str(config.get("model")) + " on " + TrainingReport.str(config.get("data")) + " \u00b7 written "
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .raw("</p></header>\n<section class=\"cards\">");
        h.card("test mean IoU", String.format(Locale.ROOT, "%.4f", ev.meanIoU()), ev.count() + " images");
        h.card("pixel accuracy", String.format(Locale.ROOT, "%.2f%%", 100 * ev.pixelAccuracy()), String.format(Locale.ROOT, "%,d labelled pixels", ev.pixels()));
        h.card("test loss", String.format(Locale.ROOT, "%.4f", ev.loss()), "per-pixel cross-entropy");
        h.card("epochs", Integer.toString(metrics.get("epoch").length), testJson.get("train_seconds") instanceof Number t
                ? String.format(Locale.ROOT, "%.1f s of training", t.doubleValue()) : "");
        h.card("parameters", String.format(Locale.ROOT, "%,d", org.conv4j.nn.Layers.parameterCount(model)), "trainable");
        h.raw("</section>\n");

        byte[] lossPng = Charts.linePng("Loss", "loss (" + TrainingReport.str(config.get("loss")) + ")", List.of(
                new Charts.Series("training", metrics.get("epoch"), metrics.get("train_loss")),
                new Charts.Series("validation", metrics.get("epoch"), metrics.get("val_loss"))));
        byte[] iouPng = Charts.linePng("Mean IoU", "mean IoU", List.of(
                new Charts.Series("training", metrics.get("epoch"), column(metrics, "train_mean_iou")),
                new Charts.Series("validation", metrics.get("epoch"), column(metrics, "val_mean_iou"))));
        AtomicFiles.write(runDir.resolve("loss.png"), lossPng);
        AtomicFiles.write(runDir.resolve("mean_iou.png"), iouPng);
        h.raw("<section id=\"curves\"><h2>Training curves</h2><div class=\"charts\">")
                .img("chart", "loss per epoch", Pictures.dataUri(lossPng), Charts.WIDTH, Charts.HEIGHT)
                .img("chart", "mean IoU per epoch", Pictures.dataUri(iouPng), Charts.WIDTH, Charts.HEIGHT)
                .raw("</div><p class=\"note\">Training figures are averaged over each epoch (with augmentation active); validation "
                        + "figures are measured at its end. Also saved as loss.png and mean_iou.png.</p></section>\n");

        perClass(h, ev);
        samples(h, model, test, ev.classes());
        TrainingReport.summary(h, model, test.sampleShape());
        TrainingReport.configuration(h, config);
        h.raw("<footer>Made by conv4j from ").text(runDir.toString())
                .raw(": metrics.csv, config.json, model.safetensors and the test set. Rebuild with <code>conv4j report ")
                .text(runDir.toString()).raw("</code>.</footer>\n</main></body></html>\n");
        Path file = runDir.resolve("report.html");
        AtomicFiles.write(file, h.sb.toString().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private static double[] column(Map<String, double[]> metrics, String name) {
        double[] v = metrics.get(name);
        if (v != null) return v;
        double[] nan = new double[metrics.get("epoch").length];
        java.util.Arrays.fill(nan, Double.NaN);
        return nan;
    }

    private static void perClass(TrainingReport.Html h, SegmentationEvaluation ev) {
        h.raw("<section id=\"classes\"><h2>Intersection over union per class</h2><p class=\"note\">Test set. A class neither in the masks nor "
                + "predicted has no IoU (\u2013) and is left out of the mean. The colour is the class's in the masks below; white: ignored pixels.</p>"
                + "<table class=\"grid\"><thead><tr><th>class</th><th>name</th><th>IoU</th></tr></thead><tbody>\n");
        double[] iou = ev.perClassIoU();
        for (int c = 0; c < iou.length; c++) {
            h.raw("<tr><td class=\"num\">" + c + "</td><td><span class=\"swatch\" style=\"background:#" + String.format("%06x", MaskPictures.colour(c))
                    + "\"></span>").text(h.label(c)).raw("</td><td class=\"num\">" + (Double.isNaN(iou[c]) ? "\u2013" : String.format(Locale.ROOT, "%.4f", iou[c]))
                    + "</td></tr>\n");
        }
        h.raw("</tbody></table></section>\n");
    }

    // input, true mask and predicted (arg-max) mask of the first test images
    private static void samples(TrainingReport.Html h, Layer model, SegmentationDataset test, int classes) {
        int n = Math.min(SAMPLES, test.size());
        DataLoader loader = new DataLoader(test, n);
        Batch b = loader.batch(0, 0);
        Tensor scores = model.forward(b.images(), Mode.EVAL), truth = new JointMasks(loader).apply(b);
        Shape s = test.sampleShape();
        int ih = s.dim(1), iw = s.dim(2), plane = ih * iw, zoom = Pictures.zoom(Math.max(ih, iw), 128);
        float[] predicted = new float[n * plane];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < plane; p++) {
                int best = 0;
                for (int c = 1; c < classes; c++) if (scores.at((i * classes + c) * plane + p) > scores.at((i * classes + best) * plane + p)) best = c;
                predicted[i * plane + p] = best;
            }
        }
        h.raw("<section id=\"samples\"><h2>Test images: input, true mask, predicted mask</h2><p class=\"note\">The first ").text(Integer.toString(n))
                .raw(" test images. Colours as in the table above; white: ignored pixels (no class).</p>\n<div class=\"gallery\">");
        for (int i = 0; i < n; i++) {
            byte[] input = Pictures.png(Pictures.tile(b.images().data(), b.images().offset() + i * s.size(), s.dim(0), ih, iw, zoom));
            byte[] trueMask = Pictures.png(MaskPictures.mask(truth.data(), truth.offset() + i * plane, ih, iw, classes, zoom));
            byte[] predMask = Pictures.png(MaskPictures.mask(predicted, i * plane, ih, iw, classes, zoom));
            h.raw("<figure class=\"miss\"><div class=\"triple\">")
                    .raw("<figure>").img("sample", "test image " + i, Pictures.dataUri(input), iw * zoom, ih * zoom).raw("<figcaption>input</figcaption></figure>")
                    .raw("<figure>").img("sample", "true mask " + i, Pictures.dataUri(trueMask), iw * zoom, ih * zoom).raw("<figcaption class=\"truth\">true</figcaption></figure>")
                    .raw("<figure>").img("sample", "predicted mask " + i, Pictures.dataUri(predMask), iw * zoom, ih * zoom).raw("<figcaption class=\"pred\">predicted</figcaption></figure>")
                    .raw("</div><figcaption class=\"idx\">#" + b.indices()[i] + "</figcaption></figure>");
        }
        h.raw("</div></section>\n");
    }
}
