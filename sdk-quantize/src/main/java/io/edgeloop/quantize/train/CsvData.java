package io.edgeloop.quantize.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A numeric CSV table with a header row and a label column (strings or integers). Quoted fields are unquoted.
 * When the first data row has exactly one more field than the header, the first field of every row is a row name
 * and is skipped (R's {@code write.csv} layout, as in the UCI occupancy files); every row must then have that many
 * fields, else the header's count. Column names must be distinct (a repeated name is refused, naming both columns),
 * and a column read as a feature or label must have a name.
 *
 * <p>A label cell must name a class: an empty cell and an unambiguous missing-value marker ({@code NaN},
 * {@code -nan}, {@code N/A}, {@code #N/A}, {@code <NA>}, {@code ?}, any case) are refused naming the file, line and
 * column, and one number written two ways ({@code 1} and {@code 1.0} or {@code 01}) is refused naming both spellings
 * and their lines, rather than read as two classes or silently made one (the model's class names are the file's
 * spellings). Words that mark a missing value in some tools but are also real class names ({@code NA},
 * {@code null}, {@code None}, {@code nil}, {@code missing}: "fault: none/bearing/imbalance") are classes;
 * {@link ClassCount#looksMissing()} tells the caller to warn about them. {@link #classes()} gives each class's row
 * count, for the caller to flag {@linkplain ClassCount#rare(int) rare} ones.
 *
 * <p>Thread-safe: immutable.
 */
public final class CsvData {
    private final List<String> features;
    private final double[][] rows;
    private final List<String> labels;
    /** Per row, its 1-based line number in the file it was read from (blank lines are skipped). */
    private final int[] lines;
    /** The label column's name, or null without one. */
    private final String labelColumn;

    private CsvData(List<String> features, double[][] rows, List<String> labels, int[] lines, String labelColumn) {
        this.labelColumn = labelColumn;
        this.features = List.copyOf(features);
        this.rows = rows;
        this.labels = List.copyOf(labels);
        this.lines = lines;
    }

    /**
     * @param file  the CSV file
     * @param label the label column, or null for none (every column is a feature)
     * @param drop  columns to ignore
     * @return the table
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when a column is missing, a feature is not numeric or a row is ragged; the
     *                                  message names the file, line and column
     */
    public static CsvData read(Path file, String label, Set<String> drop) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(drop, "drop");
        return read(file, readFile(file), label, drop);
    }

    /**
     * Reads a CSV file's bytes, refusing a directory by name (reading one fails with a bare "Is a directory").
     *
     * @param file the CSV file
     * @return its content
     * @throws IOException when it is a directory or cannot be read
     */
    public static byte[] readFile(Path file) throws IOException {
        requireFile(file);
        return Files.readAllBytes(file);
    }

    private static void requireFile(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory; expected a CSV file");
        }
    }

    /**
     * Parses a CSV file's content the caller has already read, so that what is parsed and what the caller records
     * about the file (its digest in a provenance) are the same bytes even if the file is replaced meanwhile.
     *
     * @param file    the file the content came from (named in messages; not read)
     * @param content its bytes (UTF-8)
     * @param label   the label column, or null for none (every column is a feature)
     * @param drop    columns to ignore
     * @return the table
     * @throws IOException              when the content is not valid UTF-8
     * @throws IllegalArgumentException as {@link #read(Path, String, Set)}
     */
    public static CsvData read(Path file, byte[] content, String label, Set<String> drop) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(drop, "drop");
        try (BufferedReader r = reader(file, content)) {
            return parse(file, r, label, drop, true);
        }
    }

    /**
     * A reader over the content decoded as UTF-8. Content that is not UTF-8 is refused with a message naming the file
     * and the line (the decoder's own message was a bare "Input length = 1"), and UTF-16 (Excel's "Unicode text"
     * export, recognised by its byte order mark) is named as such.
     */
    private static BufferedReader reader(Path file, byte[] content) throws IOException {
        if (content.length >= 2 && ((content[0] & 0xFF) == 0xFF && (content[1] & 0xFF) == 0xFE
                || (content[0] & 0xFF) == 0xFE && (content[1] & 0xFF) == 0xFF)) {
            throw new IOException(file + " is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8; save"
                    + " it as \"CSV UTF-8\" or convert it, for example: iconv -f UTF-16 -t UTF-8 " + file);
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(content);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(content.length);
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        java.nio.charset.CoderResult cr = decoder.decode(in, out, true);
        if (cr.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (content[i] == '\n') {
                    line++;
                }
            }
            throw new IOException(file + " line " + line + " is not valid UTF-8 (byte " + at + " is 0x"
                    + String.format(Locale.ROOT, "%02X", content[at] & 0xFF) + "); save the file as UTF-8 (\"CSV"
                    + " UTF-8\" in Excel) or convert it, for example: iconv -f LATIN1 -t UTF-8 " + file);
        }
        decoder.flush(out);
        out.flip();
        return new BufferedReader(new java.io.StringReader(out.toString()));
    }

    /**
     * Spellings of a missing value in the label column that are no class name (lower case): pandas' {@code NaN} and
     * {@code <NA>}, Excel's {@code #N/A}, {@code N/A} and the UCI repository's {@code ?}. A label is compared with them
     * ignoring case; it is refused.
     */
    private static final Set<String> MISSING = Set.of("nan", "-nan", "n/a", "#n/a", "<na>", "?");

    /**
     * Words that mark a missing value in some tools (R's {@code NA}, Python's {@code None}, JSON's {@code null}) but
     * are also real classes ("fault: none", "NA" for North America), lower case: a class, warned about.
     */
    private static final Set<String> MISSING_WORDS = Set.of("na", "null", "none", "nil", "missing");

    /**
     * The value of a label that is a decimal number, so that {@code 1}, {@code 1.0}, {@code 01} and {@code +1e0}
     * have one key; null for any other label.
     */
    private static String numberKey(String label) {
        char c = label.charAt(0);
        if (!(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.')) {
            return null;
        }
        try {
            java.math.BigDecimal v = new java.math.BigDecimal(label);
            return v.signum() == 0 ? "0" : v.stripTrailingZeros().toString();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String headerLine(Path file, BufferedReader r) throws IOException {
        String headerLine = r.readLine();
        if (headerLine == null) {
            throw new IllegalArgumentException(file + " is empty; expected a header row");
        }
        if (headerLine.startsWith("\uFEFF")) {
            // A UTF-8 byte order mark (Excel's "CSV UTF-8" export) is not part of the first column's name.
            headerLine = headerLine.substring(1);
        }
        int nul = headerLine.indexOf('\0');
        if (nul >= 0) {
            // a binary file (an archive, a model, a bundle): read as text it gave column names from stray bytes,
            // and a message about those names
            throw new IllegalArgumentException(file + " is not a CSV text file: its first line holds a NUL byte (at "
                    + "character " + (nul + 1) + "), as binary files do; expected comma-separated values with a "
                    + "header row");
        }
        return headerLine;
    }

    /**
     * @param dropHint whether the caller has a {@code --drop} option to suggest for a non-numeric column (train
     *                 does; quantize and quantize eval read only the model's columns and do not)
     */
    private static CsvData parse(Path file, BufferedReader r, String label, Set<String> drop, boolean dropHint)
            throws IOException {
        List<String> header = header(file, r);
        for (String d : drop) {
            if (!header.contains(d)) {
                throw new IllegalArgumentException("--drop column '" + d + "' is not in " + file + " (columns: "
                        + String.join(", ", header) + ")");
            }
        }
        int labelIdx = label == null ? -1 : header.indexOf(label);
        if (label != null && labelIdx < 0) {
            throw new IllegalArgumentException("Label column '" + label + "' is not in " + file + " (columns: "
                    + String.join(", ", header) + ")");
        }
        List<Integer> featureIdx = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).isEmpty() && !drop.contains("")) {
                throw new IllegalArgumentException(file + " column " + (i + 1) + " has an empty name in the header; "
                        + "every column read needs a name (a pandas index or R row-names column: write the CSV without it)");
            }
            if (i != labelIdx && !drop.contains(header.get(i))) {
                featureIdx.add(i);
                names.add(header.get(i));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(file + " has no feature columns left");
        }
        List<double[]> data = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Integer> lineNos = new ArrayList<>();
        String line;
        int lineNo = 1;
        // Whether rows start with a row name is decided once, by the first data row: deciding per row would let
        // a row with one extra field shift every column silently.
        Boolean rowNames = null;
        int firstLine = 0;
        // per numeric label's value, its first spelling and that line
        java.util.Map<String, String[]> spellings = new java.util.HashMap<>();
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            List<String> f = split(file, lineNo, line);
            if (rowNames == null) {
                rowNames = f.size() == header.size() + 1;
                firstLine = lineNo;
            }
            int expected = header.size() + (rowNames ? 1 : 0);
            if (f.size() != expected) {
                throw new IllegalArgumentException(file + " line " + lineNo + " has " + f.size() + " fields; expected "
                        + expected + " (the header has " + header.size() + " columns"
                        + (rowNames ? " and line " + firstLine + " starts with a row name" : "") + ")"
                        + (line.indexOf('"') >= 0 ? "; the line holds a double quote: check its quoting (a quote "
                        + "opens or closes a quoted field only at a field's start or end, and \"\" inside one is a "
                        + "quote)" : ""));
            }
            if (rowNames) {
                f = f.subList(1, f.size());
            }
            double[] v = new double[featureIdx.size()];
            for (int k = 0; k < v.length; k++) {
                String s = f.get(featureIdx.get(k));
                try {
                    v[k] = parseDecimal(s);
                } catch (NumberFormatException e) {
                    // Not chained: the NumberFormatException's text ("empty String") would be appended to the line.
                    throw new IllegalArgumentException(file + " line " + lineNo + ": column '" + names.get(k)
                            + "' holds '" + s + "', not a number; " + (dropHint ? "drop the column with --drop "
                            + names.get(k) + " or fix the row" : "fix or remove that row"));
                }
                if (!Double.isFinite(v[k])) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": column '" + names.get(k)
                            + "' holds " + s + "; only finite values are allowed");
                }
            }
            data.add(v);
            lineNos.add(lineNo);
            if (labelIdx >= 0) {
                String l = f.get(labelIdx);
                if (l.isEmpty()) {
                    throw new IllegalArgumentException(file + " line " + lineNo + " has an empty label");
                }
                if (MISSING.contains(l.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": the label column '" + label
                            + "' holds '" + l + "', which marks a missing value, not a class; fix or remove that row");
                }
                String n = numberKey(l);
                if (n != null) {
                    String[] seen = spellings.putIfAbsent(n, new String[] {l, Integer.toString(lineNo)});
                    if (seen != null && !seen[0].equals(l)) {
                        throw new IllegalArgumentException(file + ": the label column '" + label + "' writes one number"
                                + " two ways, '" + seen[0] + "' (line " + seen[1] + ") and '" + l + "' (line " + lineNo
                                + "), which would be two classes; write each class one way");
                    }
                }
                labels.add(l);
            }
        }
        if (data.isEmpty()) {
            throw new IllegalArgumentException(file + " has no data rows");
        }
        return new CsvData(names, data.toArray(new double[0][]), labels,
                lineNos.stream().mapToInt(Integer::intValue).toArray(), label);
    }

    /**
     * Reads only the named feature columns (in that order) and the label column; other columns (dates, ids) are
     * ignored.
     *
     * @param file     the CSV file
     * @param features the feature columns
     * @param label    the label column, or null
     * @return the table with exactly {@code features}
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when a column is missing or a value is not numeric
     */
    public static CsvData readColumns(Path file, List<String> features, String label) throws IOException {
        // One read: the header and the rows come from the same bytes (two opens let a file replaced in between
        // be parsed under the other file's header).
        return readColumns(file, readFile(file), features, label);
    }

    /**
     * Like {@link #readColumns(Path, List, String)}, on content the caller has already read (for example to record
     * its digest): the rows, the labels and the digest then describe the same bytes.
     *
     * @param file     the file the content came from (named in messages; not read)
     * @param content  its bytes (UTF-8)
     * @param features the feature columns
     * @param label    the label column, or null
     * @return the table with exactly {@code features}
     * @throws IOException              when the content is not valid UTF-8
     * @throws IllegalArgumentException when a column is missing or a value is not numeric
     */
    public static CsvData readColumns(Path file, byte[] content, List<String> features, String label)
            throws IOException {
        Objects.requireNonNull(content, "content");
        List<String> header;
        try (BufferedReader r = reader(file, content)) {
            header = header(file, r);
        }
        if (label != null && features.contains(label)) {
            throw new IllegalArgumentException("Column '" + label + "' of " + file + " is given as the label column, "
                    + "but the model takes it as an input feature (features: " + String.join(", ", features)
                    + "); name the column that holds the true classes");
        }
        java.util.Set<String> drop = new java.util.HashSet<>(header);
        drop.removeAll(features);
        if (label != null) {
            drop.remove(label);
        }
        for (String f : features) {
            if (!header.contains(f)) {
                throw new IllegalArgumentException("The model needs feature '" + f + "' which " + file + " lacks (columns: "
                        + String.join(", ", header) + ")");
            }
        }
        CsvData d;
        try (BufferedReader r = reader(file, content)) {
            d = parse(file, r, label, drop, false);
        }
        return new CsvData(features, d.rowsInOrder(features), d.labels, d.lines, label);
    }

    /**
     * The header's column names; a header of one column holding tabs or semicolons is a file in another format,
     * which would otherwise be read as one column whose name holds every name.
     */
    private static List<String> header(Path file, BufferedReader r) throws IOException {
        List<String> header = split(file, 1, headerLine(file, r));
        if (header.size() == 1) {
            String h = header.get(0);
            String sep = h.contains("\t") ? "tab" : h.contains(";") ? "semicolon" : null;
            if (sep != null) {
                throw new IllegalArgumentException(file + " is not comma-separated: its header has no commas but is "
                        + sep + "-separated; expected comma-separated values");
            }
        }
        // Columns are found by name: with two columns of one name, every reader would take the first and silently
        // feed it to both model inputs (or ignore the second). Empty names are refused where the column is read.
        java.util.Map<String, Integer> first = new java.util.HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String n = header.get(i);
            Integer j = n.isEmpty() ? null : first.putIfAbsent(n, i);
            if (j != null) {
                throw new IllegalArgumentException(file + " has two columns named '" + n + "' (columns " + (j + 1)
                        + " and " + (i + 1) + " of the header); column names must be distinct: rename one");
            }
        }
        return header;
    }

    /**
     * A decimal number as a CSV writes one: sign, digits with at most one point, an exponent; or {@code NaN} and
     * {@code Infinity} with a sign (refused as not finite by the caller). Double.parseDouble also takes Java's own
     * spellings ({@code 23.1d}, {@code 5f}, hexadecimal {@code 0x1p3}), which no CSV writer produces and which train
     * accepted (bad-input walk s23).
     */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(NaN|Infinity|([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?)");

    private static double parseDecimal(String s) {
        if (!DECIMAL.matcher(s).matches()) {
            throw new NumberFormatException("not a decimal number: " + s);
        }
        return Double.parseDouble(s);
    }

    /**
     * Splits a line into trimmed, unquoted fields.
     *
     * @throws IllegalArgumentException naming the file and line when a quoted field does not end on the line (fields
     *                                  that span lines are not supported; before, the line was reported as having
     *                                  too few fields, the quote unmentioned)
     */
    private static List<String> split(Path file, int lineNo, String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int opened = -1;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                    opened = i;
                }
            } else if (c == ',' && !quoted) {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(file + " line " + lineNo + " has a double quote (character "
                    + (opened + 1) + ") that opens a quoted field never closed on that line; fields cannot span "
                    + "lines: fix the quoting (\"\" inside a quoted field is a quote)");
        }
        out.add(cur.toString().trim());
        return out;
    }

    /**
     * @param i a row index (0-based)
     * @return the 1-based line of the file the row was read from (after {@link #concat}, of the file each part came
     *         from)
     */
    public int line(int i) {
        return lines[i];
    }

    /** @return the label column's name, empty when the table was read without one */
    public java.util.Optional<String> labelColumn() {
        return java.util.Optional.ofNullable(labelColumn);
    }

    /** @return the feature names */
    public List<String> features() {
        return features;
    }

    /** @return the number of rows */
    public int size() {
        return rows.length;
    }

    /**
     * @param i row
     * @return a copy of its features
     */
    public double[] row(int i) {
        return rows[i].clone();
    }

    /** @return a copy of all rows */
    public double[][] rows() {
        double[][] c = new double[rows.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = rows[i].clone();
        }
        return c;
    }

    /**
     * One class of the label column: its name, its row count and the line of its first row.
     *
     * @param name      the label
     * @param rows      how many rows have it
     * @param firstLine the lowest 1-based line among them (after {@link #concat}, of the file each part came from)
     */
    public record ClassCount(String name, int rows, int firstLine) {
        /**
         * Whether the class is so small that it is more likely a typo than a class: a single row, or at most 3 rows
         * that are under 0.1 % of the table.
         *
         * @param total the table's row count
         * @return whether to warn about the class
         */
        public boolean rare(int total) {
            return rows == 1 || rows <= 3 && rows * 1000L < total;
        }

        /**
         * Whether the class's name is a word that marks a missing value in some tools ({@code NA}, {@code null},
         * {@code None}, {@code nil}, {@code missing}, any case) but may well be a real class: one the caller should
         * warn about, not refuse.
         *
         * @return whether to warn that the class may be missing values
         */
        public boolean looksMissing() {
            return MISSING_WORDS.contains(name.toLowerCase(Locale.ROOT));
        }
    }

    /** @return each class of the label column in name order, with its row count (empty without a label column) */
    public List<ClassCount> classes() {
        java.util.Map<String, int[]> m = new java.util.TreeMap<>();
        for (int i = 0; i < labels.size(); i++) {
            int[] c = m.computeIfAbsent(labels.get(i), k -> new int[] {0, Integer.MAX_VALUE});
            c[0]++;
            c[1] = Math.min(c[1], lines[i]);
        }
        List<ClassCount> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(new ClassCount(k, v[0], v[1])));
        return List.copyOf(out);
    }

    /** @return the labels (empty without a label column) */
    public List<String> labels() {
        return labels;
    }

    /**
     * Returns the rows reordered to the given feature order.
     *
     * @param order feature names (all must be present)
     * @return the rows in that column order
     * @throws IllegalArgumentException naming a missing feature
     */
    public double[][] rowsInOrder(List<String> order) {
        int[] idx = new int[order.size()];
        for (int k = 0; k < idx.length; k++) {
            idx[k] = features.indexOf(order.get(k));
            if (idx[k] < 0) {
                throw new IllegalArgumentException("The model needs feature '" + order.get(k) + "' which the CSV lacks "
                        + "(columns: " + String.join(", ", features) + ")");
            }
        }
        double[][] out = new double[rows.length][idx.length];
        for (int r = 0; r < rows.length; r++) {
            for (int k = 0; k < idx.length; k++) {
                out[r][k] = rows[r][idx[k]];
            }
        }
        return out;
    }

    /**
     * Splits deterministically: rows whose index hashed with the seed falls in the first {@code fraction} go to
     * the first part.
     *
     * @param fraction the share of the first part, in (0, 1)
     * @param seed     the seed
     * @return {@code {first, second}}
     */
    public CsvData[] split(double fraction, long seed) {
        Integer[] perm = new Integer[rows.length];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        java.util.Random rnd = new java.util.Random(seed);
        for (int i = perm.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Integer t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int cut = (int) Math.round(rows.length * fraction);
        return new CsvData[] {subset(Arrays.copyOfRange(perm, 0, cut)), subset(Arrays.copyOfRange(perm, cut, perm.length))};
    }

    private CsvData subset(Integer[] idx) {
        double[][] r = new double[idx.length][];
        List<String> l = new ArrayList<>();
        int[] ln = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            r[k] = rows[idx[k]];
            ln[k] = lines[idx[k]];
            if (!labels.isEmpty()) {
                l.add(labels.get(idx[k]));
            }
        }
        return new CsvData(features, r, l, ln, labelColumn);
    }

    /**
     * @param other another table with the same columns
     * @return the rows of both
     */
    public CsvData concat(CsvData other) {
        if (!other.features.equals(features)) {
            throw new IllegalArgumentException("Tables have different columns");
        }
        double[][] r = Arrays.copyOf(rows, rows.length + other.rows.length);
        System.arraycopy(other.rows, 0, r, rows.length, other.rows.length);
        List<String> l = new ArrayList<>(labels);
        l.addAll(other.labels);
        int[] ln = Arrays.copyOf(lines, lines.length + other.lines.length);
        System.arraycopy(other.lines, 0, ln, lines.length, other.lines.length);
        return new CsvData(features, r, l, ln, labelColumn);
    }

    @Override
    public String toString() {
        return "CsvData[" + rows.length + " rows, features " + features + "]".toLowerCase(Locale.ROOT);
    }
}
