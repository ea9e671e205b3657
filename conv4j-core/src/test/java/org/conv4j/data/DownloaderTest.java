package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a local HTTP server on 127.0.0.1; no test needs the internet. */
class DownloaderTest {
    @TempDir
    Path dir;

    /** Files the server serves, by name; a missing name answers 404. */
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    /** The Range header of every request ("" if none). */
    final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    volatile boolean honourRange = true;
    HttpServer server;
    URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/files/", this::handle);
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String name = ex.getRequestURI().getPath().substring("/files/".length());
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "" : range);
        byte[] body = served.get(name);
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        int from = 0, code = 200;
        if (range != null && honourRange && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            code = 206;
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        ex.sendResponseHeaders(code, body.length - from);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body, from, body.length - from);
        }
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private byte[] serve(String name, int size, long seed) {
        byte[] b = TestData.randomBytes(new SplittableRandom(seed), size, 256);
        served.put(name, b);
        return b;
    }

    @Test
    void aGoodDownloadIsVerifiedAndKept() throws Exception {
        byte[] b = serve("a.bin", 100_000, 1);
        List<String> log = new ArrayList<>();
        Path got = new Downloader().log(log::add).fetch(base, new RemoteFile("a.bin", sha256(b), b.length), dir.resolve("cache"));
        assertEquals(dir.resolve("cache/a.bin"), got);
        assertArrayEquals(b, Files.readAllBytes(got));
        assertFalse(Files.exists(Downloader.partFile(got)));
        assertEquals(List.of(""), ranges);
        assertTrue(log.contains("verified " + got), log.toString());
        // a verified file is not fetched again
        new Downloader().fetch(base, new RemoteFile("a.bin", sha256(b), b.length), dir.resolve("cache"));
        assertEquals(1, ranges.size());
    }

    @Test
    void aPartialDownloadResumesWithARangeRequest() throws Exception {
        byte[] b = serve("r.bin", 50_000, 2);
        Path target = dir.resolve("r.bin");
        Files.write(Downloader.partFile(target), Arrays.copyOf(b, 12_345));
        new Downloader().fetch(base.resolve("r.bin"), target, sha256(b), b.length);
        assertEquals(List.of("bytes=12345-"), ranges);
        assertArrayEquals(b, Files.readAllBytes(target));
        assertFalse(Files.exists(Downloader.partFile(target)));
    }

    @Test
    void aServerIgnoringTheRangeRestartsTheFile() throws Exception {
        honourRange = false;
        byte[] b = serve("r.bin", 30_000, 3);
        Path target = dir.resolve("r.bin");
        Files.write(Downloader.partFile(target), Arrays.copyOf(b, 999));
        new Downloader().fetch(base.resolve("r.bin"), target, sha256(b), b.length);
        assertEquals(List.of("bytes=999-"), ranges);
        assertArrayEquals(b, Files.readAllBytes(target));
    }

    @Test
    void aWrongChecksumFailsAndLeavesNoFile() throws Exception {
        byte[] b = serve("w.bin", 10_000, 4);
        String wrong = sha256(new byte[] {1});
        Path target = dir.resolve("w.bin");
        var e = assertThrows(IOException.class, () -> new Downloader().fetch(base.resolve("w.bin"), target, wrong, b.length));
        assertTrue(e.getMessage().startsWith("checksum mismatch for " + base.resolve("w.bin") + ": expected SHA-256 " + wrong + ", got " + sha256(b)), e.getMessage());
        assertTrue(e.getMessage().contains("deleted the partial download"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void aCorruptPartialFileIsDetectedAndDeleted() throws Exception {
        byte[] b = serve("c.bin", 20_000, 5);
        Path target = dir.resolve("c.bin");
        byte[] bad = Arrays.copyOf(b, 5_000);
        bad[10] ^= 1;
        Files.write(Downloader.partFile(target), bad);
        var e = assertThrows(IOException.class, () -> new Downloader().fetch(base.resolve("c.bin"), target, sha256(b), b.length));
        assertTrue(e.getMessage().startsWith("checksum mismatch"), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(Downloader.partFile(target)));
        // the next attempt starts over and succeeds
        new Downloader().fetch(base.resolve("c.bin"), target, sha256(b), b.length);
        assertArrayEquals(b, Files.readAllBytes(target));
    }

    @Test
    void notFoundAndOversizedAndShortResponsesFailClearly() throws Exception {
        Path target = dir.resolve("x.bin");
        String any = sha256(new byte[0]);
        var e = assertThrows(IOException.class, () -> new Downloader().fetch(base.resolve("missing.bin"), target, any, 10));
        assertTrue(e.getMessage().startsWith("HTTP 404") && e.getMessage().endsWith("for " + base.resolve("missing.bin")), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(Downloader.partFile(target)));

        byte[] b = serve("big.bin", 5_000, 6);
        e = assertThrows(IOException.class, () -> new Downloader().fetch(base.resolve("big.bin"), target, sha256(b), 4_000));
        assertTrue(e.getMessage().contains("sent more than the expected 4000 bytes"), e.getMessage());
        assertFalse(Files.exists(Downloader.partFile(target)));

        e = assertThrows(IOException.class, () -> new Downloader().fetch(base.resolve("big.bin"), target, sha256(b), 6_000));
        assertTrue(e.getMessage().startsWith("incomplete download of " + base.resolve("big.bin") + ": got 5000 of 6000 bytes"), e.getMessage());
        assertTrue(Files.exists(Downloader.partFile(target)), "a short download is kept to resume");
    }

    @Test
    void remoteFilesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile("../x", "00".repeat(32), 1));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile("x", "abc", 1));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile("x", "00".repeat(32), 0));
        assertEquals("ab".repeat(32), new RemoteFile("x", "AB".repeat(32), 1).sha256());
        assertEquals(12, Downloader.rangeStart("bytes 12-99/100"));
        assertEquals(-1, Downloader.rangeStart(null));
    }
}
