package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar.gz reader: what it unpacks, and what a hostile archive gets (nothing written, nothing left). */
class TarTest {
    @TempDir
    Path tmp;

    private Path archive(byte[]... entries) throws IOException {
        Path a = tmp.resolve("a.tar.gz");
        Files.write(a, TestData.tarGz(entries));
        return a;
    }

    private static byte[] file(String name, byte[] data) {
        return TestData.tarEntry(name, '0', data, data.length);
    }

    private static List<String> tree(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.exists(dir)) return names;
        try (var s = Files.walk(dir)) {
            s.filter(p -> !p.equals(dir)).forEach(p -> names.add(dir.relativize(p) + (Files.isDirectory(p) ? "/" : "")));
        }
        names.sort(null);
        return names;
    }

    @Test
    void unpacksFoldersAndFilesAndSkipsLinks() throws IOException {
        byte[] big = TestData.randomBytes(new SplittableRandom(1), 70_000, 256), small = "hello\n".getBytes(StandardCharsets.UTF_8);
        Path a = archive(TestData.tarEntry("batches/", '5', new byte[0], 0), file("batches/data.bin", big), file("./batches/readme.txt", small),
                TestData.tarEntry("batches/link", '2', new byte[0], 0), TestData.tarEntry("pax", 'x', "21 mtime=1234567890\n".getBytes(StandardCharsets.UTF_8), 20),
                file("top.txt", new byte[0]));
        List<String> log = new ArrayList<>();
        Path out = tmp.resolve("out");
        List<Path> files = Tar.extractGz(a, out, 1_000_000, log::add).files();
        assertEquals(List.of(out.resolve("batches/data.bin"), out.resolve("batches/readme.txt"), out.resolve("top.txt")), files);
        assertEquals(List.of("batches/", "batches/data.bin", "batches/readme.txt", "top.txt"), tree(out));
        assertArrayEquals(big, Files.readAllBytes(out.resolve("batches/data.bin")));
        assertArrayEquals(small, Files.readAllBytes(out.resolve("batches/readme.txt")));
        assertEquals(List.of("skipped 'batches/link' (not a regular file or folder) in " + a), log);
    }

    // names over 100 bytes: a GNU long-name record or a pax path record names the entry after it, and is checked as strictly
    @Test
    void longNamesFromGnuAndPaxRecords() throws IOException {
        String deep = "batches/" + "d".repeat(90) + "/" + "f".repeat(70) + ".bin";
        byte[] gnu = (deep + "\0").getBytes(StandardCharsets.UTF_8), pax = ("150 path=" + deep.replace(".bin", ".pax") + "\n").getBytes(StandardCharsets.UTF_8);
        Path a = archive(TestData.tarEntry("././@LongLink", 'L', gnu, gnu.length), file("truncated-name", new byte[] {1}),
                TestData.tarEntry("PaxHeaders/x", 'x', pax, pax.length), file("other-truncated", new byte[] {2}), file("plain.bin", new byte[] {3}));
        Path out = tmp.resolve("out");
        assertEquals(List.of(out.resolve(deep), out.resolve(deep.replace(".bin", ".pax")), out.resolve("plain.bin")), Tar.extractGz(a, out, 1_000, m -> { }).files());
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(out.resolve(deep.replace(".bin", ".pax"))));

        byte[] evil = "../../evil.bin\0".getBytes(StandardCharsets.UTF_8);
        Path b = archive(TestData.tarEntry("././@LongLink", 'L', evil, evil.length), file("harmless", new byte[] {1}));
        var e = assertThrows(IOException.class, () -> Tar.extractGz(b, tmp.resolve("out2"), 1_000, m -> { }));
        assertTrue(e.getMessage().endsWith("unsafe path '../../evil.bin' (absolute, '..' or odd characters)"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out2")));
    }

    // a path that climbs out, or is absolute, stops the extraction; what was written before is deleted
    @Test
    void pathTraversalIsRefusedAndNothingIsLeft() throws IOException {
        for (String evil : List.of("../evil.bin", "ok/../../evil.bin", "/tmp/evil.bin", "a\\..\\evil.bin", "..")) {
            Path a = archive(file("first/good.bin", new byte[] {1, 2, 3}), file(evil, new byte[] {6, 6, 6}));
            Path out = tmp.resolve("out");
            var e = assertThrows(IOException.class, () -> Tar.extractGz(a, out, 1_000_000, m -> { }));
            assertTrue(e.getMessage().startsWith("bad tar archive " + a + ": unsafe path '" + evil + "'"), e.getMessage());
            assertFalse(Files.exists(out), evil + ": the folder made for the extraction is removed");
            assertFalse(Files.exists(tmp.resolve("evil.bin")), evil);
        }
    }

    // a size the data does not have, or over the limit, is never trusted
    @Test
    void lyingSizesAreRefused() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("mine.txt"), "kept");
        // 8 GiB - 1 claimed: refused before a byte is read
        Path huge = archive(file("a.bin", new byte[] {1}), TestData.tarEntry("huge.bin", '0', new byte[10], 077777777777L));
        var e = assertThrows(IOException.class, () -> Tar.extractGz(huge, out, 1_000_000, m -> { }));
        assertEquals("bad tar archive " + huge + ": entry 'huge.bin' claims 8589934591 bytes, more than the 999999 bytes left of the 1000000-byte limit", e.getMessage());
        assertEquals(List.of("mine.txt"), tree(out), "only what was there before is left");

        // the limit counts all files together
        Path two = archive(file("a.bin", new byte[600]), file("b.bin", new byte[600]));
        e = assertThrows(IOException.class, () -> Tar.extractGz(two, out, 1_000, m -> { }));
        assertTrue(e.getMessage().endsWith("entry 'b.bin' claims 600 bytes, more than the 400 bytes left of the 1000-byte limit"), e.getMessage());
        assertEquals(List.of("mine.txt"), tree(out));

        // a size within the limit but beyond the data: cut short
        Path cut = tmp.resolve("cut.tar.gz");
        Files.write(cut, TestData.gzip(TestData.tarEntry("c.bin", '0', new byte[100], 5_000)));
        e = assertThrows(IOException.class, () -> Tar.extractGz(cut, out, 1_000_000, m -> { }));
        assertEquals("bad tar archive " + cut + ": 'c.bin' is cut short: 512 of 5000 bytes", e.getMessage());
        assertEquals(List.of("mine.txt"), tree(out));
    }

    @Test
    void notATarFileIsRefused() throws IOException {
        Path a = tmp.resolve("text.gz");
        Files.write(a, TestData.gzip("just some text, not a tar archive at all".repeat(20).getBytes(StandardCharsets.UTF_8)));
        var e = assertThrows(IOException.class, () -> Tar.extractGz(a, tmp.resolve("out"), 1_000_000, m -> { }));
        assertTrue(e.getMessage().startsWith("bad tar archive " + a + ": "), e.getMessage());
        byte[] header = TestData.tarEntry("x.bin", '0', new byte[3], 3);
        header[0] ^= 1; // the checksum no longer matches
        Files.write(a, TestData.tarGz(header));
        e = assertThrows(IOException.class, () -> Tar.extractGz(a, tmp.resolve("out"), 1_000_000, m -> { }));
        assertTrue(e.getMessage().contains("does not match its bytes"), e.getMessage());
        Files.write(a, "not gzip".getBytes(StandardCharsets.UTF_8));
        assertThrows(java.util.zip.ZipException.class, () -> Tar.extractGz(a, tmp.resolve("out"), 1_000_000, m -> { }));
        assertFalse(Files.exists(tmp.resolve("out")));
    }
}
