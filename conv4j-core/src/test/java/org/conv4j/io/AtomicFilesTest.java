package org.conv4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void createsAndReplacesLeavingNoTemporaryFile() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        AtomicFiles.write(f, new byte[] {9});
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(f));
        assertEquals(List.of("a.bin"), names());
    }

    @Test
    void writesTheTemporaryFileInTheTargetDirectory() throws IOException {
        Path f = dir.resolve("b.bin");
        Path[] seen = new Path[1];
        AtomicFiles.write(f, ch -> {
            try (Stream<Path> s = Files.list(dir)) {
                seen[0] = s.filter(p -> AtomicFiles.isTemporaryOf(f, p)).findFirst().orElseThrow();
            }
            ch.write(ByteBuffer.wrap(new byte[] {5}));
        });
        assertEquals(dir, seen[0].getParent());
        assertTrue(seen[0].getFileName().toString().matches("\\.b\\.bin\\.[0-9a-f]{16}\\.tmp"), seen[0].toString());
        assertFalse(Files.exists(seen[0]));
    }

    @Test
    void aFailedWriteKeepsThePreviousFileAndDeletesItsTemporary() throws IOException {
        Path f = dir.resolve("c.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3, 4});
        IOException io = new IOException("disk full");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            ch.write(ByteBuffer.wrap(new byte[] {7, 7}));
            throw io;
        }));
        assertSame(io, thrown);
        RuntimeException bug = new IllegalStateException("bug in the writer");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, ch -> {
            ch.write(ByteBuffer.wrap(new byte[] {8}));
            throw bug;
        })));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(f));
        assertEquals(List.of("c.bin"), names());
    }

    @Test
    void missingParentDirectoriesAreCreated() throws IOException {
        AtomicFiles.write(dir.resolve("missing/deeper/d.bin"), new byte[] {1});
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(dir.resolve("missing/deeper/d.bin")));
    }

    @Test
    void staleTemporariesAreDeletedButLiveOnesAndOtherFilesAreKept() throws IOException {
        Path f = dir.resolve("we[ir]d {name}*.bin"); // glob characters in the name are taken literally
        Path stale = dir.resolve(".we[ir]d {name}*.bin.0123456789abcdef.tmp");
        Path live = dir.resolve(".we[ir]d {name}*.bin.fedcba9876543210.tmp");
        Path other = dir.resolve(".other.bin.0123456789abcdef.tmp");
        Path notOurs = dir.resolve(".we[ir]d {name}*.bin.backup.tmp");
        for (Path p : List.of(stale, live, other, notOurs)) Files.write(p, new byte[] {1});
        assertTrue(AtomicFiles.isTemporaryOf(f, stale));
        assertFalse(AtomicFiles.isTemporaryOf(f, other));
        assertFalse(AtomicFiles.isTemporaryOf(f, notOurs));
        try (FileChannel ch = FileChannel.open(live, StandardOpenOption.WRITE)) {
            ch.lock(); // a writer in progress
            AtomicFiles.write(f, new byte[] {2});
            assertTrue(Files.exists(live), "a locked temporary belongs to a live writer");
        }
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(other) && Files.exists(notOurs));
        assertEquals(1, AtomicFiles.deleteStaleTemporaries(f), "once unlocked it is stale");
        assertEquals(List.of(".other.bin.0123456789abcdef.tmp", ".we[ir]d {name}*.bin.backup.tmp", "we[ir]d {name}*.bin"), names());
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(f));
    }
}
