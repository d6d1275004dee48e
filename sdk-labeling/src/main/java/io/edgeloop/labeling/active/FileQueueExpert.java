package io.edgeloop.labeling.active;

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
            for (String line : Files.readAllLines(q, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    queued.add(JSON.readTree(line).path("row").asInt());
                }
            }
        }
    }

    @Override
    public String name() {
        return "file-queue";
    }

    @Override
    public Optional<Integer> answer(Query q) throws IOException {
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
     * Reads an answers file in this queue's format ({@code {"row":..,"label":..}} per line; a later line for a row
     * replaces an earlier one). An absent file has no answers.
     *
     * @param f          the file
     * @param numClasses the number of classes, to validate labels
     * @return the answers by row
     * @throws IOException when the file is unreadable or a line is malformed (the message names file and line)
     */
    public static Map<Integer, Integer> readAnswers(Path f, int numClasses) throws IOException {
        Map<Integer, Integer> out = new HashMap<>();
        if (!Files.exists(f)) {
            return out;
        }
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                throw new IOException(f + ": line " + (i + 1) + " is not JSON: " + e.getMessage(), e);
            }
            if (!n.path("row").isInt() || !n.path("label").isInt() || n.get("label").asInt() < 0
                    || n.get("label").asInt() >= numClasses) {
                throw new IOException(f + ": line " + (i + 1) + " needs integer \"row\" and \"label\" in [0, "
                        + numClasses + "), got " + line);
            }
            out.put(n.get("row").asInt(), n.get("label").asInt());
        }
        return out;
    }
}
