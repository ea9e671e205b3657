package org.conv4j.io;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's class names in its file's metadata, so that what output {@code c} means travels
 * with the weights: the key {@value #METADATA_KEY} holds a JSON array of strings, one per
 * output class, in index order. Files without it are valid (classes are then shown by index).
 */
public final class ClassNames {
    /** The metadata key of the class names. */
    public static final String METADATA_KEY = "class_names";
    /** At most this many classes, and this many characters per name, are accepted from a file. */
    public static final int MAX_CLASSES = 1 << 16, MAX_NAME_LENGTH = 1000;

    private ClassNames() {
    }

    /** The metadata value for {@code names}: a JSON array. */
    public static String toJson(List<String> names) {
        return Json.write(check(names, "class names"));
    }

    /** The class names in {@code metadata}, or null when it has none; a malformed value is an {@link IllegalArgumentException}. */
    public static List<String> read(Map<String, String> metadata) {
        String json = metadata.get(METADATA_KEY);
        if (json == null) return null;
        Object v;
        try {
            v = Json.parse(json, 2, MAX_CLASSES * (MAX_NAME_LENGTH + 8));
        } catch (JsonException e) {
            throw new IllegalArgumentException("metadata '" + METADATA_KEY + "' is not valid JSON: " + e.getMessage(), e);
        }
        if (!(v instanceof List<?> list)) throw new IllegalArgumentException("metadata '" + METADATA_KEY + "' must be a JSON array of strings, got " + Json.typeName(v));
        List<String> names = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) throw new IllegalArgumentException("metadata '" + METADATA_KEY + "' must hold strings, got " + Json.typeName(o));
            names.add(s);
        }
        return check(names, "metadata '" + METADATA_KEY + "'");
    }

    /** Non-empty, at most {@link #MAX_CLASSES} non-blank names of at most {@link #MAX_NAME_LENGTH} characters, all different. */
    public static List<String> check(List<String> names, String what) {
        if (names.isEmpty() || names.size() > MAX_CLASSES) {
            throw new IllegalArgumentException(what + " must list 1 to " + MAX_CLASSES + " classes, got " + names.size());
        }
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (n == null || n.isBlank() || n.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException(what + ": every name must be non-blank and at most " + MAX_NAME_LENGTH + " characters, got "
                        + (n == null ? "null" : "'" + (n.length() > 40 ? n.substring(0, 37) + "..." : n) + "'"));
            }
            if (!seen.add(n)) throw new IllegalArgumentException(what + ": the name '" + n + "' appears twice");
        }
        return List.copyOf(names);
    }
}
