package io.edgeloop.labeling.io;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.labeling.matrix.LabelMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A WRENCH-format data set directory: {@code train.json}, {@code test.json}, {@code label.json} and an optional
 * {@code valid.json}. Each split is {@code {id: {"label": int|null, "weak_labels": [int, ...], "data": {...}}}};
 * {@code -1} in {@code weak_labels} is abstain, a {@code null} label is unknown, {@code label.json} maps class
 * ids {@code "0".."k-1"} to names. Rows keep file order, which drives WRENCH's tie-breaking.
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
    /** Duplicate keys are rejected: a second row with the same id would silently replace the first. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

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

    /**
     * Reads a WRENCH directory.
     *
     * @param dir the directory
     * @return the data set
     * @throws WrenchFormatException when a required file is missing or any file is malformed
     * @throws IOException           when reading fails
     */
    public static WrenchDataset read(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new WrenchFormatException("WRENCH data set directory " + dir + " does not exist or is not a directory");
        }
        for (String f : List.of("label.json", "train.json", "test.json")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new WrenchFormatException(dir.resolve(f) + ": missing; a WRENCH directory needs train.json, "
                        + "test.json and label.json (valid.json is optional)");
            }
        }
        List<String> classes = readClasses(dir.resolve("label.json"));
        WrenchSplit train = readSplit(dir.resolve("train.json"), "train", classes.size(), -1);
        int m = train.matrix().lfs();
        Optional<WrenchSplit> valid = Files.isRegularFile(dir.resolve("valid.json"))
                ? Optional.of(readSplit(dir.resolve("valid.json"), "valid", classes.size(), m))
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
            if (e.getOriginalMessage().startsWith("Duplicate field")) {
                throw new WrenchFormatException(file + ": " + e.getOriginalMessage().replace("Duplicate field",
                        "duplicate key") + " at line " + e.getLocation().getLineNr() + "; row ids (and the keys of "
                        + "each object) must be unique", e);
            }
            throw new WrenchFormatException(file + ": malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new WrenchFormatException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
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
                throw new WrenchFormatException(file + ": class id '" + e.getKey() + "' is not an integer", ex);
            }
            if (id < 0 || id >= names.length || names[id] != null) {
                throw new WrenchFormatException(file + ": class ids must be 0.." + (names.length - 1)
                        + " each once, found '" + e.getKey() + "'");
            }
            names[id] = e.getValue().asText();
        }
        if (names.length > LabelMatrix.MAX_CLASSES) {
            throw new WrenchFormatException(file + ": " + names.length + " classes; at most " + LabelMatrix.MAX_CLASSES
                    + " are supported");
        }
        return List.of(names);
    }

    private static WrenchSplit readSplit(Path file, String split, int k, int expectLfs) throws IOException {
        JsonNode root = parse(file);
        if (!root.isObject()) {
            throw new WrenchFormatException(file + ": expected a JSON object {id: {label, weak_labels, data}}");
        }
        int n = root.size();
        int m = expectLfs;
        byte[] votes = null;
        int[] gold = new int[n];
        List<String> ids = new ArrayList<>(n);
        boolean ordered = n > 0;
        int i = -1;
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            i++;
            String id = e.getKey();
            JsonNode row = e.getValue();
            JsonNode wl = row.get("weak_labels");
            if (wl == null || !wl.isArray()) {
                throw new WrenchFormatException(file + ": row '" + id + "' has no \"weak_labels\" array");
            }
            if (m < 0) {
                m = wl.size();
                if (m == 0) {
                    throw new WrenchFormatException(file + ": row '" + id + "' has an empty \"weak_labels\" array");
                }
            }
            if (wl.size() != m) {
                throw new WrenchFormatException(file + ": row '" + id + "' has " + wl.size() + " weak labels, expected "
                        + m + " (as in " + (expectLfs < 0 ? "the first row" : "train.json") + ")");
            }
            if (votes == null) {
                votes = new byte[n * m];
            }
            for (int j = 0; j < m; j++) {
                JsonNode v = wl.get(j);
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < -1 || v.asInt() >= k) {
                    throw new WrenchFormatException(file + ": row '" + id + "' weak label " + j + " is " + v
                            + "; expected -1 (abstain) or a class id in [0, " + k + ")");
                }
                votes[i * m + j] = (byte) v.asInt();
            }
            JsonNode label = row.get("label");
            if (label == null || label.isNull()) {
                gold[i] = -1;
            } else if (label.isIntegralNumber() && label.canConvertToInt() && label.asInt() >= 0 && label.asInt() < k) {
                gold[i] = label.asInt();
            } else {
                throw new WrenchFormatException(file + ": row '" + id + "' label is " + label
                        + "; expected null (unknown) or a class id in [0, " + k + ")");
            }
            JsonNode data = row.get("data");
            ordered &= data != null && data.has("frame") && data.get("frame").isNumber();
            ids.add(id);
        }
        if (n == 0) {
            throw new WrenchFormatException(file + ": no rows");
        }
        LabelMatrix matrix = LabelMatrix.of(n, m, k, votes, LabelMatrix.defaultNames(m));
        return new WrenchSplit(split, matrix, gold, ids, ordered);
    }
}
