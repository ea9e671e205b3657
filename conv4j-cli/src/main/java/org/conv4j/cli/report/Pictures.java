package org.conv4j.cli.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.conv4j.io.AtomicFiles;
import org.conv4j.tensor.Tensor;

/**
 * Tensors as pictures: tiles min-max scaled to 8 bits, enlarged by nearest neighbour so small
 * kernels and maps are visible, laid out in a grid with gaps; PNG encoding and data: URIs.
 *
 * <p>A tile of values {@code v} shows {@code round(255 (v - min) / (max - min))} with min and max
 * over that tile alone (a constant tile is mid gray), so each filter or feature map uses the full
 * range. Grids have {@code ceil(sqrt(n))} columns, a gap of {@value #GAP} pixels and a neutral
 * background that sets the tiles apart.
 */
public final class Pictures {
    static {
        System.setProperty("java.awt.headless", "true"); // no display is needed to draw into images
    }

    /** Pixels between tiles. */
    public static final int GAP = 2;
    private static final Color BACKGROUND = new Color(0x8fa3bf);

    private Pictures() {
    }

    /** The magnification that makes a side of {@code size} pixels at least {@code target} pixels (at least 1). */
    public static int zoom(int size, int target) {
        return Math.max(1, (target + size - 1) / size);
    }

    /**
     * One tile: {@code channels} planes of {@code h x w} floats from {@code data} at {@code offset}
     * (CHW), gray for 1 channel, RGB for 3, min-max scaled over the tile and enlarged {@code zoom} times.
     */
    public static BufferedImage tile(float[] data, int offset, int channels, int h, int w, int zoom) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("Pictures: a tile has 1 or 3 channels, got " + channels);
        int n = channels * h * w;
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, data[offset + i]);
            max = Math.max(max, data[offset + i]);
        }
        BufferedImage img = new BufferedImage(w * zoom, h * zoom, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    float v = data[offset + (channels == 1 ? 0 : c) * plane + y * w + x];
                    int b = max > min ? Math.round(255 * (v - min) / (max - min)) : 128;
                    rgb = rgb << 8 | b;
                }
                for (int dy = 0; dy < zoom; dy++) for (int dx = 0; dx < zoom; dx++) img.setRGB(x * zoom + dx, y * zoom + dy, rgb);
            }
        }
        return img;
    }

    /** Tiles of equal size in a grid of ceil(sqrt(n)) columns with {@link #GAP} pixels around and between them. */
    public static BufferedImage grid(List<BufferedImage> tiles) {
        if (tiles.isEmpty()) throw new IllegalArgumentException("Pictures: no tiles");
        int n = tiles.size(), cols = (int) Math.ceil(Math.sqrt(n)), rows = (n + cols - 1) / cols;
        int tw = tiles.get(0).getWidth(), th = tiles.get(0).getHeight();
        BufferedImage img = new BufferedImage(GAP + cols * (tw + GAP), GAP + rows * (th + GAP), BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < n; i++) g.drawImage(tiles.get(i), GAP + (i % cols) * (tw + GAP), GAP + (i / cols) * (th + GAP), null);
        g.dispose();
        return img;
    }

    /** Tiles with a label each (a filter or channel index), and how many there were before a limit. */
    public record Tiles(List<BufferedImage> images, List<String> labels, int total) {
    }

    /**
     * The filters of a convolution weight (OC, IC, KH, KW): one tile per filter, in colour when
     * IC is 3, else one gray tile per (filter, input channel) for the first {@code maxChannels}
     * channels (labelled {@code filter:channel} when IC > 1); at most {@code maxTiles} tiles, each
     * enlarged to at least about {@code tilePixels} pixels.
     */
    public static Tiles filterTiles(Tensor weight, int maxTiles, int maxChannels, int tilePixels) {
        if (weight.rank() != 4) throw new IllegalArgumentException("Pictures: expected a weight (OC, IC, KH, KW), got " + weight.shape());
        int oc = weight.dim(0), ic = weight.dim(1), kh = weight.dim(2), kw = weight.dim(3);
        int zoom = zoom(Math.max(kh, kw), tilePixels);
        float[] d = weight.toArray();
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int o = 0; o < oc && tiles.size() < maxTiles; o++) {
            if (ic == 3 || ic == 1) {
                tiles.add(tile(d, o * ic * kh * kw, ic, kh, kw, zoom));
                labels.add(Integer.toString(o));
            } else {
                for (int c = 0; c < Math.min(ic, maxChannels) && tiles.size() < maxTiles; c++) {
                    tiles.add(tile(d, (o * ic + c) * kh * kw, 1, kh, kw, zoom));
                    labels.add(o + ":" + c);
                }
            }
        }
        return new Tiles(tiles, labels, ic == 3 ? oc : oc * ic);
    }

    /** The maps of one image's activations (1, C, H, W): a gray tile per channel, the first {@code maxMaps}, at least about {@code tilePixels} wide. */
    public static Tiles mapTiles(Tensor maps, int maxMaps, int tilePixels) {
        if (maps.rank() != 4 || maps.dim(0) != 1) throw new IllegalArgumentException("Pictures: expected maps (1, C, H, W), got " + maps.shape());
        int c = maps.dim(1), h = maps.dim(2), w = maps.dim(3), zoom = zoom(Math.max(h, w), tilePixels);
        float[] d = maps.toArray();
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < Math.min(c, maxMaps); i++) {
            tiles.add(tile(d, i * h * w, 1, h, w, zoom));
            labels.add(Integer.toString(i));
        }
        return new Tiles(tiles, labels, c);
    }

    /** The filters as an unlabelled grid (the training report captions it in HTML). */
    public static BufferedImage filterGrid(Tensor weight, int maxTiles, int maxChannels, int tilePixels) {
        return grid(filterTiles(weight, maxTiles, maxChannels, tilePixels).images());
    }

    /** The maps as an unlabelled grid, tiles at least about 48 pixels wide. */
    public static BufferedImage mapGrid(Tensor maps, int maxMaps) {
        return grid(mapTiles(maps, maxMaps, 48).images());
    }

    /** A convolution's filters titled with the layer's name and the weight's shape, each tile labelled with its filter index. */
    public static BufferedImage labelledFilters(String layer, Tensor weight, int maxTiles, int maxChannels, int tilePixels) {
        Tiles t = filterTiles(weight, maxTiles, maxChannels, tilePixels);
        int ic = weight.dim(1);
        String what = ic == 3 ? "a colour tile per filter" : ic == 1 ? "a tile per filter" : "a tile per filter:input channel";
        return LabelledGrid.draw(layer + " (Conv2d) weight " + weight.shape(), what + shown(t) + SCALE_NOTE, t.images(), t.labels());
    }

    /** A layer's output maps titled with its name, type and shape, each tile labelled with its channel index. */
    public static BufferedImage labelledMaps(String layer, String type, Tensor maps, int maxMaps, int tilePixels) {
        Tiles t = mapTiles(maps, maxMaps, tilePixels);
        return LabelledGrid.draw(layer + " (" + type + ") output " + maps.shape(), "a tile per channel" + shown(t) + SCALE_NOTE, t.images(), t.labels());
    }

    private static final String SCALE_NOTE = "; each scaled to its own min (black) .. max (white)";

    private static String shown(Tiles t) {
        return t.images().size() < t.total() ? ", the first " + t.images().size() + " of " + t.total() : "";
    }

    /** PNG bytes of an image. */
    public static byte[] png(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", bytes)) throw new IllegalStateException("Pictures: no PNG writer in this JVM");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        return bytes.toByteArray();
    }

    /** Writes an image as PNG, atomically (temporary file, then rename). */
    public static void writePng(BufferedImage img, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) java.nio.file.Files.createDirectories(parent);
        AtomicFiles.write(file, png(img));
    }

    /** A data: URI of PNG bytes, for an HTML page that needs no other file. */
    public static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }
}
