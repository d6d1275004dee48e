package io.edgeloop.labeling.matrix;

import io.edgeloop.api.label.Label;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A compact n x m label matrix: one row per example, one column per labelling function, one byte per vote,
 * {@link Label#ABSTAIN} (-1) for abstain. Supports up to 127 classes.
 *
 * <p>Thread-safe: instances are immutable (arrays are copied in and never exposed).
 */
public final class LabelMatrix {
    /** The largest number of classes a byte vote can hold. */
    public static final int MAX_CLASSES = 127;

    private final int rows;
    private final int lfs;
    private final int numClasses;
    private final byte[] votes;
    private final List<String> lfNames;

    private LabelMatrix(int rows, int lfs, int numClasses, byte[] votes, List<String> lfNames) {
        this.rows = rows;
        this.lfs = lfs;
        this.numClasses = numClasses;
        this.votes = votes;
        this.lfNames = lfNames;
    }

    /**
     * Wraps votes given row-major.
     *
     * @param rows       number of rows
     * @param lfs        number of labelling functions
     * @param numClasses number of classes, 2..127
     * @param votes      row-major votes (copied), each -1 or a class index
     * @param lfNames    one name per labelling function
     * @return the matrix
     * @throws IllegalArgumentException when sizes disagree or a vote is out of range
     */
    public static LabelMatrix of(int rows, int lfs, int numClasses, byte[] votes, List<String> lfNames) {
        Objects.requireNonNull(votes, "votes");
        Objects.requireNonNull(lfNames, "lfNames");
        if (rows < 0 || lfs < 1) {
            throw new IllegalArgumentException("A label matrix needs rows >= 0 and at least one labelling function, got "
                    + rows + " x " + lfs);
        }
        if (numClasses < 2 || numClasses > MAX_CLASSES) {
            throw new IllegalArgumentException("numClasses must be in [2, " + MAX_CLASSES + "], got " + numClasses);
        }
        if ((long) rows * lfs != votes.length) {
            throw new IllegalArgumentException("votes has " + votes.length + " entries, expected " + rows + " x " + lfs);
        }
        if (lfNames.size() != lfs) {
            throw new IllegalArgumentException(lfNames.size() + " labelling-function names for " + lfs + " columns");
        }
        for (int i = 0; i < votes.length; i++) {
            int v = votes[i];
            if (v < -1 || v >= numClasses) {
                throw new IllegalArgumentException("vote " + v + " at row " + (i / lfs) + ", column " + (i % lfs)
                        + " is neither -1 (abstain) nor a class index in [0, " + numClasses + ")");
            }
        }
        return new LabelMatrix(rows, lfs, numClasses, votes.clone(), List.copyOf(lfNames));
    }

    /**
     * Builds a matrix from int rows.
     *
     * @param numClasses number of classes
     * @param rows       votes per row; all rows the same length
     * @return the matrix
     */
    public static LabelMatrix ofRows(int numClasses, int[][] rows) {
        int m = rows.length == 0 ? 0 : rows[0].length;
        byte[] v = new byte[rows.length * m];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != m) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " votes, expected " + m);
            }
            for (int j = 0; j < m; j++) {
                int x = rows[i][j];
                if (x < -1 || x > Byte.MAX_VALUE) {
                    throw new IllegalArgumentException("vote " + x + " at row " + i + ", column " + j + " out of range");
                }
                v[i * m + j] = (byte) x;
            }
        }
        return of(rows.length, m, numClasses, v, defaultNames(m));
    }

    /**
     * @param m number of labelling functions
     * @return names {@code lf0 .. lf(m-1)}
     */
    public static List<String> defaultNames(int m) {
        String[] n = new String[m];
        for (int j = 0; j < m; j++) {
            n[j] = "lf" + j;
        }
        return List.of(n);
    }

    /** @return the number of rows */
    public int rows() {
        return rows;
    }

    /** @return the number of labelling functions (columns) */
    public int lfs() {
        return lfs;
    }

    /** @return the number of classes */
    public int numClasses() {
        return numClasses;
    }

    /** @return the labelling-function names */
    public List<String> lfNames() {
        return lfNames;
    }

    /**
     * @param row    the row
     * @param column the labelling function
     * @return the vote, -1 for abstain
     */
    public int get(int row, int column) {
        return votes[row * lfs + column];
    }

    /**
     * Copies one row's votes into a buffer.
     *
     * @param row the row
     * @param out a buffer of at least {@link #lfs()} bytes
     */
    public void row(int row, byte[] out) {
        System.arraycopy(votes, row * lfs, out, 0, lfs);
    }

    /**
     * Returns the rows {@code [from, to)} as a new matrix.
     *
     * @param from first row
     * @param to   end row, exclusive
     * @return the slice
     */
    public LabelMatrix slice(int from, int to) {
        if (from < 0 || to > rows || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") of " + rows + " rows");
        }
        return new LabelMatrix(to - from, lfs, numClasses, Arrays.copyOfRange(votes, from * lfs, to * lfs), lfNames);
    }

    /**
     * The matrix without some rows.
     *
     * @param rows row indices to leave out, each in {@code [0, rows())}; duplicates are ignored
     * @return the remaining rows, in order
     * @throws IllegalArgumentException when an index is out of range
     */
    public LabelMatrix without(int[] rows) {
        boolean[] drop = new boolean[this.rows];
        int dropped = 0;
        for (int r : rows) {
            if (r < 0 || r >= this.rows) {
                throw new IllegalArgumentException("row " + r + " is not in [0, " + this.rows + ")");
            }
            if (!drop[r]) {
                drop[r] = true;
                dropped++;
            }
        }
        byte[] out = new byte[(this.rows - dropped) * lfs];
        int at = 0;
        for (int r = 0; r < this.rows; r++) {
            if (!drop[r]) {
                System.arraycopy(votes, r * lfs, out, at, lfs);
                at += lfs;
            }
        }
        return new LabelMatrix(this.rows - dropped, lfs, numClasses, out, lfNames);
    }

    /**
     * The same votes under other labelling-function names, for example to line up a matrix built with default names
     * ({@code lf0}, {@code lf1}, ...) with one from {@link io.edgeloop.labeling.lf.LfApplier} before merging.
     *
     * @param names one name per column
     * @return the renamed matrix (the votes are shared: both are immutable)
     * @throws IllegalArgumentException when the number of names differs from the number of columns
     */
    public LabelMatrix withNames(List<String> names) {
        List<String> copy = List.copyOf(names);
        if (copy.size() != lfs) {
            throw new IllegalArgumentException(copy.size() + " labelling-function names for " + lfs + " columns");
        }
        return new LabelMatrix(rows, lfs, numClasses, votes, copy);
    }

    /**
     * Stacks matrices with the same columns and classes.
     *
     * @param parts the matrices, in order
     * @return their concatenation
     * @throws IllegalArgumentException when the shapes or the labelling-function names (or their order) differ, as
     *                                  {@link VoteCounts#merge} requires of the counts
     */
    public static LabelMatrix concat(List<LabelMatrix> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        LabelMatrix first = parts.get(0);
        int n = 0;
        for (LabelMatrix p : parts) {
            if (p.lfs != first.lfs || p.numClasses != first.numClasses) {
                throw new IllegalArgumentException("cannot concatenate a " + p.lfs + "-LF " + p.numClasses
                        + "-class matrix with a " + first.lfs + "-LF " + first.numClasses + "-class one");
            }
            if (!p.lfNames.equals(first.lfNames)) {
                // The same rule as VoteCounts.merge: columns must name the same LFs in the same order.
                throw new IllegalArgumentException("cannot concatenate a matrix over labelling functions " + p.lfNames
                        + " with one over " + first.lfNames + "; align the columns, or rename with withNames");
            }
            n += p.rows;
        }
        byte[] v = new byte[n * first.lfs];
        int at = 0;
        for (LabelMatrix p : parts) {
            System.arraycopy(p.votes, 0, v, at, p.votes.length);
            at += p.votes.length;
        }
        return new LabelMatrix(n, first.lfs, first.numClasses, v, first.lfNames);
    }

    /**
     * Package-private access to the backing array for fast scans.
     *
     * @return the votes, row-major; must not be modified
     */
    byte[] raw() {
        return votes;
    }

    @Override
    public String toString() {
        return "LabelMatrix[" + rows + " x " + lfs + ", " + numClasses + " classes]";
    }
}
