package org.conv4j.nn;

import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;

/**
 * Weight initialization. New layers draw from one generator, like {@code torch.manual_seed}:
 * after {@link #seed(long)} the same construction order gives the same weights.
 */
public final class Init {
    private static SplittableRandom generator = new SplittableRandom(0x5EED);

    private Init() {
    }

    /** Re-seeds the generator that new layers draw their initial weights from. */
    public static synchronized void seed(long seed) {
        generator = new SplittableRandom(seed);
    }

    /** A generator of its own for one layer, split from the global one. */
    public static synchronized SplittableRandom nextGenerator() {
        return generator.split();
    }

    /** PyTorch's default for Conv2d and Linear: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias. */
    public static void pytorchDefault(Tensor t, int fanIn, SplittableRandom rng) {
        uniform(t, (float) (1 / Math.sqrt(fanIn)), rng);
    }

    /** U(-bound, bound). */
    public static void uniform(Tensor t, float bound, SplittableRandom rng) {
        float[] d = t.data();
        for (int i = 0; i < t.size(); i++) d[t.offset() + i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
}
