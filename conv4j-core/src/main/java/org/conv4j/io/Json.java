package org.conv4j.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259), for the safetensors header and the model
 * architecture.
 *
 * <p>Values map to Java as: object {@code LinkedHashMap<String, Object>} (key order kept),
 * array {@code List<Object>}, string {@code String}, {@code true}/{@code false} {@code Boolean},
 * {@code null} null, and numbers {@code Long} when written without fraction or exponent and
 * inside the long range, {@code Double} otherwise. Strict means: no comments, no trailing
 * commas, no leading zeros, no single quotes, no unescaped control characters, no duplicate
 * keys, no NaN or infinities, nothing but whitespace after the value. Limits on the input
 * length, the nesting depth and the number of values bound the time, memory and stack any input
 * can cost: the parsed tree costs up to about 100 bytes per value (an empty object is a map), 20-30
 * times its text, so the value count is checked as each value starts, before it is built. Errors
 * are {@link JsonException}s with the position.
 */
public final class Json {
    /** Default maximum nesting depth of arrays and objects. */
    public static final int DEFAULT_MAX_DEPTH = 128;
    /** Default maximum input length, in characters. */
    public static final int DEFAULT_MAX_LENGTH = 100_000_000;
    /** Default maximum number of values (objects, arrays, strings, numbers, literals; keys not counted): about 100 MB of parsed tree. */
    public static final int DEFAULT_MAX_VALUES = 1_000_000;

    private final String text;
    private final int maxDepth;
    private final int maxValues;
    private int values;
    private int pos;

    private Json(String text, int maxDepth, int maxValues) {
        this.text = text;
        this.maxDepth = maxDepth;
        this.maxValues = maxValues;
    }

    /** Parses one JSON value with the default limits. */
    public static Object parse(String text) {
        return parse(text, DEFAULT_MAX_DEPTH, DEFAULT_MAX_LENGTH);
    }

    /** Parses one JSON value with at most {@link #DEFAULT_MAX_VALUES} values; deeper nesting or a longer input is an error. */
    public static Object parse(String text, int maxDepth, int maxLength) {
        return parse(text, maxDepth, maxLength, DEFAULT_MAX_VALUES);
    }

    /** Parses one JSON value; deeper nesting, a longer input or more values is an error. */
    public static Object parse(String text, int maxDepth, int maxLength, int maxValues) {
        if (maxDepth < 1 || maxLength < 1 || maxValues < 1) {
            throw new IllegalArgumentException("Json: limits must be >= 1, got depth " + maxDepth + ", length " + maxLength + " and values " + maxValues);
        }
        if (text.length() > maxLength) {
            throw new JsonException("JSON input of " + text.length() + " characters exceeds the limit of " + maxLength, maxLength);
        }
        Json p = new Json(text, maxDepth, maxValues);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) throw p.error("unexpected " + p.describeHere() + " after the JSON value");
        return v;
    }

    /** Parses a JSON object with the default limits; any other top-level value is an error. */
    public static Map<String, Object> parseObject(String text) {
        return parseObject(text, DEFAULT_MAX_DEPTH, DEFAULT_MAX_LENGTH);
    }

    public static Map<String, Object> parseObject(String text, int maxDepth, int maxLength) {
        return parseObject(text, maxDepth, maxLength, DEFAULT_MAX_VALUES);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, int maxDepth, int maxLength, int maxValues) {
        Object v = parse(text, maxDepth, maxLength, maxValues);
        if (!(v instanceof Map)) throw new JsonException("expected a JSON object, got " + typeName(v), 0);
        return (Map<String, Object>) v;
    }

    /** "object", "array", "string", "number", "boolean" or "null": for error messages. */
    public static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "object";
        if (v instanceof List) return "array";
        if (v instanceof String) return "string";
        if (v instanceof Number) return "number";
        if (v instanceof Boolean) return "boolean";
        return v.getClass().getSimpleName();
    }

    // ---- reader

    private Object value(int depth) {
        if (pos >= text.length()) throw error("unexpected end of input, expected a value");
        if (++values > maxValues) throw error("more than the limit of " + maxValues + " values");
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected " + describeHere() + ", expected a value");
        }
    }

    private Map<String, Object> object(int depth) {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> m = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("expected a string key, got " + describeHere());
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth);
            if (m.containsKey(key)) throw new JsonException("duplicate key \"" + key + "\" " + where(keyPos), keyPos);
            m.put(key, v);
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == '}') {
                pos++;
                return m;
            } else {
                throw error("expected ',' or '}' in an object, got " + describeHere());
            }
        }
    }

    private List<Object> array(int depth) {
        checkDepth(depth);
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == ']') {
                pos++;
                return list;
            } else {
                throw error("expected ',' or ']' in an array, got " + describeHere());
            }
        }
    }

    private void checkDepth(int depth) {
        if (depth > maxDepth) throw error("nesting deeper than the limit of " + maxDepth);
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = null;
        int start = pos;
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(start, pos) : sb.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) throw error(String.format("unescaped control character U+%04X in a string", (int) c));
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) sb = new StringBuilder();
            sb.append(text, start, pos);
            pos++;
            if (pos >= text.length()) throw error("unterminated escape");
            char e = text.charAt(pos++);
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case '/': sb.append('/'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = pos < text.length() ? Character.digit(text.charAt(pos), 16) : -1;
                        if (d < 0) throw error("expected 4 hex digits after \\u");
                        code = code * 16 + d;
                        pos++;
                    }
                    sb.append((char) code);
                    break;
                default:
                    pos--;
                    throw error("invalid escape \\" + printable(e));
            }
            start = pos;
        }
    }

    private Object number() {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) throw error("leading zeros are not allowed in numbers");
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("expected a digit, got " + describeHere());
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("expected a digit after the decimal point, got " + describeHere());
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("expected a digit in the exponent, got " + describeHere());
            while (isDigit(peek())) pos++;
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                // outside the long range: a (finite) double, as JavaScript reads it
            }
        }
        double d = Double.parseDouble(s);
        if (Double.isInfinite(d)) throw new JsonException("number " + abbreviate(s) + " is out of range " + where(start), start);
        return d;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("unexpected " + describeHere() + ", expected a value");
        pos += word.length();
        return value;
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "', got " + describeHere());
        pos++;
    }

    /** The current character, or 0 at the end (never valid where a character is tested for). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private String describeHere() {
        return pos >= text.length() ? "end of input" : "'" + printable(text.charAt(pos)) + "'";
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private JsonException error(String message) {
        return new JsonException(message + " " + where(pos), pos);
    }

    private String where(int at) {
        int line = 1, col = 1;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return "at position " + at + " (line " + line + ", column " + col + ")";
    }

    // ---- writer

    /**
     * Compact JSON for a value made of maps with string keys, lists, strings, numbers, booleans
     * and null. Non-ASCII text is written as is (the caller encodes UTF-8); control characters
     * and unpaired surrogates are escaped, so {@link #parse} gives back equal values.
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb, 0);
        return sb.toString();
    }

    private static void write(Object v, StringBuilder sb, int depth) {
        if (depth > 10_000) throw new IllegalArgumentException("Json: value nested deeper than 10000 levels (a cycle?)");
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            writeString((String) v, sb);
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            sb.append(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("Json: cannot write " + d + " (JSON has no NaN or infinity)");
            // Float.toString is the shortest text that reads back as the same float
            sb.append(v instanceof Float ? Float.toString((Float) v) : Double.toString(d));
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String)) throw new IllegalArgumentException("Json: object keys must be strings, got " + e.getKey());
                if (!first) sb.append(',');
                first = false;
                writeString((String) e.getKey(), sb);
                sb.append(':');
                write(e.getValue(), sb, depth + 1);
            }
            sb.append('}');
        } else if (v instanceof List) {
            sb.append('[');
            boolean first = true;
            for (Object item : (List<?>) v) {
                if (!first) sb.append(',');
                first = false;
                write(item, sb, depth + 1);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("Json: cannot write a " + v.getClass().getName());
        }
    }

    private static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20 || isUnpairedSurrogate(s, i)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    private static boolean isUnpairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        return false;
    }
}
