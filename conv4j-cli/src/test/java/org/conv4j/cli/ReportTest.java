package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.conv4j.cli.report.Charts;
import org.conv4j.cli.report.TrainingReport;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training report of a real (short) run: written by {@code conv4j train}, rebuilt by
 * {@code conv4j report}, self-contained, consistent with test.json and metrics.csv, and rendered
 * by headless Chromium without console errors or network requests.
 */
class ReportTest {
    static final Path SAMPLE = Path.of("..", "data", "mnist-sample").toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    static Path run;
    static CliRun train;

    @BeforeAll
    static void trainTwoEpochs() {
        run = dir.resolve("run");
        train = CliRun.of("train", "--data", SAMPLE.toString(), "--epochs", "2", "--seed", "4", "--out", run.toString(), "--json");
    }

    @SuppressWarnings("unchecked")
    private static List<Long> confusionFromTestJson() throws IOException {
        Map<String, Object> t = Json.parseObject(Files.readString(run.resolve("test.json")));
        List<Long> flat = new ArrayList<>();
        for (Object row : (List<Object>) t.get("confusion_matrix")) for (Object v : (List<Object>) row) flat.add((Long) v);
        return flat;
    }

    private static long wrong(List<Long> cm) {
        long all = 0, right = 0;
        for (int i = 0; i < cm.size(); i++) {
            all += cm.get(i);
            if (i / 10 == i % 10) right += cm.get(i);
        }
        return all - right;
    }

    @Test
    void trainWritesASelfContainedReport() throws IOException {
        assertEquals(0, train.code(), train.err());
        assertEquals("", train.err());
        assertFalse(train.out().contains("report:"), "--json keeps stdout to the JSON result");
        String html = Files.readString(run.resolve("report.html"));

        // self-contained: no script, no address outside the file, every picture a data: URI
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("http://") || html.contains("https://"), "no web address");
        assertFalse(html.contains("url("), "no CSS resource");
        Matcher src = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
        int pictures = 0;
        while (src.find()) {
            assertTrue(src.group(1).startsWith("data:"), "a resource that is not a data: URI: " + src.group(1));
            if (src.group(1).startsWith("data:image/png;base64,")) {
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(src.group(1).substring(22))));
                assertTrue(img != null && img.getWidth() > 0, "an embedded PNG decodes");
                pictures++;
            }
        }
        // 2 curves + the filters + the input and 4 feature-map grids + the misclassified images
        List<Long> cm = confusionFromTestJson();
        long gallery = Math.min(TrainingReport.MAX_GALLERY, wrong(cm));
        assertTrue(gallery > 0, "two epochs leave some mistakes to show");
        assertEquals(2 + 1 + 5 + gallery, pictures);

        // the confusion matrix cells, in order, are test.json's
        Matcher cell = Pattern.compile("<td class=\"cm-cell[^\"]*\"[^>]*>(\\d+)</td>").matcher(html);
        List<Long> cells = new ArrayList<>();
        while (cell.find()) cells.add(Long.parseLong(cell.group(1)));
        assertEquals(cm, cells);
        assertEquals(gallery, count(html, "<figure class=\"miss\">"));
        assertTrue(html.contains(wrong(cm) + " of 1000 test images are misclassified"), "the mistake count");

        // the curves as PNG files too, at the chart size
        for (String f : new String[] {"loss.png", "accuracy.png"}) {
            BufferedImage img = ImageIO.read(run.resolve(f).toFile());
            assertArrayEquals(new int[] {Charts.WIDTH, Charts.HEIGHT}, new int[] {img.getWidth(), img.getHeight()}, f);
            assertTrue(colours(img) > 20, f + " has a drawing on it");
        }
    }

    // conv4j report rebuilds the same page from the run directory alone
    @Test
    void reportCommandRebuildsIt() throws IOException {
        assertEquals(0, train.code(), train.err());
        String before = Files.readString(run.resolve("report.html"));
        Files.delete(run.resolve("report.html"));
        Files.delete(run.resolve("loss.png"));
        CliRun r = CliRun.of("report", run.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("report: " + run.resolve("report.html") + System.lineSeparator(), r.out());
        String after = Files.readString(run.resolve("report.html"));
        String stamp = " \u00b7 written \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d";
        assertEquals(before.replaceAll(stamp, ""), after.replaceAll(stamp, ""));
        assertTrue(Files.isRegularFile(run.resolve("loss.png")));

        r = CliRun.of("report", "--json", run.toString());
        assertEquals("{\"report\":" + org.conv4j.io.Json.write(run.resolve("report.html").toString()) + "}", r.out().trim());
    }

    @Test
    void reportErrorsAreOneLine() throws IOException {
        Path none = dir.resolve("none");
        CliRun r = CliRun.of("report", none.toString());
        assertEquals(2, r.code());
        assertArrayEquals(new String[] {"conv4j report: no such run directory: " + none}, r.errLines());
        Path half = Files.createDirectories(dir.resolve("half"));
        Files.writeString(half.resolve("config.json"), "{\"data\": \"mnist-sample\"}");
        r = CliRun.of("report", half.toString());
        assertEquals(2, r.code());
        assertArrayEquals(new String[] {"conv4j report: " + half + " is not a finished run directory: it has no metrics.csv"}, r.errLines());
        assertEquals("", r.out());
    }

    // Chromium renders the page: no console error, no request outside the file, every picture loaded
    @Test
    void rendersInHeadlessChromium() throws Exception {
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.isExecutable(Chromium.BINARY), "Chromium is needed for this test and is not installed at " + Chromium.BINARY
                + ": install it with 'apt-get install -y chromium' (.ci/run does)");
        List<Long> cm = confusionFromTestJson();
        Path screenshot = Path.of("target", "report-screenshot.png").toAbsolutePath();
        try (Chromium c = Chromium.start(dir)) {
            c.call("Runtime.enable", Map.of());
            c.call("Log.enable", Map.of());
            c.call("Network.enable", Map.of());
            c.call("Page.enable", Map.of());
            c.call("Page.navigate", Map.of("url", run.resolve("report.html").toUri().toString()));
            c.awaitEvent("Page.loadEventFired", 30);
            String js = "JSON.stringify({"
                    + "imgs: document.images.length,"
                    + "loaded: [...document.images].filter(i => i.complete && i.naturalWidth > 0).length,"
                    + "charts: [...document.querySelectorAll('#curves img.chart')].map(i => i.naturalWidth + 'x' + i.naturalHeight + ':' + (i.getBoundingClientRect().width > 250)),"
                    + "cells: [...document.querySelectorAll('#confusion td.cm-cell')].map(td => +td.textContent),"
                    + "shaded: [...document.querySelectorAll('#confusion td.cm-cell')].filter(td => {"
                    + "  const m = /rgba?\\(\\d+, \\d+, \\d+(?:, ([\\d.]+))?\\)/.exec(getComputedStyle(td).backgroundColor);"
                    + "  return m && (m[1] === undefined || +m[1] > 0); }).length,"
                    + "gallery: document.querySelectorAll('#gallery figure.miss').length,"
                    + "galleryLoaded: [...document.querySelectorAll('#gallery img')].filter(i => i.naturalWidth > 0).length,"
                    + "captions: [...document.querySelectorAll('#gallery figcaption')].filter(f => /\\u2192/.test(f.textContent)).length,"
                    + "filters: document.querySelectorAll('#filters img.filters').length,"
                    + "summaryRows: document.querySelectorAll('#summary tbody tr').length,"
                    + "matrixWidth: document.querySelector('#confusion table').getBoundingClientRect().width,"
                    + "height: document.documentElement.scrollHeight})";
            Map<String, Object> dom = Json.parseObject((String) c.eval(js));
            long gallery = Math.min(TrainingReport.MAX_GALLERY, wrong(cm));
            assertEquals(dom.get("imgs"), dom.get("loaded"), "every image loads: " + dom);
            assertEquals(2 + 1 + 5 + gallery, (Long) dom.get("imgs"));
            String chart = Charts.WIDTH + "x" + Charts.HEIGHT + ":true";
            assertEquals(List.of(chart, chart), dom.get("charts"));
            assertEquals(cm, dom.get("cells"));
            assertEquals(cm.stream().filter(v -> v > 0).count(), dom.get("shaded"), "exactly the non-zero cells are shaded: " + dom);
            assertEquals(gallery, dom.get("gallery"));
            assertEquals(gallery, dom.get("galleryLoaded"));
            assertEquals(gallery, dom.get("captions"));
            assertEquals(1L, dom.get("filters"));
            int rows = ModelSummary.of(ModelFile.load(run.resolve("model.safetensors")), Shape.of(1, 1, 28, 28)).rows().size();
            assertEquals((long) rows, dom.get("summaryRows"));
            assertTrue(((Number) dom.get("matrixWidth")).doubleValue() > 300, "the matrix is laid out: " + dom);

            // a full-page screenshot for people to look at
            long height = Math.min(16000, ((Number) dom.get("height")).longValue());
            c.call("Emulation.setDeviceMetricsOverride", Map.of("width", 1280L, "height", height, "deviceScaleFactor", 1L, "mobile", false));
            Map<String, Object> shot = c.call("Page.captureScreenshot", Map.of("format", "png"));
            byte[] png = Base64.getDecoder().decode((String) shot.get("data"));
            Files.createDirectories(screenshot.getParent());
            Files.write(screenshot, png);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(1280, img.getWidth());
            assertEquals(height, img.getHeight());
            assertTrue(colours(img) > 200, "the screenshot shows a page, not a blank");

            assertEquals(List.of(), c.errors(), "console errors");
            for (String url : c.requests()) assertTrue(url.startsWith("file:") || url.startsWith("data:"), "a request outside the file: " + url);
            assertTrue(c.requests().contains(run.resolve("report.html").toUri().toString()), "the page itself was loaded: " + c.requests());
        }
    }

    private static long count(String s, String what) {
        long n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    private static int colours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) seen.add(img.getRGB(x, y));
        return seen.size();
    }
}
