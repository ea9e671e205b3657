package org.conv4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file replacement (DESIGN "Files"): the content goes to a temporary file in the
 * target's directory, which is flushed to the disk ({@code FileChannel.force(true)}) and then
 * renamed over the target with {@code ATOMIC_MOVE}; finally the directory is synced, where the
 * platform allows it, so the rename itself survives a power loss. At every moment the target
 * is either the complete old file or the complete new one, whatever the moment of a crash.
 *
 * <p>Temporary files are named {@code .<target name>.<16 hex digits>.tmp}. One that a failed
 * write leaves is deleted at once; one that a killed process leaves is deleted by the next
 * write to the same target, which recognizes it as stale because no live writer holds its lock
 * (each writer holds an exclusive lock on its temporary file until the rename).
 */
public final class AtomicFiles {
    private static final String SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    /** Writes the content of a file to an open channel. */
    @FunctionalInterface
    public interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    /** Atomically replaces (or creates, with its parent directories) {@code target} with what {@code writer} writes. */
    public static void write(Path target, ChannelWriter writer) throws IOException {
        Path dir = directoryOf(target);
        Files.createDirectories(dir);
        deleteStaleTemporaries(target);
        Path temp = null;
        FileChannel ch = null;
        for (int attempt = 0; ch == null; attempt++) {
            temp = dir.resolve("." + target.getFileName() + "." + String.format("%016x", ThreadLocalRandom.current().nextLong()) + SUFFIX);
            try {
                ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt >= 10) throw e;
            }
        }
        try (FileChannel c = ch) {
            // held until the channel closes after the rename, so a concurrent write's cleanup never takes this file for stale
            c.lock();
            writer.write(c);
            c.force(true);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** Atomically replaces (or creates) {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /**
     * Deletes the temporary files that writers of {@code target} killed mid-write left behind
     * (those whose lock no live writer holds); returns how many were deleted.
     */
    public static int deleteStaleTemporaries(Path target) throws IOException {
        Path dir = directoryOf(target);
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> isTemporaryOf(target, p))) {
            for (Path p : entries) {
                try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    FileLock lock = c.tryLock();
                    if (lock == null) continue; // another process is writing it
                    Files.deleteIfExists(p);
                    deleted++;
                } catch (OverlappingFileLockException | NoSuchFileException e) {
                    // a writer in this JVM holds it, or it was just renamed: not stale
                } catch (IOException e) {
                    // cannot open or delete it (permissions, platform): leave it
                }
            }
        }
        return deleted;
    }

    /** Whether {@code candidate} is named like a temporary file of {@code target}. */
    public static boolean isTemporaryOf(Path target, Path candidate) {
        String prefix = "." + target.getFileName() + ".";
        String name = candidate.getFileName().toString();
        if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) return false;
        String hex = name.substring(prefix.length(), name.length() - SUFFIX.length());
        return hex.length() == 16 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null || target.getFileName() == null) throw new IllegalArgumentException("AtomicFiles: not a file path: " + target);
        return parent;
    }

    /** Makes the rename durable; some platforms (Windows) cannot open a directory, which is fine there. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not supported on this platform; the rename is still atomic
        }
    }
}
