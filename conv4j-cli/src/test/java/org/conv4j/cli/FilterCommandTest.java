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
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.conv4j.data.Images;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conv4j filter: SPEC 4's worked case, every kernel against plain loops on a photo-like image, and bad input. */
class FilterCommandTest {
    @TempDir
    static Path dir;
    static Path photoPng, photoJpg, grayPng;

    @BeforeAll
    static void images() throws IOException {
        photoPng = dir.resolve("photo.png");
        photoJpg = dir.resolve("photo.jpg");
        grayPng = dir.resolve("gray.png");
        BufferedImage photo = syntheticPhoto(97, 73);
        ImageIO.write(photo, "png", photoPng.toFile());
        ImageIO.write(photo, "jpg", photoJpg.toFile());
        BufferedImage gray = new BufferedImage(41, 37, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 37; y++) for (int x = 0; x < 41; x++) gray.getRaster().setSample(x, y, 0, (x * 7 + y * y * 3 + (x * y) % 11) % 256);
        ImageIO.write(gray, "png", grayPng.toFile());
    }

    /**
     * A deterministic stand-in for a photo (no photo ships with the repository): a sky gradient,
     * a sun disc, a house with a door, textured grass and sensor-like noise, so filters see
     * straight and curved edges, flat areas and fine texture in all three channels.
     */
    static BufferedImage syntheticPhoto(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        SplittableRandom rng = new SplittableRandom(7);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r, g, b;
                if (y < h * 0.55) {
                    r = (int) (90 + 80.0 * y / h);
                    g = (int) (150 + 60.0 * y / h);
                    b = 235;
                } else {
                    r = 60 + (int) (40 * Math.sin(x / 7.0));
                    g = 120 + (int) (30 * Math.cos(y / 5.0));
                    b = 50;
                }
                double dx = x - 0.7 * w, dy = y - 0.3 * h;
                if (dx * dx + dy * dy < 0.015 * w * w) {
                    r = 250;
                    g = 210;
                    b = 60;
                }
                if (x > 0.15 * w && x < 0.45 * w && y > 0.38 * h && y < 0.85 * h) {
                    boolean door = x > 0.25 * w && x < 0.34 * w && y > 0.6 * h;
                    r = door ? 90 : 180;
                    g = door ? 50 : 60;
                    b = door ? 30 : 40;
                }
                r = clamp(r + rng.nextInt(-6, 7));
                g = clamp(g + rng.nextInt(-6, 7));
                b = clamp(b + rng.nextInt(-6, 7));
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    // SPEC 4(a): columns 0-29 white, the rest black; [1, 0, -1] responds only at the boundary
    @Test
    void spec4aEdgeIsNonZeroOnlyAtTheBoundary() throws IOException {
        Path in = dir.resolve("half.png"), out = dir.resolve("half-edge.png");
        BufferedImage img = new BufferedImage(50, 50, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 50; y++) for (int x = 0; x < 30; x++) img.getRaster().setSample(x, y, 0, 255);
        ImageIO.write(img, "png", in.toFile());

        // the raw convolution: y[i][j] = x[i][j] - x[i][j+2], 50x48 without padding
        Tensor x = ImageFilter.grayIfEqual(Images.read(in, 3));
        assertArrayEquals(new int[] {1, 1, 50, 50}, x.shape().dims());
        ImageFilter.Result r = ImageFilter.apply(x, Kernels.resolve("edge", 1), false, 1, 0);
        assertArrayEquals(new int[] {1, 1, 50, 48}, r.values().shape().dims());
        for (int i = 0; i < 50; i++) {
            for (int j = 0; j < 48; j++) assertEquals(j == 28 || j == 29 ? 1f : 0f, r.values().get(0, 0, i, j), "row " + i + " column " + j);
        }

        // the command, by name and as a matrix: 255 at columns 28 and 29, 0 elsewhere
        for (String k : new String[] {"edge", "[1, 0, -1]", "[[1,0,-1]]"}) {
            CliRun run = CliRun.of("filter", "--kernel", k, in.toString(), out.toString());
            assertEquals(0, run.code(), run.err());
            assertEquals("", run.err());
            BufferedImage png = ImageIO.read(out.toFile());
            assertEquals(48, png.getWidth());
            assertEquals(50, png.getHeight());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, png.getType());
            for (int i = 0; i < 50; i++) {
                for (int j = 0; j < 48; j++) assertEquals(j == 28 || j == 29 ? 255 : 0, png.getRaster().getSample(j, i, 0), k + " at " + i + "," + j);
            }
        }

        // zero padding 1 adds the image border as an edge: column 0 becomes 0 - 1 = -1
        CliRun run = CliRun.of("filter", "-k", "edge", "--padding", "1", in.toString(), out.toString());
        assertEquals(0, run.code(), run.err());
        BufferedImage png = ImageIO.read(out.toFile());
        assertEquals(50, png.getWidth());
        for (int j = 0; j < 50; j++) assertEquals(j == 0 || j == 29 || j == 30 ? 255 : 0, png.getRaster().getSample(j, 10, 0), "column " + j);
    }

    /** Kernels written out independently of Kernels.java. */
    private static List<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        double[][] prewittX = {{-1, 0, 1}, {-1, 0, 1}, {-1, 0, 1}}, prewittY = {{-1, -1, -1}, {0, 0, 0}, {1, 1, 1}};
        double[][] sobelX = {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}}, sobelY = {{-1, -2, -1}, {0, 0, 0}, {1, 2, 1}};
        double[][] lap = {{-1, -1, -1}, {-1, 8, -1}, {-1, -1, -1}};
        for (double[] row : lap) for (int j = 0; j < 3; j++) row[j] /= 8;
        c.add(new Object[] {"edge", one(new double[][] {{1, 0, -1}}), "abs"});
        c.add(new Object[] {"laplacian", one(lap), "abs"});
        c.add(new Object[] {"prewitt-x", one(prewittX), "abs"});
        c.add(new Object[] {"prewitt-y", one(prewittY), "abs"});
        c.add(new Object[] {"prewitt", List.of(prewittX, prewittY), "abs"});
        c.add(new Object[] {"sobel-x", one(sobelX), "abs"});
        c.add(new Object[] {"sobel-y", one(sobelY), "abs"});
        c.add(new Object[] {"sobel", List.of(sobelX, sobelY), "abs"});
        c.add(new Object[] {"mean3", one(constant(3)), "clamp"});
        c.add(new Object[] {"mean5", one(constant(5)), "clamp"});
        c.add(new Object[] {"gaussian", one(gaussian(1.0, 3)), "clamp"});
        c.add(new Object[] {"[[1,2,1],[0,0,0],[-1,-2,-1]]", one(new double[][] {{1, 2, 1}, {0, 0, 0}, {-1, -2, -1}}), "abs"});
        c.add(new Object[] {" [ [0, 1, 0], [1, -4, 1], [0, 1, 0] ] / 2", one(new double[][] {{0, .5, 0}, {.5, -2, .5}, {0, .5, 0}}), "abs"});
        c.add(new Object[] {"[[0.25, 0.5], [0.125, 0.125]]", one(new double[][] {{.25, .5}, {.125, .125}}), "clamp"});
        return c;
    }

    private static List<double[][]> one(double[][] k) {
        return java.util.Collections.singletonList(k);
    }

    private static double[][] constant(int k) {
        double[][] m = new double[k][k];
        for (double[] row : m) java.util.Arrays.fill(row, 1.0 / (k * k));
        return m;
    }

    private static double[][] gaussian(double sigma, int r) {
        double[][] g = new double[2 * r + 1][2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) for (int j = -r; j <= r; j++) sum += g[i + r][j + r] = Math.exp(-(i * i + j * j) / (2 * sigma * sigma));
        for (double[] row : g) for (int j = 0; j < row.length; j++) row[j] /= sum;
        return g;
    }

    // every kernel, as the sources do (channels summed) and per channel, on PNG and JPEG, against plain loops
    @Test
    void kernelsMatchPlainLoopsOnAPhoto() throws IOException {
        Path out = dir.resolve("out.png");
        for (Object[] c : cases()) {
            String kernel = (String) c[0];
            @SuppressWarnings("unchecked")
            List<double[][]> parts = (List<double[][]>) c[1];
            for (boolean perChannel : new boolean[] {false, true}) {
                for (Path in : new Path[] {photoPng, photoJpg}) {
                    CliRun run = CliRun.of(args(kernel, in, out, perChannel, 1, 0, null));
                    assertEquals(0, run.code(), kernel + ": " + run.err());
                    assertReference(in, out, parts, perChannel, 1, 0, (String) c[2], kernel);
                }
            }
        }
        // stride, padding and an explicit scale
        for (String scale : new String[] {"abs", "minmax", "clamp"}) {
            List<double[][]> sobel = List.of(new double[][] {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}}, new double[][] {{-1, -2, -1}, {0, 0, 0}, {1, 2, 1}});
            CliRun run = CliRun.of(args("sobel", photoPng, out, false, 2, 1, scale));
            assertEquals(0, run.code(), run.err());
            assertReference(photoPng, out, sobel, false, 2, 1, scale, "sobel " + scale);
            run = CliRun.of(args("mean5", photoPng, out, true, 3, 2, scale));
            assertEquals(0, run.code(), run.err());
            assertReference(photoPng, out, one(constant(5)), true, 3, 2, scale, "mean5 " + scale);
        }
        // a gaussian of sigma 0.6 is 2*ceil(1.8)+1 = 5 wide; "same" padding keeps the size, repeating the border
        CliRun run = CliRun.of("filter", "-k", "gaussian", "--sigma", "0.6", "--padding", "same", photoPng.toString(), out.toString());
        assertEquals(0, run.code(), run.err());
        assertReference(photoPng, out, one(gaussian(0.6, 2)), false, 1, 2, 2, true, "clamp", "gaussian 0.6 same");
    }

    // the README's examples on the shipped picture: outputs of the input's size, edges visible
    @Test
    void readmeExamplesKeepTheSizeAndShowTheEdges() throws IOException {
        Path scene = Path.of("..", "docs", "images", "scene.png").toAbsolutePath().normalize(), out = dir.resolve("readme.png");
        BufferedImage src = ImageIO.read(scene.toFile());
        assertEquals(320, src.getWidth());
        assertEquals(240, src.getHeight());
        double[][] lap = {{-1, -1, -1}, {-1, 8, -1}, {-1, -1, -1}};
        for (double[] row : lap) for (int j = 0; j < 3; j++) row[j] /= 8;
        List<double[][]> sobel = List.of(new double[][] {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}}, new double[][] {{-1, -2, -1}, {0, 0, 0}, {1, 2, 1}});
        Object[][] cases = {
            // kernel, its parts, rows and columns of "same" padding, mean brightness of the output
            {"sobel", sobel, 1, 1, 44.1},
            {"laplacian", one(lap), 1, 1, 52.6},
            {"[[1,0,-1]]", one(new double[][] {{1, 0, -1}}), 0, 1, 35.2},
        };
        for (Object[] c : cases) {
            String k = (String) c[0];
            CliRun run = CliRun.of("filter", "--kernel", k, "--padding", "same", scene.toString(), out.toString());
            assertEquals(0, run.code(), run.err());
            @SuppressWarnings("unchecked")
            List<double[][]> parts = (List<double[][]>) c[1];
            assertReference(scene, out, parts, false, 1, (int) c[2], (int) c[3], true, "abs", k + " same");
            // scaled linearly by the largest |v| (the old rule, no padding) these were 14.0, 8.1 and 9.2: nearly black
            assertEquals((double) c[4], meanBrightness(out), 0.1, k);
        }
        // --padding 1 pads rows too: a 1x3 kernel then gives 2 rows more, of the image border against zeros
        CliRun run = CliRun.of("filter", "--kernel", "[[1,0,-1]]", "--padding", "1", scene.toString(), out.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(242, ImageIO.read(out.toFile()).getHeight());
    }

    private static double meanBrightness(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        double sum = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) sum += img.getRaster().getSample(x, y, 0);
        return sum / (img.getWidth() * img.getHeight());
    }

    // a gray file is filtered as one channel and stays gray, also with --per-channel
    @Test
    void grayImagesStayGray() throws IOException {
        Path out = dir.resolve("gray-out.png");
        for (boolean perChannel : new boolean[] {false, true}) {
            CliRun run = CliRun.of(args("laplacian", grayPng, out, perChannel, 1, 0, null));
            assertEquals(0, run.code(), run.err());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, ImageIO.read(out.toFile()).getType());
            double[][] lap = {{-1, -1, -1}, {-1, 8, -1}, {-1, -1, -1}};
            assertReference(grayPng, out, one(lap), perChannel, 1, 0, "abs", "gray laplacian");
        }
        CliRun run = CliRun.of("filter", "-k", "sobel", "--per-channel", "--json", photoPng.toString(), out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("{\"kernel\":\"sobel\",\"kernel_size\":[3,3],\"input\":[3,73,97],\"output\":[3,71,95],\"channels\":\"per channel\""), run.out());
        assertEquals(3, ImageIO.read(out.toFile()).getColorModel().getNumColorComponents());
    }

    private static String[] args(String kernel, Path in, Path out, boolean perChannel, int stride, int padding, String scale) {
        List<String> a = new ArrayList<>(List.of("filter", "--kernel", kernel, "--stride", "" + stride, "--padding", "" + padding));
        if (perChannel) a.add("--per-channel");
        if (scale != null) a.addAll(List.of("--scale", scale));
        a.add(in.toString());
        a.add(out.toString());
        return a.toArray(new String[0]);
    }

    /**
     * Plain loops: the image's 8-bit samples / 255, zero padding, the cross-correlation of each
     * kernel summed over the channels (or per channel), the magnitude of two, then the documented
     * 8-bit rule (abs: 255 sqrt(min(1, |v| / p)) with p the 99.5th percentile of |v|); the
     * command's PNG must agree within 1 (8-bit rounding of float vs double).
     */
    private static void assertReference(Path in, Path out, List<double[][]> parts, boolean perChannel, int stride, int pad,
                                        String scale, String what) throws IOException {
        assertReference(in, out, parts, perChannel, stride, pad, pad, false, scale, what);
    }

    /** As above with padding padH rows above and below, padW columns left and right, of zeros or (replicate) the nearest border pixel. */
    private static void assertReference(Path in, Path out, List<double[][]> parts, boolean perChannel, int stride, int padH, int padW,
                                        boolean replicate, String scale, String what) throws IOException {
        BufferedImage src = ImageIO.read(in.toFile());
        int h = src.getHeight(), w = src.getWidth();
        boolean gray = src.getType() == BufferedImage.TYPE_BYTE_GRAY;
        int ch = gray ? 1 : 3;
        double[][][] x = new double[ch][h][w];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                if (gray) {
                    x[0][y][xx] = src.getRaster().getSample(xx, y, 0) / 255.0;
                } else {
                    int rgb = src.getRGB(xx, y);
                    x[0][y][xx] = (rgb >> 16 & 255) / 255.0;
                    x[1][y][xx] = (rgb >> 8 & 255) / 255.0;
                    x[2][y][xx] = (rgb & 255) / 255.0;
                }
            }
        }
        int kh = parts.get(0).length, kw = parts.get(0)[0].length;
        int oh = (h + 2 * padH - kh) / stride + 1, ow = (w + 2 * padW - kw) / stride + 1;
        int oc = perChannel ? ch : 1, summed = perChannel ? 1 : ch;
        double[][][] v = new double[oc][oh][ow];
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        double[] abs = new double[oc * oh * ow];
        for (int o = 0; o < oc; o++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double sq = 0, one = 0;
                    for (double[][] k : parts) {
                        double s = 0;
                        for (int c = perChannel ? o : 0; c < (perChannel ? o + 1 : ch); c++) {
                            for (int a = 0; a < kh; a++) {
                                for (int b = 0; b < kw; b++) {
                                    int yy = i * stride + a - padH, xx = j * stride + b - padW;
                                    if (replicate) {
                                        yy = Math.max(0, Math.min(h - 1, yy));
                                        xx = Math.max(0, Math.min(w - 1, xx));
                                    }
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += k[a][b] * x[c][yy][xx];
                                }
                            }
                        }
                        sq += s * s;
                        one = s;
                    }
                    double r = parts.size() == 2 ? Math.sqrt(sq) : one;
                    v[o][i][j] = r;
                    min = Math.min(min, r);
                    max = Math.max(max, r);
                    abs[(o * oh + i) * ow + j] = Math.abs(r);
                }
            }
        }
        // abs: the 99.5th percentile of |v| (nearest rank) maps to 255, through a square root
        java.util.Arrays.sort(abs);
        double p995 = abs[(int) Math.ceil(0.995 * abs.length) - 1];
        BufferedImage got = ImageIO.read(out.toFile());
        assertEquals(ow, got.getWidth(), what);
        assertEquals(oh, got.getHeight(), what);
        for (int o = 0; o < oc; o++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double p = switch (scale) {
                        case "abs" -> 255 * Math.sqrt(Math.min(1, Math.abs(v[o][i][j]) / p995));
                        case "minmax" -> 255 * (v[o][i][j] - min) / (max - min);
                        default -> 255 * v[o][i][j] / summed;
                    };
                    long expected = Math.round(Math.max(0, Math.min(255, p)));
                    int actual = oc == 1 ? got.getRaster().getSample(j, i, 0) : got.getRGB(j, i) >> (16 - 8 * o) & 255;
                    assertTrue(Math.abs(expected - actual) <= 1, what + (perChannel ? " per channel" : "") + " of " + in.getFileName()
                            + " at channel " + o + ", " + i + "," + j + ": expected " + expected + " (" + p + "), got " + actual);
                }
            }
        }
    }

    // bad input: one clear line on stderr and a non-zero exit code
    @Test
    void badInputGivesOneClearLine() throws IOException {
        Path out = dir.resolve("bad-out.png"), text = dir.resolve("notes.png"), tiny = dir.resolve("tiny.png");
        Files.writeString(text, "this is not a picture\n");
        ImageIO.write(new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY), "png", tiny.toFile());
        String p = photoPng.toString(), o = out.toString();
        assertError(2, "conv4j filter: no such file: " + dir.resolve("missing.png"), "filter", "-k", "sobel", dir.resolve("missing.png").toString(), o);
        assertError(1, "conv4j filter: " + text + ": not a readable PNG or JPEG image", "filter", "-k", "sobel", text.toString(), o);
        assertError(2, "conv4j filter: unknown kernel 'sobol'; known: " + Kernels.NAMES + ", or a matrix such as [[1,0,-1]]", "filter", "-k", "sobol", p, o);
        assertError(2, "conv4j filter: malformed kernel matrix '[[1,0,-1],[2,0]]': row 2 has 2 values but row 1 has 3", "filter", "-k", "[[1,0,-1],[2,0]]", p, o);
        assertError(2, "conv4j filter: malformed kernel matrix '[[1,0,-1]': expected ',' or ']' at character 10, got the end", "filter", "-k", "[[1,0,-1]", p, o);
        assertError(2, "conv4j filter: malformed kernel matrix '[[1,0,x]]': expected a number at character 7, got 'x'", "filter", "-k", "[[1,0,x]]", p, o);
        assertError(2, "conv4j filter: malformed kernel matrix '[[1,,2]]': expected a number at character 5, got ','", "filter", "-k", "[[1,,2]]", p, o);
        assertError(2, "conv4j filter: malformed kernel matrix '[[]]': empty row at character 3, got ']'", "filter", "-k", "[[]]", p, o);
        assertError(2, "conv4j filter: malformed kernel matrix '[[1,2]] x': unexpected text after the matrix at character 9, got 'x'", "filter", "-k", "[[1,2]] x", p, o);
        assertError(2, "conv4j filter: malformed kernel matrix '[[1,2]]/0': division by zero", "filter", "-k", "[[1,2]]/0", p, o);
        assertError(2, "conv4j filter: malformed kernel matrix '[[1e999]]': number out of range at character 3, got '1'", "filter", "-k", "[[1e999]]", p, o);
        assertError(2, "conv4j filter: the image " + tiny + " is 2x2 pixels (height x width), smaller than the 3x3 kernel", "filter", "-k", "sobel", tiny.toString(), o);
        assertError(2, "conv4j filter: the image " + tiny + " is 2x2 pixels (height x width), smaller than the 1x3 kernel", "filter", "-k", "edge", tiny.toString(), o);
        assertError(2, "conv4j filter: the image " + tiny + " is 2x2 pixels (height x width; 4x4 with padding 1), smaller than the 5x5 kernel",
                "filter", "-k", "mean5", "--padding", "1", tiny.toString(), o);
        assertError(2, "conv4j filter: --scale must be abs, minmax or clamp, got 'log'", "filter", "-k", "sobel", "--scale", "log", p, o);
        assertError(2, "conv4j filter: --stride must be >= 1, got 0", "filter", "-k", "sobel", "--stride", "0", p, o);
        assertError(2, "conv4j filter: --padding must be a number of pixels (0..1000) or 'same', got 'lots'", "filter", "-k", "sobel", "--padding", "lots", p, o);
        assertError(2, "conv4j filter: the output must be a .png file, got " + dir.resolve("out.jpg"), "filter", "-k", "sobel", p, dir.resolve("out.jpg").toString());
        assertError(2, "conv4j filter: mean kernel size must be 1..101, got 0", "filter", "-k", "mean0", p, o);
        assertError(2, "conv4j filter: --sigma must be in (0, 16], got -1.0", "filter", "-k", "gaussian", "--sigma", "-1", p, o);
        assertTrue(!Files.exists(out), "no output file is written on errors");
    }

    private static void assertError(int code, String line, String... args) {
        CliRun run = CliRun.of(args);
        assertEquals(code, run.code(), String.join(" ", args) + ": " + run.err());
        assertArrayEquals(new String[] {line}, run.errLines(), String.join(" ", args));
        assertEquals("", run.out());
    }
}
