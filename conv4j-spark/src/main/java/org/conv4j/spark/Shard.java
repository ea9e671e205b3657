package org.conv4j.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The samples one Spark partition holds, with their indices in the whole data set in ascending
 * order, so that a step finds its part of a global batch by binary search.
 */
final class Shard implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] indices;
    final float[] pixels; // sample k at k * sampleSize
    final int[] labels;
    final int sampleSize;

    Shard(int[] indices, float[] pixels, int[] labels, int sampleSize) {
        for (int k = 1; k < indices.length; k++) {
            if (indices[k] <= indices[k - 1]) throw new IllegalArgumentException("Shard: indices must ascend, got " + indices[k - 1] + " then " + indices[k]);
        }
        if (labels.length != indices.length || pixels.length != (long) indices.length * sampleSize) {
            throw new IllegalArgumentException("Shard: " + indices.length + " indices need as many labels and " + indices.length + " x " + sampleSize
                    + " values, got " + labels.length + " labels and " + pixels.length + " values");
        }
        this.indices = indices;
        this.pixels = pixels;
        this.labels = labels;
        this.sampleSize = sampleSize;
    }

    int size() {
        return indices.length;
    }

    /** The position of data set sample {@code index} in this shard, or -1 if another shard holds it. */
    int find(int index) {
        int k = Arrays.binarySearch(indices, index);
        return k >= 0 ? k : -1;
    }
}
