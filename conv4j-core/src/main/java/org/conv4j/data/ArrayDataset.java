package org.conv4j.data;

import java.util.List;
import java.util.Objects;
import org.conv4j.tensor.Shape;

/**
 * An in-memory {@link Dataset} over plain arrays: {@code data} holds the samples one after the
 * other in CHW order ({@code size * C*H*W} values), {@code labels} one class index per sample.
 * The arrays are wrapped, not copied, and must not be changed afterwards.
 */
public final class ArrayDataset implements Dataset {
    private final float[] data;
    private final int[] labels;
    private final Shape sampleShape;
    private final int sampleSize;
    private final int numClasses;
    private final List<String> classNames;

    /** Samples with labels in {@code [0, numClasses)}; {@code sampleShape} is (C, H, W). */
    public ArrayDataset(float[] data, int[] labels, Shape sampleShape, int numClasses) {
        this(data, labels, sampleShape, numClasses, null);
    }

    private ArrayDataset(float[] data, int[] labels, Shape sampleShape, int numClasses, List<String> classNames) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(sampleShape, "sampleShape");
        arg(sampleShape.rank() == 3, "sample shape must be (C, H, W), got %s", sampleShape);
        arg(labels.length > 0, "needs at least one sample, got 0 labels");
        arg(numClasses > 0, "numClasses must be positive, got %d", numClasses);
        this.sampleSize = sampleShape.size();
        long expected = (long) labels.length * sampleSize;
        arg(data.length == expected, "%d labels with sample shape %s need %d values, got %d",
                labels.length, sampleShape, expected, data.length);
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            arg(l >= 0 && l < numClasses, "label %d of sample %d is outside [0, %d)", l, i, numClasses);
        }
        this.data = data;
        this.labels = labels;
        this.sampleShape = sampleShape;
        this.numClasses = numClasses;
        this.classNames = classNames;
    }

    /** The same samples (shared, not copied) with these class names, one per class and all different. */
    public ArrayDataset withClassNames(List<String> names) {
        List<String> copy = List.copyOf(names);
        arg(copy.size() == numClasses, "%d class names for %d classes: %s", copy.size(), numClasses, copy);
        arg(copy.stream().noneMatch(String::isBlank) && copy.stream().distinct().count() == copy.size(),
                "class names must be non-blank and all different, got %s", copy);
        return new ArrayDataset(data, labels, sampleShape, numClasses, copy);
    }

    /** As above, with {@code numClasses = max(labels) + 1}. */
    public ArrayDataset(float[] data, int[] labels, Shape sampleShape) {
        this(data, labels, sampleShape, maxPlusOne(labels));
    }

    private static int maxPlusOne(int[] labels) {
        int max = -1;
        for (int l : Objects.requireNonNull(labels, "labels")) max = Math.max(max, l);
        return max + 1;
    }

    private static void arg(boolean ok, String format, Object... args) {
        if (!ok) throw new IllegalArgumentException("ArrayDataset: " + String.format(format, args));
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Shape sampleShape() {
        return sampleShape;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public List<String> classNames() {
        return classNames != null ? classNames : Dataset.super.classNames();
    }

    @Override
    public void copySample(int index, float[] dst, int dstOffset) {
        Objects.checkIndex(index, labels.length);
        System.arraycopy(data, index * sampleSize, dst, dstOffset, sampleSize);
    }

    @Override
    public int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    @Override
    public String toString() {
        return "ArrayDataset(size=" + size() + ", sample=" + sampleShape + ", classes=" + numClasses + ")";
    }
}
