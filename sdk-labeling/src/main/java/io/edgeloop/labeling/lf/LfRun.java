package io.edgeloop.labeling.lf;

import io.edgeloop.labeling.matrix.LabelMatrix;
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
 * @param errors      per LF name, the number of exceptions
 * @param firstErrors per LF name, the first exception's class and message (only LFs that threw)
 */
public record LfRun(LabelMatrix matrix, Map<String, Long> errors, Map<String, String> firstErrors) {
    /** Copies. */
    public LfRun {
        Objects.requireNonNull(matrix, "matrix");
        errors = Map.copyOf(errors);
        firstErrors = Map.copyOf(firstErrors);
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
