package org.conv4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;

/**
 * A segmentation task built from MNIST digits: each image is a black {@value #SIZE}x{@value #SIZE}
 * canvas with one to three digits pasted where their inked boxes do not touch, and its mask
 * gives every pixel its class: 0 for the background, {@code d + 1} for a pixel of digit d (11
 * classes), and the ignore index 255 for a digit's faint anti-aliased edge (values in (0, 0.5)),
 * which belongs to neither. Generated, not stored: the same digits, count and seed give the
 * same data, and the training canvases use only training digits, the test canvases only test digits.
 */
public final class MnistSegmentation {
    /** The canvas height and width. */
    public static final int SIZE = 48;
    /** Canvases made from the training digits and from the test digits by {@link #load}. */
    public static final int TRAIN_COUNT = 3000, TEST_COUNT = 500;
    /** "background", then the digits "0" to "9". */
    public static final List<String> CLASS_NAMES = classNames();

    private static final float INK = 0.5f;
    private static final int PLACEMENT_TRIES = 30;

    private MnistSegmentation() {
    }

    private static List<String> classNames() {
        List<String> names = new ArrayList<>(List.of("background"));
        for (int d = 0; d < 10; d++) names.add(Integer.toString(d));
        return List.copyOf(names);
    }

    /** {@link #TRAIN_COUNT} or {@link #TEST_COUNT} canvases from the MNIST split in {@code dir}, each split with its own fixed seed. */
    public static SegmentationDataset load(Path dir, Split split) throws IOException {
        Dataset digits = Mnist.load(dir, split);
        return split == Split.TRAIN ? generate(digits, TRAIN_COUNT, SIZE, 20261205L) : generate(digits, TEST_COUNT, SIZE, 1205L);
    }

    /** {@code count} canvases of {@code size} x {@code size} from 1x28x28 digits labelled 0 to 9, drawn from {@code seed}. */
    public static SegmentationDataset generate(Dataset digits, int count, int size, long seed) {
        Shape d = digits.sampleShape();
        if (d.dim(0) != 1 || digits.numClasses() != 10) throw new IllegalArgumentException("MnistSegmentation: expected 1-channel digits of 10 classes, got " + d + " and " + digits.numClasses());
        int dh = d.dim(1), dw = d.dim(2);
        if (size < Math.max(dh, dw)) throw new IllegalArgumentException("MnistSegmentation: a canvas of " + size + " cannot hold a digit of " + dh + "x" + dw);
        if (count < 1) throw new IllegalArgumentException("MnistSegmentation: count must be positive, got " + count);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] images = new float[count * size * size], digit = new float[dh * dw];
        byte[] masks = new byte[count * size * size];
        for (int i = 0; i < count; i++) {
            List<int[]> boxes = new ArrayList<>(); // inked boxes placed so far: top, left, bottom, right (exclusive)
            int wanted = 1 + rng.nextInt(3);
            for (int k = 0; k < wanted; k++) {
                int index = rng.nextInt(digits.size());
                digits.copySample(index, digit, 0);
                int[] ink = inkBox(digit, dh, dw);
                for (int t = 0; t < PLACEMENT_TRIES && ink != null; t++) {
                    int top = rng.nextInt(size - dh + 1), left = rng.nextInt(size - dw + 1);
                    int[] box = {top + ink[0], left + ink[1], top + ink[2], left + ink[3]};
                    if (boxes.stream().anyMatch(b -> touches(b, box))) continue;
                    boxes.add(box);
                    paste(digit, dh, dw, digits.label(index), images, masks, i * size * size, size, top, left);
                    break;
                }
            }
        }
        return new SegmentationDataset(images, masks, Shape.of(1, size, size), CLASS_NAMES, SegmentationDataset.DEFAULT_IGNORE);
    }

    // the box around the digit's inked pixels, or null for a blank image
    private static int[] inkBox(float[] digit, int h, int w) {
        int top = h, left = w, bottom = -1, right = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (digit[y * w + x] > 0) {
                    top = Math.min(top, y);
                    left = Math.min(left, x);
                    bottom = Math.max(bottom, y + 1);
                    right = Math.max(right, x + 1);
                }
            }
        }
        return bottom < 0 ? null : new int[] {top, left, bottom, right};
    }

    // boxes overlap or leave less than one pixel between them
    private static boolean touches(int[] a, int[] b) {
        return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
    }

    private static void paste(float[] digit, int h, int w, int label, float[] images, byte[] masks, int off, int size, int top, int left) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = digit[y * w + x];
                if (v <= 0) continue;
                int p = off + (top + y) * size + left + x;
                images[p] = v;
                masks[p] = (byte) (v >= INK ? label + 1 : SegmentationDataset.DEFAULT_IGNORE);
            }
        }
    }
}
