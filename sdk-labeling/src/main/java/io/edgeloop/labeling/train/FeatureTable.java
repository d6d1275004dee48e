package io.edgeloop.labeling.train;

import io.edgeloop.api.window.Window;
import java.util.List;
import java.util.Objects;

/**
 * A dense table of numeric features, one row per window, for end models and active learning.
 *
 * <p>Thread-safe: immutable (rows are copied in; {@link #row(int)} returns a copy).
 */
public final class FeatureTable {
    private final List<String> names;
    private final double[][] rows;

    /**
     * @param names feature names, in column order
     * @param rows  one array per row, each with {@code names.size()} finite values or NaN (missing)
     * @throws IllegalArgumentException when a row has another number of values, or a value is infinite (naming the
     *                                  row and feature: an infinite feature is bad data, not a very large number,
     *                                  and would give NaN probabilities)
     */
    public FeatureTable(List<String> names, double[][] rows) {
        this.names = List.copyOf(names);
        this.rows = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != this.names.size()) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values for "
                        + this.names.size() + " features");
            }
            for (int j = 0; j < rows[i].length; j++) {
                if (Double.isInfinite(rows[i][j])) {
                    throw new IllegalArgumentException("row " + i + " feature '" + this.names.get(j) + "' is "
                            + rows[i][j] + "; features must be finite, or NaN for missing");
                }
            }
            this.rows[i] = rows[i].clone();
        }
    }

    /**
     * Reads named features from windows; a feature a window lacks is NaN. A feature no window has is refused when it
     * looks misspelt (the same letters in another case, or a small edit from a name the windows have: the message
     * names it) or when the windows have no features at all (built without {@code Windower}); any other is a column
     * of NaN (a device without that sensor).
     *
     * @param windows  the windows
     * @param features the feature names
     * @return the table
     * @throws IllegalArgumentException when a window's feature is infinite (naming the window), or no window has a
     *                                  feature whose name looks misspelt, or the windows have no features
     */
    public static FeatureTable of(List<Window> windows, List<String> features) {
        Objects.requireNonNull(windows, "windows");
        double[][] r = new double[windows.size()][features.size()];
        boolean[] seen = new boolean[features.size()];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < features.size(); j++) {
                Double v = windows.get(i).features().get(features.get(j));
                seen[j] |= v != null;
                r[i][j] = v == null ? Double.NaN : v;
                if (Double.isInfinite(r[i][j])) {
                    throw new IllegalArgumentException("window " + windows.get(i) + " feature '" + features.get(j)
                            + "' is " + r[i][j] + "; features must be finite, or NaN for missing");
                }
            }
        }
        for (int j = 0; j < features.size() && !windows.isEmpty(); j++) {
            if (!seen[j]) {
                // A column no window has: a misspelt name (close to one the windows have), or windows built without
                // features, is refused, naming the closest; any other name stays a column of NaN (a batch from a
                // device without that sensor: its rows are incomplete, EndModel.predict gives -1 for them).
                java.util.Set<String> names = new java.util.TreeSet<>();
                for (Window w : windows) {
                    names.addAll(w.features().keySet());
                }
                java.util.Optional<String> closest = io.edgeloop.api.config.ComponentConfig.closestName(features.get(j), names);
                if (names.isEmpty() || closest.isPresent()) {
                    throw new IllegalArgumentException("no window has feature '" + features.get(j) + "'"
                            + closest.map(c -> "; did you mean '" + c + "'?").orElse("")
                            + (names.isEmpty() ? "; the windows have no features (build them with Windower)" : ""));
                }
            }
        }
        return new FeatureTable(features, r);
    }

    /** @return the feature names */
    public List<String> names() {
        return names;
    }

    /** @return the number of rows */
    public int size() {
        return rows.length;
    }

    /**
     * @param i the row
     * @return a copy of its values
     */
    public double[] row(int i) {
        return rows[i].clone();
    }

    /**
     * @param i the row
     * @return true when every value of the row is finite
     */
    public boolean complete(int i) {
        for (double v : rows[i]) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    double value(int i, int j) {
        return rows[i][j];
    }
}
