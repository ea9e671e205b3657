package org.conv4j.data;

/**
 * The contents of one IDX file of unsigned bytes: its dimensions (outermost first) and the
 * values in row-major order. Read with {@link Idx#read}.
 */
public final class IdxArray {
    private final int[] dims;
    private final byte[] data;

    IdxArray(int[] dims, byte[] data) {
        this.dims = dims;
        this.data = data;
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of values, the product of the dimensions. */
    public int size() {
        return data.length;
    }

    /** Value {@code i} (row-major) as an unsigned byte, 0..255. */
    public int unsigned(int i) {
        return data[i] & 0xff;
    }

    /** The raw bytes (read them with {@code & 0xff}); the array is shared, not copied. */
    public byte[] data() {
        return data;
    }
}
