package org.conv4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.conv4j.tensor.Tensor;

/**
 * Reads and writes float32 tensors in the safetensors format (DESIGN "Files"), the format of
 * Hugging Face's {@code safetensors} library, so PyTorch reads our files and we read its F32
 * files.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8
 * JSON, an object mapping each tensor name to
 * {@code {"dtype":"F32","shape":[...],"data_offsets":[begin,end]}} plus an optional
 * {@code "__metadata__"} object of string values; then the data section, every tensor's values
 * in row-major order as little-endian floats, at {@code [8 + N + begin, 8 + N + end)}. We pad
 * the header with spaces to a multiple of 8 (so the data are 8-byte aligned) and lay tensors out
 * contiguously in the map's order.
 *
 * <p>Reading validates everything against the file length before allocating anything the file
 * claims: the header length (at most {@link #MAX_HEADER_BYTES}, as the reference library), the
 * JSON, each entry's dtype (F32, or I64 which a header may hold but is never read as data),
 * shape ({@code product(shape) * 4 == end - begin}, 8 for I64, without overflow) and offsets, and
 * that the entries tile the data section exactly, without gaps or overlaps.
 * Every problem is a {@link ModelFormatException} naming the file and the tensor.
 */
public final class SafeTensors {
    /** The largest header accepted, as in the reference implementation (100 MB). */
    public static final int MAX_HEADER_BYTES = 100_000_000;
    /** The header key of the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** The only dtype conv4j reads and writes. */
    public static final String F32 = "F32";
    /**
     * int64, the dtype of BatchNorm's {@code num_batches_tracked} in a PyTorch state dict: accepted
     * in a header (so such a file validates) but never read as a tensor; see {@link PyTorchWeights}.
     */
    public static final String I64 = "I64";

    private static final int CHUNK_BYTES = 1 << 20;
    // the largest Java array: a tensor must fit in one float[]
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private SafeTensors() {
    }

    /** One tensor as the header describes it; offsets are relative to the data section. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        /** Number of elements (the product of the shape). */
        public long elements() {
            return (end - begin) / (dtype.equals(I64) ? 8 : 4);
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
        }
    }

    /** A validated header: the entries in the file's order, the metadata, and where the data start. */
    public record Header(List<Entry> entries, Map<String, String> metadata, long dataStart, long dataLength) {
    }

    /** A file's tensors, in the header's order, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    // ---- writing

    /** Writes {@code tensors} and {@code metadata} to {@code file}, atomically (see {@link AtomicFiles}). */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, ch -> write(ch, header, tensors));
    }

    /** Writes the safetensors bytes of {@code tensors} and {@code metadata} to a channel. */
    public static void write(WritableByteChannel out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(out, header(tensors, metadata), tensors);
    }

    private static void write(WritableByteChannel out, byte[] header, Map<String, Tensor> tensors) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length);
        buf.flip();
        writeFully(out, buf);
        writeFully(out, ByteBuffer.wrap(header));
        int chunkFloats = CHUNK_BYTES / 4;
        for (Tensor t : tensors.values()) {
            float[] data = t.data();
            for (int done = 0; done < t.size(); done += chunkFloats) {
                int n = Math.min(chunkFloats, t.size() - done);
                buf.clear();
                buf.asFloatBuffer().put(data, t.offset() + done, n);
                buf.limit(n * 4);
                writeFully(out, buf);
            }
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /** The UTF-8 JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                checkText(e.getKey(), "metadata key");
                if (e.getValue() == null) throw new IllegalArgumentException("SafeTensors: metadata '" + e.getKey() + "' has a null value");
                checkText(e.getValue(), "metadata value");
                meta.put(e.getKey(), e.getValue());
            }
            json.put(METADATA_KEY, meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            checkText(name, "tensor name");
            if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("SafeTensors: '" + METADATA_KEY + "' is reserved and cannot name a tensor");
            Tensor t = e.getValue();
            if (t == null) throw new IllegalArgumentException("SafeTensors: tensor '" + name + "' is null");
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape().dims()) shape.add((long) d);
            long end = offset + 4L * t.size();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", F32);
            info.put("shape", shape);
            info.put("data_offsets", List.of(offset, end));
            json.put(name, info);
            offset = end;
        }
        byte[] text = Json.write(json).getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(text, (text.length + 7) / 8 * 8);
        Arrays.fill(padded, text.length, padded.length, (byte) ' ');
        return padded;
    }

    /** Names and metadata must be valid Unicode, which the reference reader requires of the UTF-8 header. */
    private static void checkText(String s, String what) {
        if (s == null) throw new IllegalArgumentException("SafeTensors: a " + what + " is null");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("SafeTensors: " + what + " '" + s + "' contains an unpaired surrogate at index " + i);
            }
        }
    }

    // ---- reading

    /** Inspects a validated header before any tensor is read; may reject the file. */
    @FunctionalInterface
    interface HeaderCheck {
        void check(Header header) throws IOException;
    }

    /** Reads every tensor and the metadata of {@code file}, after validating the whole header. */
    public static Contents read(Path file) throws IOException {
        return read(file, ReadLimits.DEFAULT);
    }

    /** As {@link #read(Path)}, within the caller's limits on the header. */
    public static Contents read(Path file, ReadLimits limits) throws IOException {
        return read(file, limits, h -> { });
    }

    /** As {@link #read(Path, ReadLimits)}, letting {@code check} see the header before the data are read (one open, so one file). */
    static Contents read(Path file, ReadLimits limits, HeaderCheck check) throws IOException {
        return read(file, limits, check, e -> true);
    }

    /** As {@link #read(Path, ReadLimits, HeaderCheck)}, reading only the entries {@code keep} accepts. */
    static Contents read(Path file, ReadLimits limits, HeaderCheck check, Predicate<Entry> keep) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch, limits);
            check.check(h);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : h.entries()) {
                if (keep.test(e)) tensors.put(e.name(), readTensor(file, ch, h, e));
            }
            return new Contents(Collections.unmodifiableMap(tensors), h.metadata());
        }
    }

    /** Reads and validates the header of {@code file} only, without the data. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch, ReadLimits.DEFAULT);
        }
    }

    private static Header readHeader(Path file, FileChannel ch, ReadLimits limits) throws IOException {
        long fileLength = ch.size();
        if (fileLength < 8) {
            throw new ModelFormatException(file, "not a safetensors file: " + fileLength + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lengthBytes, 0);
        long n = lengthBytes.getLong(0);
        // an unsigned 64-bit value: negative here means >= 2^63
        if (n < 0 || n > limits.maxHeaderBytes()) {
            throw new ModelFormatException(file, "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + limits.maxHeaderBytes()
                    + " bytes" + (looksLikeText(lengthBytes) ? "; the file starts with text \"" + new String(lengthBytes.array(), StandardCharsets.US_ASCII).strip() + "\"" : ""));
        }
        if (n > fileLength - 8) {
            throw new ModelFormatException(file, "header length " + n + " exceeds the " + (fileLength - 8) + " bytes after the length field (truncated file?)");
        }
        if (n < 2) throw new ModelFormatException(file, "header length " + n + " is too short for a JSON object");
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        readFully(file, ch, headerBytes, 8);
        headerBytes.flip();
        if (headerBytes.get(0) != '{') {
            throw new ModelFormatException(file, String.format("header does not start with '{' (first byte 0x%02x)", headerBytes.get(0) & 0xff));
        }
        String text = utf8(file, headerBytes);
        Map<String, Object> json;
        try {
            json = Json.parseObject(text, 8, limits.maxHeaderBytes(), limits.maxJsonValues());
        } catch (JsonException e) {
            throw new ModelFormatException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        long dataLength = fileLength - 8 - n;
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
            } else {
                entries.add(entry(file, e.getKey(), e.getValue(), dataLength));
            }
        }
        checkTiling(file, entries, dataLength);
        return new Header(Collections.unmodifiableList(entries), metadata, 8 + n, dataLength);
    }

    /**
     * The header as text, checked to be UTF-8 through a small buffer: decoding into a CharBuffer
     * of the whole header would cost twice its bytes again, a third of a small heap for a 100 MB header.
     */
    private static String utf8(Path file, ByteBuffer bytes) throws ModelFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chunk = CharBuffer.allocate(1 << 14);
        ByteBuffer in = bytes.duplicate();
        while (true) {
            CoderResult r = decoder.decode(in, chunk, true);
            if (r.isError()) throw new ModelFormatException(file, "header is not valid UTF-8 (at byte " + in.position() + ")");
            chunk.clear();
            if (r.isUnderflow()) break;
        }
        if (decoder.flush(chunk).isError()) throw new ModelFormatException(file, "header is not valid UTF-8 (at the end)");
        return new String(bytes.array(), 0, bytes.limit(), StandardCharsets.UTF_8);
    }

    /** Whether the 8 length bytes are printable ASCII: a text file given as a model. */
    private static boolean looksLikeText(ByteBuffer lengthBytes) {
        for (int i = 0; i < 8; i++) {
            int b = lengthBytes.get(i) & 0xff;
            if (b != '\n' && b != '\r' && b != '\t' && (b < 0x20 || b > 0x7e)) return false;
        }
        return true;
    }

    private static Map<String, String> metadata(Path file, Object value) throws ModelFormatException {
        if (!(value instanceof Map)) throw new ModelFormatException(file, "'" + METADATA_KEY + "' must be an object, got " + Json.typeName(value));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new ModelFormatException(file, "metadata '" + e.getKey() + "' must be a string, got " + Json.typeName(e.getValue()));
            }
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(Path file, String name, Object value, long dataLength) throws ModelFormatException {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map)) throw new ModelFormatException(file, where + " must be an object, got " + Json.typeName(value));
        Map<?, ?> info = (Map<?, ?>) value;
        for (Object key : info.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new ModelFormatException(file, where + " has an unknown key '" + key + "' (expected dtype, shape, data_offsets)");
            }
        }
        Object dtype = info.get("dtype");
        if (!(dtype instanceof String)) throw new ModelFormatException(file, where + ": 'dtype' must be a string, got " + Json.typeName(dtype));
        if (!dtype.equals(F32) && !dtype.equals(I64)) {
            throw new ModelFormatException(file, where + " has dtype " + dtype + "; conv4j reads only F32 (float32) tensors");
        }
        int size = dtype.equals(I64) ? 8 : 4;
        long[] shape = longs(file, where, "shape", info.get("shape"), -1);
        long[] offsets = longs(file, where, "data_offsets", info.get("data_offsets"), 2);
        long begin = offsets[0], end = offsets[1];
        if (begin > end) throw new ModelFormatException(file, where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        if (end > dataLength) {
            throw new ModelFormatException(file, where + ": data_offsets [" + begin + ", " + end + "] exceed the data section of " + dataLength + " bytes");
        }
        // overflow-safe: elements * 4 must stay within a long
        long elements = 1;
        for (long d : shape) {
            if (d == 0) {
                elements = 0;
                break;
            }
        }
        if (elements != 0) {
            for (long d : shape) {
                if (elements > Long.MAX_VALUE / 8 / d) {
                    throw new ModelFormatException(file, where + ": shape " + Arrays.toString(shape) + " has more than 2^60 values (the byte size overflows)");
                }
                elements *= d;
            }
        }
        if (elements * size != end - begin) {
            throw new ModelFormatException(file, where + ": shape " + Arrays.toString(shape) + " has " + elements + (size == 4 ? " float32" : " int64")
                    + " values (" + elements * size + " bytes) but data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes");
        }
        return new Entry(name, (String) dtype, shape, begin, end);
    }

    /** An array of non-negative integers (of length {@code length}, unless -1). */
    private static long[] longs(Path file, String where, String key, Object value, int length) throws ModelFormatException {
        if (!(value instanceof List)) throw new ModelFormatException(file, where + ": '" + key + "' must be an array, got " + Json.typeName(value));
        List<?> list = (List<?>) value;
        if (length >= 0 && list.size() != length) {
            throw new ModelFormatException(file, where + ": '" + key + "' must have " + length + " values, got " + list.size());
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof Long) || (Long) v < 0) {
                throw new ModelFormatException(file, where + ": '" + key + "' must hold non-negative integers, got " + (v instanceof String ? "\"" + v + "\"" : v));
            }
            out[i] = (Long) v;
        }
        return out;
    }

    /** The entries must cover the data section exactly: sorted by offset, each begins where the previous ends. */
    private static void checkTiling(Path file, List<Entry> entries, long dataLength) throws ModelFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.begin() != b.begin() ? Long.compare(a.begin(), b.begin()) : Long.compare(a.end(), b.end()));
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < at) {
                throw new ModelFormatException(file, "tensor '" + e.name() + "' at [" + e.begin() + ", " + e.end() + ") overlaps tensor '" + previous.name() + "' at [" + previous.begin() + ", " + previous.end() + ")");
            }
            if (e.begin() > at) {
                throw new ModelFormatException(file, "bytes [" + at + ", " + e.begin() + ") of the data section belong to no tensor (before '" + e.name() + "')");
            }
            at = e.end();
            previous = e;
        }
        if (at != dataLength) {
            throw new ModelFormatException(file, "the tensors end at byte " + at + " of the data section, but it holds " + dataLength + " bytes");
        }
    }

    private static Tensor readTensor(Path file, FileChannel ch, Header h, Entry e) throws IOException {
        String where = "tensor '" + e.name() + "'";
        if (!e.dtype().equals(F32)) throw new ModelFormatException(file, where + " has dtype " + e.dtype() + "; conv4j reads only F32 (float32) tensors");
        if (e.shape().length == 0) throw new ModelFormatException(file, where + " is a scalar (shape []); conv4j tensors have at least one dimension");
        int[] dims = new int[e.shape().length];
        for (int i = 0; i < dims.length; i++) {
            if (e.shape()[i] == 0) throw new ModelFormatException(file, where + " has shape " + Arrays.toString(e.shape()) + " with a zero dimension; conv4j tensors are non-empty");
            dims[i] = (int) e.shape()[i]; // fits: the product was checked against the data section
        }
        if (e.elements() > MAX_ELEMENTS) {
            throw new ModelFormatException(file, where + " has " + e.elements() + " values, more than a Java array holds");
        }
        float[] data = new float[(int) e.elements()];
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
        int chunkFloats = buf.capacity() / 4;
        for (int done = 0; done < data.length; done += chunkFloats) {
            int n = Math.min(chunkFloats, data.length - done);
            buf.clear().limit(n * 4);
            readFully(file, ch, buf, h.dataStart() + e.begin() + 4L * done);
            buf.flip();
            buf.asFloatBuffer().get(data, done, n);
        }
        return Tensor.of(data, dims);
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, p);
            if (r < 0) throw new ModelFormatException(file, "file ended at byte " + p + " while reading (was it truncated while being read?)");
            p += r;
        }
    }
}
