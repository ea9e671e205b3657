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
        assertEquals("cannot download " + base.resolve("missing.bin") + ": the server answered HTTP 404 Not Found", e.getMessage());
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

    // a refused connection: the URL and the cause in words; the folders the call made are gone
    @Test
    void aFailedConnectionSaysWhatFailedAndLeavesNoFolder() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        } // closed: nothing listens there now
        URI url = URI.create("http://127.0.0.1:" + port + "/files/a.bin");
        Path target = dir.resolve("new/deeper/a.bin");
        var e = assertThrows(IOException.class, () -> new Downloader().fetch(url, target, sha256(new byte[] {1}), 10));
        assertTrue(e.getMessage().startsWith("cannot download " + url + ": cannot connect to 127.0.0.1:" + port + " ("), e.getMessage());
        assertFalse(Files.exists(dir.resolve("new")), "folders created by the failed download are removed");
        assertTrue(Files.isDirectory(dir), "a folder that was there before stays");
    }

    // what the JDK reports as a bare host name, or a terse timeout, is put in words
    @Test
    void causesArePutInWords() {
        Downloader d = new Downloader().timeouts(2_000, 5_000);
        URI url = URI.create("http://fashion-mnist.example/x.gz");
        assertEquals("cannot resolve host fashion-mnist.example (no network connection or no DNS)",
                d.reason(new java.net.UnknownHostException("fashion-mnist.example"), url));
        assertEquals("no answer from fashion-mnist.example (Connect timed out after 2.0 s)", d.reason(new java.net.SocketTimeoutException("Connect timed out"), url));
        assertEquals("no answer from fashion-mnist.example (Read timed out after 5.0 s)", d.reason(new java.net.SocketTimeoutException("Read timed out"), url));
        assertEquals("no route to host fashion-mnist.example (no network connection?)", d.reason(new java.net.NoRouteToHostException("x"), url));
        assertEquals("EOFException: truncated", d.reason(new java.io.EOFException("truncated"), url));
    }

    // a transfer that stalls after some bytes keeps them to resume, and says so
    @Test
    void aStalledTransferKeepsWhatArrivedAndSaysSo() throws Exception {
        byte[] b = serve("cut.bin", 40_000, 8);
        server.createContext("/stall/", ex -> {
            ex.sendResponseHeaders(200, b.length); // promises 40000 bytes, sends 15000, then stalls
            ex.getResponseBody().write(b, 0, 15_000);
            ex.getResponseBody().flush();
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        URI url = base.resolve("/stall/cut.bin");
        Path target = dir.resolve("d/cut.bin");
        var e = assertThrows(IOException.class, () -> new Downloader().timeouts(5_000, 200).fetch(url, target, sha256(b), b.length));
        assertEquals("download of " + url + " broke off: no answer from 127.0.0.1 (Read timed out after 0.2 s); kept the first 15000 of 40000 bytes in "
                + Downloader.partFile(target) + ", run again to resume", e.getMessage());
        assertEquals(15_000, Files.size(Downloader.partFile(target)));
        // the next run resumes from byte 15000 at a server that has it whole
        new Downloader().fetch(base.resolve("cut.bin"), target, sha256(b), b.length);
        assertEquals("bytes=15000-", ranges.get(ranges.size() - 1));
        assertArrayEquals(b, Files.readAllBytes(target));
    }

    // a stall before the first byte keeps no empty partial file and no folder
    @Test
    void aStallBeforeAnyByteLeavesNothing() throws Exception {
        server.createContext("/silent/", ex -> {
            ex.sendResponseHeaders(200, 100);
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        URI url = base.resolve("/silent/s.bin");
        var e = assertThrows(IOException.class, () -> new Downloader().timeouts(5_000, 200).fetch(url, dir.resolve("s/s.bin"), sha256(new byte[] {1}), 100));
        assertEquals("download of " + url + " broke off: no answer from 127.0.0.1 (Read timed out after 0.2 s)", e.getMessage());
        assertFalse(Files.exists(dir.resolve("s")));
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
