package io.edgeloop.labeling.matrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sufficient statistics of a label matrix for every label model in this SDK: the distinct vote patterns (rows)
 * with their counts. Two devices' counts {@linkplain #merge(VoteCounts) merge} by adding counts, so a model fit on
 * merged counts is exactly the model fit on the concatenated matrices, and fitting is incremental: keep the
 * counts, add new rows, refit.
 *
 * <p>Patterns are kept in a canonical (lexicographic) order, so the same multiset of rows gives byte-identical
 * statistics and therefore identical fits whatever the row order or the device split. Counts carry the
 * labelling-function names of their columns, and a merge of counts whose columns name other LFs, or the same LFs in
 * another order, is refused (it would add up unrelated columns).
 *
 * <p>Thread-safe: instances are immutable.
 */
public final class VoteCounts {
    private static final int PARALLEL_ROWS = 100_000;

    private final int lfs;
    private final int numClasses;
    private final List<String> lfNames;
    private final byte[] patterns;
    private final long[] counts;
    private final long total;

    private VoteCounts(int lfs, int numClasses, List<String> lfNames, byte[] patterns, long[] counts) {
        this.lfs = lfs;
        this.numClasses = numClasses;
        this.lfNames = lfNames;
        this.patterns = patterns;
        this.counts = counts;
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        this.total = t;
    }

    /**
     * Counts the distinct rows of a matrix.
     *
     * @param matrix the label matrix
     * @return its sufficient statistics
     */
    public static VoteCounts of(LabelMatrix matrix) {
        Objects.requireNonNull(matrix, "matrix");
        return of(matrix, true, Math.min(Runtime.getRuntime().availableProcessors(), matrix.rows() / PARALLEL_ROWS));
    }

    /**
     * Counts with an explicit path, so tests can compare the paths on the same matrix.
     *
     * @param matrix the label matrix
     * @param packed false to force the byte-array path even when rows fit in a long
     * @param parts  the number of slices the packed path counts in parallel (1 or less: one pass)
     * @return its sufficient statistics
     */
    static VoteCounts of(LabelMatrix matrix, boolean packed, int parts) {
        int m = matrix.lfs();
        int k = matrix.numClasses();
        List<String> names = matrix.lfNames();
        byte[] v = matrix.raw();
        int n = matrix.rows();
        int bits = 32 - Integer.numberOfLeadingZeros(k); // values 0..k after +1 shift
        if (packed && (long) bits * m <= 62) {
            if (parts <= 1) {
                return ofPacked(v, 0, n, m, k, names, bits);
            }
            // Count slices in parallel and merge; canonical order makes the result identical to one pass.
            VoteCounts[] slices = new VoteCounts[parts];
            java.util.stream.IntStream.range(0, parts).parallel().forEach(s -> slices[s] = ofPacked(v,
                    (int) ((long) n * s / parts), (int) ((long) n * (s + 1) / parts), m, k, names, bits));
            VoteCounts out = slices[0];
            for (int s = 1; s < parts; s++) {
                out = out.merge(slices[s]);
            }
            return out;
        }
        Map<Key, long[]> map = new HashMap<>();
        for (int i = 0; i < n; i++) {
            map.computeIfAbsent(new Key(Arrays.copyOfRange(v, i * m, (i + 1) * m)), x -> new long[1])[0]++;
        }
        List<Key> keys = new ArrayList<>(map.keySet());
        keys.sort((a, b) -> Arrays.compare(a.b, b.b));
        byte[] p = new byte[keys.size() * m];
        long[] c = new long[keys.size()];
        for (int u = 0; u < keys.size(); u++) {
            System.arraycopy(keys.get(u).b, 0, p, u * m, m);
            c[u] = map.get(keys.get(u))[0];
        }
        return new VoteCounts(m, k, names, p, c);
    }

    private static VoteCounts ofPacked(byte[] v, int from, int to, int m, int k, List<String> names, int bits) {
        int n = to - from;
        // Pack each row into a long (votes shifted by +1 so abstain = 0), count with an open-addressing table.
        int cap = Integer.highestOneBit(Math.max(16, Math.min(n, 1 << 29)) * 2);
        long[] keys = new long[cap];
        long[] cnt = new long[cap];
        boolean[] used = new boolean[cap];
        int mask = cap - 1;
        int distinct = 0;
        for (int i = from; i < to; i++) {
            long key = 0;
            int base = i * m;
            for (int j = 0; j < m; j++) {
                key = (key << bits) | (v[base + j] + 1);
            }
            int h = (int) mix(key) & mask;
            while (used[h] && keys[h] != key) {
                h = (h + 1) & mask;
            }
            if (!used[h]) {
                used[h] = true;
                keys[h] = key;
                distinct++;
            }
            cnt[h]++;
        }
        // Sort the distinct keys (numeric order of a packed key = lexicographic order of the shifted votes), then
        // read each key's count back from the table.
        long[] sortedKeys = new long[distinct];
        int u = 0;
        for (int h = 0; h < cap; h++) {
            if (used[h]) {
                sortedKeys[u++] = keys[h];
            }
        }
        Arrays.parallelSort(sortedKeys);
        long[] sortedCounts = new long[distinct];
        for (int i = 0; i < distinct; i++) {
            long key = sortedKeys[i];
            int h = (int) mix(key) & mask;
            while (keys[h] != key) {
                h = (h + 1) & mask;
            }
            sortedCounts[i] = cnt[h];
        }
        byte[] p = new byte[distinct * m];
        long lowMask = (1L << bits) - 1;
        for (int i = 0; i < distinct; i++) {
            long key = sortedKeys[i];
            for (int j = m - 1; j >= 0; j--) {
                p[i * m + j] = (byte) ((key & lowMask) - 1);
                key >>>= bits;
            }
        }
        return new VoteCounts(m, k, names, p, sortedCounts);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /**
     * Adds two sets of counts over the same labelling functions, in the same column order, and classes.
     *
     * @param other the other counts
     * @return the merged counts
     * @throws IllegalArgumentException when the shapes or the labelling-function names (or their order) differ
     */
    public VoteCounts merge(VoteCounts other) {
        Objects.requireNonNull(other, "other");
        if (other.lfs != lfs || other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge counts over " + other.lfs + " LFs / " + other.numClasses
                    + " classes into counts over " + lfs + " LFs / " + numClasses + " classes");
        }
        if (!other.lfNames.equals(lfNames)) {
            throw new IllegalArgumentException("cannot merge counts over labelling functions " + other.lfNames
                    + " into counts over " + lfNames + ": the columns must name the same LFs in the same order");
        }
        int a = 0;
        int b = 0;
        int na = counts.length;
        int nb = other.counts.length;
        byte[] p = new byte[(na + nb) * lfs];
        long[] c = new long[na + nb];
        int u = 0;
        while (a < na || b < nb) {
            int cmp = a >= na ? 1 : b >= nb ? -1
                    : Arrays.compare(patterns, a * lfs, (a + 1) * lfs, other.patterns, b * lfs, (b + 1) * lfs);
            if (cmp <= 0) {
                System.arraycopy(patterns, a * lfs, p, u * lfs, lfs);
                c[u] = counts[a];
                if (cmp == 0) {
                    c[u] += other.counts[b++];
                }
                a++;
            } else {
                System.arraycopy(other.patterns, b * lfs, p, u * lfs, lfs);
                c[u] = other.counts[b++];
            }
            u++;
        }
        return new VoteCounts(lfs, numClasses, lfNames, Arrays.copyOf(p, u * lfs), Arrays.copyOf(c, u));
    }

    /** @return the number of labelling functions */
    public int lfs() {
        return lfs;
    }

    /** @return the labelling-function names, one per column */
    public List<String> lfNames() {
        return lfNames;
    }

    /** @return the number of classes */
    public int numClasses() {
        return numClasses;
    }

    /** @return the number of distinct patterns */
    public int distinct() {
        return counts.length;
    }

    /** @return the number of rows counted */
    public long total() {
        return total;
    }

    /**
     * @param pattern the pattern index in {@code [0, distinct())}
     * @return how many rows had it
     */
    public long count(int pattern) {
        return counts[pattern];
    }

    /**
     * @param pattern the pattern index
     * @param lf      the labelling function
     * @return the vote, -1 for abstain
     */
    public int vote(int pattern, int lf) {
        return patterns[pattern * lfs + lf];
    }

    /**
     * @return a copy of every pattern, row-major ({@link #distinct()} x {@link #lfs()})
     */
    public byte[] copyPatterns() {
        return patterns.clone();
    }

    /** @return a copy of the counts, one per pattern */
    public long[] copyCounts() {
        return counts.clone();
    }

    /**
     * Copies one pattern.
     *
     * @param pattern the pattern index
     * @param out     a buffer of at least {@link #lfs()} bytes
     */
    public void pattern(int pattern, byte[] out) {
        System.arraycopy(patterns, pattern * lfs, out, 0, lfs);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VoteCounts)) {
            return false;
        }
        VoteCounts v = (VoteCounts) o;
        return lfs == v.lfs && numClasses == v.numClasses && lfNames.equals(v.lfNames)
                && Arrays.equals(patterns, v.patterns)
                && Arrays.equals(counts, v.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(patterns) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "VoteCounts[" + total + " rows, " + counts.length + " patterns, " + lfs + " LFs, " + numClasses
                + " classes]";
    }

    private static final class Key {
        final byte[] b;
        final int h;

        Key(byte[] b) {
            this.b = b;
            this.h = Arrays.hashCode(b);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && Arrays.equals(b, ((Key) o).b);
        }

        @Override
        public int hashCode() {
            return h;
        }
    }
}
