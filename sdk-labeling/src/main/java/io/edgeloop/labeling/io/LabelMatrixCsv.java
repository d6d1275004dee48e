package io.edgeloop.labeling.io;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes label matrices as CSV (docs/formats/label-matrix.md): a version line
 * {@code # edgeloop-label-matrix 1.0 classes=K}, a header {@code id,<lf names...>,gold}, then one row per example
 * with votes in {@code [-1, K)} and an optional gold label (empty or -1 = unknown). Readers reject an unknown major
 * version and name the line of any malformed row.
 *
 * <p>Thread-safe: static methods only.
 */
public final class LabelMatrixCsv {
    /** The major format version this code reads and writes. */
    public static final int MAJOR = 1;
    /** The minor format version written. */
    public static final int MINOR = 0;
    private static final String MAGIC = "# edgeloop-label-matrix ";

    private LabelMatrixCsv() {
    }

    /**
     * A matrix read from CSV with its row ids and gold labels.
     *
     * <p>Thread-safe: immutable (ids and gold labels are copied in, gold labels copied out).
     *
     * @param matrix the votes
     * @param ids    row ids
     * @param gold   gold labels, -1 for unknown
     */
    public record Table(LabelMatrix matrix, List<String> ids, int[] gold) {
        /** Copies. */
        public Table {
            Objects.requireNonNull(matrix, "matrix");
            ids = List.copyOf(ids);
            gold = gold.clone();
        }

        @Override
        public int[] gold() {
            return gold.clone();
        }
    }

    /**
     * Writes a matrix. Everything the reader would reject is refused before the file is touched, and the file is
     * written through {@link AtomicFiles} (a temporary file of this writer's own, moved into place), so a failed write
     * leaves no partial file and an existing file as it was.
     *
     * @param file   the target
     * @param matrix the votes
     * @param ids    one id per row (no commas or line breaks); null for 0..n-1
     * @param gold   gold labels, one per row, -1 unknown or a class in [0, K); null for none
     * @throws IllegalArgumentException when an LF name or id contains a comma, CR or LF, an id repeats, when
     *                                  {@code ids} or {@code gold} has another length than the matrix has rows, or
     *                                  a gold label is outside [-1, K)
     * @throws IOException              when writing fails
     */
    public static void write(Path file, LabelMatrix matrix, List<String> ids, int[] gold) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(matrix, "matrix");
        int n = matrix.rows();
        for (String name : matrix.lfNames()) {
            if (!plain(name)) {
                throw new IllegalArgumentException("labelling function name '" + name + "' contains a comma or line "
                        + "break, which the label-matrix CSV cannot hold (docs/formats/label-matrix.md); rename it");
            }
        }
        if (ids != null && ids.size() != n) {
            throw new IllegalArgumentException(ids.size() + " ids for " + n + " rows");
        }
        if (gold != null && gold.length != n) {
            throw new IllegalArgumentException(gold.length + " gold labels for " + n + " rows");
        }
        if (ids != null && new HashSet<>(ids).size() != n) {
            throw new IllegalArgumentException("row ids must be unique (the reader refuses a repeated id)");
        }
        for (int i = 0; i < n; i++) {
            if (ids != null && !plain(Objects.requireNonNull(ids.get(i), "ids"))) {
                throw new IllegalArgumentException("row " + i + " id '" + ids.get(i).replace("\r", "\\r")
                        .replace("\n", "\\n") + "' contains a comma or line break");
            }
            if (gold != null && (gold[i] < -1 || gold[i] >= matrix.numClasses())) {
                throw new IllegalArgumentException("row " + i + " gold label " + gold[i] + " is not -1 (unknown) or a "
                        + "class in [0, " + matrix.numClasses() + ")");
            }
        }
        // A temporary file of this writer's own: with a shared "<name>.tmp" two concurrent writes truncated each
        // other's temporary file and one moved the other's half-written file into place.
        AtomicFiles.write(file, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(MAGIC + MAJOR + "." + MINOR + " classes=" + matrix.numClasses() + "\n");
                w.write("id," + String.join(",", matrix.lfNames()) + ",gold\n");
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    b.setLength(0);
                    b.append(ids == null ? Integer.toString(i) : ids.get(i));
                    for (int j = 0; j < matrix.lfs(); j++) {
                        b.append(',').append(matrix.get(i, j));
                    }
                    b.append(',');
                    if (gold != null && gold[i] >= 0) {
                        b.append(gold[i]);
                    }
                    w.write(b.append('\n').toString());
                }
            }
        });
    }

    private static boolean plain(String s) {
        return s.indexOf(',') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0;
    }

    /**
     * Reads a matrix.
     *
     * @param file the CSV file
     * @return the table
     * @throws WrenchFormatException when the file is malformed or of an unknown major version
     * @throws IOException           when reading fails
     */
    public static Table read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WrenchFormatException(file + ": label matrix file not found");
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            if (first != null && first.startsWith("\uFEFF")) {
                first = first.substring(1); // a UTF-8 byte order mark, as Excel's "CSV UTF-8" writes
            }
            if (first == null || !first.startsWith(MAGIC)) {
                throw new WrenchFormatException(file + ": line 1 must be '" + MAGIC + MAJOR + "." + MINOR
                        + " classes=K', got " + (first == null ? "an empty file" : "'" + first + "'"));
            }
            String[] parts = first.substring(MAGIC.length()).trim().split("\\s+");
            int k;
            if (!parts[0].matches("\\d+\\.\\d+")) {
                throw new WrenchFormatException(file + ": line 1 has the version '" + parts[0] + "'; expected MAJOR.MINOR "
                        + "digits, as in '" + MAGIC + MAJOR + "." + MINOR + " classes=K'");
            }
            try {
                int major = Integer.parseInt(parts[0].split("\\.")[0]);
                if (major != MAJOR) {
                    throw new WrenchFormatException(file + ": label matrix format version " + parts[0]
                            + " is not supported; this reader understands " + MAJOR + ".x");
                }
                if (parts.length < 2 || !parts[1].startsWith("classes=")) {
                    throw new WrenchFormatException(file + ": line 1 lacks 'classes=K'");
                }
                k = Integer.parseInt(parts[1].substring("classes=".length()));
            } catch (NumberFormatException e) {
                throw new WrenchFormatException(file + ": line 1 has a malformed version or class count: '" + first
                        + "'", e);
            }
            if (k < 2 || k > LabelMatrix.MAX_CLASSES) {
                throw new WrenchFormatException(file + ": line 1 declares classes=" + k + "; the class count must be "
                        + "in [2, " + LabelMatrix.MAX_CLASSES + "]");
            }
            String header = r.readLine();
            if (header == null || !header.startsWith("id,") || !header.endsWith(",gold")) {
                throw new WrenchFormatException(file + ": line 2 must be the header 'id,<lf names>,gold'");
            }
            String[] h = header.split(",", -1);
            List<String> names = Arrays.asList(h).subList(1, h.length - 1);
            int m = names.size();
            if (m < 1) {
                throw new WrenchFormatException(file + ": the header names no labelling functions");
            }
            Set<String> seen = new HashSet<>();
            for (String name : names) {
                if (!seen.add(name)) {
                    throw new WrenchFormatException(file + ": line 2 names the labelling function '" + name
                            + "' twice; LF names must be unique");
                }
            }
            List<String> ids = new ArrayList<>();
            Map<String, Integer> idLines = new HashMap<>();
            List<Integer> gold = new ArrayList<>();
            java.io.ByteArrayOutputStream votes = new java.io.ByteArrayOutputStream();
            String line;
            int lineNo = 2;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != m + 2) {
                    throw new WrenchFormatException(file + ": line " + lineNo + " has " + f.length + " fields, expected "
                            + (m + 2) + " (id, " + m + " votes, gold)");
                }
                Integer before = idLines.putIfAbsent(f[0], lineNo);
                if (before != null) {
                    // Row ids name rows (answers refer to them), as in WRENCH, whose reader refuses duplicates too.
                    throw new WrenchFormatException(file + ": line " + lineNo + " repeats the row id '" + f[0]
                            + "' of line " + before + "; row ids must be unique");
                }
                ids.add(f[0]);
                for (int j = 0; j < m; j++) {
                    votes.write(parseVote(file, lineNo, f[j + 1], -1, k));
                }
                // -1 is unknown too, as in the gold arrays the writer takes (it writes an empty field for it)
                gold.add(f[m + 1].isEmpty() ? -1 : parseGold(file, lineNo, f[m + 1], k));
            }
            LabelMatrix matrix;
            try {
                matrix = LabelMatrix.of(ids.size(), m, k, votes.toByteArray(), names);
            } catch (IllegalArgumentException e) {
                throw new WrenchFormatException(file + ": " + e.getMessage(), e);
            }
            return new Table(matrix, ids, gold.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static int parseGold(Path file, int line, String s, int k) throws WrenchFormatException {
        try {
            int v = Integer.parseInt(s.trim());
            if (v < -1 || v >= k) {
                throw new NumberFormatException("out of range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new WrenchFormatException(file + ": line " + line + ": gold label '" + s + "' is not empty or -1 "
                    + "(unknown) or a class in [0, " + k + ")", e);
        }
    }

    private static int parseVote(Path file, int line, String s, int min, int k) throws WrenchFormatException {
        try {
            int v = Integer.parseInt(s.trim());
            if (v < min || v >= k) {
                throw new NumberFormatException("out of range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new WrenchFormatException(file + ": line " + line + ": '" + s + "' is not "
                    + (min < 0 ? "-1 (abstain) or " : "") + "a class in [0, " + k + ")", e);
        }
    }
}
