package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;

class TransformsTest {

    private static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }

    @Test
    void normalizeSubtractsTheMeanAndDividesByTheStdPerChannel() {
        Normalize norm = new Normalize(new float[] {1, 10}, new float[] {2, 4});
        Shape s = Shape.of(2, 1, 3);
        assertEquals(s, norm.outputShape(s));
        float[] dst = new float[8];
        norm.apply(new float[] {9, 1, 3, 5, 10, 14, 18}, 1, s, dst, 2, new SplittableRandom(0));
        assertArrayEquals(new float[] {0, 0, 0, 1, 2, 0, 1, 2}, dst, 0f);
        Normalize one = new Normalize(new float[] {0.5f}, new float[] {0.25f});
        float[] y = new float[4];
        one.apply(new float[] {0, 1, 0.5f, 0.75f}, 0, Shape.of(2, 1, 2), y, 0, null);
        assertArrayEquals(new float[] {-2, 2, 0, 1}, y, 0f);
        assertEquals("Normalize(mean=[1.0, 10.0], std=[2.0, 4.0])", norm.toString());
    }

    @Test
    void normalizeValidates() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1}).outputShape(Shape.of(1, 4, 4)));
        assertEquals("Normalize: expected 3 channels, got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {0}));
        assertEquals("Normalize: std must be positive and finite, got 0.0 for channel 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0, 1}, new float[] {1}));
        assertTrue(e.getMessage().contains("same positive length, got 2 and 1"), e.getMessage());
    }

    @Test
    void randomCropTakesEveryPaddedWindowUniformly() {
        int c = 2, h = 3, w = 4, p = 1;
        Shape s = Shape.of(c, h, w);
        RandomCrop crop = new RandomCrop(3, 4, p);
        assertEquals(s, crop.outputShape(s));
        float[] x = ramp(c * h * w);
        SplittableRandom rng = new SplittableRandom(42);
        int[] hits = new int[(2 * p + 1) * (2 * p + 1)];
        for (int trial = 0; trial < 900; trial++) {
            float[] y = new float[c * h * w];
            crop.apply(x, 0, s, y, 0, rng);
            int found = -1;
            for (int t = -p; t <= p && found < 0; t++) {
                for (int l = -p; l <= p && found < 0; l++) {
                    if (Arrays.equals(y, window(x, c, h, w, t, l, h, w))) found = (t + p) * (2 * p + 1) + (l + p);
                }
            }
            assertTrue(found >= 0, "not a padded window: " + Arrays.toString(y));
            hits[found]++;
        }
        for (int hit : hits) assertTrue(hit > 60 && hit < 140, "offsets are not uniform: " + Arrays.toString(hits));
    }

    /** The reference crop: xpad[c, t+i, l+j] with zeros outside x. */
    private static float[] window(float[] x, int c, int h, int w, int top, int left, int oh, int ow) {
        float[] y = new float[c * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int sy = top + i, sx = left + j;
                    y[(ch * oh + i) * ow + j] = sy >= 0 && sy < h && sx >= 0 && sx < w ? x[(ch * h + sy) * w + sx] : 0;
                }
            }
        }
        return y;
    }

    @Test
    void randomCropToASmallerSizeWithoutPadding() {
        RandomCrop crop = new RandomCrop(2);
        Shape s = Shape.of(1, 3, 3);
        assertEquals(Shape.of(1, 2, 2), crop.outputShape(s));
        float[] x = ramp(9);
        Set<String> seen = new HashSet<>();
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            float[] y = new float[4];
            crop.apply(x, 0, s, y, 0, rng);
            seen.add(Arrays.toString(y));
        }
        assertEquals(Set.of("[1.0, 2.0, 4.0, 5.0]", "[2.0, 3.0, 5.0, 6.0]", "[4.0, 5.0, 7.0, 8.0]", "[5.0, 6.0, 8.0, 9.0]"), seen);
        var e = assertThrows(IllegalArgumentException.class, () -> new RandomCrop(32, 1).outputShape(Shape.of(3, 28, 28)));
        assertEquals("RandomCrop: crop 32x32 is larger than the padded input 30x30", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(0));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(3, -1));
        assertEquals("RandomCrop(size=32, padding=4)", new RandomCrop(32, 4).toString());
        assertEquals("RandomCrop(size=(2, 3))", new RandomCrop(2, 3, 0).toString());
    }

    @Test
    void horizontalFlipMirrorsRowsWithProbabilityP() {
        Shape s = Shape.of(2, 2, 3);
        float[] x = ramp(12);
        float[] mirrored = {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10};
        float[] y = new float[12];
        new RandomHorizontalFlip(1).apply(x, 0, s, y, 0, new SplittableRandom(1));
        assertArrayEquals(mirrored, y, 0f);
        new RandomHorizontalFlip(0).apply(x, 0, s, y, 0, new SplittableRandom(1));
        assertArrayEquals(x, y, 0f);
        RandomHorizontalFlip half = new RandomHorizontalFlip();
        SplittableRandom rng = new SplittableRandom(3), twin = new SplittableRandom(3);
        int flips = 0;
        for (int trial = 0; trial < 1000; trial++) {
            half.apply(x, 0, s, y, 0, rng);
            boolean expectFlip = twin.nextDouble() < 0.5; // exactly one draw per sample
            assertArrayEquals(expectFlip ? mirrored : x, y, 0f);
            if (expectFlip) flips++;
        }
        assertTrue(flips > 430 && flips < 570, "flips " + flips);
        var e = assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(1.5));
        assertEquals("RandomHorizontalFlip: p must be in [0, 1], got 1.5", e.getMessage());
        assertEquals("RandomHorizontalFlip()", half.toString());
        assertEquals("RandomHorizontalFlip(p=0.25)", new RandomHorizontalFlip(0.25).toString());
    }
}
