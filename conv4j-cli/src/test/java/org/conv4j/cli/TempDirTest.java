package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests write only under target/: the pom points java.io.tmpdir, and so @TempDir, at target/. */
class TempDirTest {
    @Test
    void temporaryFilesAreUnderTarget(@TempDir Path dir) throws Exception {
        Path target = Path.of("target").toAbsolutePath().normalize();
        assertTrue(target.getParent().getFileName().toString().equals("conv4j-cli"), "working directory " + target.getParent());
        assertTrue(dir.toAbsolutePath().startsWith(target), dir + " is not under " + target);
        Path file = Files.createTempFile("probe", ".tmp");
        try {
            assertTrue(file.toAbsolutePath().startsWith(target), file + " is not under " + target);
        } finally {
            Files.delete(file);
        }
    }
}
