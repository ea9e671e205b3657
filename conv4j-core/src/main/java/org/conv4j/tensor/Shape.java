package org.conv4j.tensor;

import java.util.Arrays;

/** An immutable tensor shape: the sizes of each dimension, outermost first (NCHW for images). */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape with the given dimensions; every dimension must be positive. */
    public static Shape of(int... dims) {
        if (dims.length == 0) throw new IllegalArgumentException("a shape needs at least one dimension");
        long size = 1;
        for (int d : dims) {
            if (d <= 0) throw new IllegalArgumentException("shape dimensions must be positive, got " + Arrays.toString(dims));
            size *= d;
            if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more than 2^31-1 elements");
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i}; negative indices count from the end, as in PyTorch. */
    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public int size() {
        int s = 1;
        for (int d : dims) s *= d;
        return s;
    }

    /** Elements per item of the outermost dimension (C*H*W for an NCHW batch). */
    public int sizeFrom(int axis) {
        int s = 1;
        for (int i = axis; i < dims.length; i++) s *= dims[i];
        return s;
    }

    /** This shape with dimension 0 replaced, e.g. a different batch size. */
    public Shape withDim(int axis, int value) {
        int[] d = dims.clone();
        d[axis] = value;
        return of(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
