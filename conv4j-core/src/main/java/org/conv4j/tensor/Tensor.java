package org.conv4j.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A dense float32 tensor in row-major order (NCHW for image batches): a {@link Shape} over a
 * {@code float[]} starting at an offset. {@link #reshape} and {@link #slice} are views that
 * share the storage; {@link #copy} does not.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final Shape shape;

    private Tensor(float[] data, int offset, Shape shape) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
    }

    public static Tensor zeros(Shape shape) {
        return new Tensor(new float[shape.size()], 0, shape);
    }

    public static Tensor zeros(int... dims) {
        return zeros(Shape.of(dims));
    }

    /** Wraps {@code data} (not copied) with the given shape; the lengths must agree. */
    public static Tensor of(float[] data, int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != data.length) {
            throw new IllegalArgumentException("shape " + s + " needs " + s.size() + " values, got " + data.length);
        }
        return new Tensor(data, 0, s);
    }

    /** A view of {@code data[offset .. offset + shape.size())}. */
    public static Tensor view(float[] data, int offset, Shape shape) {
        if (offset < 0 || (long) offset + shape.size() > data.length) {
            throw new IllegalArgumentException("view of " + shape + " at offset " + offset + " exceeds storage of " + data.length);
        }
        return new Tensor(data, offset, shape);
    }

    /** Standard normal values scaled by {@code std}, from a seeded generator. */
    public static Tensor randn(SplittableRandom rng, float std, int... dims) {
        Tensor t = zeros(dims);
        for (int i = 0; i < t.size(); i++) t.data[i] = (float) (gaussian(rng) * std);
        return t;
    }

    /** Uniform values in [lo, hi) from a seeded generator. */
    public static Tensor uniform(SplittableRandom rng, float lo, float hi, int... dims) {
        Tensor t = zeros(dims);
        for (int i = 0; i < t.size(); i++) t.data[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return t;
    }

    /** A standard normal sample (Box-Muller), so results only depend on the generator's seed. */
    public static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    public int dim(int i) {
        return shape.dim(i);
    }

    public int size() {
        return shape.size();
    }

    /** The backing storage; this tensor's values are {@code data()[offset() .. offset() + size())}. */
    public float[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    /** The same values under another shape with as many elements; a view, not a copy. */
    public Tensor reshape(int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != size()) throw new IllegalArgumentException("cannot reshape " + shape + " to " + s);
        return new Tensor(data, offset, s);
    }

    public Tensor reshape(Shape s) {
        return reshape(s.dims());
    }

    /** Items {@code [from, to)} of the outermost dimension, as a view. */
    public Tensor slice(int from, int to) {
        if (from < 0 || to > dim(0) || from >= to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") out of range for " + shape);
        }
        int item = shape.sizeFrom(1);
        return new Tensor(data, offset + from * item, shape.withDim(0, to - from));
    }

    public float get(int... index) {
        return data[offset + flatIndex(index)];
    }

    public void set(float value, int... index) {
        data[offset + flatIndex(index)] = value;
    }

    /** The value at a flat (row-major) position. */
    public float at(int i) {
        return data[offset + i];
    }

    public void fill(float v) {
        Arrays.fill(data, offset, offset + size(), v);
    }

    public Tensor copy() {
        return new Tensor(toArray(), 0, shape);
    }

    /** Copies {@code src} (same size) into this tensor. */
    public void copyFrom(Tensor src) {
        if (src.size() != size()) throw new IllegalArgumentException("cannot copy " + src.shape + " into " + shape);
        System.arraycopy(src.data, src.offset, data, offset, size());
    }

    public float[] toArray() {
        return Arrays.copyOfRange(data, offset, offset + size());
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("index of rank " + index.length + " for tensor of shape " + shape);
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            int d = shape.dim(i);
            if (index[i] < 0 || index[i] >= d) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for shape " + shape);
            }
            flat = flat * d + index[i];
        }
        return flat;
    }

    @Override
    public String toString() {
        int n = Math.min(size(), 8);
        StringBuilder sb = new StringBuilder("Tensor").append(shape).append(" [");
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(at(i));
        return sb.append(size() > n ? ", ...]" : "]").toString();
    }
}
