package org.conv4j.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model or weight file that is malformed, truncated, of an unsupported kind, or that does not
 * match the model it is loaded into. The message names the file and the problem, for example
 * {@code "model.safetensors: tensor 'fc.weight' has shape [10, 84], expected [10, 120]"}.
 * Readers throw this (never an unchecked exception or an OutOfMemoryError) for anything the
 * file's bytes can cause.
 */
public final class ModelFormatException extends IOException {
    private final transient Path file;
    private final String problem;

    public ModelFormatException(Path file, String problem) {
        this(file, problem, null);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super((file == null ? "<stream>" : file.toString()) + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file, or null when the data came from a stream. */
    public Path file() {
        return file;
    }

    /** The problem, without the file name. */
    public String problem() {
        return problem;
    }
}
