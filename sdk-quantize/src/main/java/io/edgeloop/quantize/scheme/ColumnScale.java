package io.edgeloop.quantize.scheme;

import java.util.Objects;
import java.util.Optional;

/**
 * The rule that a numeric column's scale must survive double arithmetic: its mean and standard deviation (Welford's
 * running update, as Tribuo's {@code MeanStdDevTransformation} accumulates them) are finite, and unless the column
 * is constant the deviation is a positive normal double whose reciprocal is finite. Values near 1e300 overflow the
 * squared deviations; values near 1e-310 underflow them to a subnormal or zero deviation.
 *
 * <p>One rule for both places that take a column's scale from data: {@code train} (logistic regression standardises
 * each column by it) and calibration ({@link ModelQuantizer}, the quantize workflow: a range stretched by such a
 * value leaves every real reading in one quantization step, so the int8 model silently loses the feature).
 *
 * <p>Thread-safe: stateless.
 */
public final class ColumnScale {
    private ColumnScale() {
    }

    /**
     * A column that breaks the rule. Thread-safe: immutable.
     *
     * @param column the column index
     * @param mean   its mean in double arithmetic
     * @param std    its sample standard deviation in double arithmetic (infinite, NaN, subnormal or zero)
     * @param row    the (0-based) row holding the value of largest magnitude: the one to blame when the deviation
     *               overflows, the largest of the tiny values when it underflows
     * @param value  the value on that row
     */
    public record Problem(int column, double mean, double std, int row, double value) {
        /**
         * @return true when the deviation overflows (values too large), false when it underflows (too small)
         */
        public boolean overflows() {
            return !(std < Double.MIN_NORMAL);
        }

        /**
         * @return a phrase saying why the column fails, for messages ({@code "too large: it overflows"} or
         *         {@code "subnormal or zero: it underflows"})
         */
        public String cause() {
            return overflows() ? "too large: it overflows" : "subnormal or zero: it underflows";
        }
    }

    /**
     * Checks one column of a table.
     *
     * @param rows   the rows (not modified), each with more than {@code column} values
     * @param column the column index
     * @return the problem, or empty when the column's scale is usable (including a constant column, which has no
     *         scale to break; callers that cannot use one check that separately)
     */
    public static Optional<Problem> check(double[][] rows, int column) {
        Objects.requireNonNull(rows, "rows");
        if (rows.length == 0) {
            return Optional.empty();
        }
        double mean = 0;
        double m2 = 0;
        double max = -1;
        int maxRow = 0;
        boolean constant = true;
        double first = rows[0][column];
        for (int i = 0; i < rows.length; i++) {
            double x = rows[i][column];
            double delta = x - mean;
            mean += delta / (i + 1);
            m2 += delta * (x - mean);
            if (!(Math.abs(x) <= max)) {
                max = Math.abs(x);
                maxRow = i;
            }
            constant &= x == first;
        }
        double std = Math.sqrt(m2 / Math.max(1, rows.length - 1));
        if (constant || Double.isFinite(std) && std >= Double.MIN_NORMAL && Double.isFinite(1 / std)
                && Double.isFinite(mean)) {
            return Optional.empty();
        }
        return Optional.of(new Problem(column, mean, std, maxRow, rows[maxRow][column]));
    }

    /**
     * Checks every column of a table.
     *
     * @param rows the rows (not modified), all of one length
     * @return the first column (lowest index) that breaks the rule, or empty
     */
    public static Optional<Problem> firstProblem(double[][] rows) {
        Objects.requireNonNull(rows, "rows");
        if (rows.length == 0) {
            return Optional.empty();
        }
        for (int c = 0; c < rows[0].length; c++) {
            Optional<Problem> p = check(rows, c);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }
}
