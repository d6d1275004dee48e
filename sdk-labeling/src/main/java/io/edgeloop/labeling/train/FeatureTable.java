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
     * @param rows  one array per row, each with {@code names.size()} finite values or NaN
     */
    public FeatureTable(List<String> names, double[][] rows) {
        this.names = List.copyOf(names);
        this.rows = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != this.names.size()) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values for "
                        + this.names.size() + " features");
            }
            this.rows[i] = rows[i].clone();
        }
    }

    /**
     * Reads named features from windows; a feature a window lacks is NaN.
     *
     * @param windows  the windows
     * @param features the feature names
     * @return the table
     */
    public static FeatureTable of(List<Window> windows, List<String> features) {
        Objects.requireNonNull(windows, "windows");
        double[][] r = new double[windows.size()][features.size()];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < features.size(); j++) {
                Double v = windows.get(i).features().get(features.get(j));
                r[i][j] = v == null ? Double.NaN : v;
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
