package org.conv4j.data;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * The masks (N, H, W) of a batch of a {@link SegmentationDataset}, moved by the same random crops
 * and flips the {@link DataLoader} applied to its images: a loader draws sample i's augmentation
 * of epoch e from a generator seeded with {@link DataLoader#sampleSeed}, so replaying the
 * transforms on the mask from that seed repeats every draw. {@linkplain Transform#spatial Spatial}
 * transforms move the mask; the others are run on a blank image only to use up the same draws.
 * Pixels a crop takes from outside the image (its zero padding) get the ignore index.
 * A Trainer target function: {@code trainer.targets(new JointMasks(loader))}.
 */
public final class JointMasks implements Function<Batch, Tensor> {
    private final DataLoader loader;
    private final SegmentationDataset data;

    public JointMasks(DataLoader loader) {
        this.loader = Objects.requireNonNull(loader, "loader");
        if (!(loader.dataset() instanceof SegmentationDataset d)) {
            throw new IllegalArgumentException("JointMasks: the loader's data set is not a SegmentationDataset but " + loader.dataset());
        }
        this.data = d;
    }

    @Override
    public Tensor apply(Batch b) {
        Shape out = loader.sampleShape();
        int h = out.dim(1), w = out.dim(2), in = data.sampleShape().dim(1) * data.sampleShape().dim(2);
        Tensor masks = Tensor.zeros(b.size(), h, w);
        float[] dst = masks.data();
        for (int i = 0; i < b.size(); i++) {
            int index = b.indices()[i];
            // class c is carried as c + 1 and the ignore index as 0, the value a crop pads with
            float[] m = new float[in];
            for (int p = 0; p < in; p++) {
                int v = data.mask(index, p);
                m[p] = v == data.ignoreIndex() ? 0 : v + 1;
            }
            m = replay(m, b.epoch(), index);
            if (m.length != h * w) {
                throw new IllegalStateException("JointMasks: the transforms " + loader.transforms() + " gave a mask of " + m.length + " pixels for images of " + h + "x" + w);
            }
            for (int p = 0; p < m.length; p++) dst[i * h * w + p] = m[p] == 0 ? data.ignoreIndex() : m[p] - 1;
        }
        return masks;
    }

    // the loader's transforms of (epoch, index), with the mask in place of the image where they move pixels
    private float[] replay(float[] mask, int epoch, int index) {
        SplittableRandom rng = new SplittableRandom(DataLoader.sampleSeed(loader.seed(), epoch, index));
        Shape image = data.sampleShape(), maskShape = Shape.of(1, image.dim(1), image.dim(2));
        for (Transform t : loader.transforms()) {
            Shape next = t.outputShape(image);
            if (t.spatial()) {
                Shape nextMask = t.outputShape(maskShape);
                float[] moved = new float[nextMask.size()];
                t.apply(mask, 0, maskShape, moved, 0, rng);
                mask = moved;
                maskShape = nextMask;
            } else {
                if (next.dim(1) != image.dim(1) || next.dim(2) != image.dim(2)) {
                    throw new IllegalArgumentException("JointMasks: " + t + " changes the image size but is not spatial, so the masks cannot follow it");
                }
                t.apply(new float[image.size()], 0, image, new float[next.size()], 0, rng);
            }
            image = next;
        }
        return mask;
    }

    @Override
    public String toString() {
        return "JointMasks(" + loader + ")";
    }
}
