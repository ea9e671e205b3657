package org.conv4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a {@code .tar.gz} (ustar or GNU tar) into a folder, trusting nothing in it: every
 * header's checksum is checked, a size must be plain octal and within what is left of a limit on
 * the bytes written, and a path must stay inside the folder (no absolute path, no {@code ..}, no
 * backslash or control character). Only folders and regular files are created; links and devices
 * are skipped. A GNU long name ({@code L}) or a pax {@code path} record ({@code x}) names the entry
 * after it; other pax and GNU records are read past. Any fault stops the extraction and deletes
 * what it wrote, so a bad archive leaves nothing behind.
 */
final class Tar {
    private static final int BLOCK = 512;
    /** The longest GNU long-name or pax record read. */
    private static final int MAX_META = 1 << 16;

    private Tar() {
    }

    /** The files an extraction wrote, in archive order, and the folders it created, children before parents. */
    record Extracted(List<Path> files, List<Path> folders) {
        /** Deletes the files, then the folders left empty. */
        void undo() throws IOException {
            for (Path f : files) Files.deleteIfExists(f);
            Folders.removeEmpty(folders);
        }
    }

    /** Unpacks {@code archive} into {@code dir}, writing at most {@code maxBytes} of file data. */
    static Extracted extractGz(Path archive, Path dir, long maxBytes, Consumer<String> log) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Extracted made = new Extracted(new ArrayList<>(), new ArrayList<>(Folders.create(root)));
        boolean done = false;
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            long offset = 0, left = maxBytes;
            String longName = null; // from an L or x record, for the next entry
            while (true) {
                int r = in.readNBytes(header, 0, BLOCK);
                if (r == 0) break; // the end without the two zero blocks: accepted, as GNU tar does
                if (r < BLOCK) throw bad(archive, "truncated header at byte " + offset);
                if (allZero(header)) break;
                checkChecksum(header, archive, offset);
                String name = longName != null ? longName : name(header);
                long size = octal(header, 124, 12, archive, "size of '" + name + "'");
                char type = (char) header[156];
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                offset += BLOCK;
                if (type == 'L' || type == 'x') {
                    if (size > MAX_META) throw bad(archive, "a " + type + " record of " + size + " bytes, more than " + MAX_META);
                    byte[] meta = in.readNBytes((int) size);
                    if (meta.length < size) throw bad(archive, "a " + type + " record is cut short");
                    skip(in, padded - size, archive, "a " + type + " record");
                    offset += padded;
                    longName = type == 'L' ? cString(meta) : paxPath(meta, longName);
                    continue;
                }
                longName = null;
                if (type == '0' || type == '\0' || type == '5') {
                    Path target = safePath(root, name, archive);
                    if (type == '5') {
                        made.folders().addAll(0, Folders.create(target));
                        skip(in, padded, archive, name);
                    } else {
                        if (size > left) {
                            throw bad(archive, "entry '" + name + "' claims " + size + " bytes, more than the " + left + " bytes left of the "
                                    + maxBytes + "-byte limit");
                        }
                        made.folders().addAll(0, Folders.create(target.getParent()));
                        made.files().add(target);
                        copy(in, target, size, archive, name);
                        skip(in, padded - size, archive, name);
                        left -= size;
                    }
                } else {
                    if (padded > maxBytes) throw bad(archive, "entry '" + name + "' (type " + type + ") claims " + size + " bytes");
                    if (type != 'g') log.accept("skipped '" + name + "' (not a regular file or folder) in " + archive);
                    skip(in, padded, archive, name);
                }
                offset += padded;
            }
            done = true;
        } finally {
            if (!done) made.undo();
        }
        return made;
    }

    private static IOException bad(Path archive, String what) {
        return new IOException("bad tar archive " + archive + ": " + what);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    /** The header checksum: the unsigned sum of its bytes with the checksum field counted as spaces. */
    private static void checkChecksum(byte[] h, Path archive, long offset) throws IOException {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        long stored = octal(h, 148, 8, archive, "header checksum");
        if (stored != sum) throw bad(archive, "header checksum " + stored + " at byte " + offset + " does not match its bytes (" + sum + "): not a tar file?");
    }

    /** The name (0..100), after POSIX ustar's prefix (345..500) and a "/"; GNU tar uses those bytes for other things. */
    private static String name(byte[] h) {
        String name = field(h, 0, 100);
        boolean ustar = field(h, 257, 6).equals("ustar") && h[262] == 0;
        String prefix = ustar ? field(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] b) {
        return field(b, 0, b.length);
    }

    /** The value of the {@code path} record of pax data ({@code "LEN path=VALUE\n"} records), else {@code otherwise}. */
    private static String paxPath(byte[] meta, String otherwise) {
        for (String record : new String(meta, StandardCharsets.UTF_8).split("\n")) {
            int eq = record.indexOf('='), space = record.indexOf(' ');
            if (space > 0 && eq > space && record.substring(space + 1, eq).equals("path")) return record.substring(eq + 1);
        }
        return otherwise;
    }

    private static String field(byte[] h, int from, int length) {
        int end = from;
        while (end < from + length && h[end] != 0) end++;
        return new String(h, from, end - from, StandardCharsets.UTF_8);
    }

    /** A NUL- or space-terminated octal number (base-256 sizes, for files over 8 GiB, are refused). */
    private static long octal(byte[] h, int from, int length, Path archive, String what) throws IOException {
        String s = field(h, from, length).trim();
        if (s.isEmpty() || s.length() > 11 || !s.matches("[0-7]+")) throw bad(archive, what + " is not an octal number: '" + s + "'");
        return Long.parseLong(s, 8);
    }

    /** {@code root/name}, refused unless it is a plain relative path that stays inside root. */
    private static Path safePath(Path root, String name, Path archive) throws IOException {
        boolean plain = !name.isEmpty() && !name.startsWith("/") && !name.contains("\\") && name.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.equals("..")) plain = false;
            else if (!p.isEmpty() && !p.equals(".")) parts.add(p);
        }
        if (!plain || parts.isEmpty()) throw bad(archive, "unsafe path '" + name + "' (absolute, '..' or odd characters)");
        Path p = root.resolve(String.join("/", parts)).normalize();
        if (!p.startsWith(root) || p.equals(root)) throw bad(archive, "unsafe path '" + name + "'");
        return p;
    }

    /** Copies exactly {@code size} bytes to a new file, refusing to follow a link already there. */
    private static void copy(InputStream in, Path target, long size, Path archive, String name) throws IOException {
        if (Files.isSymbolicLink(target)) throw bad(archive, "'" + name + "' would be written through the link " + target);
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[1 << 16];
            for (long left = size; left > 0; ) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) throw bad(archive, "'" + name + "' is cut short: " + (size - left) + " of " + size + " bytes");
                out.write(buf, 0, r);
                left -= r;
            }
        }
    }

    private static void skip(InputStream in, long n, Path archive, String name) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (java.io.EOFException e) {
            throw bad(archive, "'" + name + "' is cut short");
        }
    }
}
