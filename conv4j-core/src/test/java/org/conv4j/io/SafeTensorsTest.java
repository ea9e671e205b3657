package org.conv4j.io;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** The bytes of a safetensors file with this header text (unpadded) and data section. */
    static byte[] craft(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    static byte[] bytes(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(Channels.newChannel(out), tensors, metadata);
        return out.toByteArray();
    }

    private Path file(byte[] content) throws IOException {
        Path f = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(f, content);
        return f;
    }

    /** Reading must fail with our exception, naming the file and containing {@code part}. */
    private ModelFormatException rejects(byte[] content, String part) throws IOException {
        Path f = file(content);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        return e;
    }

    private static byte[] floats(int n) {
        return new byte[4 * n];
    }

    @Test
    void writesTheExactSafetensorsLayout() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        tensors.put("b", Tensor.of(new float[] {-0.5f}, 1));
        byte[] b = bytes(tensors, Map.of("k", "v"));
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}}";
        int n = (json.length() + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(n, buf.getLong(0), "8-byte little-endian header length, padded to a multiple of 8");
        assertEquals(0, (8 + n) % 8, "data section 8-byte aligned");
        assertEquals(json + " ".repeat(n - json.length()), new String(b, 8, n, StandardCharsets.UTF_8), "header JSON padded with spaces");
        assertEquals(8 + n + 20, b.length);
        float[] expected = {1, 2, 3, 4, -0.5f};
        for (int i = 0; i < 5; i++) assertEquals(Float.floatToRawIntBits(expected[i]), buf.getInt(8 + n + 4 * i), "little-endian float " + i);
        // 1.0f is 0x3f800000: little-endian bytes 00 00 80 3f
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, Arrays.copyOfRange(b, 8 + n, 8 + n + 4));
    }

    @Test
    void roundTripsValuesBitForBitAcrossChunks() throws IOException {
        SplittableRandom rng = new SplittableRandom(1);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("special", Tensor.of(new float[] {Float.intBitsToFloat(0x7fc00001), -0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE}, 2, 3));
        // 600,000 values: more than one 1 MB chunk, and not a multiple of it
        tensors.put("big.weight", Tensor.uniform(rng, -1, 1, 600, 1000));
        Tensor storage = Tensor.uniform(rng, -1, 1, 5, 3);
        tensors.put("view", storage.slice(2, 4)); // a view with a non-zero offset
        tensors.put("conv.weight", Tensor.uniform(rng, -1, 1, 4, 3, 5, 5));
        tensors.put("名前 ünïcode", Tensor.of(new float[] {7}, 1, 1, 1));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("note", "line\nbreak \"quoted\" é");
        meta.put("empty", "");
        Path f = dir.resolve("round.safetensors");
        SafeTensors.write(f, tensors, meta);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(c.tensors().keySet()));
        for (String name : tensors.keySet()) assertSameBits(tensors.get(name), c.tensors().get(name));
        assertEquals(0x7fc00001, Float.floatToRawIntBits(c.tensors().get("special").at(0)), "NaN payload kept");
        assertEquals(meta, c.metadata());
        SafeTensors.Header h = SafeTensors.readHeader(f);
        assertEquals(5, h.entries().size());
        assertEquals(600_000, h.entries().get(1).elements());
        assertEquals(Files.size(f), h.dataStart() + h.dataLength());
    }

    /** Written by the reference library: {@code safetensors.numpy.save(..., metadata={"format": "pt", "note": "é"})}, version 0.8.0. */
    private static final String REFERENCE_FILE = "sAAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJub3RlIjoiw6kiLCJmb3JtYXQiOiJwdCJ9LCJsYXllci5iaWFzIjp7ImR0eXBlIjoiRjMy"
            + "Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbMCw4XX0sImxheWVyLndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiwzXSwiZGF0YV9vZmZzZXRzIjpb"
            + "OCwzMl19fSAgIAAA4EAAAAjBAADAPwAAAMAAAIA+AABAQAAAAIBvEoM6";

    @Test
    void readsAFileWrittenByTheReferenceLibrary() throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file(java.util.Base64.getDecoder().decode(REFERENCE_FILE)));
        assertEquals(List.of("layer.bias", "layer.weight"), new ArrayList<>(c.tensors().keySet()));
        assertArrayEquals(new float[] {7f, -8.5f}, c.tensors().get("layer.bias").toArray());
        assertEquals(org.conv4j.tensor.Shape.of(2, 3), c.tensors().get("layer.weight").shape());
        assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 3f, -0f, 1e-3f}, c.tensors().get("layer.weight").toArray());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(c.tensors().get("layer.weight").at(4)));
        assertEquals(Map.of("format", "pt", "note", "é"), c.metadata());
    }

    @Test
    void readsAnyEntryOrderPaddingAndNoMetadata() throws IOException {
        // what another writer may produce: keys sorted by name, not by offset; no metadata; extra padding
        String header = "{\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"data_offsets\":[4,12],\"shape\":[2],\"dtype\":\"F32\"}}      ";
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(2.5f).putFloat(-3f);
        SafeTensors.Contents c = SafeTensors.read(file(craft(header, data.array())));
        assertEquals(List.of("z", "a"), new ArrayList<>(c.tensors().keySet()));
        assertArrayEquals(new float[] {1.5f}, c.tensors().get("z").toArray());
        assertArrayEquals(new float[] {2.5f, -3f}, c.tensors().get("a").toArray());
        assertEquals(Map.of(), c.metadata());
        SafeTensors.Contents empty = SafeTensors.read(file(craft("{}", new byte[0])));
        assertTrue(empty.tensors().isEmpty());
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void rejectsMalformedHeadersWithSpecificMessages() throws IOException {
        rejects(craft("{" + entry("w", "F16", "[2]", 0, 4) + "}", floats(1)), "tensor 'w' has dtype F16; conv4j reads only F32");
        rejects(craft("{" + entry("w", "BF16", "[2]", 0, 4) + "}", floats(1)), "dtype BF16");
        rejects(craft("{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)), "'dtype' must be a string, got number");
        rejects(craft("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", floats(3)), "overlaps tensor 'a'");
        rejects(craft("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8) + "}", floats(2)), "overlaps");
        rejects(craft("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", floats(3)), "bytes [4, 8) of the data section belong to no tensor");
        rejects(craft("{" + entry("a", "F32", "[1]", 0, 4) + "}", floats(2)), "the tensors end at byte 4 of the data section, but it holds 8 bytes");
        rejects(craft("{" + entry("a", "F32", "[3]", 0, 8) + "}", floats(2)), "shape [3] has 3 float32 values (12 bytes) but data_offsets [0, 8] span 8 bytes");
        rejects(craft("{" + entry("a", "F32", "[2]", 0, 12) + "}", floats(3)), "span 12 bytes");
        rejects(craft("{" + entry("a", "F32", "[1]", 0, 40) + "}", floats(1)), "exceed the data section of 4 bytes");
        rejects(craft("{" + entry("a", "F32", "[1]", 8, 4) + "}", floats(1)), "end before they begin");
        rejects(craft("{" + entry("a", "F32", "[4611686018427387904,4611686018427387904,4]", 0, 0) + "}", floats(0)), "the byte size overflows");
        rejects(craft("{" + entry("a", "F32", "[9223372036854775807,3]", 0, 4) + "}", floats(1)), "the byte size overflows");
        rejects(craft("{" + entry("a", "F32", "[3,2305843009213693952]", 0, 4) + "}", floats(1)), "the byte size overflows");
        rejects(craft("{" + entry("a", "F32", "[-1]", 0, 4) + "}", floats(1)), "'shape' must hold non-negative integers, got -1");
        rejects(craft("{" + entry("a", "F32", "[1.0]", 0, 4) + "}", floats(1)), "non-negative integers, got 1.0");
        rejects(craft("{" + entry("a", "F32", "[\"1\"]", 0, 4) + "}", floats(1)), "got \"1\"");
        rejects(craft("{" + entry("a", "F32", "[99999999999999999999]", 0, 4) + "}", floats(1)), "non-negative integers");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", floats(1)), "'data_offsets' must have 2 values, got 1");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", floats(1)), "'shape' must be an array, got number");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", floats(1)), "'shape' must be an array, got null");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", floats(1)), "unknown key 'x'");
        rejects(craft("{\"a\":[1]}", floats(0)), "tensor 'a' must be an object, got array");
        rejects(craft("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}", floats(2)), "duplicate key \"a\"");
        rejects(craft("{\"__metadata__\":{\"k\":1}}", floats(0)), "metadata 'k' must be a string, got number");
        rejects(craft("{\"__metadata__\":[]}", floats(0)), "'__metadata__' must be an object, got array");
        rejects(craft("[1,2,3,4]", floats(0)), "header does not start with '{'");
        rejects(craft(" {}", floats(0)), "header does not start with '{'");
        rejects(craft("{\"a\":1", floats(0)), "header is not valid JSON");
        rejects(craft("{}x", floats(0)), "after the JSON value");
        rejects(craft("{}\u0000\u0000", floats(0)), "header is not valid JSON");
        byte[] badUtf8 = craft("{\"\u00e9\":1}", floats(0));
        badUtf8[11] = (byte) 0xff;
        rejects(badUtf8, "header is not valid UTF-8");
        rejects(craft("{" + "\"a\":".repeat(1) + "[[[[[[[[[[]]]]]]]]]]" + "}", floats(0)), "nesting deeper");
    }

    @Test
    void rejectsBadHeaderLengths() throws IOException {
        byte[] valid = bytes(Map.of("w", Tensor.of(new float[] {1, 2}, 2)), Map.of());
        for (long claim : new long[] {1L << 40, -1L, Long.MIN_VALUE, SafeTensors.MAX_HEADER_BYTES + 1L}) {
            byte[] b = valid.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, claim);
            rejects(b, "header length " + Long.toUnsignedString(claim) + " exceeds the limit of 100000000 bytes");
        }
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, b.length - 7);
        rejects(b, "header length " + (b.length - 7) + " exceeds the " + (b.length - 8) + " bytes after the length field");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1_000_000);
        rejects(b, "exceeds the " + (b.length - 8) + " bytes");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0);
        rejects(b, "header length 0 is too short");
        rejects(new byte[0], "0 bytes, shorter than the 8-byte header length");
        rejects(new byte[7], "7 bytes, shorter");
    }

    @Test
    void rejectsEveryTruncation() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.of(new float[] {1, 2, 3}, 3));
        t.put("b", Tensor.of(new float[] {4, 5}, 1, 2));
        byte[] valid = bytes(t, Map.of("m", "x"));
        SafeTensors.read(file(valid));
        Path f = dir.resolve("trunc.safetensors");
        for (int len = 0; len < valid.length; len++) {
            Files.write(f, Arrays.copyOf(valid, len));
            int l = len;
            assertThrows(ModelFormatException.class, () -> SafeTensors.read(f), "truncated to " + l + " of " + valid.length);
        }
        // and a trailing extra byte is data no tensor covers
        rejects(Arrays.copyOf(valid, valid.length + 1), "the tensors end at byte 20 of the data section, but it holds 21 bytes");
    }

    @Test
    void rejectsRandomBytes() throws IOException {
        SplittableRandom rng = new SplittableRandom(99);
        Path f = dir.resolve("random.bin");
        for (int i = 0; i < 400; i++) {
            byte[] b = new byte[rng.nextInt(300)];
            for (int j = 0; j < b.length; j++) b[j] = (byte) rng.nextInt(256);
            if (i % 2 == 0 && b.length >= 8) {
                // a plausible length, so the JSON parser sees random text
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rng.nextInt(b.length - 7));
                if (b.length > 8) b[8] = '{';
            }
            Files.write(f, b);
            assertThrows(ModelFormatException.class, () -> SafeTensors.read(f));
        }
    }

    @Test
    void validatesButDoesNotLoadEmptyOrScalarTensors() throws IOException {
        byte[] zero = craft("{" + entry("e", "F32", "[0,3]", 0, 0) + "," + entry("w", "F32", "[1]", 0, 4) + "}", floats(1));
        SafeTensors.Header h = SafeTensors.readHeader(file(zero));
        assertEquals(0, h.entries().get(0).elements());
        rejects(zero, "tensor 'e' has shape [0, 3] with a zero dimension");
        rejects(craft("{" + entry("s", "F32", "[]", 0, 4) + "}", floats(1)), "tensor 's' is a scalar (shape [])");
    }

    @Test
    void writerRejectsNamesTheFormatCannotHold() {
        Tensor t = Tensor.zeros(1);
        assertThrows(IllegalArgumentException.class, () -> bytes(Map.of("__metadata__", t), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> bytes(Map.of("bad\ud800", t), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> bytes(Map.of("w", t), Map.of("k", "\udc00")));
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> bytes(Map.of("w", t), nullValue));
    }
}
