package org.conv4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Downloads a file over HTTP(S) into a target path, verified and resumable.
 *
 * <p>Bytes go to {@code target.part}; if that exists, the request asks for the rest with
 * {@code Range: bytes=<length>-} (a server that answers 200 instead of 206 restarts it). The
 * target appears, by an atomic rename, only after the whole file's SHA-256 matches; on a
 * mismatch the partial file is deleted and the download fails. A target already present with
 * the right checksum is not downloaded again.
 *
 * <p>Failures say what failed in words ({@code cannot download URL: cannot resolve host ...}).
 * Folders this call created are removed again if a failure leaves them empty; a partial file is
 * kept only when it holds bytes to resume from, and the message says so.
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

    /** Where progress messages go. */
    Consumer<String> log() {
        return log;
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
        List<Path> created = dir == null ? List.of() : Folders.create(dir);
        try {
            return fetchNew(url, target, spec, size);
        } catch (IOException e) {
            Folders.removeEmpty(created);
            throw e;
        }
    }

    private Path fetchNew(URI url, Path target, RemoteFile spec, long size) throws IOException {
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
        if (!(c instanceof HttpURLConnection)) throw new IOException("cannot download " + url + ": not an HTTP(S) URL");
        HttpURLConnection http = (HttpURLConnection) c;
        http.setConnectTimeout(connectTimeoutMs);
        http.setReadTimeout(readTimeoutMs);
        http.setRequestProperty("User-Agent", "conv4j");
        if (have > 0) http.setRequestProperty("Range", "bytes=" + have + "-");
        try {
            int code;
            try {
                code = http.getResponseCode();
            } catch (IOException e) {
                throw new IOException("cannot download " + url + ": " + reason(e, url), e);
            }
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
                throw new IOException("cannot download " + url + ": the server answered HTTP " + code
                        + (http.getResponseMessage() == null ? "" : " " + http.getResponseMessage()));
            }
            if (copy(http, part, append, append ? have : 0, size)) {
                Files.deleteIfExists(part);
                throw new IOException(url + " sent more than the expected " + size + " bytes; deleted the partial download " + part);
            }
        } finally {
            http.disconnect();
        }
    }

    /** Copies the response body to {@code part}; true if it is longer than {@code size}. A transfer that breaks off keeps what arrived, if anything. */
    private boolean copy(HttpURLConnection http, Path part, boolean append, long written, long size) throws IOException {
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
        } catch (IOException e) {
            URI url = URI.create(http.getURL().toString());
            long got = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (got == 0) Files.deleteIfExists(part);
            throw new IOException("download of " + url + " broke off: " + reason(e, url)
                    + (got > 0 ? "; kept the first " + got + " of " + size + " bytes in " + part + ", run again to resume" : ""), e);
        }
        return tooLong;
    }

    /** What went wrong reaching {@code url}, in words (an {@link UnknownHostException}'s own message is the bare host name). */
    String reason(IOException e, URI url) {
        String host = url.getHost(), m = e.getMessage();
        if (e instanceof UnknownHostException) return "cannot resolve host " + host + " (no network connection or no DNS)";
        if (e instanceof ConnectException) return "cannot connect to " + host + (url.getPort() < 0 ? "" : ":" + url.getPort()) + " (" + m + ")";
        if (e instanceof NoRouteToHostException) return "no route to host " + host + " (no network connection?)";
        if (e instanceof SocketTimeoutException) {
            return "no answer from " + host + " (" + m + " after " + (m != null && m.startsWith("Connect") ? connectTimeoutMs : readTimeoutMs) / 1000.0 + " s)";
        }
        if (e instanceof SSLException) return "the secure connection to " + host + " failed (" + m + ")";
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
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
