package org.conv4j.data;

import static org.conv4j.data.TestData.gzip;
import static org.conv4j.data.TestData.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        // delete first: on ext4, truncating and rewriting a file forces a flush (auto_da_alloc), 10x slower
        Path p = dir.resolve(name);
        Files.deleteIfExists(p);
        return Files.write(p, bytes);
    }

    /** The read fails with a DatasetFormatException naming the file and containing {@code what}. */
    private void assertBad(byte[] bytes, String what) throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path f = write(gz ? "bad.gz" : "bad", gz ? gzip(bytes) : bytes);
            DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Idx.read(f), what);
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(what), "expected '" + what + "' in: " + e.getMessage());
            assertEquals(f, e.file());
        }
    }

    private static byte[] header(int type, int rank, long... sizes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length + 10);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) rank);
        for (long s : sizes) b.putInt((int) s);
        return b.array(); // followed by 10 zero data bytes
    }

    @Test
    void readsRawAndGzipAlike() throws IOException {
        byte[] data = TestData.randomBytes(new SplittableRandom(1), 3 * 4 * 5, 256);
        byte[] raw = idx(new int[] {3, 4, 5}, data);
        for (Path f : new Path[] {write("a-idx3-ubyte", raw), write("a-idx3-ubyte.gz", gzip(raw))}) {
            IdxArray a = Idx.read(f);
            assertArrayEquals(new int[] {3, 4, 5}, a.dims());
            assertEquals(3, a.rank());
            assertEquals(60, a.size());
            assertArrayEquals(data, a.data());
            assertEquals(data[7] & 0xff, a.unsigned(7));
        }
    }

    @Test
    void gzipIsDetectedByItsMagicNotTheName() throws IOException {
        byte[] raw = idx(new int[] {2, 2}, new byte[] {1, 2, (byte) 200, 4});
        Path gzNamedRaw = write("looks-raw", gzip(raw));
        Path rawNamedGz = write("looks.gz", raw);
        assertTrue(Idx.isGzip(gzNamedRaw));
        assertFalse(Idx.isGzip(rawNamedGz));
        assertEquals(200, Idx.read(gzNamedRaw).unsigned(2));
        assertEquals(200, Idx.read(rawNamedGz).unsigned(2));
    }

    @Test
    void rejectsHostileHeaders() throws IOException {
        assertBad(header(0x08, 3, Integer.MAX_VALUE, 28, 28), "over the limit of 2147483639 values");
        assertBad(header(0x08, 1, Integer.MAX_VALUE), "over the limit");
        assertBad(header(0x08, 4, 65536, 65536, 65536, 65536), "over the limit");
        assertBad(header(0x08, 1, 0x80000000L), "size 0 is 2147483648, over 2^31-1");
        assertBad(header(0x08, 2, 5, 0xFFFFFFFFL), "size 1 is 4294967295, over 2^31-1");
        assertBad(header(0x08, 2, 5, 0), "size 1 is 0: every size must be positive");
        assertBad(header(0x08, 0), "rank 0 is not supported: expected 1 to 4 dimensions");
        assertBad(header(0x08, 5, 1, 1, 1, 1, 1), "rank 5 is not supported");
        assertBad(header(0x0d, 1, 10), "unsupported data type 0x0d (float): only unsigned bytes (0x08) are supported");
        assertBad(header(0x09, 1, 10), "unsupported data type 0x09 (signed byte)");
        assertBad(header(0x0c, 1, 10), "(int)");
        assertBad(header(0x01, 1, 10), "unsupported data type 0x01 (not an IDX type)");
        byte[] badMagic = idx(new int[] {2}, new byte[] {1, 2});
        badMagic[1] = 3;
        assertBad(badMagic, "bad magic number 0x00030801");
        assertBad(new byte[0], "truncated header: 0 bytes");
        assertBad(new byte[] {0, 0, 8}, "truncated header: 3 bytes");
        assertBad(new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0}, "truncated header: rank 3 needs 12 bytes of sizes, got 6");
    }

    @Test
    void rejectsTruncatedAndOverLongData() throws IOException {
        byte[] raw = idx(new int[] {4, 3}, TestData.randomBytes(new SplittableRandom(2), 12, 256));
        Path f = write("t", Arrays.copyOf(raw, raw.length - 1));
        var e = assertThrows(DatasetFormatException.class, () -> Idx.read(f));
        assertEquals(f + ": truncated: header claims sizes [4, 3] (12 header + 12 data = 24 bytes), but the file has 23 bytes", e.getMessage());
        Path g = write("t.gz", gzip(Arrays.copyOf(raw, raw.length - 1)));
        e = assertThrows(DatasetFormatException.class, () -> Idx.read(g));
        assertEquals(g + ": truncated: header claims sizes [4, 3] = 12 data bytes, the gzip stream holds only 11", e.getMessage());
        Path h = write("o", Arrays.copyOf(raw, raw.length + 3));
        e = assertThrows(DatasetFormatException.class, () -> Idx.read(h));
        assertTrue(e.getMessage().contains("over-long: header claims sizes [4, 3] (12 header + 12 data = 24 bytes), but the file has 27 bytes"), e.getMessage());
        Path k = write("o.gz", gzip(Arrays.copyOf(raw, raw.length + 1)));
        e = assertThrows(DatasetFormatException.class, () -> Idx.read(k));
        assertTrue(e.getMessage().contains("over-long: the gzip stream holds more than the 12 data bytes its header claims"), e.getMessage());
    }

    @Test
    void aHugeClaimWithLittleDataFailsWithoutAllocatingIt() throws IOException {
        // just under the cap: a raw file is checked against its length, a gzip stream grows with the data
        long claim = Idx.DEFAULT_MAX_BYTES - 1;
        byte[] h = header(0x08, 1, claim);
        Path raw = write("huge", h);
        var e = assertThrows(DatasetFormatException.class, () -> Idx.read(raw));
        assertTrue(e.getMessage().contains("truncated: header claims sizes [2147483638]"), e.getMessage());
        Path gz = write("huge.gz", gzip(h));
        e = assertThrows(DatasetFormatException.class, () -> Idx.read(gz));
        assertTrue(e.getMessage().contains("the gzip stream holds only 10"), e.getMessage());
        byte[] big = idx(new int[] {20, 10}, new byte[200]);
        Path capped = write("capped.gz", gzip(big));
        e = assertThrows(DatasetFormatException.class, () -> Idx.read(capped, 100));
        assertTrue(e.getMessage().contains("header claims sizes [20, 10], over the limit of 100 values"), e.getMessage());
        assertEquals(200, Idx.read(capped, 200).size());
    }

    @Test
    void corruptGzipStreamsFailAsFormatErrors() throws IOException {
        byte[] gz = gzip(idx(new int[] {50}, TestData.randomBytes(new SplittableRandom(3), 50, 256)));
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 0x55;
        Path f = write("crc.gz", badCrc);
        var e = assertThrows(DatasetFormatException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().startsWith(f + ": corrupt gzip stream"), e.getMessage());
        Path cut = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(DatasetFormatException.class, () -> Idx.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": corrupt gzip stream"), e.getMessage());
        Path onlyMagic = write("magic.gz", new byte[] {0x1f, (byte) 0x8b});
        e = assertThrows(DatasetFormatException.class, () -> Idx.read(onlyMagic));
        assertTrue(e.getMessage().contains("corrupt gzip stream"), e.getMessage());
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> Idx.read(dir.resolve("absent")));
        assertThrows(IllegalArgumentException.class, () -> Idx.read(dir.resolve("absent"), 0));
    }

    /** Random byte mutations of valid image and label files: each load succeeds or fails with DatasetFormatException. */
    @Test
    void fuzzedFilesLoadOrFailCleanly() throws IOException {
        SplittableRandom rng = new SplittableRandom(20240601);
        int n = 6, rows = 3, cols = 4;
        byte[] images = idx(new int[] {n, rows, cols}, TestData.randomBytes(rng, n * rows * cols, 256));
        byte[] labels = idx(new int[] {n}, TestData.randomBytes(rng, n, 10));
        Path[] rawFiles = {write("i", images), write("l", labels)};
        Path[] gzFiles = {write("i.gz", gzip(images)), write("l.gz", gzip(labels))};
        int loaded = 0, rejected = 0;
        for (int trial = 0; trial < 3000; trial++) {
            boolean gz = trial % 2 == 0, mutateImages = rng.nextBoolean();
            Path[] files = gz ? gzFiles : rawFiles;
            byte[] original = mutateImages ? images : labels;
            byte[] mutated = mutate(gz ? gzip(original) : original, rng, gz);
            Path bad = write("m" + (mutateImages ? "i" : "l") + (gz ? ".gz" : ""), mutated);
            Path img = mutateImages ? bad : files[0], lab = mutateImages ? files[1] : bad;
            try {
                ArrayDataset d = Mnist.load(img, lab, 10);
                // only one file was mutated, so the counts must still agree with the other one
                assertEquals(n, d.size());
                assertEquals(1, d.sampleShape().dim(0));
                for (int i = 0; i < n; i++) assertTrue(d.label(i) < 10);
                loaded++;
            } catch (DatasetFormatException e) {
                if (!e.getMessage().startsWith(img + ": ") && !e.getMessage().startsWith(lab + ": ")) fail("message does not name the file: " + e.getMessage());
                assertTrue(e.file().equals(bad) || e.file().equals(lab), e.getMessage());
                rejected++;
            } catch (Throwable t) {
                fail("trial " + trial + " (" + (gz ? "gzip" : "raw") + ", " + (mutateImages ? "images" : "labels") + ") threw "
                        + t + " for bytes " + Arrays.toString(mutated), t);
            }
        }
        assertTrue(loaded > 100 && rejected > 1000, "loaded " + loaded + ", rejected " + rejected);
    }

    /** 1 to 4 random byte changes (mostly in the first 16 bytes), or a truncation, or appended bytes. */
    private static byte[] mutate(byte[] b, SplittableRandom rng, boolean gz) {
        int kind = rng.nextInt(10);
        if (kind == 0) return Arrays.copyOf(b, rng.nextInt(b.length));
        if (kind == 1) {
            byte[] longer = Arrays.copyOf(b, b.length + 1 + rng.nextInt(20));
            for (int i = b.length; i < longer.length; i++) longer[i] = (byte) rng.nextInt(256);
            return longer;
        }
        byte[] m = b.clone();
        int changes = 1 + rng.nextInt(4);
        for (int c = 0; c < changes; c++) {
            int at = rng.nextInt(3) > 0 && !gz ? rng.nextInt(Math.min(16, m.length)) : rng.nextInt(m.length);
            m[at] = rng.nextInt(4) == 0 ? (byte) 0xff : (byte) rng.nextInt(256);
        }
        return m;
    }
}
