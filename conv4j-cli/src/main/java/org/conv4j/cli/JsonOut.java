package org.conv4j.cli;

/** Minimal JSON output helpers for the commands' --json modes. */
final class JsonOut {
    private JsonOut() {
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A finite number as JSON, or null for NaN/infinity (which JSON cannot hold). */
    static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
