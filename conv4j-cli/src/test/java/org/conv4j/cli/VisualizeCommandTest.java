package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.conv4j.cli.report.FeatureMaps;
import org.conv4j.cli.report.LabelledGrid;
import org.conv4j.cli.report.Pictures;
import org.conv4j.data.Dataset;
import org.conv4j.data.Images;
import org.conv4j.data.Mnist;
import org.conv4j.data.Split;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Add;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Mode;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conv4j visualize and the pictures behind it: filter grids, feature-map grids, the model walk. */
class VisualizeCommandTest {
    @TempDir
    Path dir;

    /** A real digit from the bundled MNIST sample, as a gray PNG. */
    private Path digit() throws IOException {
        Dataset test = Mnist.load(Path.of("..", "data", "mnist-sample").toAbsolutePath().normalize(), Split.TEST);
        float[] px = new float[28 * 28];
        test.copySample(0, px, 0);
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < px.length; i++) img.getRaster().setSample(i % 28, i / 28, 0, Math.round(px[i] * 255));
        Path p = dir.resolve("digit.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    /** The documented tile rule: round(255 (v - min) / (max - min)) over the tile. */
    private static int expectedByte(float v, float min, float max) {
        return Math.round(255 * (v - min) / (max - min));
    }

    @Test
    void lenetFiltersAndFeatureMaps() throws IOException {
        Init.seed(3);
        Layer net = Zoo.build("lenet5", 1, 28, 28, 10);
        Path model = dir.resolve("model.safetensors"), out = dir.resolve("pictures");
        ModelFile.save(net, model, Map.of(), Map.of("input_shape", "1x28x28"));
        Path image = digit();

        CliRun run = CliRun.of("visualize", "--model-file", model.toString(), "--image", image.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals("", run.err());
        List<String> files = new ArrayList<>();
        try (var s = Files.list(out)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(files::add);
        }
        assertEquals(List.of("filters.png", "maps-01-features.0.png", "maps-02-features.2.png", "maps-03-features.3.png", "maps-04-features.5.png"), files);
        assertEquals(out.resolve("filters.png") + "  features.0 (Conv2d) [6, 1, 5, 5]", run.out().split("\\R")[0]);
        assertEquals(out.resolve("maps-04-features.5.png") + "  features.5 (MaxPool2d) [1, 16, 5, 5]", run.out().split("\\R")[4]);

        // filters: 6 filters 1x5x5, enlarged 13x (to >= 64 px), 3 columns x 2 rows under a title, each labelled
        Conv2d conv1 = FeatureMaps.firstConv(net, new StringBuilder());
        float[] w = conv1.weight().value().toArray();
        BufferedImage f = ImageIO.read(out.resolve("filters.png").toFile());
        LabelledGrid.Layout fl = LabelledGrid.layout("features.0 (Conv2d) weight [6, 1, 5, 5]",
                "a tile per filter; each scaled to its own min (black) .. max (white)", 6, 65, 65);
        assertEquals(3, fl.columns());
        assertEquals(2, fl.rows());
        assertEquals(fl.width(), f.getWidth());
        assertEquals(fl.height(), f.getHeight());
        assertTrue(f.getWidth() >= 3 * 65 + 2 * LabelledGrid.GAP + 2 * LabelledGrid.MARGIN, "width " + f.getWidth());
        assertLabelled(f, fl, 6);
        for (int o = 0; o < 6; o++) {
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int i = 0; i < 25; i++) {
                min = Math.min(min, w[o * 25 + i]);
                max = Math.max(max, w[o * 25 + i]);
            }
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 5; j++) {
                    int e = expectedByte(w[o * 25 + i * 5 + j], min, max);
                    for (int[] d : new int[][] {{0, 0}, {12, 12}, {4, 7}}) {
                        int rgb = f.getRGB(fl.tileX(o) + j * 13 + d[1], fl.tileY(o) + i * 13 + d[0]);
                        assertEquals(e * 0x10101, rgb & 0xffffff, "filter " + o + " at " + i + "," + j);
                    }
                }
            }
        }

        // conv1's maps: the model's first layer on the image, each of the 6 maps min-max scaled, enlarged 3x
        Tensor x = Images.read(image, 1);
        Tensor y = conv1.forward(x, Mode.EVAL); // y is (1, 6, 28, 28)
        BufferedImage m = ImageIO.read(out.resolve("maps-01-features.0.png").toFile());
        LabelledGrid.Layout ml = LabelledGrid.layout("features.0 (Conv2d) output [1, 6, 28, 28]",
                "a tile per channel; each scaled to its own min (black) .. max (white)", 6, 84, 84);
        assertEquals(ml.width(), m.getWidth());
        assertEquals(ml.height(), m.getHeight());
        assertLabelled(m, ml, 6);
        float[] v = y.toArray();
        for (int c = 0; c < 6; c++) {
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int i = 0; i < 784; i++) {
                min = Math.min(min, v[c * 784 + i]);
                max = Math.max(max, v[c * 784 + i]);
            }
            for (int i = 0; i < 28; i++) {
                for (int j = 0; j < 28; j++) {
                    int e = expectedByte(v[c * 784 + i * 28 + j], min, max);
                    assertEquals(e * 0x10101, m.getRGB(ml.tileX(c) + 3 * j + 1, ml.tileY(c) + 3 * i + 2) & 0xffffff, "map " + c + " at " + i + "," + j);
                }
            }
        }
        // the other grids: pool1 6x14x14 (5x: 70 px), conv2 16x10x10 (7x: 70 px, 4 columns), pool2 16x5x5 (13x: 65 px)
        String[] names = {"maps-02-features.2.png", "maps-03-features.3.png", "maps-04-features.5.png"};
        String[] titles = {"features.2 (MaxPool2d) output [1, 6, 14, 14]", "features.3 (Conv2d) output [1, 16, 10, 10]", "features.5 (MaxPool2d) output [1, 16, 5, 5]"};
        int[][] tiles = {{6, 70}, {16, 70}, {16, 65}};
        for (int i = 0; i < 3; i++) {
            BufferedImage g = ImageIO.read(out.resolve(names[i]).toFile());
            LabelledGrid.Layout l = LabelledGrid.layout(titles[i], "a tile per channel; each scaled to its own min (black) .. max (white)", tiles[i][0], tiles[i][1], tiles[i][1]);
            assertArrayEquals(new int[] {l.width(), l.height()}, new int[] {g.getWidth(), g.getHeight()}, names[i]);
            assertLabelled(g, l, tiles[i][0]);
        }

        // default output directory: visualize/ beside the model file; --json lists the files
        run = CliRun.of("visualize", "--model-file", model.toString(), "--json");
        assertEquals(0, run.code(), run.err());
        assertEquals("[{\"file\":\"" + dir.resolve("visualize").resolve("filters.png") + "\",\"layer\":\"features.0\",\"type\":\"Conv2d\",\"shape\":"
                + java.util.Arrays.toString(conv1.weight().value().shape().dims()).replace(" ", "") + "}]", run.out().trim());
        assertTrue(Files.isRegularFile(dir.resolve("visualize").resolve("filters.png")));
    }

    /** Dark pixels: drawn text (the background and the frames are light). */
    private static int ink(BufferedImage img, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) if ((img.getRGB(x, y) >> 8 & 255) < 100) n++;
        return n;
    }

    /** Text in the title band, a label under every tile, different labels for the first two, nothing drawn in the margins. */
    private static void assertLabelled(BufferedImage img, LabelledGrid.Layout l, int n) {
        assertTrue(ink(img, 0, 0, img.getWidth(), l.titleHeight()) > 150, "title band ink " + ink(img, 0, 0, img.getWidth(), l.titleHeight()));
        int[][] first = new int[2][];
        for (int i = 0; i < n; i++) {
            int x = l.tileX(i), y = l.tileY(i) + l.tileHeight() + 1;
            int labelInk = ink(img, x, y, x + l.tileWidth(), y + l.labelHeight());
            assertTrue(labelInk >= 5, "label of tile " + i + ": " + labelInk + " dark pixels");
            if (i < 2) first[i] = img.getRGB(x, y, l.tileWidth(), l.labelHeight(), null, 0, l.tileWidth());
        }
        assertTrue(!java.util.Arrays.equals(first[0], first[1]), "labels 0 and 1 differ");
        int bg = LabelledGrid.BACKGROUND.getRGB();
        for (int y = 0; y < img.getHeight(); y++) {
            assertEquals(bg, img.getRGB(0, y), "left margin at " + y);
            assertEquals(bg, img.getRGB(img.getWidth() - 1, y), "right margin at " + y);
        }
    }

    // colour first layers give one RGB tile per filter
    @Test
    void colourFiltersAreRgbTiles() {
        Tensor w = Tensor.zeros(2, 3, 3, 3);
        for (int i = 0; i < w.size(); i++) w.data()[i] = (float) Math.sin(i * 1.7);
        BufferedImage g = Pictures.filterGrid(w, 256, 16, 48);
        assertEquals(2 + 2 * 50, g.getWidth()); // 3x3 enlarged 16x = 48, 2 columns
        assertEquals(2 + 50, g.getHeight());
        float[] d = w.toArray();
        for (int o = 0; o < 2; o++) {
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int i = 0; i < 27; i++) {
                min = Math.min(min, d[o * 27 + i]);
                max = Math.max(max, d[o * 27 + i]);
            }
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    int rgb = g.getRGB(2 + o * 50 + j * 16 + 8, 2 + i * 16 + 8);
                    for (int c = 0; c < 3; c++) {
                        assertEquals(expectedByte(d[o * 27 + c * 9 + i * 3 + j], min, max), rgb >> (16 - 8 * c) & 255, "filter " + o + " channel " + c);
                    }
                }
            }
        }
    }

    // labels: the filter index, filter:channel for gray tiles of a many-channel filter; limits are counted
    @Test
    void tileLabelsNameFiltersAndChannels() {
        Tensor w = Tensor.zeros(2, 4, 3, 3);
        for (int i = 0; i < w.size(); i++) w.data()[i] = (float) Math.cos(i);
        Pictures.Tiles t = Pictures.filterTiles(w, 5, 16, 48);
        assertEquals(List.of("0:0", "0:1", "0:2", "0:3", "1:0"), t.labels());
        assertEquals(8, t.total());
        assertEquals(List.of("0", "1"), Pictures.filterTiles(Tensor.zeros(2, 3, 3, 3), 256, 16, 48).labels());
        Pictures.Tiles maps = Pictures.mapTiles(Tensor.zeros(1, 70, 4, 4), 64, 64);
        assertEquals(64, maps.images().size());
        assertEquals("63", maps.labels().get(63));
        assertEquals(64, maps.images().get(0).getWidth()); // 4 px enlarged 16x
        BufferedImage g = Pictures.labelledMaps("block", "Conv2d", Tensor.zeros(1, 70, 4, 4), 64, 64);
        LabelledGrid.Layout l = LabelledGrid.layout("block (Conv2d) output [1, 70, 4, 4]",
                "a tile per channel, the first 64 of 70; each scaled to its own min (black) .. max (white)", 64, 64, 64);
        assertEquals(8, l.columns());
        assertArrayEquals(new int[] {l.width(), l.height()}, new int[] {g.getWidth(), g.getHeight()});
        assertLabelled(g, l, 64);
    }

    // the walk: Sequential children and Graph nodes in order, nested names, merges run, 1x1 maps left out
    @Test
    void featureMapsWalkGraphsAndSequentials() {
        Init.seed(5);
        Conv2d c1 = new Conv2d(1, 3, 3).padding(1), c2 = new Conv2d(3, 3, 3).padding(1), proj = new Conv2d(1, 3, 1), c3 = new Conv2d(3, 2, 2);
        MaxPool2d pool = new MaxPool2d(2);
        Graph g = new Graph().add("c1", c1, Graph.INPUT).add("relu", new ReLU(), "c1").add("c2", c2, "relu")
                .add("proj", proj, Graph.INPUT).add("sum", new Add(), "c2", "proj").add("pool", pool, "sum").output("pool");
        Sequential net = new Sequential(g, new Sequential(c3, new GlobalAvgPool2d()), new Flatten(), new Linear(2, 4));
        Tensor x = Tensor.zeros(1, 1, 9, 8);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) Math.cos(i * 0.37);

        List<FeatureMaps.Map2d> maps = FeatureMaps.of(net, x);
        List<String> names = new ArrayList<>();
        for (FeatureMaps.Map2d m : maps) names.add(m.name() + " " + m.type());
        assertEquals(List.of("0.c1 Conv2d", "0.c2 Conv2d", "0.proj Conv2d", "0.pool MaxPool2d", "1.0 Conv2d"), names);

        Tensor a = c1.forward(x, Mode.EVAL), b = c2.forward(new ReLU().forward(a, Mode.EVAL), Mode.EVAL), p = proj.forward(x, Mode.EVAL);
        Tensor s = new Add().forward(List.of(b, p), Mode.EVAL), q = pool.forward(s, Mode.EVAL), r = c3.forward(q, Mode.EVAL);
        Tensor[] expected = {a, b, p, q, r};
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i].toArray(), maps.get(i).maps().toArray(), names.get(i));
        StringBuilder first = new StringBuilder();
        assertTrue(FeatureMaps.firstConv(net, first) == c1);
        assertEquals("0.c1", first.toString());
    }

    // ResNet-20 (Graph blocks with shortcuts): one map per convolution, named as ModelSummary names them
    @Test
    void resnetMapsFollowTheSummary() {
        Init.seed(9);
        Layer net = Zoo.build("resnet20", 3, 32, 32, 10);
        Tensor x = Tensor.zeros(1, 3, 32, 32);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) Math.sin(i * 0.11);
        List<String> expected = new ArrayList<>();
        for (ModelSummary.Row r : ModelSummary.of(net, Shape.of(1, 3, 32, 32)).rows()) if (r.type().equals("Conv2d")) expected.add(r.name());
        List<String> got = new ArrayList<>();
        for (FeatureMaps.Map2d m : FeatureMaps.of(net, x)) got.add(m.name());
        assertEquals(expected, got);
        assertTrue(got.size() >= 19, "ResNet-20 has at least 19 convolutions, got " + got.size());
    }

    @Test
    void badInputGivesOneClearLine() throws IOException {
        Path missing = dir.resolve("missing.safetensors");
        CliRun run = CliRun.of("visualize", "--model-file", missing.toString());
        assertEquals(2, run.code());
        assertArrayEquals(new String[] {"conv4j visualize: no such model file or run directory: " + missing}, run.errLines());

        Init.seed(1);
        Path dense = dir.resolve("dense.safetensors");
        ModelFile.save(new Sequential(new Flatten(), new Linear(4, 2)), dense);
        run = CliRun.of("visualize", "--model-file", dense.toString());
        assertEquals(2, run.code());
        assertArrayEquals(new String[] {"conv4j visualize: the model has no convolution layer to draw"}, run.errLines());

        Path model = dir.resolve("lenet.safetensors");
        ModelFile.save(Zoo.build("lenet5", 1, 28, 28, 10), model);
        run = CliRun.of("visualize", "--model-file", model.toString(), "--image", dir.resolve("nope.png").toString());
        assertEquals(2, run.code());
        assertArrayEquals(new String[] {"conv4j visualize: no such file: " + dir.resolve("nope.png")}, run.errLines());
        assertEquals("", run.out());
    }
}
