package io.edgeloop.labeling.io;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One split of a WRENCH data set: the label matrix in file order (in frame order when the rows are frames), the
 * gold labels (-1 where the file has
 * {@code null}: unknown), the row ids, and whether rows are consecutive frames (every row's {@code data} has a
 * numeric {@code frame}).
 *
 * <p>Thread-safe: immutable.
 *
 * @param name    split name ({@code train}, {@code valid}, {@code test})
 * @param matrix  the votes, rows in file order, or in frame order when {@code ordered}
 * @param gold    gold labels, -1 for unknown
 * @param ids     row ids as in the file, in the matrix's row order
 * @param ordered true when rows are frames (every row has a numeric {@code data.frame}, no two the same), put in
 *                frame order
 */
public record WrenchSplit(String name, LabelMatrix matrix, int[] gold, List<String> ids, boolean ordered) {
    /** Validates and copies. */
    public WrenchSplit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(matrix, "matrix");
        gold = Objects.requireNonNull(gold, "gold").clone();
        ids = List.copyOf(ids);
        if (gold.length != matrix.rows() || ids.size() != matrix.rows()) {
            throw new IllegalArgumentException("split " + name + ": " + gold.length + " gold labels and " + ids.size()
                    + " ids for " + matrix.rows() + " rows");
        }
    }

    /** @return a copy of the gold labels, -1 for unknown */
    @Override
    public int[] gold() {
        return gold.clone();
    }

    /** @return true when every row has a known gold label */
    public boolean fullyLabelled() {
        return Arrays.stream(gold).allMatch(g -> g >= 0);
    }

    /**
     * The rows with a known gold label, in file order (a {@code null} label means unknown, not that the split is
     * unusable).
     *
     * @return this split when every row is labelled, else a split of its labelled rows (possibly none; not
     *         {@code ordered}, since rows are left out)
     */
    public WrenchSplit labelledRows() {
        int[] unknown = java.util.stream.IntStream.range(0, gold.length).filter(i -> gold[i] < 0).toArray();
        if (unknown.length == 0) {
            return this;
        }
        List<String> keptIds = new java.util.ArrayList<>();
        int[] keptGold = new int[gold.length - unknown.length];
        int at = 0;
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] >= 0) {
                keptIds.add(ids.get(i));
                keptGold[at++] = gold[i];
            }
        }
        return new WrenchSplit(name, matrix.without(unknown), keptGold, keptIds, false);
    }

    /** @return the number of rows */
    public int size() {
        return matrix.rows();
    }
}
