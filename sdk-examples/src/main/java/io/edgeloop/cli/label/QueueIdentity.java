package io.edgeloop.cli.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.labeling.io.WrenchDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code queue.json} that ties an expert queue to the WRENCH data set whose train rows its {@code row} numbers
 * index (see docs/formats/expert-queue.md): data set name, train row count and a SHA-256 over the train ids in file
 * order. A queue or answers file used with another data set would label the wrong rows, so that is refused.
 *
 * <p>Thread-safe: static methods only.
 */
final class QueueIdentity {
    /** The file name, inside the queue directory. */
    static final String FILE = "queue.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private QueueIdentity() {
    }

    /**
     * Checks the identity file of a queue directory against a data set, creating it for a new queue.
     *
     * @param dir  the queue directory
     * @param data the data set
     * @return true when the queue was created now
     * @throws IOException when the directory belongs to another data set, or has questions or answers but no
     *                     identity file
     */
    static boolean checkOrCreate(Path dir, WrenchDataset data) throws IOException {
        Path f = dir.resolve(FILE);
        if (Files.isRegularFile(f)) {
            check(f, data);
            return false;
        }
        for (String other : new String[] {"queries.jsonl", "answers.jsonl"}) {
            if (Files.exists(dir.resolve(other))) {
                throw new IOException(dir + " holds " + other + " but no " + FILE + ", so nothing says which data set "
                        + "its row numbers index; use a new directory for `label query`");
            }
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(of(data)) + "\n",
                StandardCharsets.UTF_8);
        Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /**
     * Checks an answers file against a data set when its directory has an identity file.
     *
     * @param answers the answers file
     * @param data    the data set
     * @throws IOException when the identity file names another data set or is unreadable
     */
    static void checkIfPresent(Path answers, WrenchDataset data) throws IOException {
        Path parent = answers.toAbsolutePath().getParent();
        if (parent != null && Files.isRegularFile(parent.resolve(FILE))) {
            check(parent.resolve(FILE), data);
        }
    }

    private static void check(Path f, WrenchDataset data) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.path("version").isInt() || n.get("version").asInt() != 1) {
            throw new IOException(f + ": expected {\"version\": 1, ...}");
        }
        Map<String, Object> want = of(data);
        if (!n.path("trainRows").isInt() || n.get("trainRows").asInt() != (int) want.get("trainRows")
                || !want.get("trainIdsSha256").equals(n.path("trainIdsSha256").asText())) {
            throw new IOException(f + ": this queue belongs to data set '" + n.path("dataset").asText() + "' ("
                    + n.path("trainRows") + " train rows), not to " + data.name() + " (" + want.get("trainRows")
                    + " train rows, or different ids): its row numbers would label the wrong rows");
        }
    }

    private static Map<String, Object> of(WrenchDataset data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", 1);
        m.put("dataset", data.name());
        m.put("trainRows", data.train().size());
        m.put("trainIdsSha256", idsDigest(data));
        return m;
    }

    private static String idsDigest(WrenchDataset data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String id : data.train().ids()) {
                md.update(id.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }
}
