package org.conv4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Downloads a file over HTTP(S) into a target path, verified and resumable.
 *
 * <p>Bytes go to {@code target.part}; if that exists, the request asks for the rest with
 * {@code Range: bytes=<length>-} (a server that answers 200 instead of 206 restarts it). The
 * target appears, by an atomic rename, only after the whole file's SHA-256 matches; on a
 * mismatch the partial file is deleted and the download fails. A target already present with
 * the right checksum is not downloaded again.
 */
public final class Downloader {
    private int connectTimeoutMs = 30_000, readTimeoutMs = 60_000;
    private Consumer<String> log = message -> { };

    /** Where progress messages go (none by default). */
    public Downloader log(Consumer<String> log) {
        this.log = Objects.requireNonNull(log, "log");
        return this;
    }

    public Downloader timeouts(int connectMs, int readMs) {
        if (connectMs < 1 || readMs < 1) throw new IllegalArgumentException("Downloader: timeouts must be positive, got " + connectMs + " and " + readMs);
        connectTimeoutMs = connectMs;
        readTimeoutMs = readMs;
        return this;
    }

    public int connectTimeoutMs() {
        return connectTimeoutMs;
    }

    public int readTimeoutMs() {
        return readTimeoutMs;
    }

    /** The partial-download file next to {@code target}. */
    public static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /** Downloads {@code baseUrl + file.name()} into {@code dir/file.name()}; returns that path. */
    public Path fetch(URI baseUrl, RemoteFile file, Path dir) throws IOException {
        String base = baseUrl.toString();
        URI url = URI.create(base.endsWith("/") ? base + file.name() : base + "/" + file.name());
        return fetch(url, dir.resolve(file.name()), file.sha256(), file.size());
    }

    /** Downloads {@code url} into {@code target}, checking the SHA-256 and the size. */
    public Path fetch(URI url, Path target, String sha256, long size) throws IOException {
        RemoteFile spec = new RemoteFile(target.getFileName().toString(), sha256, size); // validates
        if (Files.isRegularFile(target)) {
            if (sha256(target).equals(spec.sha256())) {
                log.accept("already have " + target);
                return target;
            }
            log.accept(target + " has the wrong checksum; downloading it again");
        }
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path part = partFile(target);
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (have > size) {
            Files.delete(part);
            have = 0;
        }
        if (have < size) download(url, part, have, size);
        long got = Files.size(part);
        if (got < size) {
            // keep the partial file: the next call resumes from it
            throw new IOException("incomplete download of " + url + ": got " + got + " of " + size + " bytes; kept " + part + ", run again to resume");
        }
        String actual = sha256(part);
        if (!actual.equals(spec.sha256())) {
            Files.deleteIfExists(part);
            throw new IOException("checksum mismatch for " + url + ": expected SHA-256 " + spec.sha256() + ", got " + actual
                    + " (" + got + " bytes); deleted the partial download " + part);
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        log.accept("verified " + target);
        return target;
    }

    /** Appends bytes {@code [have, size)} of {@code url} to {@code part} (all of it if the server ignores the range). */
    private void download(URI url, Path part, long have, long size) throws IOException {
        URLConnection c = url.toURL().openConnection();
        if (!(c instanceof HttpURLConnection)) throw new IOException("not an HTTP(S) URL: " + url);
        HttpURLConnection http = (HttpURLConnection) c;
        http.setConnectTimeout(connectTimeoutMs);
        http.setReadTimeout(readTimeoutMs);
        http.setRequestProperty("User-Agent", "conv4j");
        if (have > 0) http.setRequestProperty("Range", "bytes=" + have + "-");
        try {
            int code = http.getResponseCode();
            boolean append;
            if (code == HttpURLConnection.HTTP_PARTIAL && have > 0) {
                long start = rangeStart(http.getHeaderField("Content-Range"));
                if (start != have) throw new IOException("bad Content-Range '" + http.getHeaderField("Content-Range") + "' from " + url + " for a request from byte " + have);
                append = true;
                log.accept("resuming " + url + " from byte " + have);
            } else if (code == HttpURLConnection.HTTP_OK) {
                append = false;
                log.accept("downloading " + url);
            } else {
                throw new IOException("HTTP " + code + (http.getResponseMessage() == null ? "" : " " + http.getResponseMessage()) + " for " + url);
            }
            long written = append ? have : 0;
            boolean tooLong = false;
            try (InputStream in = http.getInputStream();
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) >= 0 && !tooLong; ) {
                    tooLong = written + r > size;
                    if (!tooLong) out.write(buf, 0, r);
                    written += r;
                }
            }
            if (tooLong) {
                Files.deleteIfExists(part);
                throw new IOException(url + " sent more than the expected " + size + " bytes; deleted the partial download " + part);
            }
        } finally {
            http.disconnect();
        }
    }

    /** The first byte of a {@code Content-Range: bytes START-END/TOTAL} header, or -1. */
    static long rangeStart(String contentRange) {
        if (contentRange == null) return -1;
        String s = contentRange.trim();
        if (!s.startsWith("bytes ")) return -1;
        int dash = s.indexOf('-');
        if (dash < 0) return -1;
        try {
            return Long.parseLong(s.substring(6, dash).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The SHA-256 of a file, as 64 lower-case hex digits. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) >= 0; ) md.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
