package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.conv4j.data.Mnist;
import org.conv4j.data.MnistSegmentation;
import org.conv4j.data.SegmentationDataset;
import org.conv4j.data.Split;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.train.RunConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --task segment}, {@code eval} and the report on a folder of images/ and masks/
 * (MNIST canvases written as PNGs): the run folder of a classification run with the task in
 * config.json and mean IoU in the metrics, a resume that ends where the uninterrupted run does,
 * the per-class IoU from eval, the report's input / true / predicted pictures, and one-line
 * errors for a task that does not fit the data or the model.
 */
class SegmentTaskTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void canvases() throws IOException {
        SegmentationDataset d = MnistSegmentation.generate(Mnist.load(SmallData.SAMPLE, Split.TEST), 120, 32, 4);
        data = dir.resolve("canvases");
        Files.createDirectories(data.resolve("images"));
        Files.createDirectories(data.resolve("masks"));
        float[] x = new float[32 * 32];
        for (int i = 0; i < d.size(); i++) {
            d.copySample(i, x, 0);
            BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), mask = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < x.length; p++) {
                img.getRaster().setSample(p % 32, p / 32, 0, Math.round(255 * x[p]));
                mask.getRaster().setSample(p % 32, p / 32, 0, d.mask(i, p));
            }
            ImageIO.write(img, "png", data.resolve("images/c" + i + ".png").toFile());
            ImageIO.write(mask, "png", data.resolve("masks/c" + i + ".png").toFile());
        }
    }

    private static CliRun train(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--task", "segment", "--model", "unet_small", "--data", data.toString(),
                "--input", "1x32x32", "--epochs", "2", "--batch-size", "16", "--lr", "0.01", "--out", out.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(new String[0]));
    }

    @Test
    void trainsResumesEvaluatesAndReportsASegmentationRun() throws IOException {
        Path whole = dir.resolve("whole"), run = dir.resolve("run");
        CliRun w = train(whole, "--json");
        assertEquals(0, w.code(), w.err());
        Map<String, Object> test = Json.parseObject(Files.readString(whole.resolve("test.json")));
        assertEquals("segment", test.get("task"));
        double iou = ((Number) test.get("mean_iou")).doubleValue();
        assertTrue(iou > 0 && iou <= 1, "mean IoU " + iou);
        assertEquals(11, ((List<?>) test.get("per_class")).size());
        RunConfig cfg = RunConfig.read(whole.resolve("config.json"));
        assertEquals(RunConfig.SEGMENT, cfg.task());
        assertEquals("stratified", cfg.split().kind());
        assertEquals(11, cfg.classes());
        assertEquals("epoch,lr,train_loss,train_mean_iou,train_pixel_accuracy,val_loss,val_mean_iou,val_pixel_accuracy,seconds,images_per_second",
                Files.readAllLines(whole.resolve("metrics.csv")).get(0));
        for (String f : new String[] {"model.safetensors", "checkpoints/last.safetensors", "checkpoints/best.safetensors", "report.html", "mean_iou.png"}) {
            assertTrue(Files.isRegularFile(whole.resolve(f)), f);
        }

        CliRun stopped = train(run, "--stop-after", "1");
        assertEquals(0, stopped.code(), stopped.err());
        CliRun resumed = CliRun.of("train", "--resume", run.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("test: mean IoU "), resumed.out());
        Layer a = ModelFile.load(whole.resolve("model.safetensors")), b = ModelFile.load(run.resolve("model.safetensors"));
        Layers.namedParameters(a).forEach((name, p) -> assertArrayEquals(p.value().toArray(), Layers.namedParameters(b).get(name).value().toArray(), name));
        CliRun contradiction = CliRun.of("train", "--resume", run.toString(), "--task", "classify");
        assertEquals(2, contradiction.code());
        assertTrue(contradiction.err().contains("--task classify contradicts the run's saved task segment"), contradiction.err());

        CliRun ev = CliRun.of("eval", "--model", whole.toString(), "--data", data.toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains(String.format(java.util.Locale.ROOT, "mean IoU %.4f", iou)), "eval repeats train's test figure: " + ev.out() + " vs " + iou);
        assertTrue(ev.out().contains("class  name     IoU\n    0  0     0."), ev.out());
        assertTrue(ev.out().contains("\n   10  10   "), ev.out());
        CliRun evJson = CliRun.of("eval", "--model", whole.toString(), "--data", data.toString(), "--json");
        assertEquals(iou, ((Number) Json.parseObject(evJson.out()).get("mean_iou")).doubleValue(), 1e-12);

        String html = Files.readString(whole.resolve("report.html"));
        assertTrue(html.contains("Test images: input, true mask, predicted mask"), "report section");
        for (String alt : new String[] {"test image 0", "true mask 0", "predicted mask 7"}) assertTrue(html.contains("alt=\"" + alt + "\""), alt);
        assertTrue(html.contains("background:#1f77b4"), "class colours in the legend");
    }

    @Test
    void aTaskThatDoesNotFitTheDataOrTheModelIsRefusedInOneLine() {
        CliRun r = CliRun.of("train", "--task", "segment", "--model", "unet_small", "--data", SmallData.SAMPLE.toString(), "--epochs", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--task segment needs segmentation data (mnist-seg, or a folder with images/ and masks/)"), r.err());
        r = CliRun.of("train", "--model", "unet_small", "--data", data.toString(), "--input", "1x32x32", "--epochs", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is segmentation data (a class per pixel): train it with --task segment"), r.err());
        r = CliRun.of("train", "--task", "segment", "--model", "lenet5", "--data", data.toString(), "--input", "1x32x32", "--epochs", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--task segment needs a model that scores every pixel, such as unet_small or fcn8s_small; lenet5 gives"), r.err());
        r = CliRun.of("train", "--task", "detect");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--task must be classify or segment, got 'detect'"), r.err());
    }
}
