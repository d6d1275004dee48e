package io.edgeloop.labeling.window;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the feature or channel name a misspelt one most likely meant, for messages: the same letters in another
 * case ({@code co2.mean} for {@code CO2.mean}), else the name fewest edits away (Levenshtein, case-insensitive),
 * when that is at most 2 edits, or 3 for names of 10 or more characters; ties go to the first in the collection's
 * order.
 *
 * <p>Thread-safe: static and stateless.
 */
public final class Names {
    private Names() {
    }

    /**
     * @param wanted    the name asked for
     * @param available the names there are
     * @return the closest of {@code available}, when close enough to be a likely misspelling
     */
    public static Optional<String> closest(String wanted, Collection<String> available) {
        String w = wanted.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String a : available) {
            int d = distance(w, a.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = a;
                bestDistance = d;
            }
        }
        int limit = wanted.length() >= 10 ? 3 : 2;
        return best != null && bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
