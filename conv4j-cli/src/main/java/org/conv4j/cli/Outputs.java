package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a command writes: no directory is created that the user did not ask for. */
final class Outputs {
    private Outputs() {
    }

    /**
     * Checks that the folder holding {@code out} exists, or creates it when {@code mkdirs}; fails
     * with one line otherwise. {@code what} names the argument, e.g. "--out".
     */
    static void parentExists(Path out, boolean mkdirs, String what) throws IOException {
        Path parent = out.toAbsolutePath().normalize().getParent();
        if (parent == null || Files.isDirectory(parent)) return;
        if (Files.exists(parent)) throw new Main.UsageError(what + " " + out + ": " + parent + " is a file, not a directory");
        if (!mkdirs) throw new Main.UsageError(what + " " + out + ": the directory " + parent + " does not exist (create it, or pass --mkdirs)");
        Files.createDirectories(parent);
    }
}
