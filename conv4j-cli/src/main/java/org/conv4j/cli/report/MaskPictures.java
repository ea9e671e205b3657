package org.conv4j.cli.report;

import java.awt.Color;
import java.awt.image.BufferedImage;

/**
 * Segmentation masks as pictures: a colour per class (class 0, usually the background, black;
 * then ten well-separated colours; further classes spread round the hue circle) and white for the
 * ignore index.
 */
public final class MaskPictures {
    private static final int[] FIRST = {0x000000, 0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    /** The colour of pixels of no class. */
    public static final int IGNORED = 0xffffff;

    private MaskPictures() {
    }

    /** The colour (0xRRGGBB) of class {@code c}. */
    public static int colour(int c) {
        if (c < FIRST.length) return FIRST[c];
        return Color.HSBtoRGB((float) ((c * 0.618033988749895) % 1), 0.65f, 0.9f) & 0xffffff; // golden-ratio hue steps
    }

    /** An h x w mask of class indices (floats, as a target tensor holds them) from {@code offset}, enlarged {@code zoom} times. */
    public static BufferedImage mask(float[] mask, int offset, int h, int w, int classes, int zoom) {
        BufferedImage img = new BufferedImage(w * zoom, h * zoom, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int c = (int) mask[offset + y * w + x];
                int rgb = c >= 0 && c < classes ? colour(c) : IGNORED;
                for (int dy = 0; dy < zoom; dy++) for (int dx = 0; dx < zoom; dx++) img.setRGB(x * zoom + dx, y * zoom + dy, rgb);
            }
        }
        return img;
    }
}
