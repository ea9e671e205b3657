package org.conv4j.io;

/**
 * Malformed JSON, or JSON over a limit: the message gives the position (character index, line
 * and column) and what was expected there.
 */
public final class JsonException extends IllegalArgumentException {
    private final int position;

    public JsonException(String message, int position) {
        super(message);
        this.position = position;
    }

    /** The character index of the problem in the parsed text. */
    public int position() {
        return position;
    }
}
