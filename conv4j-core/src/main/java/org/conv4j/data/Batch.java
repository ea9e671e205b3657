package org.conv4j.data;

import java.util.Objects;
import org.conv4j.tensor.Tensor;

/**
 * One mini-batch from a {@link DataLoader}: images (N, C, H, W), labels (N), the dataset
 * indices the samples came from, and where the batch sits (epoch, batch index).
 */
public final class Batch {
    private final Tensor images;
    private final int[] labels, indices;
    private final int epoch, index;

    public Batch(Tensor images, int[] labels, int[] indices, int epoch, int index) {
        this.images = Objects.requireNonNull(images, "images");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.indices = Objects.requireNonNull(indices, "indices");
        if (images.rank() != 4 || images.dim(0) != labels.length || labels.length != indices.length) {
            throw new IllegalArgumentException("Batch: expected images (N, C, H, W) with N labels and N indices, got " + images.shape()
                    + ", " + labels.length + " labels and " + indices.length + " indices");
        }
        this.epoch = epoch;
        this.index = index;
    }

    /** The images, (N, C, H, W). */
    public Tensor images() {
        return images;
    }

    /** The class index of each image. */
    public int[] labels() {
        return labels;
    }

    /** The dataset index of each image. */
    public int[] indices() {
        return indices;
    }

    /** N, the number of samples. */
    public int size() {
        return labels.length;
    }

    public int epoch() {
        return epoch;
    }

    /** The position of this batch in its epoch, from 0. */
    public int index() {
        return index;
    }

    @Override
    public String toString() {
        return "Batch(epoch=" + epoch + ", index=" + index + ", images=" + images.shape() + ")";
    }
}
