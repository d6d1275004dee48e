package io.edgeloop.labeling.active;

import io.edgeloop.api.label.Expert;
import io.edgeloop.api.label.ExpertQuery;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A file-based queue worked by experts elsewhere (see docs/formats/expert-queue.md): questions are appended to
 * {@code queries.jsonl} ({@code {"version":1,"row":..,"id":..,"probabilities":[..],"votes":[..],"features":[..]}},
 * {@code id} when the rows have ids), and
 * answers are read from {@code answers.jsonl} ({@link AnswersFile}). A question with no answer yet returns empty
 * and is asked once only; malformed lines are rejected with the file and line number.
 *
 * <p>One run at a time per queue directory: opening takes an exclusive lock on {@code DIR/.lock} (an OS file lock,
 * so it also excludes other processes and is released if the process dies) and holds it until {@link #close()};
 * a second opener fails at once with an {@link IOException} naming the holder. {@code queries.jsonl} is read
 * under the lock. A torn last line of {@code queries.jsonl} (an append cut short by a crash: no final newline) is
 * repaired on opening: completed when it is a whole question, cut off otherwise, with a warning either way.
 *
 * <p>Not thread-safe: one loop per queue directory.
 */
public final class FileQueueExpert implements Expert, AutoCloseable {
    /** The format version written to queries. */
    public static final int VERSION = 1;
    /** The lock file's name inside the queue directory. */
    public static final String LOCK_FILE = ".lock";

    private final Path dir;
    private final int numClasses;
    private final Set<Integer> queued = new HashSet<>();
    /** Row ids by row (written as {@code "id"} with each question), or empty when the pool has none. */
    private final List<String> rowIds;
    private final Map<String, Integer> rowsById = new HashMap<>();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;
    /** The last parse of {@code answers.jsonl} and the file's (size, mtime, key) when it was read. */
    private AnswersFile.Contents cached;
    private Object cachedStamp;

    /**
     * Opens a queue without reporting repairs (see {@link #FileQueueExpert(Path, int, Consumer)}).
     *
     * @param dir        the queue directory (created when absent)
     * @param numClasses the number of classes, to validate answers
     * @throws IOException when the directory cannot be created, locked or read (the message names the path)
     */
    public FileQueueExpert(Path dir, int numClasses) throws IOException {
        this(dir, numClasses, w -> { });
    }

    /**
     * Opens a queue: creates the directory when absent, takes its lock, reads (and if torn, repairs)
     * {@code queries.jsonl}.
     *
     * @param dir        the queue directory (created when absent)
     * @param numClasses the number of classes, to validate answers
     * @param warnings   receives one line per repair made
     * @throws IOException when the directory cannot be created, is locked by another run, or cannot be read (the
     *                     message names the path and what to do)
     */
    public FileQueueExpert(Path dir, int numClasses, Consumer<String> warnings) throws IOException {
        this(dir, numClasses, warnings, List.of());
    }

    /**
     * Opens a queue as {@link #FileQueueExpert(Path, int, Consumer)} whose rows have ids (a WRENCH split's row ids):
     * each question carries its row's {@code "id"}, and answers may name their row by {@code "id"} instead of
     * {@code "row"}.
     *
     * @param dir        the queue directory (created when absent)
     * @param numClasses the number of classes, to validate answers
     * @param warnings   receives one line per repair made
     * @param rowIds     the id of each row, by row (empty: no ids)
     * @throws IOException when the directory cannot be created, is locked by another run, or cannot be read (the
     *                     message names the path and what to do)
     */
    public FileQueueExpert(Path dir, int numClasses, Consumer<String> warnings, List<String> rowIds)
            throws IOException {
        this.rowIds = List.copyOf(rowIds);
        for (int r = 0; r < this.rowIds.size(); r++) {
            rowsById.put(this.rowIds.get(r), r);
        }
        this.dir = Objects.requireNonNull(dir, "dir");
        this.numClasses = numClasses;
        Objects.requireNonNull(warnings, "warnings");
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " is a file, not a queue directory; give a directory path (it is created "
                    + "when absent)");
        }
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw JsonLines.error(dir + ": cannot create the queue directory (" + JsonLines.reason(e)
                    + "); check the path and its permissions", e);
        }
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw JsonLines.error(lockFile + ": permission denied opening the queue lock; the queue directory must "
                    + "be writable", e);
        }
        FileLock l;
        try {
            // Lock a byte past any content, so the holder's note stays readable on systems with mandatory locks.
            l = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            ch.close();
            throw JsonLines.error(lockFile + ": cannot lock the queue (" + e.getMessage() + ")", e);
        }
        if (l == null) {
            String holder = holder(ch);
            ch.close();
            throw new IOException("queue " + dir + " is in use by another run" + holder + "; run one `label query` "
                    + "at a time per queue, and rerun when that one has finished (its lock goes when it ends)");
        }
        this.lockChannel = ch;
        this.lock = l;
        try {
            ch.truncate(0);
            String note = "pid " + ProcessHandle.current().pid() + " since " + Instant.now() + "\n";
            ch.write(ByteBuffer.wrap(note.getBytes(StandardCharsets.UTF_8)), 0);
            readQueries(warnings);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(200);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "" : " (" + s + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private void readQueries(Consumer<String> warnings) throws IOException {
        Path q = dir.resolve("queries.jsonl");
        if (!Files.exists(q)) {
            return;
        }
        JsonLines.Text text = JsonLines.read(q, "queries file");
        int n = text.lines().size();
        if (text.tail() > 0) {
            // The last line has no newline: an append cut short. Edgeloop writes each line whole, so keep it when
            // it is a whole question and drop it otherwise.
            String last = text.lines().get(n - 1);
            boolean whole;
            try {
                whole = question(q, n - 1, last) >= 0;
            } catch (IOException e) {
                whole = false;
            }
            if (whole) {
                Files.writeString(q, "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                warnings.accept(q + ": line " + n + " had no newline (a run ended mid-write); added it");
            } else {
                try (FileChannel ch = FileChannel.open(q, StandardOpenOption.WRITE)) {
                    ch.truncate(text.size() - text.tail());
                    ch.force(false);
                }
                warnings.accept(q + ": removed torn line " + n + " (" + text.tail() + " bytes, a run ended mid-write: "
                        + JsonLines.abbreviate(last) + "); its row may be asked again");
                n--;
            }
        }
        for (int i = 0; i < n; i++) {
            String line = text.lines().get(i);
            if (!line.isBlank()) {
                queued.add(question(q, i, line));
            }
        }
    }

    /** @return the row of a valid question line (below the number of rows when the queue knows its row ids) */
    private int question(Path q, int i, String line) throws IOException {
        JsonNode n = JsonLines.parseObject(q, i, line);
        if (!n.path("version").isInt() || n.get("version").asInt() != VERSION) {
            throw new IOException(q + ": line " + (i + 1) + " has format version " + n.path("version")
                    + "; this reader understands version " + VERSION);
        }
        if (!n.path("row").isInt() || n.get("row").asInt() < 0) {
            throw new IOException(q + ": line " + (i + 1) + " needs a non-negative integer \"row\", got "
                    + JsonLines.abbreviate(line));
        }
        int row = n.get("row").asInt();
        if (!rowIds.isEmpty() && row >= rowIds.size()) {
            throw new IOException(q + ": line " + (i + 1) + " asks row " + row + ", but the split has "
                    + rowIds.size() + " rows (0 to " + (rowIds.size() - 1) + "); was the queue made for another "
                    + "data set, or the line edited?");
        }
        return row;
    }

    @Override
    public String name() {
        return "file-queue";
    }

    @Override
    public Optional<Integer> answer(ExpertQuery q) throws IOException {
        ensureOpen();
        Integer a = answers().get(q.row());
        if (a != null) {
            return Optional.of(a);
        }
        if (!queued.contains(q.row())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", VERSION);
            m.put("row", q.row());
            if (q.row() < rowIds.size()) {
                m.put("id", rowIds.get(q.row()));
            }
            m.put("probabilities", q.probabilities());
            m.put("votes", q.votes());
            m.put("features", q.features());
            Path f = dir.resolve("queries.jsonl");
            try {
                Files.writeString(f, JsonLines.STRICT.writeValueAsString(m) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (FileSystemException e) {
                throw JsonLines.error(f + ": cannot append the question (" + JsonLines.reason(e)
                        + "); check free space and permissions", e);
            }
            queued.add(q.row());
        }
        return Optional.empty();
    }

    /**
     * @return every answer in {@code answers.jsonl}, by row
     * @throws IOException when the file is unreadable or a line is malformed
     */
    public Map<Integer, Integer> answers() throws IOException {
        return contents().answers();
    }

    /**
     * {@code answers.jsonl}, parsed again only when its size, modification time or file identity changed since the
     * last read: {@link #answer} is called once per question, and re-parsing the whole file each time made a run
     * quadratic (5,000 questions with 5,000 answers in the file: 14.7 s).
     */
    private AnswersFile.Contents contents() throws IOException {
        Path f = dir.resolve("answers.jsonl");
        Object stamp;
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(f,
                    java.nio.file.attribute.BasicFileAttributes.class);
            stamp = List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
        } catch (java.nio.file.NoSuchFileException e) {
            stamp = "absent";
        }
        if (cached == null || !stamp.equals(cachedStamp)) {
            cached = AnswersFile.read(f, numClasses, Integer.MAX_VALUE, rowsById);
            cachedStamp = stamp;
        }
        return cached;
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
        return contents().skipped();
    }

    /**
     * Reads an answers file in this queue's format ({@link AnswersFile}). An absent file has no answers.
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
     * Reads an answers file and checks every row against the pool size ({@link AnswersFile#read}).
     *
     * @param f          the file
     * @param numClasses the number of classes, to validate labels
     * @param rows       the number of rows in the pool; every answered row must be in {@code [0, rows)}
     * @return the answers by row (skipped rows are absent)
     * @throws IOException when the file is unreadable or a line is malformed or out of range (the message names
     *                     file and line)
     */
    public static Map<Integer, Integer> readAnswers(Path f, int numClasses, int rows) throws IOException {
        return AnswersFile.read(f, numClasses, rows).answers();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("queue " + dir + " is closed");
        }
    }

    /** Releases the queue's lock; idempotent. Asking after closing throws {@link IllegalStateException}. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (lock.isValid()) {
                lockChannel.truncate(0);
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }
}
