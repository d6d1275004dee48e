package io.edgeloop.buffer.relay;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.forward.DeadLetterSink;
import io.edgeloop.buffer.logging.WarningLimiter;
import io.edgeloop.buffer.transport.file.FileDropTransportProvider;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of records no receiver can ever take, kept instead of dropped: the {@link DeadLetterSink} of a
 * {@link io.edgeloop.buffer.forward.Forwarder} (records the receiver refused as never acceptable, see
 * {@link io.edgeloop.buffer.forward.Forwarder.Builder#deadLetters}), and where a gateway keeps the records of its
 * buffer that are not relayed envelopes (a record appended straight into
 * the gateway's buffer, a relayed record whose inner batch is damaged): no upstream receiver can ever take them, so
 * {@link RelayedEnvelopes#unwrapping(Transport, DeadLetterDirectory)} writes each one here and forwards the rest of
 * its batch, instead of failing the batch (which stalled the gateway's forwarder while the record was the last one,
 * with an ERROR line per retry, and skipped it for good, kept nowhere, once a later record was accepted).
 *
 * <p>The files are the {@code file-drop} transport's: one file per record, {@code batch-<key>--<key>.elb} in the
 * batch wire format ({@code docs/formats/batch-wire.md}, uncompressed: the record's key, priority and payload as
 * stored, readable with {@code io.edgeloop.buffer.receiver.DropDirectoryReader}), written to a temporary name, {@code fsync}ed, linked into place without replacing anything,
 * then the directory {@code fsync}ed. A record kept again (its batch was retried, or the gateway restarted before
 * its forwarder stored the commit) finds its own copy and adds no file. The directory is created on the first
 * record, so a gateway that never meets one leaves nothing behind. One directory serves both uses of one buffer:
 * the names are keyed by the record's key, unique within the buffer (a different record under a taken name would be
 * placed at {@code ~<n>} beside it, never over it). A gateway's refused record is kept as stored, a relayed envelope:
 * {@link RelayedEnvelopes#unwrap} gives the device's record.
 *
 * <p>Each record kept is logged once at ERROR naming the directory (the records of one process are remembered, up to
 * {@value #REMEMBERED} keys, so a retried batch does not log them again); after the first {@value #LISTED}, a flood
 * is rate-limited to one ERROR per 30 s with the count since, the rest at DEBUG. {@link #recordsKept()} counts them
 * for a summary.
 *
 * <p>Thread-safe: {@link #keep} synchronizes on a private lock.
 */
public final class DeadLetterDirectory implements DeadLetterSink {
    /** What {@link #beside(Path)} appends to the buffer directory's name. */
    public static final String SUFFIX = ".dead-letter";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDirectory.class);
    private static final int REMEMBERED = 4096;
    private static final int LISTED = 16;

    private final Path directory;
    private final Object lock = new Object();
    private final WarningLimiter limiter = new WarningLimiter(WarningLimiter.EVERY_30_SECONDS);
    /** Keys kept by this process, oldest first (so a retried batch neither writes nor logs them again). */
    private final Map<IdempotencyKey, Boolean> kept = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IdempotencyKey, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private Transport files;
    private long recordsKept;
    /** Whether this process made the directory's name durable (synced its parent). Guarded by the lock. */
    private boolean parentSynced;

    /**
     * @param directory where to keep the records (created on the first one)
     */
    public DeadLetterDirectory(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    }

    /**
     * The dead-letter directory of a gateway buffer: beside it, named after it with {@value #SUFFIX} ({@code gw}
     * keeps its dead letters in {@code gw.dead-letter}), outside the buffer directory, which holds only the buffer's
     * own files.
     *
     * @param bufferDirectory the gateway's buffer directory
     * @return its dead-letter directory
     * @throws IllegalArgumentException when the buffer directory is a file system root (nothing lies beside it)
     */
    public static DeadLetterDirectory beside(Path bufferDirectory) {
        Path abs = Objects.requireNonNull(bufferDirectory, "bufferDirectory").toAbsolutePath().normalize();
        if (abs.getFileName() == null) {
            throw new IllegalArgumentException("Buffer directory " + bufferDirectory + " is a file system root: there"
                    + " is no place beside it for its dead-letter directory; use a subdirectory");
        }
        return new DeadLetterDirectory(abs.resolveSibling(abs.getFileName() + SUFFIX));
    }

    /** @return the directory (absolute) */
    public Path directory() {
        return directory;
    }

    /**
     * @return how many records that are not relayed envelopes this instance kept (a record kept again is not
     *         counted again); records kept for a forwarder are counted in its
     *         {@link io.edgeloop.buffer.forward.ForwarderStats#recordsDeadLettered()}
     */
    public long recordsKept() {
        synchronized (lock) {
            return recordsKept;
        }
    }

    /**
     * Keeps a gateway record that is not a relayed envelope, durably, before the rest of its batch goes upstream.
     *
     * @param record the gateway record as stored
     * @param why    why it is not a relayed envelope
     * @throws TransportException (retryable) when it cannot be written: the record stays in the buffer and its
     *                            batch is tried again
     */
    void keepNotRelayed(Envelope record, String why) throws TransportException {
        synchronized (lock) {
            if (kept.containsKey(record.key())) {
                return;
            }
            try {
                write(record);
            } catch (IOException e) {
                throw new TransportException("Gateway record " + record.key() + " is not a relayed envelope (" + why
                        + ") and cannot be kept: " + e.getMessage() + "; it stays in the buffer and is tried again",
                        true, e);
            }
            recordsKept++;
            // each of the first ones on a line of its own; a flood (a whole buffer appended by hand) rate-limited
            long since = recordsKept <= LISTED ? 0 : limiter.tryWarn();
            if (since >= 0) {
                LOG.error("Gateway record {} is not a relayed envelope ({}); kept in {}, not sent upstream{}",
                        record.key(), why, directory, recordsKept <= LISTED ? "" : limiter.suffix(since));
            } else {
                LOG.debug("Gateway record {} is not a relayed envelope ({}); kept in {}, not sent upstream",
                        record.key(), why, directory);
            }
        }
    }

    /**
     * Keeps a record a forwarder's receiver refused as never acceptable, durably. Logs nothing: the forwarder logs
     * the skip once it is committed, naming the file returned.
     *
     * @param record the record as stored
     * @param reason the receiver's refusal (not stored: the batch wire format has no place for it)
     * @return the file the record is in
     * @throws IOException when it cannot be written; the forwarder keeps the record in the buffer
     */
    @Override
    public String keep(Envelope record, String reason) throws IOException {
        synchronized (lock) {
            Path file = directory.resolve(FileDropTransportProvider.fileName(record.key(), record.key()));
            if (!kept.containsKey(record.key())) {
                write(record);
            }
            return file.toString();
        }
    }

    /** Writes one record (a copy already there with the same bytes adds nothing). Called holding the lock. */
    private void write(Envelope record) throws IOException {
        try {
            Files.createDirectories(directory);
            if (!parentSynced) {
                // once per process, not only by the call that created it: a sync that failed once (or a directory
                // a crashed process created and never synced) would otherwise leave its name not durable while the
                // forwarder commits past the records in it
                syncParent();
                parentSynced = true;
            }
        } catch (IOException e) {
            throw new IOException("cannot create " + directory + ": " + e, e);
        }
        if (files == null) {
            files = new FileDropTransportProvider().create(ComponentConfig.builder()
                    .put("uri", directory.toUri().toString()).put("compression", "none").build());
        }
        files.send(Batch.of(List.of(record)));
        kept.put(record.key(), Boolean.TRUE);
    }

    /** Makes the new directory's own name durable; POSIX file systems allow fsync on a directory opened to read. */
    private void syncParent() throws IOException {
        Path parent = directory.getParent();
        if (parent == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(parent, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public String toString() {
        return "dead-letter directory " + directory;
    }
}
