package org.conv4j.kernel;

/** How a convolution reads outside its input, as PyTorch's {@code padding_mode}. */
public enum PaddingMode {
    /** Zeros outside the input (the sources' padding). */
    ZEROS,
    /** Mirror without repeating the edge: index -1 reads 1. Padding must be smaller than the input. */
    REFLECT,
    /** Repeat the edge value. */
    REPLICATE,
    /** Wrap around: index -1 reads the last. Padding must not exceed the input. */
    CIRCULAR;

    /** The input index that padded index {@code i} reads, or -1 for a zero. */
    int source(int i, int size) {
        if (i >= 0 && i < size) return i;
        switch (this) {
            case REFLECT:
                return i < 0 ? -i : 2 * (size - 1) - i;
            case REPLICATE:
                return i < 0 ? 0 : size - 1;
            case CIRCULAR:
                return ((i % size) + size) % size;
            default:
                return -1;
        }
    }
}
