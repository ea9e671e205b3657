package org.conv4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests write only under target/: the pom points java.io.tmpdir, and so @TempDir, at target/. */
class TempDirTest {
    @Test
    void temporaryFilesAreUnderTarget(@TempDir Path dir) throws Exception {
        Path target = Path.of("conv4j-core", "target").toAbsolutePath().normalize();
        assertTrue(dir.toAbsolutePath().startsWith(target), dir + " is not under " + target);
        Path file = Files.createTempFile("probe", ".tmp");
        try {
            assertTrue(file.toAbsolutePath().startsWith(target), file + " is not under " + target);
        } finally {
            Files.delete(file);
        }
    }
}
