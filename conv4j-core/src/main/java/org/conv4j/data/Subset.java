package org.conv4j.data;

import org.conv4j.tensor.Shape;

/** A view of some samples of another {@link Dataset}, by index; nothing is copied. */
public final class Subset implements Dataset {
    private final Dataset source;
    private final int[] indices;

    public Subset(Dataset source, int[] indices) {
        this.source = source;
        this.indices = indices.clone();
        for (int i : this.indices) {
            if (i < 0 || i >= source.size()) throw new IllegalArgumentException("Subset: index " + i + " is outside the data set of " + source.size());
        }
    }

    /**
     * Splits {@code source} into (rest, held out) with {@code heldOut} samples chosen by a seeded
     * permutation; each part keeps the source's order.
     */
    public static Subset[] split(Dataset source, int heldOut, long seed) {
        int n = source.size();
        if (heldOut < 0 || heldOut > n) throw new IllegalArgumentException("Subset: cannot hold out " + heldOut + " of " + n + " samples");
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] out = java.util.Arrays.copyOfRange(perm, 0, heldOut), in = java.util.Arrays.copyOfRange(perm, heldOut, n);
        java.util.Arrays.sort(out);
        java.util.Arrays.sort(in);
        return new Subset[] {new Subset(source, in), new Subset(source, out)};
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Shape sampleShape() {
        return source.sampleShape();
    }

    @Override
    public int numClasses() {
        return source.numClasses();
    }

    @Override
    public void copySample(int index, float[] dst, int dstOffset) {
        source.copySample(indices[index], dst, dstOffset);
    }

    @Override
    public int label(int index) {
        return source.label(indices[index]);
    }
}
