package org.conv4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reader of IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed (told
 * apart by the gzip magic 0x1f 0x8b, not by the file name).
 *
 * <p>Layout: the magic {@code 0x00 0x00 TYPE RANK}, then RANK big-endian 32-bit sizes, then
 * {@code d0*d1*...} values. Only TYPE 0x08 (unsigned byte) is accepted, RANK must be 1..4 and
 * every size positive. A raw file's length must equal {@code 4 + 4*RANK + product}; a gzip
 * stream must decompress to exactly that many bytes. Nothing is allocated on the header's word
 * alone: the claimed size is capped ({@link #DEFAULT_MAX_BYTES}), a raw file is checked against
 * its length first, and a gzip stream is read into a buffer that only grows as data arrive and
 * stops at the size the header declares, or earlier at {@link #inflateLimit()} (a quarter of the
 * heap unless the system property {@value #MAX_BYTES_PROPERTY} says otherwise): a 744 KB gzip
 * file that holds 750 MB is refused once it has expanded to that limit, not after exhausting
 * a small heap.
 * Bytes after the end of the last gzip member are ignored, as {@code gzip -d} does (with a
 * warning there). Every problem is a {@link DatasetFormatException} that names the file (Tribuo's
 * {@code IDXDataSource} checks, DESIGN "Style").
 */
public final class Idx {
    /** The IDX type code of unsigned bytes, the only one this reader accepts. */
    public static final int UNSIGNED_BYTE = 0x08;
    /** The default cap on the data bytes a header may claim: the largest Java array. */
    public static final long DEFAULT_MAX_BYTES = Integer.MAX_VALUE - 8;
    /** The system property that sets the default cap, in bytes. */
    public static final String MAX_BYTES_PROPERTY = "conv4j.maxDataBytes";

    private static final int MAX_RANK = 4;
    private static final int FIRST_CHUNK = 1 << 16;

    private Idx() {
    }

    /** Reads {@code file} with the default cap {@link #DEFAULT_MAX_BYTES}. */
    public static IdxArray read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_BYTES);
    }

    /**
     * The most bytes a gzip stream may expand to: {@value #MAX_BYTES_PROPERTY} when set, else a
     * quarter of the heap (the bytes become floats, four times as many, to be trained on), at
     * most {@link #DEFAULT_MAX_BYTES}.
     */
    public static long inflateLimit() {
        String p = System.getProperty(MAX_BYTES_PROPERTY);
        if (p == null) return Math.max(1, Math.min(DEFAULT_MAX_BYTES, Runtime.getRuntime().maxMemory() / 4));
        try {
            long n = Long.parseLong(p.trim());
            if (n >= 1 && n <= DEFAULT_MAX_BYTES) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(MAX_BYTES_PROPERTY + " must be a number of bytes in [1, " + DEFAULT_MAX_BYTES + "], got '" + p + "'");
    }

    /** Reads {@code file}, refusing headers that claim more than {@code maxBytes} values. */
    public static IdxArray read(Path file, long maxBytes) throws IOException {
        if (maxBytes < 1 || maxBytes > DEFAULT_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be in [1, " + DEFAULT_MAX_BYTES + "], got " + maxBytes);
        }
        long fileLength = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) return readRaw(file, raw, fileLength, maxBytes);
            try {
                return readGzip(file, new GZIPInputStream(raw, 1 << 16), maxBytes);
            } catch (DatasetFormatException e) {
                throw e;
            } catch (EOFException e) {
                throw new DatasetFormatException(file, "corrupt gzip stream: truncated, the compressed data end before the gzip trailer", e);
            } catch (IOException e) {
                // ZipException ("invalid stored block lengths", "Corrupt GZIP trailer"...): a damaged file
                String m = e.getMessage();
                throw new DatasetFormatException(file, "corrupt gzip stream: " + (m == null || m.isBlank() ? e.getClass().getSimpleName() : m), e);
            }
        }
    }

    /** True if the file starts with the gzip magic 0x1f 0x8b. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static IdxArray readRaw(Path file, InputStream in, long fileLength, long maxBytes) throws IOException {
        int[] dims = readHeader(file, in, maxBytes);
        long header = 4 + 4L * dims.length;
        long bytes = product(dims);
        long expected = header + bytes;
        if (fileLength != expected) {
            String what = fileLength < expected ? "truncated" : "over-long";
            throw new DatasetFormatException(file, String.format("%s: header claims sizes %s (%d header + %d data = %d bytes), but the file has %d bytes",
                    what, Arrays.toString(dims), header, bytes, expected, fileLength));
        }
        byte[] data = new byte[(int) bytes];
        if (in.readNBytes(data, 0, data.length) != data.length) {
            throw new DatasetFormatException(file, "truncated while reading (the file shrank?)");
        }
        return new IdxArray(dims, data);
    }

    private static IdxArray readGzip(Path file, InputStream in, long maxBytes) throws IOException {
        int[] dims = readHeader(file, in, maxBytes);
        int bytes = (int) product(dims);
        long limit = inflateLimit();
        // grow with the data actually decompressed, so a lying header cannot make us allocate
        byte[] buf = new byte[Math.min(bytes, FIRST_CHUNK)];
        int n = 0;
        while (n < bytes) {
            if (n >= limit) {
                throw new DatasetFormatException(file, String.format("the gzip stream expands beyond the limit of %d bytes (its header claims sizes %s = %d bytes; -D%s=N raises the limit)",
                        limit, Arrays.toString(dims), bytes, MAX_BYTES_PROPERTY));
            }
            if (n == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(Math.min(bytes, limit), 2L * buf.length));
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                throw new DatasetFormatException(file, String.format("truncated: header claims sizes %s = %d data bytes, the gzip stream holds only %d",
                        Arrays.toString(dims), bytes, n));
            }
            n += r;
        }
        if (in.read() >= 0) {
            throw new DatasetFormatException(file, String.format("over-long: the gzip stream holds more than the %d data bytes its header claims (sizes %s)",
                    bytes, Arrays.toString(dims)));
        }
        return new IdxArray(dims, buf);
    }

    /** Reads and validates the magic and the sizes; returns the sizes. */
    private static int[] readHeader(Path file, InputStream in, long maxBytes) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) throw new DatasetFormatException(file, "truncated header: " + magic.length + " bytes, an IDX file starts with a 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DatasetFormatException(file, String.format("bad magic number 0x%02x%02x%02x%02x: an IDX file starts with 0x00 0x00, the type and the rank",
                    magic[0], magic[1], magic[2], magic[3]));
        }
        int type = magic[2] & 0xff;
        if (type != UNSIGNED_BYTE) {
            throw new DatasetFormatException(file, String.format("unsupported data type 0x%02x (%s): only unsigned bytes (0x08) are supported",
                    type, typeName(type)));
        }
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > MAX_RANK) {
            throw new DatasetFormatException(file, "rank " + rank + " is not supported: expected 1 to " + MAX_RANK + " dimensions");
        }
        byte[] sizes = in.readNBytes(4 * rank);
        if (sizes.length < 4 * rank) {
            throw new DatasetFormatException(file, "truncated header: rank " + rank + " needs " + 4 * rank + " bytes of sizes, got " + sizes.length);
        }
        int[] dims = new int[rank];
        long product = 1;
        for (int i = 0; i < rank; i++) {
            long d = ((sizes[4 * i] & 0xffL) << 24) | ((sizes[4 * i + 1] & 0xff) << 16) | ((sizes[4 * i + 2] & 0xff) << 8) | (sizes[4 * i + 3] & 0xff);
            if (d == 0) throw new DatasetFormatException(file, "size " + i + " is 0: every size must be positive");
            if (d > Integer.MAX_VALUE) throw new DatasetFormatException(file, "size " + i + " is " + d + ", over 2^31-1 (a negative number read as unsigned?)");
            dims[i] = (int) d;
            product *= d; // both factors < 2^31, so no overflow before the check below
            if (product > maxBytes) {
                throw new DatasetFormatException(file, String.format("header claims sizes %s, over the limit of %d values (-D%s=N raises it)",
                        Arrays.toString(Arrays.copyOf(dims, i + 1)) + (i + 1 < rank ? "..." : ""), maxBytes, MAX_BYTES_PROPERTY));
            }
        }
        return dims;
    }

    private static long product(int[] dims) {
        long p = 1;
        for (int d : dims) p *= d;
        return p;
    }

    private static String typeName(int type) {
        switch (type) {
            case 0x09: return "signed byte";
            case 0x0b: return "short";
            case 0x0c: return "int";
            case 0x0d: return "float";
            case 0x0e: return "double";
            default: return "not an IDX type";
        }
    }
}
