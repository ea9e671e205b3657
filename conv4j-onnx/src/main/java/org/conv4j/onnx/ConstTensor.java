package org.conv4j.onnx;

import java.util.Arrays;

/**
 * A tensor known at import time: an initializer, a Constant node's value, or a shape computed
 * from them. Exactly one of {@code floats} (FLOAT) and {@code longs} (every integer type) is
 * non-null. In {@code longs}, {@link #BATCH} stands for the batch size, which a file with a
 * dynamic batch axis leaves unknown until run time.
 */
record ConstTensor(long[] dims, float[] floats, long[] longs) {
    /** The unknown batch size inside a shape computed with Shape. */
    static final long BATCH = Long.MIN_VALUE;

    static ConstTensor ofFloats(long[] dims, float[] values) {
        return new ConstTensor(dims, values, null);
    }

    static ConstTensor ofLongs(long[] dims, long[] values) {
        return new ConstTensor(dims, null, values);
    }

    boolean isFloat() {
        return floats != null;
    }

    int size() {
        return isFloat() ? floats.length : longs.length;
    }

    int rank() {
        return dims.length;
    }

    /** The shape as ONNX prints it, e.g. [64, 3, 7, 7]. */
    String shapeText() {
        return Arrays.toString(dims);
    }

    /** The dims as ints; each is below the element count, which is an int. */
    int[] intDims() {
        int[] d = new int[dims.length];
        for (int i = 0; i < d.length; i++) d[i] = (int) dims[i];
        return d;
    }
}
