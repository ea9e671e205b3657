package org.conv4j.io;

/**
 * What reading one model file may cost, checked before the memory is allocated: the header's
 * length in bytes, the values in each JSON text of the header (the tensor table, the
 * architecture), and the layers of the architecture. {@link #DEFAULT} keeps a hostile file's
 * header under about 350 MB of heap in all (its bytes, its text and a parsed tree of
 * {@link Json#DEFAULT_MAX_VALUES} values); a caller with less memory passes smaller limits.
 * The parameter values themselves are bounded by the file's length ({@link ModelFile}).
 */
public record ReadLimits(int maxHeaderBytes, int maxJsonValues, int maxLayers) {
    /** The largest header the reference safetensors library reads (100 MB), 1,000,000 JSON values, 250,000 layers. */
    public static final ReadLimits DEFAULT = new ReadLimits(SafeTensors.MAX_HEADER_BYTES, Json.DEFAULT_MAX_VALUES, 250_000);

    public ReadLimits {
        if (maxHeaderBytes < 2 || maxHeaderBytes > SafeTensors.MAX_HEADER_BYTES || maxJsonValues < 1 || maxLayers < 1) {
            throw new IllegalArgumentException("ReadLimits: header bytes must be in [2, " + SafeTensors.MAX_HEADER_BYTES + "] and the other limits >= 1, got "
                    + maxHeaderBytes + ", " + maxJsonValues + ", " + maxLayers);
        }
    }
}
