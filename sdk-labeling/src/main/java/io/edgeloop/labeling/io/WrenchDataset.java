package io.edgeloop.labeling.io;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.edgeloop.labeling.matrix.LabelMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WRENCH-format data set directory: {@code train.json}, {@code test.json}, {@code label.json} and an optional
 * {@code valid.json}. Each split is {@code {id: {"label": int|null, "weak_labels": [int, ...], "data": {...}}}};
 * {@code -1} in {@code weak_labels} is abstain, a {@code null} label is unknown, {@code label.json} maps class
 * ids {@code "0".."k-1"} to names (non-empty strings, no two the same). Rows keep file order, which drives WRENCH's
 * tie-breaking, except in a split where every row's {@code data} has an integer {@code frame} (read exactly, up to
 * 64 bits; {@code 3.0} is 3): such a split is a frame sequence and its rows are put in frame order (two rows with
 * one frame number, or a frame that is not an integer, make the split not a sequence, with a warning), so a file
 * written with its keys sorted as strings (0, 1, 10, 100, ...) or shuffled gives the same sequence. The split
 * keeps the map back to file order ({@link WrenchSplit#fileRow(int)}): row numbers shown to experts or written to
 * queue and answers files are file-order rows, whatever order the matrix is in.
 *
 * <p>Reading is strict and streaming: a split file is parsed token by token and everything in {@code data} but
 * {@code frame} is skipped, so memory is about the votes (one byte per vote) and the row ids; a duplicate key,
 * content after the first JSON value, a vote or label that is not an int class id, or rows with differing numbers
 * of weak labels are errors naming the file (and the row or line). An empty {@code valid.json} ({@code {}}) is
 * no validation split, as when the file is absent.
 *
 * <p>Thread-safe: immutable.
 *
 * @param name       the directory name
 * @param classNames class names by index
 * @param train      the training split
 * @param valid      the validation split, when the file exists
 * @param test       the test split
 */
public record WrenchDataset(String name, List<String> classNames, WrenchSplit train, Optional<WrenchSplit> valid,
        WrenchSplit test) {
    /**
     * Duplicate keys are rejected: a second row with the same id would silently replace the first. {@code NaN} and
     * {@code Infinity} are read, as Python's {@code json} (which writes WRENCH files) writes and reads them: inside
     * {@code data} they are skipped like any content, a vote or label that is one is refused as not an int, and a
     * non-finite {@code frame} makes the split not a frame sequence (with a warning when every row has a frame).
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Logger LOG = LoggerFactory.getLogger(WrenchDataset.class);

    /** Validates. */
    public WrenchDataset {
        Objects.requireNonNull(name, "name");
        classNames = List.copyOf(classNames);
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(valid, "valid");
        Objects.requireNonNull(test, "test");
    }

    /** @return the number of classes */
    public int numClasses() {
        return classNames.size();
    }

    /** @return the number of labelling functions */
    public int lfs() {
        return train.matrix().lfs();
    }

    private static boolean isDataSet(Path dir) {
        return Files.isRegularFile(dir.resolve("label.json")) || Files.isRegularFile(dir.resolve("train.json"))
                || Files.isRegularFile(dir.resolve("test.json"));
    }

    /** The names of the subdirectories of {@code dir} that are WRENCH data sets (hold label.json), sorted. */
    private static List<String> dataSetsIn(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isDirectory(p) && Files.isRegularFile(p.resolve("label.json")))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Reads a WRENCH directory.
     *
     * @param dir the directory
     * @return the data set
     * @throws WrenchFormatException when a required file is missing (for a folder that holds data sets, naming
     *                               them) or any file is malformed
     * @throws IOException           when reading fails
     */
    public static WrenchDataset read(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new WrenchFormatException("WRENCH data set directory " + dir + " does not exist or is not a directory");
        }
        if (!isDataSet(dir)) {
            List<String> sets = dataSetsIn(dir);
            if (!sets.isEmpty()) {
                // the parent folder of the sets (the layout WRENCH's download unpacks to) is a common first try
                throw new WrenchFormatException(dir + " is not a WRENCH data set itself (it has no label.json, "
                        + "train.json or test.json) but holds " + sets.size() + (sets.size() == 1 ? ": " : " of them: ")
                        + String.join(", ", sets) + "; give one, for example " + dir.resolve(sets.get(0)));
            }
        }
        for (String f : List.of("label.json", "train.json", "test.json", "valid.json")) {
            Path p = dir.resolve(f);
            if (Files.isDirectory(p)) {
                throw new WrenchFormatException(p + " is a directory; a WRENCH directory needs the files train.json, "
                        + "test.json and label.json (valid.json is optional)");
            }
            if (!f.equals("valid.json") && !Files.isRegularFile(p)) {
                throw new WrenchFormatException(p + ": missing; a WRENCH directory needs train.json, "
                        + "test.json and label.json (valid.json is optional)");
            }
        }
        List<String> classes = readClasses(dir.resolve("label.json"));
        WrenchSplit train = readSplit(dir.resolve("train.json"), "train", classes.size(), -1);
        int m = train.matrix().lfs();
        // An empty valid.json ({}) is no validation split, like an absent one or one without a labelled row.
        Optional<WrenchSplit> valid = Files.isRegularFile(dir.resolve("valid.json"))
                ? Optional.of(readSplit(dir.resolve("valid.json"), "valid", classes.size(), m))
                        .filter(v -> v.size() > 0)
                : Optional.empty();
        WrenchSplit test = readSplit(dir.resolve("test.json"), "test", classes.size(), m);
        Path fileName = dir.toAbsolutePath().normalize().getFileName();
        return new WrenchDataset(fileName == null ? dir.toString() : fileName.toString(), classes, train, valid, test);
    }

    private static JsonNode parse(Path file) throws IOException {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || n.isMissingNode()) {
                throw new WrenchFormatException(file + ": empty file, expected a JSON object");
            }
            return n;
        } catch (JsonParseException e) {
            throw malformed(file, e);
        } catch (StreamConstraintsException e) {
            throw parserDetail(new WrenchFormatException(file + ": " + limitReason(e)), e);
        } catch (MismatchedInputException e) {
            throw parserDetail(new WrenchFormatException(file + ": content after the JSON object at line "
                    + e.getLocation().getLineNr() + "; the file holds exactly one object"), e);
        } catch (JsonProcessingException e) {
            throw parserDetail(new WrenchFormatException(file + ": malformed JSON at " + JsonSyntax.describe(e)), e);
        }
    }

    private static List<String> readClasses(Path file) throws IOException {
        JsonNode n = parse(file);
        if (!n.isObject() || n.size() < 2) {
            throw new WrenchFormatException(file + ": expected an object mapping class ids \"0\".. to names, with at "
                    + "least two classes");
        }
        String[] names = new String[n.size()];
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw parserDetail(new WrenchFormatException(file + ": class id '" + e.getKey()
                        + "' is not an integer"), ex);
            }
            if (id < 0 || id >= names.length || names[id] != null) {
                throw new WrenchFormatException(file + ": class ids must be 0.." + (names.length - 1)
                        + " each once, found '" + e.getKey() + "'");
            }
            JsonNode name = e.getValue();
            if (!name.isTextual() || name.textValue().isBlank()) {
                throw new WrenchFormatException(file + ": class '" + e.getKey() + "' has the name " + name
                        + "; class names must be non-empty strings");
            }
            names[id] = name.textValue();
        }
        Map<String, Integer> byName = new java.util.HashMap<>();
        for (int c = 0; c < names.length; c++) {
            Integer before = byName.putIfAbsent(names[c], c);
            if (before != null) {
                // A duplicate name would make the expert prompt record the first class for both.
                throw new WrenchFormatException(file + ": classes '" + before + "' and '" + c + "' are both named \""
                        + names[c] + "\"; class names must be unique");
            }
        }
        if (names.length > LabelMatrix.MAX_CLASSES) {
            throw new WrenchFormatException(file + ": " + names.length + " classes; at most " + LabelMatrix.MAX_CLASSES
                    + " are supported");
        }
        return List.of(names);
    }

    private static WrenchSplit readSplit(Path file, String split, int k, int expectLfs) throws IOException {
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            try {
                return readSplit(p, file, split, k, expectLfs);
            } catch (StreamConstraintsException e) {
                throw beyondLimit(file, p, e);
            }
        } catch (JsonParseException e) {
            throw malformed(file, e);
        }
    }

    /**
     * A value beyond one of Jackson's read limits (a row id over 50,000 characters, a number over 1,000 digits, a
     * string over 20,000,000 characters): said with the file, the row and the line, as the other errors are. Jackson
     * puts no location in this exception, so the parser's position is used.
     */
    private static WrenchFormatException beyondLimit(Path file, JsonParser p, StreamConstraintsException e) {
        List<JsonStreamContext> chain = new ArrayList<>(); // innermost first, the root last
        for (JsonStreamContext c = p.getParsingContext(); c != null; c = c.getParent()) {
            chain.add(c);
        }
        String row = "";
        if (chain.size() >= 2) {
            JsonStreamContext rows = chain.get(chain.size() - 2); // the split's object {id: row, ...}
            String id = rows.getCurrentName();
            boolean inRow = chain.size() >= 3 || p.currentToken() == JsonToken.FIELD_NAME;
            row = inRow ? "in row '" + id + "'" : id == null ? "at the first row" : "after row '" + id + "'";
        }
        return parserDetail(new WrenchFormatException(file + ": " + limitReason(e) + (row.isEmpty() ? "" : " " + row)
                + ", line " + p.currentLocation().getLineNr()), e);
    }

    /**
     * Jackson's reason for a read limit without the name of its setting, which a WRENCH user cannot change. An
     * overlong key is said as such: Jackson gives the length it had read when it stopped, not the key's.
     */
    private static String limitReason(StreamConstraintsException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        java.util.regex.Matcher name = java.util.regex.Pattern.compile(
                "Name length \\(\\d+\\) exceeds the maximum allowed \\((\\d+)").matcher(m);
        if (name.lookingAt()) {
            return "a key (row id) longer than " + name.group(1) + " characters, the JSON reader's limit,";
        }
        return m.isEmpty() ? "a value beyond the JSON reader's limits" : m.replaceAll(", from `[^`]*`", "");
    }

    /**
     * Streams one split: only the votes, the gold label and {@code data.frame} are kept, the rest of {@code data}
     * (text, features) is skipped, so memory is about the votes whatever the file's size.
     */
    private static WrenchSplit readSplit(JsonParser p, Path file, String split, int k, int expectLfs)
            throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new WrenchFormatException(file + ": empty file, expected a JSON object");
        }
        if (t != JsonToken.START_OBJECT) {
            throw new WrenchFormatException(file + ": expected a JSON object {id: {label, weak_labels, data}}");
        }
        int m = expectLfs;
        Votes votes = new Votes();
        int[] gold = new int[64];
        long[] frames = new long[64];
        List<String> ids = new ArrayList<>();
        boolean allFrames = true;
        int frameKeys = 0;
        String notAFrame = null; // the first row whose data.frame is not an integer frame number
        int noLabelKey = 0; // rows without a "label" key (read as unknown gold, warned once for the file)
        String firstNoLabelKey = null;
        int[] row = new int[Math.max(1, m)];
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String id = p.currentName();
            int i = ids.size();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new WrenchFormatException(file + ": row '" + id + "' has no \"weak_labels\" array (the row is "
                        + "not an object)");
            }
            int wlCount = -1;
            boolean labelSeen = false;
            int label = -1;
            Long frame = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                switch (key) {
                    case "weak_labels" -> {
                        if (v != JsonToken.START_ARRAY) {
                            throw new WrenchFormatException(file + ": row '" + id + "' has no \"weak_labels\" array");
                        }
                        wlCount = 0;
                        JsonToken e;
                        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                            int j = wlCount++;
                            if (e != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                                    || p.getIntValue() < -1 || p.getIntValue() >= k) {
                                throw new WrenchFormatException(file + ": row '" + id + "' weak label " + j + " is "
                                        + text(p, e) + "; expected -1 (abstain) or a class id in [0, " + k + ")");
                            }
                            if (j >= row.length) {
                                row = Arrays.copyOf(row, row.length * 2);
                            }
                            row[j] = p.getIntValue();
                        }
                    }
                    case "label" -> {
                        labelSeen = true;
                        if (v == JsonToken.VALUE_NULL) {
                            label = -1;
                        } else if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                                && p.getIntValue() >= 0 && p.getIntValue() < k) {
                            label = p.getIntValue();
                        } else {
                            throw new WrenchFormatException(file + ": row '" + id + "' label is " + text(p, v)
                                    + "; expected null (unknown) or a class id in [0, " + k + ")");
                        }
                    }
                    case "data" -> {
                        if (v == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String dk = p.currentName();
                                JsonToken dv = p.nextToken();
                                if (dk.equals("frame")) {
                                    frameKeys++;
                                    frame = frameNumber(p, dv);
                                    if (frame == null && notAFrame == null) {
                                        notAFrame = "row '" + id + "' has data.frame " + text(p, dv) + (dv.isNumeric()
                                                ? ", not an integer in [-2^63, 2^63)" : ", not a number");
                                    }
                                }
                                p.skipChildren();
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (wlCount < 0) {
                throw new WrenchFormatException(file + ": row '" + id + "' has no \"weak_labels\" array");
            }
            if (m < 0) {
                m = wlCount;
                if (m == 0) {
                    throw new WrenchFormatException(file + ": row '" + id + "' has an empty \"weak_labels\" array");
                }
            }
            if (wlCount != m) {
                // Name the rows on both sides: when the first row is the odd one, this row is not.
                String others = expectLfs >= 0 ? "train.json's rows have " + m
                        : i == 1 ? "row '" + ids.get(0) + "' has " + m
                        : "the " + i + " rows before it, from row '" + ids.get(0) + "', have " + m;
                throw new WrenchFormatException(file + ": row '" + id + "' has " + wlCount + " weak labels, " + others
                        + "; every row needs one per labelling function");
            }
            votes.add(row, m);
            if (i == gold.length) {
                gold = Arrays.copyOf(gold, i * 2);
                frames = Arrays.copyOf(frames, i * 2);
            }
            gold[i] = labelSeen ? label : -1;
            if (!labelSeen && noLabelKey++ == 0) {
                firstNoLabelKey = id;
            }
            frames[i] = frame == null ? 0 : frame;
            allFrames &= frame != null;
            ids.add(id);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new WrenchFormatException(file + ": expected a row id at line " + p.currentLocation().getLineNr()
                    + ", found " + text(p, t));
        }
        if (p.nextToken() != null) {
            throw new WrenchFormatException(file + ": content after the JSON object at line "
                    + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr()
                    + "; a split file holds exactly one object {id: row} (concatenated files would be read only up "
                    + "to the first object's end)");
        }
        int n = ids.size();
        if (n == 0 && !split.equals("valid")) {
            throw new WrenchFormatException(file + ": no rows");
        }
        if (noLabelKey > 0) {
            // WRENCH writes "label": null for unknown gold; a missing key is more often another format's
            // name for it ("gold", "y"), whose labels would otherwise be dropped without a word
            LOG.warn("{}: {} of {} rows have no \"label\" key (the first: row '{}'); their gold label is read as "
                    + "unknown, as \"label\": null is", file, noLabelKey, n, firstNoLabelKey);
        }
        byte[] v = votes.toArray();
        gold = Arrays.copyOf(gold, n);
        boolean ordered = n > 0 && allFrames;
        if (!ordered && n > 0 && frameKeys == n && notAFrame != null) {
            // Every row names a frame, but not as an integer: say why the split is not read as a sequence.
            LOG.warn("{}: every row has a data.frame but {}; the rows are not read as one frame sequence (hmm is "
                    + "unavailable and auto does not use the frames)", file, notAFrame);
        }
        int[] fileRows = java.util.stream.IntStream.range(0, n).toArray();
        if (ordered) {
            Integer[] order = frameOrder(frames, n);
            if (order == null) {
                LOG.warn("{}: every row has a data.frame but two rows share a frame number; the rows are not read "
                        + "as one frame sequence (hmm is unavailable and auto does not use the frames)", file);
                ordered = false;
            } else {
                byte[] sortedVotes = new byte[v.length];
                int[] sortedGold = new int[n];
                List<String> sortedIds = new ArrayList<>(n);
                for (int r = 0; r < n; r++) {
                    int from = order[r];
                    System.arraycopy(v, from * m, sortedVotes, r * m, m);
                    sortedGold[r] = gold[from];
                    sortedIds.add(ids.get(from));
                    fileRows[r] = from;
                }
                v = sortedVotes;
                gold = sortedGold;
                ids = sortedIds;
            }
        }
        LabelMatrix matrix = LabelMatrix.of(n, m, k, v, LabelMatrix.defaultNames(m));
        return new WrenchSplit(split, matrix, gold, ids, ordered, fileRows);
    }

    /**
     * A frame number, exact: an integer (1, or 1.0 and 1e3 as a float-writing tool puts them) within a long, else
     * null (a fraction, a larger value, NaN or Infinity), which makes the split not a frame sequence. Read as a
     * double, distinct frames above 2^53 collided and the split was wrongly said to repeat a frame number.
     */
    private static Long frameNumber(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType type = p.getNumberType();
            return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG ? p.getLongValue() : null;
        }
        if (t != JsonToken.VALUE_NUMBER_FLOAT || p.isNaN()) {
            return null;
        }
        try {
            return p.getDecimalValue().longValueExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** Row indices in frame order (stable), or null when two rows share a frame number. */
    private static Integer[] frameOrder(long[] frames, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(frames[a], frames[b]));
        for (int r = 1; r < n; r++) {
            if (frames[order[r]] == frames[order[r - 1]]) {
                return null;
            }
        }
        return order;
    }

    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.START_ARRAY) {
            return "an array";
        }
        if (t == JsonToken.START_OBJECT) {
            return "an object";
        }
        return t == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\"" : p.getText();
    }

    private static WrenchFormatException malformed(Path file, JsonParseException e) {
        String notUtf8 = firstNonUtf8(file);
        if (notUtf8 != null) {
            // Jackson reads a stray Latin-1 byte as the start of a longer sequence and reports what it swallowed
            // ("Unexpected end-of-input in field name"): say what is wrong instead.
            return parserDetail(new WrenchFormatException(file + ": not UTF-8 text (" + notUtf8 + "); WRENCH files "
                    + "are JSON in UTF-8: save it as UTF-8"), e);
        }
        if (e.getOriginalMessage().startsWith("Duplicate field")) {
            boolean classes = file.endsWith("label.json"); // its keys are class ids, not row ids
            return parserDetail(new WrenchFormatException(file + ": " + e.getOriginalMessage().replace(
                    "Duplicate field", "duplicate key") + " at line " + e.getLocation().getLineNr()
                    + (classes ? "; each class id must appear once" : "; row ids (and the keys of each object) must "
                    + "be unique")), e);
        }
        return parserDetail(new WrenchFormatException(file + ": malformed JSON at " + JsonSyntax.describe(e)), e);
    }

    /**
     * Where the file first stops being UTF-8 ({@code "bad byte at offset N, line L"}), or null when it is UTF-8 or
     * cannot be read. Streams the file; only called on the error path.
     */
    static String firstNonUtf8(Path file) {
        java.nio.charset.CharsetDecoder dec = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(1 << 16);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(1 << 16);
        long consumed = 0;
        long line = 1;
        try (java.io.InputStream s = Files.newInputStream(file)) {
            boolean end = false;
            while (!end) {
                int r = s.read(in.array(), in.position(), in.remaining());
                end = r < 0;
                if (r > 0) {
                    in.position(in.position() + r);
                }
                in.flip();
                int before = in.position();
                java.nio.charset.CoderResult cr = dec.decode(in, out, end);
                for (int i = before; i < in.position(); i++) {
                    if (in.get(i) == '\n') {
                        line++;
                    }
                }
                consumed += in.position() - before;
                if (cr.isError()) {
                    return "bad byte at offset " + consumed + ", line " + line;
                }
                out.clear();
                in.compact();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Keeps the parser's exception for stack traces as a suppressed exception, not as the cause: the message already
     * says what it says (file, line, trimmed reason), and a cause's message is appended again by callers that print
     * a chain on one line (the CLI printed Jackson's full text, "[Source: REDACTED ...]" included, after the trimmed
     * reason).
     */
    private static WrenchFormatException parserDetail(WrenchFormatException w, Exception parserError) {
        w.addSuppressed(parserError);
        return w;
    }

    /** A growing byte array of votes, row after row. */
    private static final class Votes {
        private byte[] data = new byte[1024];
        private int size;

        void add(int[] row, int m) {
            if (size + m > data.length) {
                long grown = Math.max((long) data.length * 2, (long) size + m);
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("too many votes for one label matrix (more than "
                            + (Integer.MAX_VALUE - 8) + " cells)");
                }
                data = Arrays.copyOf(data, (int) grown);
            }
            for (int j = 0; j < m; j++) {
                data[size++] = (byte) row[j];
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
