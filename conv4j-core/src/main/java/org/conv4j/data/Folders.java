package org.conv4j.data;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Folders a download creates, removed again after a failure if still empty, so a failed download leaves nothing behind. */
final class Folders {
    private Folders() {
    }

    /** Creates {@code dir} and its missing parents; returns those it created, innermost first. */
    static List<Path> create(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) missing.add(p);
        Files.createDirectories(dir);
        return missing;
    }

    /** Deletes those of {@code created} (children before parents) that are empty; one holding something (a resumable partial file) stays, and so do its parents. */
    static void removeEmpty(List<Path> created) {
        for (Path p : created) {
            try {
                Files.deleteIfExists(p);
            } catch (DirectoryNotEmptyException e) {
                // kept: it holds something
            } catch (IOException e) {
                // best effort: the download's own error is the one to report
            }
        }
    }
}
