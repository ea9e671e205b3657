package org.conv4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
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
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] out = Arrays.copyOfRange(perm, 0, heldOut), in = Arrays.copyOfRange(perm, heldOut, n);
        Arrays.sort(out);
        Arrays.sort(in);
        return new Subset[] {new Subset(source, in), new Subset(source, out)};
    }

    /**
     * A seeded, stratified split into (train, validation, test) that never shares a sample between
     * parts: within each class (in label order) the samples are shuffled by one generator seeded
     * with {@code seed}, the first {@code round(n * testFraction)} go to the test part, the next
     * {@code round(n * validationFraction)} to validation and the rest to training. Each part
     * keeps the source's order; the same data, fractions and seed give the same parts.
     */
    public static Subset[] stratified(Dataset source, double validationFraction, double testFraction, long seed) {
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1)) {
            throw new IllegalArgumentException("Subset: validation and test fractions must be >= 0 with a sum below 1, got "
                    + validationFraction + " and " + testFraction);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < source.numClasses(); c++) byClass.add(new ArrayList<>());
        for (int i = 0; i < source.size(); i++) byClass.get(source.label(i)).add(i);
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> train = new ArrayList<>(), validation = new ArrayList<>(), test = new ArrayList<>();
        for (int c = 0; c < byClass.size(); c++) {
            List<Integer> members = byClass.get(c);
            int n = members.size();
            for (int i = n - 1; i > 0; i--) Collections.swap(members, i, rng.nextInt(i + 1));
            int t = (int) Math.round(n * testFraction), v = (int) Math.round(n * validationFraction);
            if (n > 0 && t + v >= n) {
                throw new IllegalArgumentException("Subset: class '" + source.classNames().get(c) + "' has " + n
                        + " samples, too few to keep any for training after " + v + " for validation and " + t + " for testing");
            }
            test.addAll(members.subList(0, t));
            validation.addAll(members.subList(t, t + v));
            train.addAll(members.subList(t + v, n));
        }
        return new Subset[] {new Subset(source, sorted(train)), new Subset(source, sorted(validation)), new Subset(source, sorted(test))};
    }

    private static int[] sorted(List<Integer> indices) {
        int[] a = indices.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }

    /** The index in the source data set of sample {@code index}. */
    public int sourceIndex(int index) {
        return indices[index];
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
    public List<String> classNames() {
        return source.classNames();
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
