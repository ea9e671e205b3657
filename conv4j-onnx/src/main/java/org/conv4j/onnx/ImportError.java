package org.conv4j.onnx;

/**
 * A problem found while importing, before the source is known to the message; {@link OnnxImport}
 * turns it into an {@link OnnxFormatException} naming the file.
 */
final class ImportError extends Exception {
    ImportError(String message) {
        super(message, null, false, false);
    }
}
