package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.conv4j.data.ImageFolderDataset;
import org.conv4j.data.Subset;
import org.conv4j.io.Json;
import org.conv4j.tensor.Shape;
import org.conv4j.train.RunConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on image folders: a flat folder of class folders is divided by a printed, saved,
 * stratified split, and the run's test figures and {@code eval} use only its held-out part; a
 * folder with train/ and test/ uses them; the input shape is inferred (grey stays 1 channel) or
 * given with --input; the folder names are the class names everywhere.
 */
class ImageFolderRunTest {
    @TempDir
    static Path dir;
    static Path flat, run;
    static CliRun train;

    @BeforeAll
    static void trainOnAFlatFolder() throws IOException {
        flat = SmallData.shapes(dir.resolve("shapes"), 30, 5);
        run = dir.resolve("run");
        train = CliRun.of("train", "--data", flat.toString(), "--epochs", "2", "--out", run.toString());
    }

    @Test
    void aFlatFolderIsSplitPerClassAndTheSplitIsPrintedAndSaved() throws IOException {
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().startsWith("training lenet5 on " + flat + ": 72 images for training, 9 for validation, 9 for testing "
                + "(a stratified split of its class folders, seed 1); "), train.out());
        RunConfig c = RunConfig.read(run.resolve("config.json"));
        assertEquals(new RunConfig.DataSplit(RunConfig.DataSplit.STRATIFIED, 0.1, 0.1, 1), c.split());
        assertEquals(Shape.of(1, 28, 28), c.inputShape(), "grey images stay one channel, at their own size");
        assertEquals(List.of("bars", "columns", "dots"), c.classNames());
    }

    @Test
    void theTestFiguresAreMeasuredOnImagesNotUsedInTraining() throws IOException {
        assertEquals(0, train.code(), train.err());
        // the split the run saved, made again from the folder: its parts share no file
        RunConfig c = RunConfig.read(run.resolve("config.json"));
        ImageFolderDataset all = ImageFolderDataset.load(flat, 1, 28, 28);
        Subset[] parts = Subset.stratified(all, c.split().validation(), c.split().test(), c.split().seed());
        List<Set<Path>> files = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>());
        for (int p = 0; p < 3; p++) for (int i = 0; i < parts[p].size(); i++) files.get(p).add(all.file(parts[p].sourceIndex(i)));
        assertEquals(List.of(72, 9, 9), List.of(files.get(0).size(), files.get(1).size(), files.get(2).size()));
        Set<Path> overlap = new HashSet<>(files.get(0));
        overlap.retainAll(files.get(2));
        assertEquals(Set.of(), overlap, "no test image was trained on");
        overlap = new HashSet<>(files.get(1));
        overlap.retainAll(files.get(2));
        assertEquals(Set.of(), overlap);

        // train's test figures are over exactly those 9 images, 3 per class
        Map<String, Object> test = Json.parseObject(Files.readString(run.resolve("test.json")));
        assertEquals(9L, test.get("images"));
        assertEquals(Map.of("kind", "stratified", "train", 72L, "validation", 9L, "test", 9L), test.get("split"));
        for (Object pc : (List<?>) test.get("per_class")) assertEquals(3L, ((Map<?, ?>) pc).get("images"));

        // eval of the run on the same folder scores the same held-out part, and says so
        CliRun ev = CliRun.of("eval", "--model-file", run.toString(), "--data", flat.toString(), "--json");
        assertEquals(0, ev.code(), ev.err());
        Map<String, Object> e = Json.parseObject(ev.out().trim());
        assertEquals(9L, e.get("images"));
        assertEquals(test.get("accuracy"), e.get("accuracy"));
        assertEquals(test.get("confusion_matrix"), e.get("confusion_matrix"));
        CliRun text = CliRun.of("eval", "--model-file", run.toString(), "--data", flat.toString());
        assertTrue(text.out().startsWith("the test part of the run's stratified split of " + flat + " (seed 1, validation 0.1, test 0.1)\n9 images: accuracy "),
                text.out());
        assertEquals(72L, Json.parseObject(CliRun.of("eval", "--model-file", run.toString(), "--data", flat.toString(), "--split", "train", "--json")
                .out().trim()).get("images"));
    }

    @Test
    void theFolderNamesAreTheClassNamesInEvalAndPredict() throws IOException {
        assertEquals(0, train.code(), train.err());
        CliRun text = CliRun.of("eval", "--model-file", run.toString(), "--data", flat.toString());
        assertTrue(text.out().contains("class  name     accuracy  images\n    0  bars     "), text.out());
        assertTrue(text.out().contains("\n    2  dots     "), text.out());
        assertTrue(java.util.regex.Pattern.compile("\n    1  columns( +\\d+){3}\n").matcher(text.out()).find(), "confusion matrix rows are named: " + text.out());
        Map<?, ?> first = (Map<?, ?>) ((List<?>) Json.parseObject(CliRun.of("eval", "--model-file", run.toString(), "--data", flat.toString(), "--json")
                .out().trim()).get("per_class")).get(0);
        assertEquals(0L, first.get("class"));
        assertEquals("bars", first.get("name"));

        CliRun p = CliRun.of("predict", "--model-file", run.toString(), "--top", "3", "--json", flat.resolve("dots/000.png").toString());
        assertEquals(0, p.code(), p.err());
        List<?> preds = (List<?>) ((Map<?, ?>) ((List<?>) Json.parse(p.out().trim())).get(0)).get("predictions");
        Set<Object> names = new HashSet<>();
        for (Object o : preds) {
            Map<?, ?> m = (Map<?, ?>) o;
            assertEquals(List.of("bars", "columns", "dots").get((int) (long) (Long) m.get("class")), m.get("name"));
            names.add(m.get("name"));
        }
        assertEquals(Set.of("bars", "columns", "dots"), names);
        CliRun pt = CliRun.of("predict", "--model-file", run.toString(), flat.resolve("dots/000.png").toString());
        assertTrue(pt.out().matches(".*dots/000\\.png:  (bars|columns|dots) \\(\\d+\\.\\d%\\)  .*\\R"), pt.out());
    }

    @Test
    void inputGivesTheChannelsAndSizeAndDifferentSizesNeedIt() throws IOException {
        Path out = dir.resolve("rgb");
        String relative = Path.of("").toAbsolutePath().relativize(flat).toString();
        CliRun r = CliRun.of("train", "--data", relative, "--input", "3x32x32", "--epochs", "1", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        RunConfig c = RunConfig.read(out.resolve("config.json"));
        assertEquals(Shape.of(3, 32, 32), c.inputShape());
        assertEquals(flat.toString(), c.data(), "a directory is saved as an absolute path, to be found from anywhere");

        Path mixed = Files.createDirectories(dir.resolve("mixed").resolve("a"));
        Files.createDirectories(dir.resolve("mixed").resolve("b"));
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", mixed.resolve("1.png").toFile());
        ImageIO.write(new BufferedImage(20, 30, BufferedImage.TYPE_BYTE_GRAY), "png", dir.resolve("mixed/b/2.png").toFile());
        CliRun bad = CliRun.of("train", "--data", dir.resolve("mixed").toString(), "--out", dir.resolve("never").toString());
        assertEquals(2, bad.code());
        assertArrayEquals(new String[] {"conv4j train: " + dir.resolve("mixed/b/2.png") + ": is 30x20 pixels but " + mixed.resolve("1.png")
                + " is 28x28: images of different sizes need a size chosen to resize them to; give --input CxHxW"}, bad.errLines());
        assertTrue(Files.notExists(dir.resolve("never")), "no folder is left by a run that did not start");

        CliRun idx = CliRun.of("train", "--input", "3x32x32", "--out", dir.resolve("never").toString());
        assertArrayEquals(new String[] {"conv4j train: --input 3x32x32 applies to image folders; the images of mnist-sample are 1x28x28"}, idx.errLines());
    }

    @Test
    void aFolderWithTrainAndTestUsesThem() throws IOException {
        Path split = dir.resolve("split");
        SmallData.shapes(split.resolve("train"), 12, 6);
        SmallData.shapes(split.resolve("test"), 4, 7);
        Path out = dir.resolve("split-run");
        CliRun r = CliRun.of("train", "--data", split.toString(), "--epochs", "1", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> result = Json.parseObject(r.out().trim());
        assertEquals(12L, result.get("images"));
        assertEquals(Map.of("kind", "given", "train", 32L, "validation", 4L, "test", 12L), result.get("split"));
        assertEquals(List.of("bars", "columns", "dots"), RunConfig.read(out.resolve("config.json")).classNames());
    }
}
