package org.conv4j.data;

import java.util.List;
import java.util.Objects;
import org.conv4j.io.ClassNames;
import org.conv4j.tensor.Shape;

/**
 * Images with a class per pixel, in memory: {@code images} holds the (C, H, W) samples one after
 * the other, {@code masks} one unsigned byte per pixel, (H, W) per sample, each a class index in
 * {@code [0, numClasses())} or the {@linkplain #ignoreIndex ignore index} (a pixel of no class,
 * such as an object's outline; 255 by convention). A {@link Dataset} of the images, so a
 * {@link DataLoader} batches them; their masks, after the loader's random crops and flips, come
 * from {@link JointMasks}. A sample has no single class: {@link #label} is 0 for every sample.
 */
public final class SegmentationDataset implements Dataset {
    /** The usual ignore index of mask PNGs (PASCAL VOC's outlines). */
    public static final int DEFAULT_IGNORE = 255;

    private final float[] images;
    private final byte[] masks;
    private final Shape sampleShape;
    private final List<String> classNames;
    private final int ignoreIndex, imageSize, maskSize;

    /**
     * Checks every mask value: a value that is neither a class nor the ignore index is an
     * {@link IllegalArgumentException} naming the sample and pixel. {@code ignoreIndex} must lie in
     * [classes, 255] so that it is no class.
     */
    public SegmentationDataset(float[] images, byte[] masks, Shape sampleShape, List<String> classNames, int ignoreIndex) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(masks, "masks");
        if (sampleShape.rank() != 3) throw new IllegalArgumentException("SegmentationDataset: sample shape must be (C, H, W), got " + sampleShape);
        this.classNames = ClassNames.check(classNames, "SegmentationDataset class names");
        int k = this.classNames.size();
        if (ignoreIndex < k || ignoreIndex > 255) {
            throw new IllegalArgumentException("SegmentationDataset: the ignore index must be in [" + k + ", 255] (no class of " + k + "), got " + ignoreIndex);
        }
        imageSize = sampleShape.size();
        maskSize = sampleShape.dim(1) * sampleShape.dim(2);
        if (images.length % imageSize != 0 || images.length / imageSize < 1 || (long) images.length / imageSize * maskSize != masks.length) {
            throw new IllegalArgumentException("SegmentationDataset: " + images.length + " image values and " + masks.length + " mask values are not a whole number "
                    + "of samples " + sampleShape + " with masks of " + sampleShape.dim(1) + "x" + sampleShape.dim(2));
        }
        for (int i = 0; i < masks.length; i++) {
            int v = masks[i] & 0xff;
            if (v >= k && v != ignoreIndex) {
                int p = i % maskSize;
                throw new IllegalArgumentException("SegmentationDataset: the mask of sample " + i / maskSize + " has " + v + " at row " + p / sampleShape.dim(2)
                        + ", column " + p % sampleShape.dim(2) + ", which is not a class in [0, " + k + ") nor the ignore index " + ignoreIndex);
            }
        }
        this.images = images;
        this.masks = masks;
        this.sampleShape = sampleShape;
        this.ignoreIndex = ignoreIndex;
    }

    /** The samples at {@code indices}, copied, in that order. */
    public SegmentationDataset select(int[] indices) {
        float[] x = new float[indices.length * imageSize];
        byte[] m = new byte[indices.length * maskSize];
        for (int i = 0; i < indices.length; i++) {
            int s = Objects.checkIndex(indices[i], size());
            System.arraycopy(images, s * imageSize, x, i * imageSize, imageSize);
            System.arraycopy(masks, s * maskSize, m, i * maskSize, maskSize);
        }
        return new SegmentationDataset(x, m, sampleShape, classNames, ignoreIndex);
    }

    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** The mask value (a class or the ignore index) of sample {@code index} at pixel {@code pixel} = row * W + column. */
    public int mask(int index, int pixel) {
        return masks[Objects.checkIndex(index, size()) * maskSize + Objects.checkIndex(pixel, maskSize)] & 0xff;
    }

    @Override
    public int size() {
        return images.length / imageSize;
    }

    @Override
    public Shape sampleShape() {
        return sampleShape;
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public void copySample(int index, float[] dst, int dstOffset) {
        System.arraycopy(images, Objects.checkIndex(index, size()) * imageSize, dst, dstOffset, imageSize);
    }

    @Override
    public int label(int index) {
        Objects.checkIndex(index, size());
        return 0;
    }

    @Override
    public String toString() {
        return "SegmentationDataset(size=" + size() + ", sample=" + sampleShape + ", classes=" + numClasses() + ", ignore_index=" + ignoreIndex + ")";
    }
}
