package io.edgeloop.quantize.ir;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rule every list of feature or class names follows: no name is empty and no name occurs twice. A model's
 * inputs are matched to CSV columns, and its outputs to labels, by name; two inputs called {@code a} would both
 * read the first column {@code a} (and firmware could not tell them apart in {@code model.h}), and two classes
 * called {@code a} would give one label two device indices.
 *
 * <p>Thread-safe: stateless.
 */
public final class DistinctNames {
    private DistinctNames() {
    }

    /**
     * The first problem with a list of names, if any: an empty (or blank) name, or a name that occurs twice.
     *
     * @param names the names, in order
     * @param what  what the names are, for the message (for example "feature name")
     * @param base  the number of the first position in the message (0 for model inputs, 1 for CSV columns)
     * @return a one-line reason naming the name and its positions, or empty when every name is distinct and
     *         non-empty
     */
    public static java.util.Optional<String> problem(List<String> names, String what, int base) {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(what, "what");
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n == null || n.isBlank()) {
                return java.util.Optional.of(what + " at position " + (i + base) + " is empty");
            }
            Integer j = first.putIfAbsent(n, i);
            if (j != null) {
                return java.util.Optional.of(what + " '" + n + "' occurs twice, at positions " + (j + base) + " and "
                        + (i + base));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * @param names the names, in order
     * @param what  what the names are, for the message
     * @throws IllegalArgumentException naming the first empty or repeated name and its 0-based positions
     */
    public static void require(List<String> names, String what) {
        problem(names, what, 0).ifPresent(p -> {
            throw new IllegalArgumentException(p + "; every name must be non-empty and distinct");
        });
    }
}
