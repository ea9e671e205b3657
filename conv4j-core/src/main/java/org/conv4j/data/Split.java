package org.conv4j.data;

/** Which part of a dataset: the training split or the held-out test split. */
public enum Split {
    TRAIN("train"),
    TEST("test");

    private final String label;

    Split(String label) {
        this.label = label;
    }

    /** "train" or "test", as written in messages and on the command line. */
    public String label() {
        return label;
    }

    /** The split named {@code "train"} or {@code "test"} (case-insensitive). */
    public static Split parse(String name) {
        for (Split s : values()) {
            if (s.label.equalsIgnoreCase(name)) return s;
        }
        throw new IllegalArgumentException("unknown split '" + name + "': expected train or test");
    }
}
