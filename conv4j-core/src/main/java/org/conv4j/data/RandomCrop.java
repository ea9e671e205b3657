package org.conv4j.data;

import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;

/**
 * A random crop of a zero-padded sample, as torchvision's {@code RandomCrop(size, padding)}:
 * the (C, H, W) input is padded with {@code padding} zeros on every side, then a
 * {@code height x width} window is taken at top {@code t} in [0, H + 2p - height] and left
 * {@code l} in [0, W + 2p - width], uniformly: {@code y[c,i,j] = xpad[c, t+i, l+j]}. Output
 * (C, height, width).
 */
public final class RandomCrop implements Transform, java.io.Serializable {
    private final int height, width, padding;

    /** A square {@code size x size} crop with no padding. */
    public RandomCrop(int size) {
        this(size, size, 0);
    }

    /** A square crop of a sample padded by {@code padding} on every side (CIFAR's usual 32 and 4). */
    public RandomCrop(int size, int padding) {
        this(size, size, padding);
    }

    public RandomCrop(int height, int width, int padding) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("RandomCrop: size must be positive, got " + height + "x" + width);
        if (padding < 0) throw new IllegalArgumentException("RandomCrop: padding must be >= 0, got " + padding);
        this.height = height;
        this.width = width;
        this.padding = padding;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int padding() {
        return padding;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 3) throw new IllegalArgumentException("RandomCrop: expected a (C, H, W) sample, got " + input);
        int ph = input.dim(1) + 2 * padding, pw = input.dim(2) + 2 * padding;
        if (height > ph || width > pw) {
            throw new IllegalArgumentException("RandomCrop: crop " + height + "x" + width + " is larger than the padded input " + ph + "x" + pw);
        }
        return Shape.of(input.dim(0), height, width);
    }

    @Override
    public void apply(float[] src, int srcOffset, Shape input, float[] dst, int dstOffset, SplittableRandom rng) {
        // x is (C, H, W), y is (C, height, width)
        int channels = input.dim(0), h = input.dim(1), w = input.dim(2);
        int top = rng.nextInt(h + 2 * padding - height + 1) - padding;
        int left = rng.nextInt(w + 2 * padding - width + 1) - padding;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < height; i++) {
                int sy = top + i;
                int out = dstOffset + (c * height + i) * width;
                for (int j = 0; j < width; j++) {
                    int sx = left + j;
                    dst[out + j] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[srcOffset + (c * h + sy) * w + sx] : 0f;
                }
            }
        }
    }

    @Override
    public boolean spatial() {
        return true;
    }

    @Override
    public String toString() {
        String size = height == width ? Integer.toString(height) : "(" + height + ", " + width + ")";
        return "RandomCrop(size=" + size + (padding != 0 ? ", padding=" + padding : "") + ")";
    }
}
