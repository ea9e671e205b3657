package org.conv4j.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** "Did you mean": the valid names closest to a mistyped command or option. */
final class Suggestions {
    private Suggestions() {
    }

    /**
     * The candidates at the smallest edit distance from {@code typed} (insertions, deletions,
     * substitutions and swaps of neighbours; dashes and case ignored), if that distance is at most a
     * third of the name's length (at least 1); or the candidates {@code typed} is the start of.
     */
    static List<String> closest(String typed, Collection<String> candidates) {
        String t = key(typed);
        List<String> best = new ArrayList<>();
        int bestDistance = Math.max(1, t.length() / 3);
        for (String c : candidates) {
            int d = distance(t, key(c));
            if (d < bestDistance) {
                best.clear();
                bestDistance = d;
            }
            if (d == bestDistance && !best.contains(c)) best.add(c);
        }
        if (best.isEmpty() && t.length() >= 3) {
            for (String c : candidates) if (key(c).startsWith(t)) best.add(c);
        }
        return best.size() > 3 ? best.subList(0, 3) : best;
    }

    private static String key(String name) {
        return name.replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Optimal string alignment distance (Levenshtein plus swaps of adjacent characters). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
