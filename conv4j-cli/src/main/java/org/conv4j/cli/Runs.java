package org.conv4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.conv4j.io.AtomicFiles;
import picocli.CommandLine;

/**
 * {@code runs/latest}: {@code train} points it at the run it has just finished, and every command that
 * takes a run or a model follows it. It is a relative symbolic link ({@code latest -> lenet5-20261205-101500});
 * where links cannot be made it is a one-line text file naming the run, which {@link #resolve} follows.
 */
final class Runs {
    static final String LATEST = "latest";
    private static final String RUNS = "runs";

    private Runs() {
    }

    /**
     * Points {@code latest} beside the run at it, when the run's folder is a {@code runs} folder (the
     * default {@code runs/} or {@code --out runs/NAME}); returns the link, or null when there is none.
     * The new link is made under a temporary name and renamed over the old one, so {@code latest}
     * always names a whole run. The run is complete before this, so a failure is a warning on {@code err}.
     */
    static Path markLatest(Path runDir, PrintWriter err) {
        Path abs = runDir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        String name = abs.getFileName().toString();
        if (parent == null || parent.getFileName() == null || !parent.getFileName().toString().equals(RUNS) || name.equals(LATEST)) return null;
        Path latest = parent.resolve(LATEST);
        Path temp = parent.resolve("." + LATEST + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            try {
                Files.deleteIfExists(temp);
                Files.createSymbolicLink(temp, Path.of(name));
            } catch (UnsupportedOperationException | FileSystemException e) {
                AtomicFiles.write(latest, (name + "\n").getBytes(StandardCharsets.UTF_8));
                return latest;
            }
            try {
                Files.move(temp, latest, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return latest;
        } catch (IOException e) {
            err.println("conv4j train: warning: could not point " + latest + " at " + name + ": " + e);
            err.flush();
            return null;
        }
    }

    /** The run a {@code latest} text file names; any other path as it is (a {@code latest} link is followed by the file system). */
    static Path resolve(Path p) throws IOException {
        if (p.getFileName() == null || !p.getFileName().toString().equals(LATEST) || !Files.isRegularFile(p) || Files.size(p) > 1024) return p;
        String name = Files.readString(p, StandardCharsets.UTF_8).trim();
        if (name.isEmpty() || name.contains("/") || name.contains(java.io.File.separator) || name.equals("..")) {
            throw new Main.UsageError(p + " should name a run in its folder, got '" + name + "'");
        }
        return p.resolveSibling(name);
    }

    /** For options that take a run ({@code train --resume}): the path with a {@code latest} text file followed. */
    static final class Converter implements CommandLine.ITypeConverter<Path> {
        @Override
        public Path convert(String value) throws IOException {
            try {
                return resolve(Path.of(value));
            } catch (Main.UsageError e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
