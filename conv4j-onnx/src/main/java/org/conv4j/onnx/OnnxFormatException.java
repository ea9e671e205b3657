package org.conv4j.onnx;

import java.io.IOException;

/**
 * An ONNX file that is malformed, truncated, hostile or uses what conv4j cannot import. The
 * message is one line naming the source and the problem, for example
 * {@code "model.onnx: node '/fc/Gemm' (Gemm): attribute transA=1 is not supported"}. The
 * importer throws this (never an unchecked exception or an OutOfMemoryError) for anything the
 * file's bytes can cause.
 */
public final class OnnxFormatException extends IOException {
    private final String problem;

    public OnnxFormatException(String source, String problem) {
        this(source, problem, null);
    }

    public OnnxFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + oneLine(problem), cause);
        this.problem = oneLine(problem);
    }

    /** Names from the file may hold line breaks or other control characters: never print them. */
    private static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    /** The message without the source. */
    public String problem() {
        return problem;
    }
}
