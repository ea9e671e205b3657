package org.conv4j.cli.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Tiles in a grid under a title and a one-line note, each tile framed and with its label (a
 * channel or filter index) under it: the pictures {@code visualize} writes. Text is drawn with
 * java.awt's fonts, headless; the layout is computed from the fonts' metrics ({@link #layout}).
 */
public final class LabelledGrid {
    static {
        System.setProperty("java.awt.headless", "true"); // no display is needed to draw into images
    }

    /** Pixels around the picture's content. */
    public static final int MARGIN = 10;
    /** Pixels between cells (a tile with its label). */
    public static final int GAP = 10;
    public static final Color BACKGROUND = new Color(0xf4f4f4);
    private static final Color INK = new Color(0x202020), NOTE_INK = new Color(0x555555), FRAME = new Color(0x9a9a9a);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15), SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private LabelledGrid() {
    }

    /** Where things go: the band above the grid, the cells, the image's size. */
    public record Layout(int titleHeight, int tileWidth, int tileHeight, int labelHeight, int columns, int rows, int gridLeft, int width, int height) {
        /** The left edge of tile {@code i}. */
        public int tileX(int i) {
            return gridLeft + (i % columns) * (tileWidth + GAP);
        }

        /** The top edge of tile {@code i}. */
        public int tileY(int i) {
            return titleHeight + (i / columns) * (tileHeight + labelHeight + GAP);
        }
    }

    /** The layout of {@code n} tiles of {@code tileWidth x tileHeight} in ceil(sqrt(n)) columns under a title and a note. */
    public static Layout layout(String title, String note, int n, int tileWidth, int tileHeight) {
        if (n < 1) throw new IllegalArgumentException("LabelledGrid: no tiles");
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        FontMetrics t = g.getFontMetrics(TITLE), s = g.getFontMetrics(SMALL);
        int textWidth = Math.max(t.stringWidth(title), s.stringWidth(note));
        g.dispose();
        int cols = (int) Math.ceil(Math.sqrt(n)), rows = (n + cols - 1) / cols;
        int gridWidth = cols * tileWidth + (cols - 1) * GAP, content = Math.max(gridWidth, textWidth);
        int titleHeight = MARGIN + t.getHeight() + s.getHeight() + GAP, labelHeight = s.getHeight() + 2;
        int height = titleHeight + rows * (tileHeight + labelHeight) + (rows - 1) * GAP + MARGIN;
        return new Layout(titleHeight, tileWidth, tileHeight, labelHeight, cols, rows, MARGIN + (content - gridWidth) / 2, 2 * MARGIN + content, height);
    }

    /** Draws tiles of equal size with their labels (one per tile) under a title and a note. */
    public static BufferedImage draw(String title, String note, List<BufferedImage> tiles, List<String> labels) {
        if (tiles.size() != labels.size()) throw new IllegalArgumentException("LabelledGrid: " + tiles.size() + " tiles but " + labels.size() + " labels");
        Layout l = layout(title, note, tiles.size(), tiles.get(0).getWidth(), tiles.get(0).getHeight());
        BufferedImage img = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, l.width(), l.height());
        g.setColor(INK);
        g.setFont(TITLE);
        FontMetrics t = g.getFontMetrics();
        g.drawString(title, MARGIN, MARGIN + t.getAscent());
        g.setFont(SMALL);
        FontMetrics s = g.getFontMetrics();
        g.setColor(NOTE_INK);
        g.drawString(note, MARGIN, MARGIN + t.getHeight() + s.getAscent());
        for (int i = 0; i < tiles.size(); i++) {
            int x = l.tileX(i), y = l.tileY(i);
            g.drawImage(tiles.get(i), x, y, null);
            g.setColor(FRAME);
            g.drawRect(x - 1, y - 1, l.tileWidth() + 1, l.tileHeight() + 1);
            g.setColor(INK);
            String label = labels.get(i);
            g.drawString(label, x + (l.tileWidth() - s.stringWidth(label)) / 2, y + l.tileHeight() + 2 + s.getAscent());
        }
        g.dispose();
        return img;
    }
}
