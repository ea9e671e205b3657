package org.conv4j.kernel;

import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;

/**
 * Dropout loops (SPEC 1 "Dropout"). A mask element is 0 with probability {@code p} (the drop
 * probability) and {@code keep} otherwise ({@code 1/(1-p)} for upscale-in-train, 1 for
 * downscale-in-infer); {@code y = x * mask} and, in backward, {@code dx = dy * mask}.
 *
 * <p>Random numbers: the mask is cut into fixed blocks of {@value #BLOCK} elements and block b
 * draws from the b-th generator split, in order, from the caller's generator. The splits are
 * made serially before the parallel fill, so the mask depends only on the generator's state and
 * the size, never on the thread count.
 */
public final class DropoutKernel {
    /** Elements per block; part of the mask's definition (changing it changes the masks). */
    public static final int BLOCK = 1 << 14;

    private DropoutKernel() {
    }

    private static SplittableRandom[] blockGenerators(SplittableRandom rng, int size) {
        SplittableRandom[] g = new SplittableRandom[(size + BLOCK - 1) / BLOCK];
        for (int b = 0; b < g.length; b++) g[b] = rng.split();
        return g;
    }

    /** Fills {@code mask[0, size)}: 0 where {@code u < p} for a uniform u in [0, 1), else {@code keep}. */
    public static void mask(SplittableRandom rng, double p, float keep, float[] mask, int size) {
        SplittableRandom[] g = blockGenerators(rng, size);
        Parallel.forEach(g.length, b -> {
            SplittableRandom r = g[b];
            int to = Math.min(size, (b + 1) * BLOCK);
            for (int i = b * BLOCK; i < to; i++) mask[i] = r.nextDouble() < p ? 0f : keep;
        });
    }

    public static void referenceMask(SplittableRandom rng, double p, float keep, float[] mask, int size) {
        SplittableRandom[] g = blockGenerators(rng, size);
        for (int i = 0; i < size; i++) mask[i] = g[i / BLOCK].nextDouble() < p ? 0f : keep;
    }

    /** {@code y = x * mask}, element by element; also the backward {@code dx = dy * mask}. */
    public static void multiply(Tensor x, Tensor mask, Tensor y) {
        float[] xd = x.data(), md = mask.data(), yd = y.data();
        int xo = x.offset(), mo = mask.offset(), yo = y.offset();
        Elementwise.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) yd[yo + i] = xd[xo + i] * md[mo + i];
        });
    }

    public static void referenceMultiply(Tensor x, Tensor mask, Tensor y) {
        for (int i = 0; i < x.size(); i++) y.data()[y.offset() + i] = x.at(i) * mask.at(i);
    }

    /** {@code y = x * s}: downscale-in-infer's evaluation. */
    public static void scale(Tensor x, float s, Tensor y) {
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset(), yo = y.offset();
        Elementwise.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) yd[yo + i] = xd[xo + i] * s;
        });
    }

    public static void referenceScale(Tensor x, float s, Tensor y) {
        for (int i = 0; i < x.size(); i++) y.data()[y.offset() + i] = x.at(i) * s;
    }
}
