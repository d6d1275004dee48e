package io.edgeloop.labeling.lf;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of applying an LF set to windows: the label matrix, and per LF the number of windows on which it
 * threw (each counted as an abstain) with the first error message.
 *
 * <p>Thread-safe: immutable.
 *
 * @param matrix      the votes
 * @param errors      per LF name, the number of exceptions, in the map's iteration order (column order when made
 *                    by {@link LfApplier})
 * @param firstErrors   per LF name, the first exception's class and message (only LFs that threw), in the same
 *                      order
 * @param missingInputs the features and channels rule labellers read that none of the windows has (a misspelt
 *                      name, the wrong case, windows built without features), in column order: that part of the
 *                      LF's condition is UNKNOWN on every window (an LF reading nothing else never votes), and
 *                      {@link LfApplier} logs a WARN for it; for an LF behind the sensor-health rule also the
 *                      channels the guard watches (one that no window has makes the LF abstain on every window)
 */
public record LfRun(LabelMatrix matrix, Map<String, Long> errors, Map<String, String> firstErrors,
        List<MissingInput> missingInputs) {
    /** Copies. */
    public LfRun {
        Objects.requireNonNull(matrix, "matrix");
        errors = ordered(errors, "errors");
        firstErrors = ordered(firstErrors, "firstErrors");
        missingInputs = List.copyOf(missingInputs);
    }

    /**
     * A run with nothing known missing.
     *
     * @param matrix      the votes
     * @param errors      per LF name, the number of exceptions
     * @param firstErrors per LF name, the first exception's class and message
     */
    public LfRun(LabelMatrix matrix, Map<String, Long> errors, Map<String, String> firstErrors) {
        this(matrix, errors, firstErrors, List.of());
    }

    /** What a labelling function reads from a window. */
    public enum InputKind {
        /** A computed feature ({@code CO2.mean}). */
        FEATURE,
        /** A channel's raw samples ({@code CO2}). */
        CHANNEL
    }

    /**
     * A feature or channel an LF reads that none of the run's windows has.
     *
     * @param lf      the LF's name
     * @param kind    feature or channel
     * @param name    the name the LF reads
     * @param closest the name the windows have that is closest to it (same letters in another case, or a small
     *                edit away), if any
     */
    public record MissingInput(String lf, InputKind kind, String name, Optional<String> closest) {
        /** Checks. */
        public MissingInput {
            Objects.requireNonNull(lf, "lf");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(closest, "closest");
        }

        /** @return for example {@code feature 'CO2.slop' (closest the windows have: 'CO2.slope')} */
        public String describe() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + name + "'"
                    + closest.map(c -> " (closest the windows have: '" + c + "')").orElse("");
        }
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
