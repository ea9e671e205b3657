package org.conv4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.JointMasks;
import org.conv4j.nn.DiceLoss;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Loss;
import org.conv4j.nn.LossSum;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.train.Evaluator;
import org.conv4j.train.MeanIoU;
import org.conv4j.train.PixelAccuracy;
import org.conv4j.train.RunConfig;
import org.conv4j.train.SegmentationEvaluation;
import org.conv4j.train.Trainer;

/** What the commands do differently for {@code --task segment}: the loss, targets and metrics, the evaluation and how it is shown. */
final class Segmentation {
    private Segmentation() {
    }

    /**
     * The loss (per-pixel cross-entropy, Dice or their sum) ignoring mask value {@value RunConfig#IGNORE_INDEX},
     * the masks (moved with the images by the augmentation) as targets, mean IoU and pixel accuracy as metrics.
     */
    static void configure(Trainer trainer, String loss, DataLoader train, DataLoader validation) {
        int ignore = RunConfig.IGNORE_INDEX;
        Loss l = switch (loss) {
            case "dice" -> new DiceLoss().ignoreIndex(ignore);
            case "cross_entropy_dice" -> new LossSum(new SoftmaxCrossEntropy().ignoreIndex(ignore), new DiceLoss().ignoreIndex(ignore));
            default -> new SoftmaxCrossEntropy().ignoreIndex(ignore);
        };
        trainer.loss(l).targets(new JointMasks(train))
                .metrics(new MeanIoU(ignore), new PixelAccuracy(ignore)).validationMetrics();
        if (validation != null) trainer.validationTargets(new JointMasks(validation));
    }

    /** The model's segmentation figures on {@code test}, a SegmentationDataset. */
    static SegmentationEvaluation evaluate(Layer model, Dataset test, int batchSize) {
        DataLoader loader = new DataLoader(test, batchSize);
        try {
            return Evaluator.evaluateSegmentation(model, loader, new JointMasks(loader), RunConfig.IGNORE_INDEX);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
    }

    /** The figures with plain keys: images, pixels, mean_iou, pixel_accuracy, loss, per_class (class, name, iou; null for a class absent and never predicted), confusion_matrix. */
    static Map<String, Object> toJson(SegmentationEvaluation ev, List<String> names) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", RunConfig.SEGMENT);
        m.put("images", ev.count());
        m.put("pixels", ev.pixels());
        m.put("mean_iou", ev.meanIoU());
        m.put("pixel_accuracy", ev.pixelAccuracy());
        m.put("loss", ev.loss());
        List<Object> perClass = new ArrayList<>();
        double[] iou = ev.perClassIoU();
        for (int c = 0; c < iou.length; c++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("class", (long) c);
            e.put("name", names == null || c >= names.size() ? null : names.get(c));
            e.put("iou", Double.isNaN(iou[c]) ? null : iou[c]);
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

    /** The headline and the per-class IoU table. */
    static void print(PrintWriter out, SegmentationEvaluation ev, List<String> names) {
        out.printf(Locale.ROOT, "%d images (%,d labelled pixels): mean IoU %.4f  pixel accuracy %.2f%%  loss %.4f%n%n",
                ev.count(), ev.pixels(), ev.meanIoU(), 100 * ev.pixelAccuracy(), ev.loss());
        int width = 4;
        for (int c = 0; names != null && c < names.size(); c++) width = Math.min(24, Math.max(width, names.get(c).length()));
        out.printf("class  %-" + width + "s     IoU%n", "name");
        double[] iou = ev.perClassIoU();
        for (int c = 0; c < iou.length; c++) {
            String n = names == null || c >= names.size() ? Integer.toString(c) : names.get(c);
            if (n.length() > 24) n = n.substring(0, 21) + "...";
            out.printf(Locale.ROOT, "%5d  %-" + width + "s  %s%n", c, n, Double.isNaN(iou[c]) ? "     -" : String.format(Locale.ROOT, "%6.4f", iou[c]));
        }
    }
}
