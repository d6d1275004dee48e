package io.edgeloop.labeling.lf;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of applying an LF set to windows: the label matrix, and per LF the number of windows on which it
 * threw (each counted as an abstain) with the first error message.
 *
 * <p>Thread-safe: immutable.
 *
 * @param matrix      the votes
 * @param errors      per LF name, the number of exceptions, in the map's iteration order (column order when made
 *                    by {@link LfApplier})
 * @param firstErrors per LF name, the first exception's class and message (only LFs that threw), in the same order
 */
public record LfRun(LabelMatrix matrix, Map<String, Long> errors, Map<String, String> firstErrors) {
    /** Copies. */
    public LfRun {
        Objects.requireNonNull(matrix, "matrix");
        errors = ordered(errors, "errors");
        firstErrors = ordered(firstErrors, "firstErrors");
    }

    /** An unmodifiable copy that keeps the iteration order (column order); nulls are refused as by Map.copyOf. */
    private static <V> Map<String, V> ordered(Map<String, V> map, String what) {
        Map<String, V> copy = new LinkedHashMap<>();
        Objects.requireNonNull(map, what).forEach((k, v) -> copy.put(Objects.requireNonNull(k, what + " key"),
                Objects.requireNonNull(v, what + " value")));
        return Collections.unmodifiableMap(copy);
    }

    /** @return the total number of exceptions over all LFs */
    public long totalErrors() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** @return the LF names in column order */
    public List<String> lfNames() {
        return matrix.lfNames();
    }
}
