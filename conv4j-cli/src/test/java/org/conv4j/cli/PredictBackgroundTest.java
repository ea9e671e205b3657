package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.Mnist;
import org.conv4j.data.Split;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Sequential;
import org.conv4j.optim.Adam;
import org.conv4j.train.Trainer;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict on dark digits on white paper: the light background is detected and inverted, or not when told. */
class PredictBackgroundTest {
    static final int DIGITS = 12;

    @TempDir
    static Path dir;
    static Path model;
    static Dataset test;

    /** LeNet-5 trained 2 epochs on the bundled sample (about 94% on its test split). */
    @BeforeAll
    static void train() throws IOException {
        Path sample = Path.of("..", "data", "mnist-sample").toAbsolutePath().normalize();
        test = Mnist.load(sample, Split.TEST);
        Init.seed(42);
        Layer lenet = Zoo.build("lenet5", 1, 28, 28, 10);
        new Trainer(lenet, new Adam(lenet, 0.002)).epochs(2).fit(new DataLoader(Mnist.load(sample, Split.TRAIN), 64).shuffle(true).seed(42), null);
        model = dir.resolve("lenet5.safetensors");
        ModelFile.save(lenet, model, Map.of(), Map.of("input_shape", "1x28x28"));
    }

    /** Test digit i as a PNG, enlarged {@code zoom} times; dark on white when {@code paper}. */
    private static Path digit(int i, boolean paper, int zoom) throws IOException {
        float[] px = new float[28 * 28];
        test.copySample(i, px, 0);
        BufferedImage img = new BufferedImage(28 * zoom, 28 * zoom, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28 * zoom; y++) {
            for (int x = 0; x < 28 * zoom; x++) {
                int v = Math.round(px[(y / zoom) * 28 + x / zoom] * 255);
                img.getRaster().setSample(x, y, 0, paper ? 255 - v : v);
            }
        }
        Path p = dir.resolve((paper ? "paper-" : "screen-") + i + "x" + zoom + ".png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    /** The top class of each line of predict's text output. */
    private static List<Integer> topClasses(String out) {
        List<Integer> top = new ArrayList<>();
        for (String line : out.split("\\R")) top.add(Integer.parseInt(line.substring(line.indexOf(":") + 1).trim().split(" ")[0]));
        return top;
    }

    private static int correct(List<Integer> top) {
        int n = 0;
        for (int i = 0; i < DIGITS; i++) if (top.get(i) == test.label(i)) n++;
        return n;
    }

    @Test
    void darkDigitsOnWhiteAreInvertedAndRecognised() throws IOException {
        List<String> screen = new ArrayList<>(List.of("predict", "--model-file", model.toString())), paper = new ArrayList<>(screen);
        for (int i = 0; i < DIGITS; i++) {
            screen.add(digit(i, false, 1).toString());
            paper.add(digit(i, true, 1).toString());
        }
        CliRun light = CliRun.of(screen.toArray(new String[0]));
        assertEquals(0, light.code(), light.err());
        assertEquals("", light.err(), "light on dark, as trained: nothing to say");
        List<Integer> expected = topClasses(light.out());
        assertTrue(correct(expected) >= 10, "the model reads the sample's digits (11 of 12 when written): " + expected);

        CliRun dark = CliRun.of(paper.toArray(new String[0]));
        assertEquals(0, dark.code(), dark.err());
        assertEquals(expected, topClasses(dark.out()), "inverted, the paper digits read as the originals");
        String[] err = dark.errLines();
        assertEquals(DIGITS, err.length);
        assertEquals("conv4j predict: " + dir.resolve("paper-0x1.png") + " has a light background (border mean 1.00): inverted it to light on dark,"
                + " as the model was trained; --no-invert keeps it as it is", err[0]);

        // as they are, the paper digits fool the model: the failure the detection prevents
        CliRun raw = CliRun.of(concat(paper, "--no-invert"));
        assertEquals(0, raw.code(), raw.err());
        assertEquals("", raw.err());
        assertTrue(correct(topClasses(raw.out())) <= 3, "uninverted: " + topClasses(raw.out()));

        // --invert forces it quietly; both flags contradict
        CliRun forced = CliRun.of(concat(paper, "--invert"));
        assertEquals(expected, topClasses(forced.out()));
        assertEquals("", forced.err());
        CliRun both = CliRun.of(concat(paper, "--invert", "--no-invert"));
        assertEquals(2, both.code());
        assertArrayEquals(new String[] {"conv4j predict: --invert and --no-invert contradict each other: give one of them"}, both.errLines());
    }

    // a photo-sized scan (112 x 112, resized to 28 x 28) of the first digit, an 8: right class, and --json says it was inverted
    @Test
    void anEnlargedScanAndJson() throws IOException {
        assertEquals(8, test.label(0));
        CliRun run = CliRun.of("predict", "--model-file", model.toString(), "--json", digit(0, true, 4).toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(1, run.errLines().length);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) ((List<Object>) Json.parse(run.out())).get(0);
        assertEquals(Boolean.TRUE, r.get("inverted"));
        @SuppressWarnings("unchecked")
        Map<String, Object> best = (Map<String, Object>) ((List<Object>) r.get("predictions")).get(0);
        assertEquals(8L, ((Number) best.get("class")).longValue());
        assertTrue(((Number) best.get("probability")).doubleValue() > 0.5, r.toString());
    }

    // colour models see photos, whose light borders (sky, walls) are no reason to invert
    @Test
    void colourModelsAreNeverInvertedAutomatically() throws IOException {
        Init.seed(3);
        Path rgb = dir.resolve("rgb.safetensors"), white = dir.resolve("white.png");
        ModelFile.save(new Sequential(new Conv2d(3, 2, 3), new Flatten(), new Linear(2 * 6 * 6, 4)), rgb, Map.of(), Map.of("input_shape", "3x8x8"));
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) img.setRGB(x, y, 0xffffff);
        ImageIO.write(img, "png", white.toFile());
        CliRun run = CliRun.of("predict", "--model-file", rgb.toString(), "--json", white.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals("", run.err());
        assertTrue(run.out().contains("\"inverted\":false"), run.out());
    }

    private static String[] concat(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(1, List.of(more)); // right after the command name
        return all.toArray(new String[0]);
    }
}
