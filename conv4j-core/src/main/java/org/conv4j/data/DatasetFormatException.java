package org.conv4j.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that is not what its format promises: a bad magic number, an unsupported type,
 * sizes that disagree with the file length, a label out of range, a corrupt compressed stream
 * or an undecodable image. The message starts with the file and says what is wrong.
 */
public final class DatasetFormatException extends IOException {
    private final transient Path file;

    public DatasetFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DatasetFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
