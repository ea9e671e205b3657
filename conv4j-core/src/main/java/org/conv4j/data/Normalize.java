package org.conv4j.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;

/**
 * Per-channel standardization, as torchvision's {@code Normalize}:
 * {@code y[c,h,w] = (x[c,h,w] - mean[c]) / std[c]}. One mean and std value applies to every
 * channel. Deterministic.
 */
public final class Normalize implements Transform, java.io.Serializable {
    private final float[] mean, std;

    public Normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: mean and std need the same positive length, got " + mean.length + " and " + std.length);
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0) || !Float.isFinite(std[c])) throw new IllegalArgumentException("Normalize: std must be positive and finite, got " + std[c] + " for channel " + c);
            if (!Float.isFinite(mean[c])) throw new IllegalArgumentException("Normalize: mean must be finite, got " + mean[c] + " for channel " + c);
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 3) throw new IllegalArgumentException("Normalize: expected a (C, H, W) sample, got " + input);
        if (mean.length != 1 && mean.length != input.dim(0)) {
            throw new IllegalArgumentException("Normalize: expected " + mean.length + " channels, got " + input.dim(0));
        }
        return input;
    }

    @Override
    public void apply(float[] src, int srcOffset, Shape input, float[] dst, int dstOffset, SplittableRandom rng) {
        // x is (C, H, W)
        int channels = input.dim(0), plane = input.dim(1) * input.dim(2);
        for (int c = 0; c < channels; c++) {
            float m = mean[mean.length == 1 ? 0 : c], s = std[std.length == 1 ? 0 : c];
            int p = c * plane;
            for (int i = 0; i < plane; i++) dst[dstOffset + p + i] = (src[srcOffset + p + i] - m) / s;
        }
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
