package io.edgeloop.labeling.active;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.api.label.Expert;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A file-based queue worked by experts elsewhere (see docs/formats/expert-queue.md): questions are appended to
 * {@code queries.jsonl} ({@code {"version":1,"row":..,"probabilities":[..],"votes":[..],"features":[..]}}), and
 * answers are read from {@code answers.jsonl} ({@code {"row":..,"label":..}}). A question with no answer yet
 * returns empty and is asked once only; malformed answer lines are rejected with the file and line number.
 *
 * <p>Not thread-safe: one loop per queue directory.
 */
public final class FileQueueExpert implements Expert {
    /** The format version written to queries. */
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int numClasses;
    private final Set<Integer> queued = new HashSet<>();

    /**
     * @param dir        the queue directory (created when absent)
     * @param numClasses the number of classes, to validate answers
     * @throws IOException when the directory cannot be created or read
     */
    public FileQueueExpert(Path dir, int numClasses) throws IOException {
        this.dir = dir;
        this.numClasses = numClasses;
        Files.createDirectories(dir);
        Path q = dir.resolve("queries.jsonl");
        if (Files.exists(q)) {
            List<String> lines = Files.readAllLines(q, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = parseLine(q, i, line);
                if (!n.path("version").isInt() || n.get("version").asInt() != VERSION) {
                    throw new IOException(q + ": line " + (i + 1) + " has format version " + n.path("version")
                            + "; this reader understands version " + VERSION);
                }
                if (!n.path("row").isInt() || n.get("row").asInt() < 0) {
                    throw new IOException(q + ": line " + (i + 1) + " needs a non-negative integer \"row\", got "
                            + line);
                }
                queued.add(n.get("row").asInt());
            }
        }
    }

    private static JsonNode parseLine(Path f, int index, String line) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(f + ": line " + (index + 1) + " is not JSON (a torn last line? remove it): "
                    + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IOException(f + ": line " + (index + 1) + " is not a JSON object: " + line);
        }
        return n;
    }

    @Override
    public String name() {
        return "file-queue";
    }

    @Override
    public Optional<Integer> answer(ExpertQuery q) throws IOException {
        Integer a = answers().get(q.row());
        if (a != null) {
            return Optional.of(a);
        }
        if (queued.add(q.row())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", VERSION);
            m.put("row", q.row());
            m.put("probabilities", q.probabilities());
            m.put("votes", q.votes());
            m.put("features", q.features());
            Files.writeString(dir.resolve("queries.jsonl"), JSON.writeValueAsString(m) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        return Optional.empty();
    }

    /**
     * @return every answer in {@code answers.jsonl}, by row
     * @throws IOException when the file is unreadable or a line is malformed
     */
    public Map<Integer, Integer> answers() throws IOException {
        return readAnswers(dir.resolve("answers.jsonl"), numClasses);
    }

    /**
     * @return the rows asked so far in {@code queries.jsonl} (answered or not)
     */
    public Set<Integer> queued() {
        return Set.copyOf(queued);
    }

    /**
     * @return the rows the experts skipped: their last line in {@code answers.jsonl} has {@code "label": null}
     * @throws IOException when the file is unreadable or a line is malformed
     */
    public Set<Integer> skipped() throws IOException {
        return read(dir.resolve("answers.jsonl"), numClasses, Integer.MAX_VALUE).skipped;
    }

    /**
     * Reads an answers file in this queue's format ({@code {"row":..,"label":..}} per line, {@code "label": null}
     * for a row the expert skipped; a later line for a row replaces an earlier one). An absent file has no answers.
     *
     * @param f          the file
     * @param numClasses the number of classes, to validate labels
     * @return the answers by row (skipped rows are absent)
     * @throws IOException when the file is unreadable or a line is malformed (the message names file and line)
     */
    public static Map<Integer, Integer> readAnswers(Path f, int numClasses) throws IOException {
        return readAnswers(f, numClasses, Integer.MAX_VALUE);
    }

    /**
     * Reads an answers file and checks every row against the pool size.
     *
     * @param f          the file
     * @param numClasses the number of classes, to validate labels
     * @param rows       the number of rows in the pool; every answered row must be in {@code [0, rows)}
     * @return the answers by row (skipped rows are absent)
     * @throws IOException when the file is unreadable or a line is malformed or out of range (the message names
     *                     file and line)
     */
    public static Map<Integer, Integer> readAnswers(Path f, int numClasses, int rows) throws IOException {
        return read(f, numClasses, rows).answers;
    }

    private record Read(Map<Integer, Integer> answers, Set<Integer> skipped) {
    }

    private static Read read(Path f, int numClasses, int rows) throws IOException {
        Map<Integer, Integer> out = new HashMap<>();
        Set<Integer> skipped = new HashSet<>();
        if (!Files.exists(f)) {
            return new Read(out, skipped);
        }
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = parseLine(f, i, line);
            JsonNode label = n.path("label");
            boolean skip = label.isNull();
            if (!n.path("row").isInt() || n.get("row").asInt() < 0
                    || !skip && (!label.isInt() || label.asInt() < 0 || label.asInt() >= numClasses)) {
                throw new IOException(f + ": line " + (i + 1) + " needs a non-negative integer \"row\" and a "
                        + "\"label\" in [0, " + numClasses + ") or null (skipped), got " + line);
            }
            int row = n.get("row").asInt();
            if (row >= rows) {
                throw new IOException(f + ": line " + (i + 1) + " answers row " + row + ", but the pool has rows [0, "
                        + rows + "): is this the queue of another data set?");
            }
            if (skip) {
                out.remove(row);
                skipped.add(row);
            } else {
                out.put(row, label.asInt());
                skipped.remove(row);
            }
        }
        return new Read(out, skipped);
    }
}
