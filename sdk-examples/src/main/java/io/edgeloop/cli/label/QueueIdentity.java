package io.edgeloop.cli.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.labeling.active.AnswersFile;
import io.edgeloop.labeling.io.WrenchDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code queue.json} that ties an expert queue to the WRENCH data set whose train rows its {@code row} numbers
 * index (see docs/formats/expert-queue.md): data set name, train row count and a SHA-256 over the train ids in file
 * order. A queue or answers file used with another data set would label the wrong rows, so that is refused. The
 * same identity object is line 1 of answers files that {@code label query --answers-out} creates.
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
     * Checks the identity file of a queue directory against a data set, creating it for a new queue. Call it with
     * the queue's lock held ({@code FileQueueExpert}), so two first runs cannot both create it; the file is written
     * under a unique temporary name and moved into place atomically, so readers never see half of it.
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
            check(read(f), f + ": this queue", data);
            return false;
        }
        for (String other : new String[] {"queries.jsonl", "answers.jsonl"}) {
            if (Files.exists(dir.resolve(other))) {
                throw new IOException(dir + " holds " + other + " but no " + FILE + ", so nothing says which data set "
                        + "its row numbers index; use a new directory for `label query`");
            }
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + FILE + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try {
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(of(data)) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }

    /**
     * Checks that an answers file belongs to a data set. The identity is, in order: the file's own line 1
     * ({@code {"identity": {...}}}, written by {@code label query --answers-out}); else the {@code queue.json} beside
     * it (a queue's {@code answers.jsonl}); else there is none (a file from before identities were written, or
     * made by hand): it is used, with a warning on {@code warnings}, and its rows are still checked against the
     * train split's size.
     *
     * @param file     the answers file
     * @param contents what the file holds
     * @param data     the data set
     * @param warnings where the warning for a file without identity goes
     * @throws IOException when the file or its queue belongs to another data set
     */
    static void checkAnswers(Path file, AnswersFile.Contents contents, WrenchDataset data, PrintWriter warnings)
            throws IOException {
        if (contents.identity().isPresent()) {
            checkLineOne(file, contents.identity().get(), data);
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && Files.isRegularFile(parent.resolve(FILE))) {
            check(read(parent.resolve(FILE)), parent.resolve(FILE) + ": this queue", data);
            return;
        }
        if (!contents.answers().isEmpty() || !contents.skipped().isEmpty()) {
            warnings.println("edgeloop: warning: " + file + " does not say which data set it belongs to (no "
                    + "{\"identity\": ...} line 1, no " + FILE + " beside it); its rows are taken as " + data.name()
                    + "'s train rows");
            warnings.flush();
        }
    }

    /**
     * Checks the identity line 1 of an answers file against a data set, before the file is read or repaired.
     *
     * @param file     the answers file
     * @param identity its line 1's identity object
     * @param data     the data set
     * @throws IOException when the file belongs to another data set
     */
    static void checkLineOne(Path file, Map<String, Object> identity, WrenchDataset data) throws IOException {
        check(JSON.valueToTree(identity), file + ": this answers file (line 1)", data);
    }

    private static JsonNode read(Path f) throws IOException {
        try {
            return JSON.readTree(f.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            IOException x = new IOException(f + ": not JSON at " + io.edgeloop.labeling.io.JsonSyntax.describe(e));
            x.addSuppressed(e);
            throw x;
        } catch (IOException e) {
            throw new IOException(f + ": not JSON: " + e.getMessage(), e);
        }
    }

    private static void check(JsonNode n, String what, WrenchDataset data) throws IOException {
        if (n == null || !n.path("version").isInt() || n.get("version").asInt() != 1) {
            throw new IOException(what + ": expected an identity {\"version\": 1, ...}, got " + n);
        }
        Map<String, Object> want = of(data);
        if (!n.path("trainRows").isInt() || n.get("trainRows").asInt() != (int) want.get("trainRows")
                || !want.get("trainIdsSha256").equals(n.path("trainIdsSha256").asText())) {
            throw new IOException(what + " belongs to data set '" + n.path("dataset").asText() + "' ("
                    + n.path("trainRows") + " train rows), not to " + data.name() + " (" + want.get("trainRows")
                    + " train rows, or different ids): its row numbers would label the wrong rows");
        }
    }

    /**
     * @param data the data set
     * @return its identity: {@code version}, {@code dataset}, {@code trainRows}, {@code trainIdsSha256}
     */
    static Map<String, Object> of(WrenchDataset data) {
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
