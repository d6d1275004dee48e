package io.edgeloop.labeling.active;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An expert answers file (docs/formats/expert-queue.md): one {@code {"row": .., "label": ..}} object per line,
 * {@code "label": null} for a row the expert skipped, a later line for a row replacing an earlier one, and
 * optionally, on line 1, {@code {"identity": {...}}}: the data set whose rows the {@code row} numbers index.
 * Reading is strict (UTF-8, one object per line, no repeated keys, rows and classes in range); every error names
 * the file and line. Appending writes the identity first when it creates the file.
 *
 * <p>Thread-safe: static methods; concurrent appenders to one file are not coordinated (one writer per file).
 */
public final class AnswersFile {
    /** The longest identity line {@link #identity} reads; Edgeloop's own are about 150 bytes. */
    static final int IDENTITY_LINE_MAX = 64 * 1024;

    private AnswersFile() {
    }

    /**
     * What an answers file holds.
     *
     * <p>Thread-safe: immutable (the collections are unmodifiable copies).
     *
     * @param answers  the answers by row (skipped rows absent), in file order
     * @param skipped  the rows whose last line has {@code "label": null}
     * @param identity line 1's {@code identity} object, when the file has one
     */
    public record Contents(Map<Integer, Integer> answers, Set<Integer> skipped,
            Optional<Map<String, Object>> identity) {
        /** Copies the collections. */
        public Contents {
            answers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(answers));
            skipped = Set.copyOf(skipped);
            Objects.requireNonNull(identity, "identity");
        }
    }

    /**
     * Reads an answers file; an absent file has no answers, no skips and no identity.
     *
     * @param f          the file
     * @param numClasses the number of classes; every label must be in {@code [0, numClasses)} or null
     * @param rows       the pool size; every row must be in {@code [0, rows)}
     * @return the contents
     * @throws IOException naming the file (and line) when it cannot be read, is not UTF-8, or a line is malformed
     *                     or out of range
     */
    public static Contents read(Path f, int numClasses, int rows) throws IOException {
        return read(f, numClasses, rows, Map.of());
    }

    /**
     * Reads an answers file whose lines may name their row by id ({@code {"id": "392", "label": 1}}, the WRENCH row
     * id of {@code queries.jsonl}) instead of, or as well as, by {@code row}; a line giving both must name the same
     * row.
     *
     * @param f          the file
     * @param numClasses the number of classes; every label must be in {@code [0, numClasses)} or null
     * @param rows       the pool size; every row must be in {@code [0, rows)}
     * @param rowsById   the row of each id (empty: lines must give {@code row})
     * @return the contents, by row
     * @throws IOException naming the file and line when it cannot be read, is not UTF-8, a line is malformed or out
     *                     of range, names an unknown id, or its {@code row} and {@code id} disagree
     */
    public static Contents read(Path f, int numClasses, int rows, Map<String, Integer> rowsById) throws IOException {
        Objects.requireNonNull(rowsById, "rowsById");
        Map<Integer, Integer> out = new LinkedHashMap<>();
        Set<Integer> skipped = new HashSet<>();
        Optional<Map<String, Object>> identity = Optional.empty();
        if (!Files.exists(f)) {
            return new Contents(out, skipped, identity);
        }
        JsonLines.Text text = JsonLines.read(f, "answers file");
        for (int i = 0; i < text.lines().size(); i++) {
            String line = text.lines().get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JsonLines.parseObject(f, i, line);
            } catch (IOException e) {
                if (i == text.lines().size() - 1 && text.tail() > 0) {
                    throw new IOException(e.getMessage() + "; the last line has no newline: if a tool is still "
                            + "writing it, rerun when it is done, else complete or remove it", e);
                }
                throw e;
            }
            if (n.has("identity")) {
                if (i != 0 || n.size() != 1 || !n.get("identity").isObject()) {
                    throw new IOException(f + ": line " + (i + 1) + ": an {\"identity\": {...}} line is allowed only "
                            + "as line 1, alone: " + JsonLines.abbreviate(line));
                }
                identity = Optional.of(JsonLines.STRICT.convertValue(n.get("identity"),
                        new TypeReference<Map<String, Object>>() { }));
                continue;
            }
            JsonNode label = n.path("label");
            boolean skip = label.isNull();
            Integer byId = null;
            if (n.has("id")) {
                JsonNode idNode = n.get("id");
                String id = idNode.isTextual() || idNode.isIntegralNumber() ? idNode.asText() : null;
                byId = id == null ? null : rowsById.get(id);
                if (byId == null) {
                    throw new IOException(f + ": line " + (i + 1) + ": \"id\" " + idNode + " is not a row id of "
                            + "this data set" + (rowsById.isEmpty() ? " (ids are not known here; give \"row\")" : "")
                            + ": " + JsonLines.abbreviate(line));
                }
            }
            boolean rowOk = n.path("row").isInt() && n.get("row").asInt() >= 0 || !n.has("row") && byId != null;
            if (!rowOk || !skip && (!label.isInt() || label.asInt() < 0 || label.asInt() >= numClasses)) {
                throw new IOException(f + ": line " + (i + 1) + " needs a non-negative integer \"row\" (or the "
                        + "row's \"id\") and a \"label\" in [0, " + numClasses + ") or null (skipped), got "
                        + JsonLines.abbreviate(line));
            }
            int row = n.has("row") ? n.get("row").asInt() : byId;
            if (byId != null && byId != row) {
                throw new IOException(f + ": line " + (i + 1) + ": \"row\" " + row + " and \"id\" " + n.get("id")
                        + " (row " + byId + ") name different rows: " + JsonLines.abbreviate(line));
            }
            if (row >= rows) {
                throw new IOException(f + ": line " + (i + 1) + " answers row " + row + ", but the pool has rows [0, "
                        + rows + "): is this the answers file of another data set?");
            }
            if (skip) {
                out.remove(row);
                skipped.add(row);
            } else {
                out.put(row, label.asInt());
                skipped.remove(row);
            }
        }
        return new Contents(out, skipped, identity);
    }

    /**
     * Line 1's {@code {"identity": {...}}} of an existing answers file, read on its own (at most its first
     * 64 KiB) so that a writer can check whose file it is before it changes anything: any
     * other file (notes, a data set's JSON, a file without identity) must not be repaired or rewritten.
     *
     * @param f the file
     * @return the identity object, or empty when the file is absent or empty or its line 1 is not an identity line
     *         (not UTF-8, not JSON, another object, or longer than the limit)
     * @throws IOException naming the file when it cannot be read
     */
    public static Optional<Map<String, Object>> identity(Path f) throws IOException {
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        byte[] head = new byte[IDENTITY_LINE_MAX];
        int len = 0;
        try (InputStream in = Files.newInputStream(f)) {
            for (int k; len < head.length && (k = in.read(head, len, head.length - len)) > 0; ) {
                len += k;
            }
        } catch (AccessDeniedException e) {
            throw JsonLines.error(f + ": permission denied reading the answers file; make it readable", e);
        } catch (FileSystemException e) {
            throw JsonLines.error(f + ": cannot read the answers file (" + JsonLines.reason(e) + ")", e);
        }
        int end = 0;
        while (end < len && head[end] != '\n') {
            end++;
        }
        if (end == len) {
            return Optional.empty();
        }
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(head, 0, end)).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        line = line.startsWith("\uFEFF") ? line.substring(1) : line;
        line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        JsonNode n;
        try {
            n = JsonLines.parseObject(f, 0, line);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (n.size() != 1 || !n.path("identity").isObject()) {
            return Optional.empty();
        }
        return Optional.of(JsonLines.STRICT.convertValue(n.get("identity"),
                new TypeReference<Map<String, Object>>() { }));
    }

    /**
     * Repairs the end of an answers file that Edgeloop itself appends to ({@code label query --answers-out}) after a
     * run ended mid-write: a last line without its newline is completed with one when it parses as a JSON object
     * (whether it fits the data set is {@link #read}'s check), and cut off otherwise (that reply was never recorded whole, so its row is asked again). A file that another tool
     * may still be writing (a queue's {@code answers.jsonl}) must not be repaired: {@link #read} refuses its torn
     * line with advice instead. Only a file whose line 1 is an identity line ({@link #identity}) is repaired, and
     * the caller must have checked that identity against its data set first: any other file is left unchanged
     * (bad-input sweep s16: notes.txt lost its last line, a data set's train.json its closing brace).
     *
     * @param f          the file (absent: nothing to do)
     * @return what was repaired, for a warning, or empty when the file was whole or has no identity line
     * @throws IOException naming the file when it cannot be read or rewritten
     */
    public static Optional<String> repairTornTail(Path f) throws IOException {
        if (!Files.isRegularFile(f) || identity(f).isEmpty()) {
            return Optional.empty();
        }
        JsonLines.Text text = JsonLines.read(f, "answers file");
        if (text.tail() == 0) {
            return Optional.empty();
        }
        int n = text.lines().size();
        String last = text.lines().get(n - 1);
        // Torn or whole is a question of syntax only: a cut line cannot end in the object's closing brace, so a line
        // that parses lost no more than its newline. Whether it fits this data set is read()'s question, which
        // refuses a wrong file without changing it (judging ranges here cut valid lines of another data set's file).
        boolean whole;
        try {
            JsonLines.parseObject(f, n - 1, last);
            whole = true;
        } catch (IOException e) {
            whole = false;
        }
        try {
            if (whole) {
                Files.writeString(f, "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                return Optional.of(f + ": line " + n + " had no newline (a run ended mid-write); added it");
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(text.size() - text.tail());
                ch.force(false);
            }
        } catch (AccessDeniedException e) {
            throw JsonLines.error(f + ": permission denied repairing the answers file's torn last line; make it "
                    + "writable", e);
        } catch (FileSystemException e) {
            throw JsonLines.error(f + ": cannot repair the answers file's torn last line (" + JsonLines.reason(e)
                    + ")", e);
        }
        return Optional.of(f + ": removed torn line " + n + " (" + text.tail() + " bytes, a run ended mid-write: "
                + JsonLines.abbreviate(last) + "); that reply was not recorded, its row may be asked again");
    }

    /**
     * Appends one answer (or a skip) to a file, creating it (and its parent directories) when absent; a new or
     * empty file gets {@code {"identity": identity}} as line 1 first. A last line left without its newline is
     * terminated first, so the new line never joins it.
     *
     * @param f        the file
     * @param identity the data set identity to write into a new file, or null to write none
     * @param row      the row
     * @param label    the class, or empty for a skip ({@code "label": null})
     * @throws IOException naming the file and what to do when it cannot be written
     */
    public static void append(Path f, Map<String, Object> identity, int row, Optional<Integer> label)
            throws IOException {
        Objects.requireNonNull(label, "label");
        if (Files.isDirectory(f)) {
            throw new IOException(f + " is a directory, not an answers file; give the path of a file");
        }
        try {
            Path parent = f.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                long size = ch.size();
                StringBuilder b = new StringBuilder();
                if (size == 0 && identity != null) {
                    Map<String, Object> header = new LinkedHashMap<>();
                    header.put("identity", identity);
                    b.append(JsonLines.STRICT.writeValueAsString(header)).append('\n');
                } else if (size > 0) {
                    ByteBuffer last = ByteBuffer.allocate(1);
                    ch.read(last, size - 1);
                    if (last.get(0) != '\n') {
                        b.append('\n');
                    }
                }
                b.append("{\"row\":").append(row).append(",\"label\":")
                        .append(label.map(String::valueOf).orElse("null")).append("}\n");
                ByteBuffer bytes = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
                long at = size;
                while (bytes.hasRemaining()) {
                    at += ch.write(bytes, at);
                }
                ch.force(false);
            }
        } catch (AccessDeniedException e) {
            throw JsonLines.error(f + ": permission denied writing the answers file; make it (or its directory) "
                    + "writable or choose another path", e);
        } catch (FileSystemException e) {
            throw JsonLines.error(f + ": cannot write the answers file (" + JsonLines.reason(e) + "); check the path",
                    e);
        }
    }
}
