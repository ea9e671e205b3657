package org.conv4j.data;

import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;

/**
 * Mirrors a sample left to right with probability {@code p} (default 0.5), as torchvision's
 * {@code RandomHorizontalFlip}: {@code y[c,i,j] = x[c,i,W-1-j]}. Draws one number per sample
 * whether it flips or not.
 */
public final class RandomHorizontalFlip implements Transform, java.io.Serializable {
    private final double p;

    public RandomHorizontalFlip() {
        this(0.5);
    }

    /** {@code p} is the probability of flipping, in [0, 1]. */
    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 3) throw new IllegalArgumentException("RandomHorizontalFlip: expected a (C, H, W) sample, got " + input);
        return input;
    }

    @Override
    public void apply(float[] src, int srcOffset, Shape input, float[] dst, int dstOffset, SplittableRandom rng) {
        // x is (C, H, W)
        boolean flip = rng.nextDouble() < p;
        int rows = input.dim(0) * input.dim(1), w = input.dim(2);
        for (int r = 0; r < rows; r++) {
            int s = srcOffset + r * w, d = dstOffset + r * w;
            if (flip) {
                for (int j = 0; j < w; j++) dst[d + j] = src[s + w - 1 - j];
            } else {
                System.arraycopy(src, s, dst, d, w);
            }
        }
    }

    @Override
    public boolean spatial() {
        return true;
    }

    @Override
    public String toString() {
        return "RandomHorizontalFlip(" + (p != 0.5 ? "p=" + p : "") + ")";
    }
}
