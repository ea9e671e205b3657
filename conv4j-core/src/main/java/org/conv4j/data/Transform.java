package org.conv4j.data;

import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;

/**
 * A per-sample transform (augmentation or normalization) a {@link DataLoader} applies to each
 * (C, H, W) sample. Randomness comes only from the generator passed in, which the loader
 * derives from (seed, epoch, sample index), so results never depend on threads or order.
 */
public interface Transform {
    /** The output sample shape for an input sample shape (C, H, W); throws IllegalArgumentException if the input does not fit. */
    Shape outputShape(Shape input);

    /**
     * Reads one sample of shape {@code input} from {@code src} at {@code srcOffset} and writes
     * {@code outputShape(input).size()} values to {@code dst} at {@code dstOffset}. The two
     * ranges do not overlap. Draws a fixed number of values from {@code rng} per call.
     */
    void apply(float[] src, int srcOffset, Shape input, float[] dst, int dstOffset, SplittableRandom rng);

    /**
     * True for a transform that moves pixels (a crop, a flip), which {@link JointMasks} applies
     * to segmentation masks too, with the same random draws, by calling {@link #apply} on a
     * one-channel mask; it must only copy values, never mix them. False (the default) for one that
     * changes values in place (normalization, colour), which leaves masks alone.
     */
    default boolean spatial() {
        return false;
    }
}
