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
 * <p><b>Row numbers.</b> A matrix row index (the position in {@link #matrix()}, {@link #gold()}, {@link #ids()})
 * equals the example's position in the file except in a frame split, whose rows are put in frame order. Every row
 * number Edgeloop shows to people or writes to files (expert queues, answers, prompts) is the file-order row:
 * {@link #fileRow(int)} and {@link #row(int)} translate; {@link #fileRows()} holds the map.
 *
 * <p>Thread-safe: immutable.
 *
 * @param name    split name ({@code train}, {@code valid}, {@code test})
 * @param matrix  the votes, rows in file order, or in frame order when {@code ordered}
 * @param gold    gold labels, -1 for unknown
 * @param ids     row ids as in the file, in the matrix's row order
 * @param ordered  true when rows are frames (every row has an integer {@code data.frame}, no two the same), put in
 *                 frame order
 * @param fileRows for each matrix row, its 0-based position in the file (a permutation of {@code 0..rows-1} when
 *                 the split is whole; the identity unless rows were put in frame order)
 */
public record WrenchSplit(String name, LabelMatrix matrix, int[] gold, List<String> ids, boolean ordered,
        int[] fileRows) {
    /** Validates and copies. */
    public WrenchSplit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(matrix, "matrix");
        gold = Objects.requireNonNull(gold, "gold").clone();
        ids = List.copyOf(ids);
        fileRows = Objects.requireNonNull(fileRows, "fileRows").clone();
        if (gold.length != matrix.rows() || ids.size() != matrix.rows() || fileRows.length != matrix.rows()) {
            throw new IllegalArgumentException("split " + name + ": " + gold.length + " gold labels, " + ids.size()
                    + " ids and " + fileRows.length + " file rows for " + matrix.rows() + " rows");
        }
        java.util.BitSet seen = new java.util.BitSet();
        for (int f : fileRows) {
            if (f < 0 || seen.get(f)) {
                throw new IllegalArgumentException("split " + name + ": file row " + f + " is negative or repeated");
            }
            seen.set(f);
        }
    }

    /**
     * A split whose matrix rows are in file order.
     *
     * @param name    split name
     * @param matrix  the votes, rows in file order
     * @param gold    gold labels, -1 for unknown
     * @param ids     row ids in file order
     * @param ordered true when the rows are frames already in frame order
     */
    public WrenchSplit(String name, LabelMatrix matrix, int[] gold, List<String> ids, boolean ordered) {
        this(name, matrix, gold, ids, ordered, java.util.stream.IntStream.range(0, matrix.rows()).toArray());
    }

    /** @return a copy of the map from matrix row to file-order row */
    @Override
    public int[] fileRows() {
        return fileRows.clone();
    }

    /**
     * @param row a matrix row
     * @return its 0-based position in the split's file
     * @throws IndexOutOfBoundsException when {@code row} is not a matrix row
     */
    public int fileRow(int row) {
        return fileRows[row];
    }

    /**
     * The matrix row of a file-order row: the inverse of {@link #fileRow(int)}.
     *
     * @param fileRow a 0-based position in the split's file
     * @return its matrix row
     * @throws IllegalArgumentException when no matrix row has that file position
     */
    public int row(int fileRow) {
        if (fileRow >= 0 && fileRow < fileRows.length && fileRows[fileRow] == fileRow) {
            return fileRow;
        }
        for (int r = 0; r < fileRows.length; r++) {
            if (fileRows[r] == fileRow) {
                return r;
            }
        }
        throw new IllegalArgumentException("split " + name + " has no row " + fileRow + " (rows [0, "
                + fileRows.length + ") in file order)");
    }

    /**
     * Gold labels by file-order row.
     *
     * @return {@code g} with {@code g[fileRow(r)] == gold()[r]}; -1 for unknown (and for file rows not in this split)
     */
    public int[] goldInFileOrder() {
        int max = 0;
        for (int f : fileRows) {
            max = Math.max(max, f + 1);
        }
        int[] g = new int[max];
        java.util.Arrays.fill(g, -1);
        for (int r = 0; r < fileRows.length; r++) {
            g[fileRows[r]] = gold[r];
        }
        return g;
    }

    /**
     * @param fileRow a 0-based position in the split's file
     * @return that row's id
     * @throws IllegalArgumentException when no matrix row has that file position
     */
    public String idOfFileRow(int fileRow) {
        return ids.get(row(fileRow));
    }

    /**
     * @return the row ids in file order (position {@code f} holds the id of file-order row {@code f}); for a split
     *         without rows left out
     */
    public List<String> idsInFileOrder() {
        String[] out = new String[fileRows.length];
        for (int r = 0; r < fileRows.length; r++) {
            if (fileRows[r] >= out.length) {
                throw new IllegalStateException("split " + name + " has rows left out; its file order has gaps");
            }
            out[fileRows[r]] = ids.get(r);
        }
        return List.of(out);
    }

    /**
     * The file-order row of each id, for reading answers that name rows by id.
     *
     * @return a new map from id to file-order row
     */
    public java.util.Map<String, Integer> fileRowsById() {
        java.util.Map<String, Integer> m = new java.util.HashMap<>(ids.size() * 2);
        for (int r = 0; r < fileRows.length; r++) {
            m.put(ids.get(r), fileRows[r]);
        }
        return m;
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
        int[] keptFileRows = new int[keptGold.length];
        int at = 0;
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] >= 0) {
                keptIds.add(ids.get(i));
                keptFileRows[at] = fileRows[i];
                keptGold[at++] = gold[i];
            }
        }
        return new WrenchSplit(name, matrix.without(unknown), keptGold, keptIds, false, keptFileRows);
    }

    /** @return the number of rows */
    public int size() {
        return matrix.rows();
    }
}
