package io.edgeloop.buffer;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.cursor.CursorFile;
import io.edgeloop.buffer.log.AtomicFile;
import io.edgeloop.buffer.log.BufferIdentity;
import io.edgeloop.buffer.log.ChannelOpener;
import io.edgeloop.buffer.log.FrameFormat;
import io.edgeloop.buffer.log.FrameScanner;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.LossLog;
import io.edgeloop.buffer.log.LossReport;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.log.SegmentIndex;
import io.edgeloop.buffer.log.SegmentSummary;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.log.StreamStats;
import io.edgeloop.buffer.logging.WarningLimiter;
import io.edgeloop.buffer.metrics.BufferMetrics;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.policy.StreamPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable store-and-forward buffer: a segmented, append-only log on local disk.
 *
 * <p>Every record is one frame carrying its length, stream, priority, sequence, timestamp, a CRC-32C of its header
 * and one of its payload (format in {@code docs/formats/buffer.md}). Nothing is rewritten once appended, so flash
 * wear is one write per byte plus one sync per policy period. Sequences start at 1 per stream, survive restarts,
 * and together with the device id and the buffer's epoch form each record's
 * {@link io.edgeloop.api.record.IdempotencyKey}.
 *
 * <p>Opening recovers: sealed segments are trusted through their footers; the last segment is scanned, a torn
 * tail is cut off, corrupt frames are skipped and reported in {@link #lossReport()} (with a copy of the bytes in
 * {@code quarantine/}). Opening never fails because of what the files contain, except for intact files of an
 * incompatible format version ({@link IncompatibleFormatException}).
 *
 * <p>{@link #append} returns once the record is durable under the {@link Durability} policy;
 * {@link #appendAsync} returns once the record is written (under group commit: staged, to be written with its
 * neighbours in one write before the sync) and completes its future once it is durable. Consumers read
 * through named {@link Cursor}s that advance only when they {@linkplain Cursor#commit commit} acknowledged records;
 * segments every cursor has passed are deleted at once. A disk budget with per-stream {@link StreamPolicy}s bounds
 * the space used. A full file system raises {@link DiskFullException} once an append that met it has reclaimed
 * what every cursor acknowledged and written again in vain; appends work again once space frees. Under group commit
 * a batch that meets it in a fully acknowledged active segment cannot retire that segment (it holds the batch's
 * frames): the batch is written again only after sealed segments were reclaimed, so it may fail, and the next append
 * retires the segment before writing.
 * A segment file deleted under a running buffer by something else is a loss, reported in {@link #lossReport()}
 * ({@code MISSING_SEGMENT}, per stream with the sequences); when it is the segment being written, the appends not
 * yet durable fail rather than be reported durable into a file nobody can open again, and appends go on in a new
 * segment.
 *
 * <p>Thread-safe: any number of threads may append, read and commit concurrently. Appends are serialized by one
 * lock; syncs under group commit run on a background thread outside that lock; reads use positional I/O outside
 * it. {@link #close()} is idempotent. After it, appends, reads, cursor operations ({@code cursor}, {@code poll},
 * {@code commit}, {@code rewind}, {@code deleteCursor}) and {@link #reclaim()} throw {@link IllegalStateException};
 * the accessors that only report ({@link #metrics()}, {@link #lossReport()}, {@link #durablePosition()},
 * {@link #lastSequence}, {@link #streams()}, {@link #cursorNames()}, {@code committedPosition},
 * {@code readPosition}) keep answering with the values at close, so a caller can report on a buffer it closed. Across processes: one
 * writable open per directory at a time (an OS file lock, {@link BufferLockedException} for the second); read-only
 * opens may run beside it.
 */
public final class DurableBuffer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DurableBuffer.class);
    private static final String CURSORS = "cursors";
    private static final String QUARANTINE = "quarantine";
    private static final long MAX_QUARANTINE_COPY = 1 << 20;
    /** Quarantine total without a disk budget; with one, a sixteenth of the budget. */
    private static final long DEFAULT_QUARANTINE_CAP = 64L << 20;
    /** Ballast kept on disk so that cursors can still commit (and so free space) when the disk is full. */
    private static final String RESERVE = "reserve.bin";
    private static final int RESERVE_BYTES = 64 * 1024;
    /**
     * The least size of the write buffer, which under group commit stages frames for one write: 64 KiB holds about
     * 600 records of 100 bytes, so a write costs one syscall per 600 records instead of one each.
     */
    private static final int STAGING_BYTES = 64 * 1024;
    /**
     * How many sequences one reservation covers: the {@code sequences} file is rewritten (three syncs) once per
     * this many sequences handed out, and after the end of the log is lost, sequences jump by at most this much.
     */
    static final long RESERVATION_BLOCK = 1 << 16;
    /**
     * The most records one segment can hold (1 GiB of the smallest frames): how far sequences jump after the end of
     * the log of a buffer written before format 1.2 (no reservation) is lost.
     */
    private static final long MAX_SEGMENT_RECORDS = (1L << 30) / FrameFormat.frameSize(1, 0) + 1;
    /**
     * Under durability none (no sync to check after), how often an append looks whether the active segment's file
     * is still there: one {@code stat} per 10 ms at most.
     */
    private static final long PRESENCE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How often an append refused for a released reserve tries to bring it back. */
    private static final long RESERVE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Path dir;
    private final String deviceId;
    private final long epoch;
    private final Durability durability;
    private final CursorSync cursorSync;
    private final long segmentBytes;
    private final long budgetBytes;
    private final Map<String, StreamPolicy> policies;
    private final StreamPolicy defaultPolicy;
    private final Clock clock;
    private final ChannelOpener opener;
    private final boolean readOnly;
    private final DurabilityListener listener;
    /** Test seam: told of each step of a roll (see {@link RollStep}). */
    private final Consumer<RollStep> rollSteps;
    private final LossLog losses = new LossLog();
    /** Guards the quarantine directory's files and their total (read by readers outside the buffer's lock). */
    private final Object quarantineLock = new Object();
    /** Quarantined copies, oldest first, with their sizes. */
    private final LinkedHashMap<Path, Long> quarantined = new LinkedHashMap<>();
    private final long quarantineCap;
    private volatile long quarantineTotal;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition durableAdvanced = lock.newCondition();
    private final Condition syncNeeded = lock.newCondition();
    private final Condition spaceFreed = lock.newCondition();

    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final Map<String, long[]> lastSeq = new HashMap<>();
    private final Map<String, Long> notifiedSeq = new HashMap<>();
    /**
     * Serialises listener calls: they are made on whichever thread advanced the watermark (the sync thread, an
     * appender sealing a segment, a flush), after the buffer's lock is released, so two threads' calls could
     * otherwise arrive in either order. Guards {@link #deliveredSeq}.
     */
    private final Object notifyLock = new Object();
    /** The highest sequence per stream the listener was told of; guarded by {@link #notifyLock}. */
    private final Map<String, Long> deliveredSeq = new HashMap<>();
    private final Map<String, byte[]> streamNames = new HashMap<>();
    private final Map<String, CursorImpl> cursors = new LinkedHashMap<>();
    private final ArrayDeque<PendingAppend> pending = new ArrayDeque<>();
    /** What the {@code sequences} file holds: sequences of deleted records and cursors, never to be reissued. */
    private SequenceMarks marks = new SequenceMarks(Map.of());
    private final CRC32C writeCrc = new CRC32C();
    /**
     * Allocated by the first append (a buffer opened only to be drained never needs it). Under group commit it is
     * the staging buffer: frames not yet written, which belong at {@link #stagedFrom} in the active segment.
     */
    private ByteBuffer writeBuf = ByteBuffer.allocateDirect(0);
    /** Under group commit: the active segment's file offset of the first staged frame, or -1 when none is staged. */
    private long stagedFrom = -1;
    /**
     * A failed write or sync under group commit that no caller has been told of yet: the failed appends' futures
     * carry it, and the next {@code appendAsync}/{@code append} or {@code flush} on any thread throws it once, so a
     * caller that never looks at its futures still learns that records were not stored.
     */
    private IOException unreportedFailure;
    /** Whether the active segment's summary may count frames that are gone (a recount after a cut failed). */
    private boolean summaryStale;
    /**
     * Set when the lock holder's interrupt was set aside by a staged write; the public method it runs in restores
     * it on the way out (restoring it earlier would close the channel under that method's next I/O).
     */
    private boolean interruptSetAside;
    /** Set when cutting a failed write off the active segment failed: its tail may hold unsynced frames. */
    private boolean tailUncut;
    /** Under durability none: when an append last looked whether the active segment's file is still there. */
    private long lastPresenceCheck;
    /** Whether this open appended (so close looks whether the active segment is still there; a drain does not). */
    private boolean appendedHere;

    private Segment active;
    private long minNextBase;
    private long indexEntries;
    /** {@link #dropIndexForSpace} deleted the index to make room; {@link #rebuildDroppedIndex} writes it again. */
    private boolean indexDropped;
    private long written;
    private long durable;
    private long forced;
    private long totalBytes;
    private long firstPendingNanos;
    private boolean closed;
    private long droppedByPolicy;
    private long ttlCountedUpTo;
    private long syncs;
    private long syncNanosTotal;
    private long syncNanosMax;
    /**
     * How many times a failed sync cut the unsynced tail off and failed the pending appends: a sync that ran
     * outside the lock while this changed covered frames that are gone, so its outcome is void.
     */
    private long syncFailures;
    /**
     * Set when the file system ran full (a write failed with ENOSPC or the reserve had to be released) and cleared
     * once the reserve is back, or once the active segment it made a reclaim retire is gone and the file system has
     * room for a new one ({@link #spaceRecovered}): while set, reclaiming may retire a fully acknowledged active
     * segment. Process memory only, so reclaiming also retires it when the file system has no room to roll it
     * ({@link #activeCannotRoll}).
     */
    private volatile boolean spaceShort;
    /**
     * Set while the buffer released {@code reserve.bin} (a write of the cursor or sequence files hit ENOSPC) or could
     * not create it, and cleared once it is back. While set, appends are refused without writing: the space the
     * reserve freed is the cursor commits', which free more; an appender writing into it left a full disk without
     * a reserve, where no commit (in this process or the next) could be stored and nothing was ever freed again.
     */
    private volatile boolean reserveReleased;
    /** When an append last tried to bring the released reserve back ({@link System#nanoTime()}). */
    private long lastReserveAttempt;
    /** Held while open for writing, so no second writer opens the directory; null when read-only. */
    private final DirectoryLock dirLock;
    /** Whether the {@code sequences} file was damaged, or missing where format 1.2 always writes it. */
    private boolean marksUnknown;
    /** Whether this open's recovery already raised the sequence floor (it raises it once, by one bound). */
    private boolean floorRaisedOnOpen;
    /** Set by recovery when the log ends in a sealed segment beside the next one's temporary file. */
    private boolean rollInterrupted;
    /**
     * The bases of the next segments a roll had started ({@code seg-<base>.log.tmp}) when the last writer stopped:
     * set by the constructor for recovery, which tells a roll in progress from a lost end of the log by them.
     */
    private Set<Long> rollsStarted = Set.of();
    /** Temporary files an interrupted write left, as this open found them (a writable open deleted them). */
    private final List<String> leftoverTemps = new ArrayList<>();
    /**
     * Per stream, the highest sequence reported lost from a sealed segment truncated outside the buffer (the
     * segment index told what it held): the sequence-gap check does not report those again. Guarded by the lock.
     */
    private final Map<String, Long> truncatedLost = new HashMap<>();
    /** One WARN line per 30 s for writes failing on a full disk (each failure used to log a stack trace). */
    private final WarningLimiter diskFullWarnings = new WarningLimiter(WarningLimiter.EVERY_30_SECONDS);
    /** Lost tails found by {@link #recoverTruncated} whose sequence marks may need raising. Guarded by the lock. */
    private final Map<String, Long> truncatedTails = new HashMap<>();
    private final Thread syncThread;

    private DurableBuffer(Builder b, DirectoryLock dirLock) throws IOException {
        this.dirLock = dirLock;
        this.dir = b.directory;
        this.durability = b.durability;
        this.cursorSync = b.cursorSync;
        this.segmentBytes = b.segmentBytes;
        this.budgetBytes = b.budgetBytes;
        this.policies = Map.copyOf(b.policies);
        this.defaultPolicy = b.defaultPolicy;
        this.clock = b.clock;
        this.opener = b.opener;
        this.readOnly = b.readOnly;
        this.listener = b.listener;
        this.rollSteps = b.rollSteps;
        this.quarantineCap = budgetBytes == Long.MAX_VALUE ? DEFAULT_QUARANTINE_CAP : budgetBytes / 16;
        // One listing of the directory, then reads of files known to exist: every buffer open used to look for
        // files most buffers never have (sequences, segments.idx, quarantine/), at a syscall each, and a gateway
        // opens ten thousand buffers per drain. A writable open holds the directory lock, so nothing else creates
        // files here meanwhile; a read-only open reads a directory a writer may change anyway.
        Set<String> names = listNames(dir);
        if (!readOnly && !names.contains(CURSORS)) {
            Files.createDirectories(dir.resolve(CURSORS));
        }
        List<Long> bases = segmentBases(names);
        Optional<BufferIdentity> id = names.contains(BufferIdentity.FILE) ? BufferIdentity.read(dir)
                : Optional.empty();
        BufferIdentity identity;
        if (id.isPresent()) {
            identity = id.get();
            if (b.deviceId != null && !identity.deviceId().isBlank() && !identity.deviceId().equals(b.deviceId)) {
                // The keys of the records already held would change: a receiver's de-duplication would miss the
                // ones sent before (duplicates) and credit everything to another device. Checked before anything
                // is written.
                throw new IOException("Buffer " + dir + " belongs to device '" + identity.deviceId() + "' ("
                        + BufferIdentity.FILE + ") but was opened as device '" + b.deviceId + "': open it as '"
                        + identity.deviceId() + "' (or without a device id, to use the stored one), or use another "
                        + "directory for '" + b.deviceId + "'");
            }
        } else {
            Optional<Long> fromSegments = epochFromSegments(bases);
            boolean existed = names.contains(BufferIdentity.FILE);
            if (existed || fromSegments.isPresent()) {
                losses.record(new Loss(BufferIdentity.FILE, 0, 0, Loss.Kind.IDENTITY, ""));
            }
            long e = fromSegments.orElseGet(() -> new SecureRandom().nextLong() & Long.MAX_VALUE);
            identity = new BufferIdentity(e, b.deviceId == null ? "device" : b.deviceId, clock.millis());
            if (!readOnly) {
                identity.write(dir);
                if (!names.contains(SequenceMarks.FILE) && fromSegments.isEmpty()) {
                    // a new buffer: from now on its sequences file always exists, so its absence means it was
                    // deleted (a wipe that kept buffer.id), not "never needed"
                    new SequenceMarks(Map.of()).write(dir);
                    names.add(SequenceMarks.FILE);
                }
            }
        }
        Optional<SequenceMarks> storedMarks = names.contains(SequenceMarks.FILE) ? SequenceMarks.read(dir)
                : Optional.of(new SequenceMarks(Map.of()));
        if (id.isPresent() && !names.contains(SequenceMarks.FILE) && BufferIdentity.writtenWithSequencesFile(dir)) {
            // Since format 1.2 the file exists from the buffer's creation (or its first append): gone, which
            // sequences were handed out is unknown (segments and sequences wiped, buffer.id kept), as when damaged.
            // A read-only open says so too (it used to report nothing, and every reclaimed record as a gap).
            storedMarks = Optional.empty();
        }
        marksUnknown = storedMarks.isEmpty();
        if (storedMarks.isEmpty() && !readOnly) {
            // Which sequences were handed out is unknown, so treat the buffer like one recreated from nothing: a
            // new epoch makes every later key new. The cost is duplicates: records still held are sent again under
            // new keys. Identity first: a crash before the marks are rewritten only renews the epoch once more.
            // (A lost end of the log needs no new epoch: the reservation in the marks bounds what it used.)
            long renewed;
            do {
                renewed = new SecureRandom().nextLong() & Long.MAX_VALUE;
            } while (renewed == identity.epoch());
            LOG.warn("Buffer {}: {} is damaged; renewing the epoch ({} -> {}) so no idempotency key repeats", dir,
                    SequenceMarks.FILE, identity.epoch(), renewed);
            identity = new BufferIdentity(renewed, identity.deviceId(), clock.millis());
            identity.write(dir);
        }
        this.epoch = identity.epoch();
        this.deviceId = b.deviceId != null ? b.deviceId
                : identity.deviceId().isBlank() ? "device" : identity.deviceId();
        for (String name : names) {
            if (isLeftoverTemp(name)) {
                leftoverTemps.add(name);
            }
        }
        Set<Long> started = new HashSet<>();
        for (String name : leftoverTemps) {
            Segment.parseTempBase(name).ifPresent(started::add);
        }
        rollsStarted = started;
        try {
            if (!readOnly || names.contains(CURSORS)) {
                loadCursors();
            }
            loadMarks(storedMarks);
            if (!readOnly && names.contains(QUARANTINE)) {
                loadQuarantine();
            } else if (names.contains(QUARANTINE)) {
                listQuarantineTemps();
            }
            recover(bases, names.contains(SegmentIndex.FILE), names.contains(SequenceMarks.FILE));
            if (!readOnly) {
                deleteLeftoverTemps();
            }
            if (!readOnly && active != null && !dirLock.previousClosedCleanly()) {
                // Recovery counts every frame it found as synced, but after a process crash the tail may still be in
                // the page cache only. Deferred commits and deleteCursor (which writes no sequence mark for what the
                // synced segments hold) rely on frames below the synced mark being on the device, so make that true:
                // one fdatasync on a writable open, unless the last writer closed cleanly (its close synced
                // everything, and the lock note says nobody wrote since). Even on a clean file an fdatasync flushes
                // the disk's cache: it was the largest cost of a gateway opening ten thousand buffers per drain.
                timedForce(active.channel());
            }
            if (!readOnly) {
                if (active != null && active.summary().records() > 0 && minCommitted() >= written) {
                    // every cursor passed the log's end in an earlier process (a drain killed before its last
                    // reclaim, one of an older SDK, or a disk filled by something else since): retire the active
                    // segment now if the disk is short, before the reserve below needs room
                    lock.lock();
                    try {
                        reclaimLocked();
                    } finally {
                        lock.unlock();
                    }
                }
                ensureReserve();
                if (reserveReleased) {
                    // said once here, where the owner looks first; each refused append says it again in its failure
                    LOG.warn("Buffer {}: the disk is full, {} could not be created ({}); appends are refused until"
                            + " cursor commits let acknowledged segments be reclaimed, or space is freed", dir,
                            RESERVE, spaceReport());
                }
                dirLock.recovered();
            }
        } catch (IOException | RuntimeException | Error e) {
            // the open fails: release the descriptors it took (pending slots kept for commits, segment channels)
            closeKeptSlots();
            for (Segment seg : segments.values()) {
                seg.closeQuietly();
            }
            throw e;
        }
        if (durability.mode() == Durability.Mode.GROUP && !readOnly) {
            syncThread = new Thread(this::syncLoop, "edgeloop-buffer-sync-" + dir.getFileName());
            syncThread.setDaemon(true);
            syncThread.start();
        } else {
            syncThread = null;
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether {@code dir} is a buffer directory: a directory holding any of a buffer's files (a damaged buffer still
     * counts). Reads the directory only; nothing is created or locked. For callers that must not write their own
     * files into a buffer (a file-drop destination).
     *
     * @param dir the directory
     * @return whether it holds a buffer; false when it is missing or not a directory
     * @throws IOException when the directory cannot be listed
     */
    public static boolean isBufferDirectory(Path dir) throws IOException {
        return Files.isDirectory(Objects.requireNonNull(dir, "dir")) && holdsBuffer(dir);
    }

    /** Whether {@code dir} holds any of a buffer's files (a damaged buffer still counts). */
    private static boolean holdsBuffer(Path dir) throws IOException {
        if (Files.exists(dir.resolve(BufferIdentity.FILE)) || Files.exists(dir.resolve(SequenceMarks.FILE))
                || Files.isDirectory(dir.resolve(CURSORS))) {
            return true;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Segment.parseBase(p.getFileName().toString()).isPresent()) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------- recovery

    /**
     * The names in a directory. {@link java.io.File#list} reads it with about half the syscalls of a
     * {@link DirectoryStream}; when it fails (it only says null), the stream is used for the error it throws. A
     * directory of another file system (the tests' power-cut file system) has no {@code File}: the stream lists it.
     */
    private static Set<String> listNames(Path dir) throws IOException {
        String[] listed = dir.getFileSystem() == FileSystems.getDefault() ? dir.toFile().list() : null;
        Set<String> names = new HashSet<>();
        if (listed != null) {
            Collections.addAll(names, listed);
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    /**
     * Whether a name in the buffer directory (or {@code cursors/<name>} in its cursors directory) is a temporary
     * file the buffer writes and renames: {@code seg-<base>.log.tmp} (a roll), and {@code <file>.tmp} of the files
     * it replaces atomically ({@code buffer.id}, {@code sequences}, {@code segments.idx}, cursor files). A crash
     * between writing one and renaming it leaves it behind.
     */
    private static boolean isLeftoverTemp(String name) {
        if (!name.endsWith(".tmp")) {
            return false;
        }
        String target = name.substring(0, name.length() - 4);
        if (target.startsWith(CURSORS + "/")) {
            String cursor = target.substring(CURSORS.length() + 1);
            return cursor.endsWith(CursorFile.SUFFIX) && cursor.indexOf('/') < 0;
        }
        if (target.startsWith(QUARANTINE + "/")) {
            return isQuarantineCopy(target.substring(QUARANTINE.length() + 1));
        }
        return target.equals(BufferIdentity.FILE) || target.equals(SequenceMarks.FILE)
                || target.equals(SegmentIndex.FILE) || Segment.parseBase(target).isPresent();
    }

    /** Whether a name in {@code quarantine/} is one the buffer gives a copy: {@code <segment file>@<offset>.bad}. */
    private static boolean isQuarantineCopy(String name) {
        int at = name.lastIndexOf('@');
        return at > 0 && name.endsWith(".bad") && Segment.parseBase(name.substring(0, at)).isPresent()
                && name.substring(at + 1, name.length() - 4).chars().allMatch(Character::isDigit);
    }

    /** Lists the temporary files an interrupted quarantine copy left (read-only opens, which load no copies). */
    private void listQuarantineTemps() throws IOException {
        for (String name : listNames(dir.resolve(QUARANTINE))) {
            if (isLeftoverTemp(QUARANTINE + "/" + name)) {
                leftoverTemps.add(QUARANTINE + "/" + name);
            }
        }
    }

    /**
     * Deletes the temporary files an interrupted write left (after recovery, which read the roll's as evidence):
     * their targets are intact (the rename never happened), and they would otherwise stay for good. Best effort.
     */
    private void deleteLeftoverTemps() {
        for (String name : leftoverTemps) {
            try {
                if (Files.deleteIfExists(dir.resolve(name))) {
                    LOG.info("Buffer {}: deleted {}, left by a write a crash interrupted before its rename", dir,
                            name);
                }
            } catch (IOException e) {
                LOG.warn("Buffer {}: could not delete the leftover temporary file {}", dir, name, e);
            }
        }
    }

    private static List<Long> segmentBases(Set<String> names) {
        List<Long> bases = new ArrayList<>();
        for (String name : names) {
            Segment.parseBase(name).ifPresent(bases::add);
        }
        Collections.sort(bases);
        return bases;
    }

    private Optional<Long> epochFromSegments(List<Long> bases) throws IOException {
        // newest first: segments written after an epoch renewal carry the renewed epoch
        for (int i = bases.size() - 1; i >= 0; i--) {
            long base = bases.get(i);
            try (FileChannel ch = FileChannel.open(dir.resolve(Segment.fileName(base)), StandardOpenOption.READ)) {
                ByteBuffer h = ByteBuffer.allocate(FrameFormat.SEGMENT_HEADER);
                while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
                    // read the header
                }
                if (!h.hasRemaining() && headerValid(h)) {
                    return Optional.of(h.getLong(24));
                }
            } catch (NoSuchFileException reclaimed) {
                // deleted since the listing (read-only, beside a writer): the next older one tells
            }
        }
        return Optional.empty();
    }

    private static boolean headerValid(ByteBuffer h) {
        CRC32C c = new CRC32C();
        c.update(h.array(), 0, 32);
        for (int i = 0; i < 8; i++) {
            if (h.get(i) != "ELBUFSEG".charAt(i)) {
                return false;
            }
        }
        return (int) c.getValue() == h.getInt(32);
    }

    private void loadCursors() throws IOException {
        Path cdir = dir.resolve(CURSORS);
        if (readOnly && !Files.isDirectory(cdir)) {
            return;
        }
        // one listing, then reads of files known to exist: no failed opens on the path of every buffer open
        Set<String> files = listNames(cdir);
        for (String fname : new TreeSet<>(files)) {
            if (isLeftoverTemp(CURSORS + "/" + fname)) {
                leftoverTemps.add(CURSORS + "/" + fname);
                continue;
            }
            if (!fname.endsWith(CursorFile.SUFFIX)) {
                continue;
            }
            Path p = cdir.resolve(fname);
            String name = fname.substring(0, fname.length() - CursorFile.SUFFIX.length());
            Optional<CursorFile> cf;
            try {
                CursorFile.checkName(name);
                cf = CursorFile.read(p);
            } catch (IllegalArgumentException e) {
                continue;
            }
            // a deferred commit newer than the synced state may have survived in a pending slot: take the latest
            // (at most it moves the cursor forward); the next deferred commit goes to the other slot
            CursorFile state = cf.orElse(null);
            int latestSlot = -1;
            // Under deferred commits the slots are opened for writing as well, and the one the next commit
            // overwrites stays open for it: a gateway that opens a buffer, commits once and closes it then opens
            // that slot once, not twice.
            boolean keep = !readOnly && cursorSync == CursorSync.DEFERRED;
            FileChannel[] slotChannels = new FileChannel[2];
            long[] slotLengths = new long[2];
            try {
                for (int slot = 0; slot < 2; slot++) {
                    if (!files.contains(name + CursorFile.PENDING_SUFFIX + slot)) {
                        continue;
                    }
                    Path sp = CursorFile.pendingFile(cdir, name, slot);
                    Optional<CursorFile> pending;
                    if (keep) {
                        slotChannels[slot] = openSlot(sp);
                        byte[] bytes = slotChannels[slot] == null ? new byte[0]
                                : AtomicFile.read(slotChannels[slot], sp);
                        slotLengths[slot] = bytes.length;
                        pending = parsePending(bytes, sp, name);
                    } else {
                        pending = readPending(sp, name);
                    }
                    if (pending.isPresent() && (state == null || pending.get().position() >= state.position())) {
                        latestSlot = slot;
                    }
                    if (pending.isPresent()) {
                        state = state == null ? pending.get() : state.laterOf(pending.get());
                    }
                }
                CursorImpl c;
                if (state == null) {
                    losses.record(new Loss(CURSORS + "/" + fname, 0, Files.size(p), Loss.Kind.CURSOR_RESET, ""));
                    c = new CursorImpl(name, 0, new HashMap<>());
                } else {
                    c = new CursorImpl(name, state.position(), new HashMap<>(state.acked()));
                    CursorFile synced = cf.orElse(null);
                    if (!readOnly && (synced == null || synced.position() != state.position()
                            || !synced.acked().equals(state.acked()))) {
                        // The state came from a pending slot, which an earlier run wrote without syncing: it is
                        // this run's to sync (syncCursors, and before any segment is deleted), as if committed
                        // here. Without this, syncCursors() after a restart wrote nothing and a power cut then
                        // took the cursor back to its synced file (PowerCutTest, deferred cursor: position 0
                        // after a commit at 2857 that syncCursors had reported durable;
                        // PowerCutFindingsTest.deferredCommitOfAnEarlierRunIsSyncedAfterARestart).
                        c.unsynced.set(state);
                    }
                }
                c.nextSlot = latestSlot == 0 ? 1 : 0;
                c.keptSlot = slotChannels[c.nextSlot];
                c.keptSlotIndex = c.nextSlot;
                c.keptSlotLength = slotLengths[c.nextSlot];
                slotChannels[c.nextSlot] = null;
                cursors.put(name, c);
            } finally {
                closeQuietly(slotChannels[0]);
                closeQuietly(slotChannels[1]);
            }
        }
    }

    /** Opens a pending slot for reading and writing, or returns null when it is gone. */
    private static FileChannel openSlot(Path p) throws IOException {
        try {
            return FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read only so far, or already written and closed by its commit
            }
        }
    }

    /** Parses a pending slot's bytes; an empty, damaged or foreign one is ignored, as by {@link #readPending}. */
    private static Optional<CursorFile> parsePending(byte[] bytes, Path p, String name) {
        try {
            return CursorFile.parse(bytes, p).filter(c -> c.name().equals(name));
        } catch (IncompatibleFormatException e) {
            LOG.warn("Ignoring {}: {}", p, e.getMessage());
            return Optional.empty();
        }
    }

    /** Closes the pending slot channels kept for the cursors' next deferred commits. Caller holds the lock. */
    private void closeKeptSlots() {
        for (CursorImpl c : cursors.values()) {
            synchronized (c.fileLock) {
                closeQuietly(c.keptSlot);
                c.keptSlot = null;
            }
        }
    }

    /** Reads a pending slot; an empty, damaged or foreign one (a power loss caught it unsynced) is ignored. */
    private static Optional<CursorFile> readPending(Path p, String name) throws IOException {
        try {
            return CursorFile.read(p).filter(c -> c.name().equals(name));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IncompatibleFormatException e) {
            LOG.warn("Ignoring {}: {}", p, e.getMessage());
            return Optional.empty();
        }
    }

    private void loadMarks(Optional<SequenceMarks> stored) throws IOException {
        if (stored.isPresent()) {
            marks = stored.get();
            return;
        }
        Path file = dir.resolve(SequenceMarks.FILE);
        losses.record(new Loss(SequenceMarks.FILE, 0, Files.exists(file) ? Files.size(file) : 0,
                Loss.Kind.SEQUENCES, ""));
        if (readOnly) {
            LOG.warn("Buffer {}: {} is damaged; a writable open will renew the epoch", dir, SequenceMarks.FILE);
            return;
        }
        // the epoch is new, so no mark is needed: an intact empty file stops the next open renewing it again
        marks = new SequenceMarks(Map.of());
        marks.write(dir);
    }

    /**
     * Raises the persisted high-water marks before the records or cursor they cover are deleted. Caller holds the
     * lock. On a full disk, releases the ballast and tries once more.
     */
    private void persistMarks(Map<String, Long> covering) throws IOException {
        storeMarks(marks.raisedBy(covering), "no segment was reclaimed and no record lost; reclaiming resumes once"
                + " space is freed");
    }

    /**
     * The marks for a log this buffer empties on purpose (it retires or loses its active segment): every stream's
     * mark raised to the last sequence it handed out, and the reservation lowered to the highest of them. No
     * sequence above that was handed out (the caller holds the lock), so this is still a true reservation, and the
     * next open, finding no segment (or the log ending sealed), sees that the marks cover every sequence handed out
     * instead of taking the empty log for a lost end. The next append raises the reservation again. Caller holds
     * the lock.
     */
    private SequenceMarks marksCoveringAllHandedOut() {
        Map<String, Long> all = new HashMap<>();
        for (Map.Entry<String, long[]> e : lastSeq.entrySet()) {
            all.put(e.getKey(), e.getValue()[0]);
        }
        SequenceMarks raised = marks.raisedBy(all);
        long top = Math.max(raised.floor(), highestMark(raised));
        if (top <= 0 || top >= raised.reserved()) {
            return raised;
        }
        return new SequenceMarks(raised.sequences(), raised.floor(), top);
    }

    private static long highestMark(SequenceMarks m) {
        long top = 0;
        for (long v : m.sequences().values()) {
            top = Math.max(top, v);
        }
        return top;
    }

    /**
     * Replaces the {@code sequences} file with {@code raised} (nothing when it equals the current marks). On a
     * full disk, releases the ballast and tries once more. Caller holds the lock (or is the constructor).
     *
     * @param consequence what a failure means, for its message
     */
    private void storeMarks(SequenceMarks raised, String consequence) throws IOException {
        if (raised == marks) {
            return;
        }
        try {
            raised.write(dir);
        } catch (IOException e) {
            if (!DiskFullException.isDiskFull(e)) {
                throw e;
            }
            boolean freed = releaseReserve();
            try {
                raised.write(dir);
            } catch (IOException again) {
                throw diskFullOr(again, "writing " + SequenceMarks.FILE, consequence + toFree(freed));
            }
        }
        marks = raised;
    }

    /**
     * The end of the log was lost while no writer had it open (see {@code docs/formats/buffer.md}, recovery): the
     * records there may have been read and sent, and no file tells which sequences they used any more. Raises the
     * floor above every sequence that may have been handed out, and persists it before recovery repairs anything
     * (a repaired log no longer shows the loss). Only for a writable open; the constructor calls it.
     *
     * @param why     what was found, for the log
     * @param scanned the summary of the last segment's frames found so far, or null
     */
    private void floorAfterLostEnd(String why, SegmentSummary scanned) throws IOException {
        if (readOnly) {
            return;
        }
        if (floorRaisedOnOpen) {
            // this open already raised the floor above everything the files showed (plus the bound for what they
            // do not): a second finding (the log then ends sealed, once the short last segment is deleted) adds
            // nothing, and adding the bound again would double the jump
            return;
        }
        long known = 0;
        for (long[] s : lastSeq.values()) {
            known = Math.max(known, s[0]);
        }
        for (long v : marks.sequences().values()) {
            known = Math.max(known, v);
        }
        for (CursorImpl c : cursors.values()) {
            for (long v : c.acked.values()) {
                known = Math.max(known, v);
            }
        }
        if (scanned != null) {
            for (StreamStats st : scanned.streams().values()) {
                known = Math.max(known, st.lastSeq());
            }
        }
        // Every sequence handed out is at most the reservation. A buffer written before 1.2 has none: the lost
        // records were in one segment, which holds at most MAX_SEGMENT_RECORDS. A reservation that a sequence found
        // reaches is stale, not a bound: a writer before 1.2 (a downgrade) appended past it without raising it, so
        // it is treated as absent. (A sequence equal to it may be the last one of a fresh block; taking it as stale
        // then only costs a larger jump.) The floor itself is no finding: an earlier open set it, at most at R.
        // (Marks that reach the reservation, written when the buffer emptied the log on purpose, make it a bound
        // even when a sequence found equals it.)
        boolean bound = marks.reserved() > known || (marks.reserved() > 0 && marks.reserved() == known
                && marks.reserved() <= Math.max(marks.floor(), highestMark(marks)));
        long floor = bound ? marks.reserved() : known + MAX_SEGMENT_RECORDS;
        floor = Math.max(floor, marks.floor());
        SequenceMarks raised = marks.floorAt(floor);
        floorRaisedOnOpen = true;
        if (raised != marks) {
            LOG.warn("Buffer {}: {}; records there may have been lost, and which sequences they used is unknown, so"
                    + " every stream continues above {}", dir, why, floor);
            storeMarks(raised, "the buffer cannot be opened for writing until space is freed (nothing was changed)");
        }
    }

    /**
     * Raises the reservation before a frame with sequence {@code seq} is written, when it is above it. Caller holds
     * the lock.
     */
    private void reserveSequences(long seq) throws IOException {
        if (seq > marks.reserved()) {
            storeMarks(marks.reservedUpTo(seq - 1 + RESERVATION_BLOCK), "the record was not stored. Appends work"
                    + " again once space is freed");
        }
    }

    /**
     * The part of per-stream sequences that synced segments do not already remember (so deleting a cursor writes
     * nothing in the common case where its records are still held). Caller holds the lock.
     */
    private Map<String, Long> notOnDisk(Map<String, Long> seqs) {
        Map<String, Long> out = new HashMap<>();
        for (Map.Entry<String, Long> e : seqs.entrySet()) {
            long known = marks.sequences().getOrDefault(e.getKey(), 0L);
            for (Segment seg : segments.values()) {
                // the active segment's frames count only once synced: a power loss may take the rest
                if (seg != active || forced >= seg.endPosition()) {
                    StreamStats st = seg.summary().streams().get(e.getKey());
                    if (st != null) {
                        known = Math.max(known, st.lastSeq());
                    }
                }
            }
            if (e.getValue() > known) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * The marks deleting {@code victims} writes: per stream the highest sequence they hold, raised to just below the
     * stream's first sequence in the oldest segment left when that one follows the victims without a hole in the
     * log positions. The sequences in between were in no segment: appends that failed (a full disk; the frames were
     * cut off and their callers told) or a floor's jump. Without this, once the segment before them was gone, every
     * later open reported them as lost ({@code SEQUENCE_GAP}). Caller holds the lock.
     */
    private Map<String, Long> reclaimMarks(List<Segment> victims) {
        Map<String, Long> m = lastSequences(victims);
        Set<Segment> gone = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        gone.addAll(victims);
        long end = -1;
        Segment next = null;
        for (Segment seg : segments.values()) {
            if (!gone.contains(seg)) {
                next = seg;
                break;
            }
            if (end >= 0 && seg.base() != end) {
                return m; // a hole among the victims: what it held is unknown
            }
            end = seg.endPosition();
        }
        if (next == null || end < 0 || next.base() != end) {
            return m;
        }
        for (Map.Entry<String, StreamStats> e : next.summary().streams().entrySet()) {
            Long held = m.get(e.getKey());
            if (held != null && e.getValue().firstSeq() - 1 > held) {
                m.put(e.getKey(), e.getValue().firstSeq() - 1);
            }
        }
        return m;
    }

    private static Map<String, Long> lastSequences(List<Segment> segs) {
        Map<String, Long> m = new HashMap<>();
        for (Segment seg : segs) {
            for (Map.Entry<String, StreamStats> e : seg.summary().streams().entrySet()) {
                m.merge(e.getKey(), e.getValue().lastSeq(), Math::max);
            }
        }
        return m;
    }

    private void recover(List<Long> bases, boolean indexListed, boolean marksListed) throws IOException {
        SegmentIndex.Contents indexRead = indexListed ? SegmentIndex.read(dir) : null;
        Map<Long, SegmentIndex.Entry> index = indexRead == null ? Map.of() : indexRead.entries();
        indexEntries = index.size();
        // whether sequences missing before the oldest segment count as lost: not when it was written by format 1.0
        // (which deleted segments without raising any mark), nor under an earlier epoch (the marks were renewed
        // with it, after damage, so they no longer tell what was deleted before)
        boolean leading = false;
        for (int i = 0; i < bases.size(); i++) {
            boolean last = i == bases.size() - 1;
            long[] header = recoverSegment(bases.get(i), last, i == 0, last ? -1 : bases.get(i + 1), index);
            if (i == 0) {
                // without intact marks (a read-only open does not renew the epoch) what was deleted is unknown:
                // every record reclaimed after its acknowledgement would read as lost
                leading = header != null && header[1] == epoch && (marksListed || header[0] >= 1) && !marksUnknown;
            }
        }
        if (readOnly) {
            recoverMissedByListing(index);
        }
        markTruncatedTails();
        checkSequenceGaps(leading);
        // a damaged index is rewritten at once: otherwise every open would skip the damage again (and the entries
        // appended after it would be the only ones to count towards the next compaction)
        if (!readOnly && (index.size() > 2 * segments.size() + 16 || (indexRead != null && indexRead.damaged()))) {
            compactIndex();
            indexEntries = segments.size();
        }
        Map.Entry<Long, Segment> lastEntry = segments.lastEntry();
        long maxCursor = maxCommitted();
        if (!readOnly) {
            long end = lastEntry == null ? minNextBase : lastEntry.getValue().endPosition();
            // Marks that reach the reservation cover every sequence handed out (the buffer writes such marks when
            // it empties the log on purpose: retiring or losing its active segment), unless a sequence found is
            // above them (a stale reservation, which the floor then treats as absent). Then neither an empty log,
            // nor one ending sealed, nor a cursor past its end (the retired segment's) can hide a sequence.
            long covered = Math.max(marks.floor(), highestMark(marks));
            long found = 0;
            for (long[] s : lastSeq.values()) {
                found = Math.max(found, s[0]);
            }
            boolean allCovered = marks.reserved() > 0 && marks.reserved() <= covered && found <= covered;
            // A roll writes the next segment under a temporary name before it seals the old one and renames it
            // after: a log ending sealed beside the temporary file of the segment that starts at its end is a roll
            // a crash interrupted, not segments lost. It is completed below, so no sequence jumps.
            rollInterrupted = lastEntry != null && lastEntry.getValue().sealed()
                    && rollsStarted.contains(lastEntry.getValue().endPosition());
            if (lastEntry == null ? marks.reserved() > covered
                    : lastEntry.getValue().sealed() && !allCovered && !rollInterrupted) {
                // Rolling seals a segment and starts the next at once; a log that ends sealed (or holds nothing
                // though sequences were handed out) may have lost the segments after it. A crash between the two
                // steps, or a full disk while creating the next, leaves the same: the floor costs a jump only.
                floorAfterLostEnd(lastEntry == null ? "no segment is left" : "the log ends in the sealed segment "
                        + lastEntry.getValue().path().getFileName(), null);
            }
            if (maxCursor > end && !allCovered) {
                floorAfterLostEnd("cursors acknowledged records beyond the end of the log (position " + maxCursor
                        + " > " + end + ")", null);
            }
        }
        for (Map.Entry<String, Long> e : marks.sequences().entrySet()) {
            long[] s = lastSeq.computeIfAbsent(e.getKey(), k -> new long[1]);
            s[0] = Math.max(s[0], e.getValue());
        }
        for (CursorImpl c : cursors.values()) {
            for (Map.Entry<String, Long> e : c.acked.entrySet()) {
                long[] s = lastSeq.computeIfAbsent(e.getKey(), k -> new long[1]);
                s[0] = Math.max(s[0], e.getValue());
            }
        }
        for (long[] s : lastSeq.values()) {
            s[0] = Math.max(s[0], marks.floor());
        }
        if (lastEntry != null && !lastEntry.getValue().sealed() && !readOnly) {
            if (lastEntry.getValue().endPosition() >= maxCursor) {
                active = lastEntry.getValue();
            } else {
                // A cursor is ahead of the recovered tail (durability none, then a power loss): nothing more is
                // appended here, so close it and let it be reclaimed like a sealed segment once every cursor passed.
                lastEntry.getValue().sealWithoutFooter();
            }
        }
        if (maxCursor > minNextBase) {
            // a cursor acknowledged records a crash then lost (policy none): never hand out their positions again
            minNextBase = maxCursor;
        }
        written = lastEntry == null ? minNextBase : Math.max(lastEntry.getValue().endPosition(), 0);
        durable = written;
        forced = written;
        ttlCountedUpTo = 0;
        for (Map.Entry<String, long[]> e : lastSeq.entrySet()) {
            notifiedSeq.put(e.getKey(), e.getValue()[0]);
        }
        if (rollInterrupted && !readOnly) {
            completeInterruptedRoll(lastEntry.getValue());
        }
    }

    /**
     * Starts the segment an interrupted roll did not rename into place (the log ends in the sealed {@code last}),
     * so the log no longer ends sealed: otherwise, once the temporary file is gone, an open that appends nothing
     * would leave the next open a log that looks as if its end was lost. When that fails (a full disk), the floor
     * is raised as for a lost end, before anything more is deleted.
     */
    private void completeInterruptedRoll(Segment last) throws IOException {
        LOG.info("Buffer {}: the log ends in {} beside {}: a roll was interrupted; completing it", dir,
                last.path().getFileName(), Segment.tempName(last.endPosition()));
        try {
            roll(new ArrayList<>());
        } catch (IOException e) {
            LOG.warn("Buffer {}: could not complete the interrupted roll after {}", dir, last.path().getFileName(), e);
            // the failed roll deleted the temporary file: nothing shows the roll any more
            floorAfterLostEnd("the log ends in the sealed segment " + last.path().getFileName() + " and the"
                    + " interrupted roll after it could not be completed", null);
            for (Map.Entry<String, long[]> s : lastSeq.entrySet()) {
                s.getValue()[0] = Math.max(s.getValue()[0], marks.floor());
                notifiedSeq.put(s.getKey(), s.getValue()[0]);
            }
        }
    }

    /**
     * Beside a running writer, a directory listing may miss a segment created while it was read (and still list a
     * newer one): a read-only open recovers the segments that start where a held one ends before the next held one
     * begins, so no such hole is taken for a loss.
     */
    private void recoverMissedByListing(Map<Long, SegmentIndex.Entry> index) throws IOException {
        for (int guard = 0; guard < 1000; guard++) {
            long missed = -1;
            long nextBase = -1;
            Segment prev = null;
            for (Segment seg : segments.values()) {
                if (prev != null && prev.endPosition() < seg.base()
                        && Files.exists(dir.resolve(Segment.fileName(prev.endPosition())))) {
                    missed = prev.endPosition();
                    nextBase = seg.base();
                    break;
                }
                prev = seg;
            }
            if (missed < 0) {
                return;
            }
            int before = segments.size();
            recoverSegment(missed, false, false, nextBase, index);
            if (segments.size() == before) {
                return;
            }
        }
    }

    /**
     * Recovers one segment file and registers it (unless it is gone or an empty last segment).
     *
     * @return the header's format minor and epoch when it was checked (the oldest and the last segment) and intact
     */
    private long[] recoverSegment(long base, boolean last, boolean first, long nextBase,
            Map<Long, SegmentIndex.Entry> index) throws IOException {
        Path path = dir.resolve(Segment.fileName(base));
        SegmentIndex.Entry known = index.get(base);
        if (!last && !first && known != null && !shorterThan(path, known.fileLength())) {
            // sealed and indexed: one stat, no read (readers check its frames as they read). The length is checked
            // now, by writable opens too, so a cut made while the buffer was closed is reported at open with what it
            // took, before any reader comes (until 2026-12-02 a writable open found it only when a reader reached
            // the segment, maybe days later), and the sequence-gap check sees the truncation
            Segment seg = new Segment(base, path, null, known.summary(), known.fileLength(), known.footerOffset(),
                    true);
            registerRecovered(seg);
            return null;
        }
        Set<StandardOpenOption> opts = readOnly || !last ? EnumSet.of(StandardOpenOption.READ)
                : EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel ch;
        try {
            ch = opener.open(path, opts);
        } catch (NoSuchFileException gone) {
            // Deleted since the listing: beside a running writer (read-only), reclaimed. Whether its records
            // were reclaimed or lost is told by the sequence marks, which the writer raises before it deletes
            // anything: checkSequenceGaps reports what they do not explain.
            return null;
        }
        long len = ch.size();
        if (!last && known != null && len < known.fileLength()) {
            // truncated outside the buffer: the index entry tells how long it was and what it held
            long[] header = len < FrameFormat.SEGMENT_HEADER ? null : checkSegmentHeader(ch, path);
            registerRecovered(recoverTruncated(base, path, ch, len, known));
            return header;
        }
        if (len < FrameFormat.SEGMENT_HEADER) {
            if (last) {
                // Created but never got its header (a crash while rolling; the header is synced before any frame
                // is written), or truncated: holds no record we can read, and which sequences it held is unknown.
                // Both look alike, so the floor is raised above every sequence that may have been handed out.
                ch.close();
                losses.record(new Loss(path.getFileName().toString(), len, 0, Loss.Kind.SEGMENT_TRUNCATED, ""));
                if (!readOnly) {
                    floorAfterLostEnd("the last segment " + path.getFileName() + " is shorter than its header",
                            null);
                    Files.deleteIfExists(path);
                }
                minNextBase = Math.max(minNextBase, base);
                return null;
            }
            // A segment followed by another was sealed with a header and frames: it was truncated. Keep it (an
            // empty sealed segment, reclaimed once cursors pass it) so every open reports it, with a copy of what
            // is left; the sequence-gap check tells which records went.
            recordLoss(ch, path.getFileName().toString(), 0, Math.max(len, nextBase - base),
                    Loss.Kind.SEGMENT_TRUNCATED);
            ch.close();
            registerRecovered(new Segment(base, path, null, new SegmentSummary(), len, len, true));
            return null;
        }
        // sealed segments are trusted through their CRC-checked trailer and footer (two small reads); headers
        // are checked where the format version can differ: the oldest and the newest segment
        boolean checkHeader = last || first;
        long[] header = null;
        if (checkHeader) {
            header = checkSegmentHeader(ch, path);
        }
        Segment seg = last ? null : readSealed(base, path, ch, len);
        if (seg == null) {
            if (!checkHeader) {
                checkSegmentHeader(ch, path);
            }
            seg = scanSegment(base, path, ch, len, last, nextBase);
        }
        if (seg.sealed() || readOnly) {
            // readers open their own channel on demand; keeping one per segment would exhaust descriptors
            ch.close();
            seg = new Segment(base, path, null, seg.summary(), seg.fileLength(), seg.recordsEnd(), true);
        }
        registerRecovered(seg);
        return header;
    }

    private void registerRecovered(Segment seg) {
        segments.put(seg.base(), seg);
        totalBytes += seg.fileLength();
        for (Map.Entry<String, StreamStats> e : seg.summary().streams().entrySet()) {
            long[] s = lastSeq.computeIfAbsent(e.getKey(), k -> new long[1]);
            s[0] = Math.max(s[0], e.getValue().lastSeq());
        }
        minNextBase = Math.max(minNextBase, seg.endPosition());
    }

    /** Whether the file is shorter than {@code length} bytes (false when it is gone: recovery then skips it). */
    private static boolean shorterThan(Path path, long length) throws IOException {
        try {
            return Files.size(path) < length;
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /**
     * A sealed segment that the segment index says was {@code known.fileLength()} bytes long and that now has only
     * {@code len}: something other than the buffer truncated it (the buffer never shortens a sealed segment). Reads
     * what is left, reports the bytes that are gone ({@code SEGMENT_TRUNCATED}) and, per stream, the sequences the
     * index says it held above the last frame left (the same entry with that stream and the sequences; a stream
     * with no frame left lost all it had there). Used by recovery (every open compares the lengths) and, for a
     * segment cut while the buffer is open, by the reader that finds it short, so {@code buffer verify} (read-only)
     * and a writable open report the same losses. Where the lost records held a stream's highest
     * sequence, a writable buffer raises that stream's mark, so none is issued again (nothing else would remember
     * it). Caller holds the lock (or is the constructor); closes {@code ch}.
     *
     * @return the segment as it now is (sealed, its records ending where the intact frames end)
     */
    private Segment recoverTruncated(long base, Path path, FileChannel ch, long len, SegmentIndex.Entry known)
            throws IOException {
        String name = path.getFileName().toString();
        long nextBase = base + known.fileLength();
        Segment left;
        if (len < FrameFormat.SEGMENT_HEADER) {
            recordLoss(ch, name, 0, known.fileLength(), Loss.Kind.SEGMENT_TRUNCATED);
            left = new Segment(base, path, null, new SegmentSummary(), len, len, true);
        } else {
            left = scanSegment(base, path, ch, len, false, nextBase);
            if (left.recordsEnd() == len) {
                // cut exactly at a frame boundary: scanSegment, which cannot tell that from a segment closed
                // without a footer behind a cursor, reported nothing
                recordLoss(ch, name, len, nextBase - base - len, Loss.Kind.SEGMENT_TRUNCATED);
            }
            left = new Segment(base, path, null, left.summary(), len, left.recordsEnd(), true);
        }
        ch.close();
        long offset = Math.min(len, left.recordsEnd());
        Map<String, Long> tails = new HashMap<>();
        for (Map.Entry<String, StreamStats> e : new TreeMap<>(known.summary().streams()).entrySet()) {
            StreamStats held = e.getValue();
            StreamStats kept = left.summary().streams().get(e.getKey());
            long from = kept == null ? held.firstSeq() : kept.lastSeq() + 1;
            if (held.lastSeq() >= from) {
                losses.record(new Loss(name, offset, 0, Loss.Kind.SEGMENT_TRUNCATED, "", e.getKey(), from,
                        held.lastSeq()));
                truncatedLost.merge(e.getKey(), held.lastSeq(), Math::max);
                tails.put(e.getKey(), held.lastSeq());
                long[] s = lastSeq.computeIfAbsent(e.getKey(), k -> new long[1]);
                s[0] = Math.max(s[0], held.lastSeq());
            }
        }
        if (!tails.isEmpty()) {
            LOG.warn("Buffer {}: segment {} was truncated outside the buffer from {} to {} bytes; records lost: {}",
                    dir, name, known.fileLength(), len, tails.keySet());
        }
        truncatedTails.putAll(tails);
        return left;
    }

    /**
     * Raises the sequence marks for streams whose highest sequence only a truncated segment's lost records held
     * (no held segment remembers it, so the numbering would otherwise go back). Writable only; caller holds the
     * lock (or is the constructor, after recovery registered every segment).
     */
    private void markTruncatedTails() {
        if (readOnly || truncatedTails.isEmpty()) {
            truncatedTails.clear();
            return;
        }
        Map<String, Long> held = lastSequences(new ArrayList<>(segments.values()));
        Map<String, Long> tails = new HashMap<>(truncatedTails);
        truncatedTails.clear();
        tails.entrySet().removeIf(t -> held.getOrDefault(t.getKey(), 0L) >= t.getValue());
        if (tails.isEmpty()) {
            return;
        }
        try {
            persistMarks(tails);
        } catch (IOException e) {
            LOG.warn("Buffer {}: could not raise the sequence marks past the records lost from a truncated segment;"
                    + " they are kept in memory while the buffer is open", dir, e);
        }
    }

    /**
     * Rewrites the segment index with the live sealed segments only. Best effort: it is a cache.
     *
     * @return whether the index was written
     */
    private boolean compactIndex() {
        List<SegmentIndex.Entry> live = new ArrayList<>();
        for (Segment s : segments.values()) {
            if (s.sealed() && s.recordsEnd() < s.fileLength()) {
                live.add(new SegmentIndex.Entry(s.base(), s.fileLength(), s.recordsEnd(), s.summary()));
            }
        }
        try {
            SegmentIndex.rewrite(dir, live);
            return true;
        } catch (IOException e) {
            LOG.warn("Could not compact {}", dir.resolve(SegmentIndex.FILE), e);
            return false;
        }
    }

    /**
     * Writes the index again after {@link #dropIndexForSpace} deleted it, once there is room: without it the next
     * open reads every sealed segment's footer (slower), and a sealed segment cut short outside the buffer is no
     * longer checked against the length the index remembers, so the records it lost would go unnamed. Caller holds
     * the lock.
     */
    private void rebuildDroppedIndex() {
        if (indexDropped && compactIndex()) {
            indexDropped = false;
            indexEntries = segments.size();
            LOG.info("Buffer {}: wrote {} again now that there is room", dir, SegmentIndex.FILE);
        }
    }

    /** Checks a segment header; returns its format minor and epoch, or null when the header is damaged. */
    private long[] checkSegmentHeader(FileChannel ch, Path path) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(FrameFormat.SEGMENT_HEADER);
        while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
            // read the header
        }
        if (headerValid(h)) {
            int major = h.getShort(8);
            if (major != FrameFormat.FORMAT_MAJOR) {
                throw new IncompatibleFormatException("Buffer segment " + path + " has format " + major + "."
                        + h.getShort(10) + "; this SDK reads format " + FrameFormat.FORMAT_MAJOR + ".x");
            }
            return new long[] {h.getShort(10), h.getLong(24)};
        }
        losses.record(new Loss(path.getFileName().toString(), 0, FrameFormat.SEGMENT_HEADER,
                Loss.Kind.SEGMENT_HEADER, ""));
        return null;
    }

    /** The highest position any cursor committed (0 without cursors). */
    private long maxCommitted() {
        long max = 0;
        for (CursorImpl c : cursors.values()) {
            max = Math.max(max, c.committed);
        }
        return max;
    }

    /**
     * Reports, per stream, sequences missing across a hole in the log positions that the sequence marks (raised
     * before the buffer deletes anything) do not explain: segments deleted or truncated by something other than the
     * buffer. A read-only open re-reads the marks once before reporting, as a writer beside
     * it may have deleted segments (raising the marks first) since this open read them.
     *
     * @param leading whether sequences missing before the oldest held segment count too: not for a buffer whose
     *                oldest segment was written by format 1.0, which deleted segments without raising any mark
     */
    private void checkSequenceGaps(boolean leading) throws IOException {
        List<Loss> gaps = sequenceGaps(marks, leading);
        if (!gaps.isEmpty() && readOnly) {
            Optional<SequenceMarks> fresh = SequenceMarks.read(dir);
            if (fresh.isPresent()) {
                gaps = sequenceGaps(fresh.get(), leading);
            }
        }
        for (Loss gap : gaps) {
            if (losses.record(gap)) {
                LOG.warn("Buffer {}: stream {} sequences {}..{} are missing before {} (deleted or truncated outside the"
                        + " buffer)", dir, gap.stream(), gap.firstSequence(), gap.lastSequence(), gap.file());
            }
        }
    }

    /**
     * The sequence gaps to report. Only a gap across a hole in the log positions counts: a deleted segment, a
     * truncated one, or positions before the oldest segment. Appends that failed (a full disk) also skip sequences,
     * which are never reissued, but their callers were told, and the log has no hole where they were.
     */
    private List<Loss> sequenceGaps(SequenceMarks m, boolean leading) {
        // A cursor's acknowledged sequences explain nothing here: a cursor that read past a deleted segment acked
        // the records around it. (After a power loss under durability none, records a cursor acknowledged may be
        // gone from the log: reported too, as they are missing from it.)
        Map<String, Long> explained = new HashMap<>(m.sequences());
        // sequences a truncated segment's index entry accounted for are reported there, with the file they were in
        truncatedLost.forEach((k, v) -> explained.merge(k, v, Math::max));
        Map<String, Long> prevLast = new HashMap<>();
        Map<String, Integer> holesAtPrev = new HashMap<>();
        int holes = 0;
        long expectedBase = 0;
        List<Loss> gaps = new ArrayList<>();
        for (Segment seg : segments.values()) {
            if (seg.base() > expectedBase) {
                holes++;
            }
            expectedBase = seg.endPosition();
            for (Map.Entry<String, StreamStats> e : seg.summary().streams().entrySet()) {
                String stream = e.getKey();
                StreamStats st = e.getValue();
                Long before = prevLast.get(stream);
                boolean acrossHole = before != null ? holesAtPrev.get(stream) < holes : leading && holes > 0;
                if (acrossHole) {
                    long from = Math.max(before == null ? 0 : before, explained.getOrDefault(stream, 0L)) + 1;
                    long to = st.firstSeq() - 1;
                    String file = seg.path().getFileName().toString();
                    if (to >= from && m.floor() > 0 && from <= m.floor()) {
                        // Across the floor: a writable open that found the end of the log lost skipped the
                        // sequences up to it, and most of them were never issued. Known lost are only those a
                        // cursor acknowledged (so they existed) and those above the floor.
                        long existed = Math.min(Math.min(to, m.floor()), acknowledged(stream));
                        if (existed >= from) {
                            gaps.add(new Loss(file, 0, 0, Loss.Kind.SEQUENCE_GAP, "", stream, from, existed));
                        }
                        if (to > m.floor()) {
                            gaps.add(new Loss(file, 0, 0, Loss.Kind.SEQUENCE_GAP, "", stream, m.floor() + 1, to));
                        }
                    } else if (to >= from) {
                        gaps.add(new Loss(file, 0, 0, Loss.Kind.SEQUENCE_GAP, "", stream, from, to));
                    }
                }
                prevLast.merge(stream, st.lastSeq(), Math::max);
                holesAtPrev.put(stream, holes);
            }
        }
        return gaps;
    }

    /** The highest sequence of {@code stream} any cursor acknowledged (0: none). */
    private long acknowledged(String stream) {
        long top = 0;
        for (CursorImpl c : cursors.values()) {
            Long v = c.acked.get(stream);
            if (v != null) {
                top = Math.max(top, v);
            }
        }
        return top;
    }

    /**
     * Reads the trailer at the end of a segment file of {@code len} bytes; returns the footer offset it names, or -1
     * when it is missing or damaged.
     */
    private static long trailerFooterOffset(FileChannel ch, long len) throws IOException {
        if (len < FrameFormat.SEGMENT_HEADER + FrameFormat.TRAILER) {
            return -1;
        }
        ByteBuffer t = ByteBuffer.allocate(FrameFormat.TRAILER);
        long at = len - FrameFormat.TRAILER;
        while (t.hasRemaining()) {
            int n = ch.read(t, at + t.position());
            if (n < 0) {
                return -1;
            }
        }
        CRC32C c = new CRC32C();
        c.update(t.array(), 0, 16);
        if (!new String(t.array(), 0, 8, StandardCharsets.US_ASCII).equals("ELBUFEND")
                || (int) c.getValue() != t.getInt(16)) {
            return -1;
        }
        return t.getLong(8);
    }

    /** Whether a segment file of {@code len} bytes ends in an intact trailer naming a footer at {@code footerAt}. */
    private static boolean trailerValid(FileChannel ch, long len, long footerAt) throws IOException {
        return trailerFooterOffset(ch, len) == footerAt;
    }

    /** Reads a sealed segment's trailer and footer; null when they are missing or damaged. */
    private Segment readSealed(long base, Path path, FileChannel ch, long len) throws IOException {
        if (len < FrameFormat.SEGMENT_HEADER + FrameFormat.TRAILER) {
            return null;
        }
        long at = len - FrameFormat.TRAILER;
        long footerOffset = trailerFooterOffset(ch, len);
        if (footerOffset < FrameFormat.SEGMENT_HEADER || footerOffset >= at) {
            return null;
        }
        FrameScanner sc = new FrameScanner(ch, at, (int) Math.min(at - footerOffset, 1 << 20));
        if (sc.next(footerOffset, false) != FrameScanner.Kind.FOOTER || sc.nextOffset() != at) {
            return null;
        }
        Optional<SegmentSummary> summary = SegmentSummary.decode(sc.payload());
        if (summary.isEmpty()) {
            return null;
        }
        return new Segment(base, path, ch, summary.get(), len, footerOffset, true);
    }

    /** Scans a whole segment; the last one's torn tail is cut off (or only reported when read-only). */
    private Segment scanSegment(long base, Path path, FileChannel ch, long len, boolean last, long nextBase)
            throws IOException {
        String name = path.getFileName().toString();
        SegmentSummary summary = new SegmentSummary();
        FrameScanner sc = new FrameScanner(ch, len);
        long off = FrameFormat.SEGMENT_HEADER;
        long goodEnd = off;
        long footerAt = -1;
        List<long[]> suspect = new ArrayList<>();
        List<FrameScanner.Kind> suspectKinds = new ArrayList<>();
        List<String> suspectStreams = new ArrayList<>();
        boolean damagedInside = false;
        scan:
        while (true) {
            FrameScanner.Kind k = sc.next(off, false);
            switch (k) {
                case END:
                    break scan;
                case FOOTER:
                    if (last && !readOnly && (sc.nextOffset() + FrameFormat.TRAILER != len
                            || !trailerValid(ch, len, off))) {
                        // the footer without its whole trailer: a seal cut short (a crash in a roll, or damage),
                        // so the segment is not sealed and the footer is cut off below as a torn tail
                        break scan;
                    }
                    footerAt = off;
                    break scan;
                case RECORD:
                    damagedInside |= !suspect.isEmpty();
                    for (int i = 0; i < suspect.size(); i++) {
                        long[] r = suspect.get(i);
                        recordLoss(ch, name, r[0], r[1] - r[0], suspectKinds.get(i) == FrameScanner.Kind.CORRUPT_FRAME
                                ? Loss.Kind.CORRUPT_FRAME : Loss.Kind.CORRUPT_REGION, suspectStreams.get(i), r[2]);
                    }
                    suspect.clear();
                    suspectKinds.clear();
                    suspectStreams.clear();
                    summary.add(sc.stream(), sc.sequence(), sc.timestamp(), sc.priority(), sc.payloadLength());
                    off = sc.nextOffset();
                    goodEnd = off;
                    break;
                default:
                    // a corrupt frame's header is intact (its CRC matched): it names the record lost; so does the
                    // header of a record frame cut off by the end of the file (only ever the last thing scanned)
                    boolean frame = k == FrameScanner.Kind.CORRUPT_FRAME
                            || k == FrameScanner.Kind.TORN && sc.type() == FrameFormat.TYPE_RECORD;
                    suspect.add(new long[] {off, sc.nextOffset(), frame ? sc.sequence() : 0,
                        frame && sc.type() == FrameFormat.TYPE_RECORD ? 1 : 0});
                    suspectKinds.add(k);
                    suspectStreams.add(frame ? sc.stream() : "");
                    off = sc.nextOffset();
                    break;
            }
        }
        if (footerAt >= 0) {
            return new Segment(base, path, ch, summary, len, footerAt, true);
        }
        if (goodEnd < len && last && readOnly && writtenMeanwhile(ch, goodEnd)) {
            // beside a running writer: the "tail" was a write in progress, complete now; readers stop before it
            return new Segment(base, path, ch, summary, len, goodEnd, true);
        }
        boolean lostEnd = last && !readOnly && (goodEnd < len || damagedInside)
                && (dirLock.previousClosedCleanly() || dirLock.previousMayHaveHandedOutUnsynced())
                && !tornFooterOfRoll(base, goodEnd, len, summary, damagedInside);
        // Only a clean close says that every frame in the tail was synced and its append returned: after a crash
        // under none a frame cut off by the end of the file was most likely being written (its append had not
        // returned), so naming it would report a record as lost that nobody was told was stored.
        boolean closedCleanly = last && goodEnd < len && (readOnly ? DirectoryLock.noteSaysClosedCleanly(dir)
                : lostEnd && dirLock.previousClosedCleanly());
        // Whatever the lock note says, a frame a cursor committed past was read, so its append had returned and it
        // was sent: the tail names such a record too, when another cursor had not read it yet (lost for that one)
        boolean namesRecords = closedCleanly || (last && goodEnd < len && maxCommitted() > base + goodEnd
                && minCommitted() < maxCommitted());
        if (lostEnd) {
            // Frames of the last segment are gone. After a crash under always or group commit that is the crash's
            // unsynced write, whose records were never handed out (their appends had not returned): numbering goes
            // on densely. But the last writer closed cleanly (its close synced everything), so this is damage to
            // synced records, which readers may have sent; or the writer that crashed ran under none (its lock note
            // says so, or says no durability), where records are handed out before any sync. The crashed writer's
            // mode counts, not this open's: a drain under group commit repairs a none writer's tail too.
            floorAfterLostEnd("frames of the last segment " + name + " are damaged or cut off", summary);
        }
        if (goodEnd < len) {
            if (last) {
                recordLoss(ch, name, goodEnd, len - goodEnd, Loss.Kind.TORN_TAIL);
                if (namesRecords) {
                    recordTornTailRecords(name, suspect, suspectStreams,
                            closedCleanly ? null : new long[] {minCommitted() - base, maxCommitted() - base});
                }
                if (!readOnly) {
                    ch.truncate(goodEnd);
                    ch.force(true);
                    len = goodEnd;
                }
            } else {
                recordLoss(ch, name, goodEnd, len - goodEnd, Loss.Kind.CORRUPT_REGION);
            }
        }
        // A segment without its footer that ends before the next one begins lost its end: it was truncated, and the
        // bytes up to the next base are gone. (A segment closed without a footer because a cursor was ahead of a
        // tail a power loss took ends cleanly at a frame, with the next base at that cursor's position: no loss.)
        if (!last && nextBase > base + len && (goodEnd < len || maxCommitted() < nextBase)) {
            recordLoss(ch, name, len, nextBase - base - len, Loss.Kind.SEGMENT_TRUNCATED);
        }
        if (last && !readOnly) {
            return new Segment(base, path, ch, summary, len, len, false);
        }
        return new Segment(base, path, ch, summary, len, goodEnd, true);
    }

    /**
     * Names the records a torn tail cost when its frames had been synced and handed out (the last writer closed
     * cleanly, and nothing was written since): one more {@code TORN_TAIL} entry per stream and run of sequences, of
     * length 0 (the bytes are counted once, by the tail's own entry), for every record frame in the tail whose
     * header survived (a corrupt payload, or a frame cut off by the end of the file). Records whose headers are
     * gone too (a cut inside a header, or whole frames cut off) cannot be named: nothing but the frames themselves
     * says what the active segment held (its summary is written only when it is sealed). After a crash under
     * {@code always} or group commit the tail is the crash's unsynced write, whose appends never returned, and no
     * record is lost; after a crash under {@code none} a frame cut off was most likely the one being written, so
     * nothing is named either (the floor still treats the tail's sequences as possibly handed out), except a frame
     * that a cursor committed past ({@code read}): a reader saw it, so its append had returned and it was sent (since
     * 2026-12-02). Such a frame is named when another cursor had not read it yet (it is lost to that consumer);
     * when every cursor had, nobody lost it. Frames no cursor passed stay unnamed: only a clean close says they were
     * handed out. Caller is the constructor.
     *
     * @param file    the segment's file name
     * @param suspect per damaged region after the last valid frame: offset, end, sequence, 1 when it names a record
     * @param streams per region, the stream its header names, or empty
     * @param read    null after a clean close (every frame is named); else the lowest and highest committed cursor
     *                position as offsets in this segment: only frames that end at or before the highest and start at
     *                or after the lowest are named
     */
    private void recordTornTailRecords(String file, List<long[]> suspect, List<String> streams, long[] read) {
        long runOffset = -1;
        String runStream = null;
        long first = 0;
        long lastSeq = 0;
        for (int i = 0; i <= suspect.size(); i++) {
            long[] r = i < suspect.size() ? suspect.get(i) : null;
            boolean named = r != null && r[3] == 1 && r[2] > 0
                    && (read == null || (r[1] <= read[1] && r[0] >= read[0]));
            if (runStream != null && (!named || !streams.get(i).equals(runStream) || r[2] != lastSeq + 1)) {
                losses.record(new Loss(file, runOffset, 0, Loss.Kind.TORN_TAIL, "", runStream, first, lastSeq));
                runStream = null;
            }
            if (named) {
                if (runStream == null) {
                    runStream = streams.get(i);
                    runOffset = r[0];
                    first = r[2];
                }
                lastSeq = r[2];
            }
        }
    }

    /**
     * Whether the cut-off end of the last segment is the footer of a roll a crash interrupted, not records: the
     * frames end intact at {@code goodEnd}, the bytes after them are fewer than the footer and trailer a seal of
     * exactly these frames writes, and the temporary file of the segment that seal would have started exists
     * (a roll creates it before writing the footer, after every frame of the old segment was written).
     */
    private boolean tornFooterOfRoll(long base, long goodEnd, long len, SegmentSummary frames,
            boolean damagedInside) {
        long footer = footerBytes(frames);
        return !damagedInside && len - goodEnd < footer && rollsStarted.contains(base + goodEnd + footer);
    }

    /**
     * Whether a whole frame starts at {@code off} within a short while, where the scan found only part of one: a
     * read-only open beside a writer can see a write half done (the file grows page by page, and the writer may be
     * descheduled in between). Waits at most about 50 ms, and only when a torn tail was found.
     */
    private static boolean writtenMeanwhile(FileChannel ch, long off) throws IOException {
        for (int attempt = 0; attempt < 6; attempt++) {
            if (new FrameScanner(ch, ch.size()).next(off, false) == FrameScanner.Kind.RECORD) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Lists the quarantined copies left by earlier opens, oldest first, and trims them to the cap. */
    private void loadQuarantine() throws IOException {
        Path qdir = dir.resolve(QUARANTINE);
        if (!Files.isDirectory(qdir)) {
            return;
        }
        List<Path> files = new ArrayList<>();
        Map<Path, Long> modified = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(qdir)) {
            for (Path p : ds) {
                if (isLeftoverTemp(QUARANTINE + "/" + p.getFileName())) {
                    // a copy a crash interrupted before its rename: no copy, deleted after recovery
                    leftoverTemps.add(QUARANTINE + "/" + p.getFileName());
                    continue;
                }
                if (Files.isRegularFile(p)) {
                    if (sourceGone(p)) {
                        // its segment was deleted (a crash between the two, or a 1.0 SDK that deleted the segment
                        // first): nothing would ever delete the copy, and it would count against the budget forever
                        Files.deleteIfExists(p);
                        continue;
                    }
                    files.add(p);
                    modified.put(p, Files.getLastModifiedTime(p).toMillis());
                }
            }
        }
        files.sort((x, y) -> Long.compare(modified.get(x), modified.get(y)));
        synchronized (quarantineLock) {
            long total = 0;
            for (Path p : files) {
                long size = Files.size(p);
                quarantined.put(p, size);
                total += size;
            }
            quarantineTotal = total;
            trimQuarantine(0);
        }
    }

    /** @return whether a quarantined copy was taken from a segment file that no longer exists */
    private boolean sourceGone(Path copy) {
        String name = copy.getFileName().toString();
        int at = name.lastIndexOf('@');
        if (at <= 0) {
            return false;
        }
        String source = name.substring(0, at);
        return Segment.parseBase(source).isPresent() && !Files.exists(dir.resolve(source));
    }

    /** Deletes the oldest quarantined copies until {@code incoming} more bytes fit the cap. Holds quarantineLock. */
    private void trimQuarantine(long incoming) {
        var it = quarantined.entrySet().iterator();
        while (quarantineTotal + incoming > quarantineCap && it.hasNext()) {
            Map.Entry<Path, Long> oldest = it.next();
            try {
                Files.deleteIfExists(oldest.getKey());
            } catch (IOException e) {
                LOG.warn("Could not delete quarantined copy {}", oldest.getKey(), e);
                continue;
            }
            it.remove();
            quarantineTotal -= oldest.getValue();
        }
    }

    /** Deletes the quarantined copies taken from a segment that is being deleted. */
    private void deleteQuarantineOf(Segment seg) {
        String prefix = seg.path().getFileName() + "@";
        synchronized (quarantineLock) {
            var it = quarantined.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Path, Long> e = it.next();
                if (e.getKey().getFileName().toString().startsWith(prefix)) {
                    try {
                        Files.deleteIfExists(e.getKey());
                    } catch (IOException x) {
                        LOG.warn("Could not delete quarantined copy {}", e.getKey(), x);
                        continue;
                    }
                    it.remove();
                    quarantineTotal -= e.getValue();
                }
            }
        }
    }

    private long quarantineBytes() {
        return quarantineTotal;
    }

    /**
     * Records a loss and, when the bytes are not all zero, keeps a copy in quarantine/. The copies are capped (a
     * sixteenth of the disk budget, 64 MiB without one; the oldest go first), count against the budget and are
     * deleted with their segment.
     */
    private void recordLoss(FileChannel ch, String file, long offset, long length, Loss.Kind kind) {
        recordLoss(ch, file, offset, length, kind, "", 0);
    }

    /** As {@link #recordLoss(FileChannel, String, long, long, Loss.Kind)}, naming the one record lost when known. */
    private boolean recordLoss(FileChannel ch, String file, long offset, long length, Loss.Kind kind, String stream,
            long sequence) {
        String q = "";
        if (!readOnly && length > 0) {
            try {
                int n = (int) Math.min(length, MAX_QUARANTINE_COPY);
                ByteBuffer b = ByteBuffer.allocate(n);
                while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                    // copy
                }
                boolean zeros = true;
                for (int i = 0; i < b.position() && zeros; i++) {
                    zeros = b.get(i) == 0;
                }
                if (!zeros && b.position() <= quarantineCap) {
                    Path qdir = dir.resolve(QUARANTINE);
                    String qname = file + "@" + offset + ".bad";
                    Path qf = qdir.resolve(qname);
                    synchronized (quarantineLock) {
                        if (!quarantined.containsKey(qf)) {
                            trimQuarantine(b.position());
                            if (!Files.isDirectory(qdir)) {
                                Files.createDirectories(qdir);
                                AtomicFile.syncDirectory(dir);
                            }
                            // temporary file, fsync, rename, directory fsync: a crash mid-copy (or a full disk)
                            // leaves at most <copy>.tmp, which is no copy and is deleted by the next writable open;
                            // written in place, a short copy looked like a whole one
                            AtomicFile.write(qf, Arrays.copyOf(b.array(), b.position()));
                            quarantined.put(qf, (long) b.position());
                            quarantineTotal += b.position();
                        }
                    }
                    q = QUARANTINE + "/" + qname;
                }
            } catch (IOException e) {
                LOG.warn("Could not quarantine {} bytes of {} at {}", length, file, offset, e);
            }
        }
        if (losses.record(new Loss(file, offset, length, kind, q, stream, sequence, sequence))) {
            LOG.warn("Buffer {}: {} of {} bytes in {} at offset {}", dir, kind, length, file, offset);
            return true;
        }
        return false;
    }

    /**
     * Bounds, per stream, the records a corrupt region of a sealed segment took: the segment's summary (its footer or
     * index entry) counts each stream's records and their sequence range, so a stream with fewer intact or named
     * frames left than counted lost the rest in the segment's damage, and the ones in this region have sequences
     * between the stream's last intact frame before it and its first after it. One more {@code CORRUPT_REGION} entry
     * per such stream, length 0, with that range and at most the smaller of the range's size and the records
     * missing from the whole segment (exactly these when the region is the segment's only damage and the sequences
     * are dense). Two regions between the same intact frames of a stream each get its whole count, so the report's
     * total takes per segment and stream the smaller of their sum and the missing count
     * ({@link LossReport#recordsInCorruptRegionsAtMost()}). Reads the segment once more, for the first reader that
     * finds the region.
     */
    private void boundRegionLoss(Segment seg, String file, long from, long to) {
        // per stream: count, first and last sequence the summary holds (copied under the lock that guards it)
        Map<String, long[]> counted = new LinkedHashMap<>();
        lock.lock();
        try {
            SegmentSummary summary = seg.summary();
            if (summary != null) {
                summary.streams().forEach((name, st) -> counted.put(name,
                        new long[] {st.count(), st.firstSeq(), st.lastSeq()}));
            }
        } finally {
            lock.unlock();
        }
        if (counted.isEmpty()) {
            return;
        }
        // per stream: frames found, highest sequence before the region, lowest after it
        Map<String, long[]> found = new HashMap<>();
        try {
            FrameScanner sc = new FrameScanner(readChannelOf(seg), seg.recordsEnd());
            long off = FrameFormat.SEGMENT_HEADER;
            for (FrameScanner.Kind k = sc.next(off, false); k != FrameScanner.Kind.END && k != FrameScanner.Kind.FOOTER;
                    k = sc.next(off, false)) {
                if (k == FrameScanner.Kind.RECORD || k == FrameScanner.Kind.CORRUPT_FRAME) {
                    long[] f = found.computeIfAbsent(sc.stream(), x -> new long[] {0, 0, Long.MAX_VALUE});
                    f[0]++;
                    if (off < from) {
                        f[1] = Math.max(f[1], sc.sequence());
                    } else if (off >= to) {
                        f[2] = Math.min(f[2], sc.sequence());
                    }
                }
                off = sc.nextOffset();
            }
        } catch (IOException e) {
            LOG.debug("Buffer {}: could not read {} again to bound the records a corrupt region took", dir, file, e);
            return;
        }
        for (Map.Entry<String, long[]> e : counted.entrySet()) {
            long[] st = e.getValue();
            long[] f = found.getOrDefault(e.getKey(), new long[] {0, 0, Long.MAX_VALUE});
            long missing = st[0] - f[0];
            long lo = Math.max(st[1], f[1] + 1);
            long hi = f[2] == Long.MAX_VALUE ? st[2] : Math.min(st[2], f[2] - 1);
            if (missing <= 0 || lo > hi) {
                continue;
            }
            long atMost = Math.min(missing, hi - lo + 1);
            if (losses.recordBound(new Loss(file, from, 0, Loss.Kind.CORRUPT_REGION, "", e.getKey(), lo, hi, atMost),
                    missing)) {
                LOG.warn("Buffer {}: the corrupt region in {} at offset {} held at most {} record(s) of stream {}"
                        + " (sequences {}..{})", dir, file, from, atMost, e.getKey(), lo, hi);
            }
        }
    }

    /**
     * Creates the ballast file if it is missing; best effort (a full disk simply leaves it missing, and
     * {@link #spaceShort} set so that it is tried again after the next commit).
     */
    private void ensureReserve() {
        Path r = dir.resolve(RESERVE);
        try {
            // the note first: it needs one block where the reserve needs many; written after the reserve, it stayed
            // empty for the rest of the session when the reserve took the last free blocks
            dirLock.restoreNote();
            if (sizeOrMissing(r) < RESERVE_BYTES) {
                try (FileChannel ch = FileChannel.open(r, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    ByteBuffer zeros = ByteBuffer.allocate(RESERVE_BYTES);
                    while (zeros.hasRemaining()) {
                        ch.write(zeros, zeros.position());
                    }
                    // allocated and synced now, so it holds real blocks and never rides along a later sync
                    ch.force(true);
                }
            }
            spaceShort = false;
            reserveReleased = false;
            rebuildDroppedIndex();
        } catch (IOException e) {
            spaceShort = true;
            // only a full disk closes appends off (checkReserveHeld); another failure leaves them as they were
            reserveReleased |= DiskFullException.isDiskFull(e);
            try {
                Files.deleteIfExists(r);
            } catch (IOException ignored) {
                // nothing more to do; the reserve is recreated at the next chance
            }
        }
    }

    /**
     * Deletes the ballast so that the write of a cursor or sequence file that just hit ENOSPC can be stored, and
     * refuses appends until it is back ({@link #reserveReleased}). Caller holds the lock, so no append can write
     * into the freed space before the caller's retry. Without a reserve it gives up {@code segments.idx}, else the
     * lock note's block.
     *
     * @return whether anything was freed (false: the buffer has nothing left to give up)
     */
    private boolean releaseReserve() throws IOException {
        spaceShort = true;
        reserveReleased = true;
        return Files.deleteIfExists(dir.resolve(RESERVE)) || dropIndexForSpace() || giveUpLockNote();
    }

    /**
     * The disk is full and there is no reserve to release (it was missing at open, with no room to create it again:
     * the file system was filled by something else while the buffer was closed, or a process died with the reserve
     * released). Deletes {@code segments.idx}, which is only a cache of the sealed segments' footers (the next open
     * reads the footers instead), so that the cursor or sequence file being written finds the block it needs; once
     * that commit is stored, the segments it acknowledged are reclaimed and the reserve comes back. Without this no
     * commit could ever be stored, so nothing was freed and the buffer stayed full for good. Caller holds the lock.
     */
    private boolean dropIndexForSpace() {
        try {
            if (Files.deleteIfExists(dir.resolve(SegmentIndex.FILE))) {
                indexDropped = true;
                LOG.warn("Buffer {}: the disk is full and {} is missing; deleted {} (a cache of the sealed segments'"
                        + " footers) so that cursor commits, which free space, can be stored", dir, RESERVE,
                        SegmentIndex.FILE);
                return true;
            }
        } catch (IOException e) {
            LOG.debug("Buffer {}: could not delete {} to make room", dir, SegmentIndex.FILE, e);
        }
        return false;
    }

    /**
     * The disk is full and neither {@code reserve.bin} nor {@code segments.idx} is there to give up (no segment was
     * ever sealed, or an earlier commit deleted the index): cuts the lock note to nothing
     * ({@link DirectoryLock#giveUpNote}), the last block the buffer can spare without touching what it holds, so that
     * the cursor write finds the block its temporary file needs. Its rename frees the old cursor file's block, which
     * the sequence marks a reclaim writes first then use the same way. The note is written again, before the
     * reserve, by the first commit that finds a block for it ({@link #ensureReserve}). Without this, such a
     * directory stored no commit until space was freed from outside, so nothing was ever reclaimed and a forwarder
     * sent the same records again. Caller holds the lock.
     *
     * @return whether the note was cut (false: it was already empty)
     */
    private boolean giveUpLockNote() {
        if (!dirLock.giveUpNote()) {
            return false;
        }
        LOG.warn("Buffer {}: the disk is full and neither {} nor {} is there to release; cut the lock note {} to"
                    + " nothing so that cursor commits, which free space, can be stored. It is written again, before"
                    + " {}, once there is room; a crash meanwhile counts as one under durability none (at most a jump"
                    + " in the sequence numbers)", dir, RESERVE, SegmentIndex.FILE, DirectoryLock.FILE, RESERVE);
        return true;
    }

    /**
     * Refuses an append while the reserve is released, after trying (at most every 100 ms) to bring it back: the
     * space is short, and what is free belongs to cursor commits. Caller holds the lock.
     */
    private void checkReserveHeld() throws IOException {
        if (!reserveReleased) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastReserveAttempt >= RESERVE_RETRY_NANOS) {
            lastReserveAttempt = now;
            ensureReserve();
        }
        if (reserveReleased) {
            throw reserveReleasedFailure("appending to " + dir, "the record was not stored. Appends work again once"
                    + " cursor commits let acknowledged segments be reclaimed, or space is freed");
        }
    }

    /** The failure of a write refused while the reserve is released (see {@link #reserveReleased}). */
    private IOException reserveReleasedFailure(String what, String consequence) {
        spaceShort = true;
        return new DiskFullException("Disk full while " + what + ": " + RESERVE + " (" + RESERVE_BYTES / 1024
                + " KiB kept so that cursor commits, which free space, can always be stored) is not held (released"
                + " for a commit, or missing with no room to create it again), and appends wait until it is back; "
                + consequence + " (" + spaceReport() + ")", new IOException("No space left on device"));
    }

    /** A file's size from one stat (exists and size took two), or -1 when it is missing. */
    private static long sizeOrMissing(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).size();
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * Writes a cursor file; on a full disk, releases the ballast and tries once more. Caller holds the lock (see
     * {@link #releaseReserve}); a commit first tries without it, and without this retry.
     */
    private void writeCursorFile(CursorFile cf) throws IOException {
        try {
            cf.write(dir.resolve(CURSORS));
        } catch (IOException e) {
            if (!DiskFullException.isDiskFull(e)) {
                throw e;
            }
            boolean freed = releaseReserve();
            try {
                cf.write(dir.resolve(CURSORS));
            } catch (IOException again) {
                throw diskFullOr(again, "writing cursor " + cf.name(), commitNotStored() + toFree(freed));
            }
        }
    }

    /**
     * Writes a deferred cursor commit, through the slot's channel when loading kept it open (it is closed after this
     * one use: the next deferred commit goes to the other slot); on a full disk, releases the ballast and tries once
     * more. Caller holds the lock (see {@link #releaseReserve}) and the cursor's file lock.
     */
    private void writePendingCursorFile(CursorImpl c, CursorFile cf, int slot) throws IOException {
        try {
            writePendingCursorFileOnce(c, cf, slot);
        } catch (IOException e) {
            if (!DiskFullException.isDiskFull(e)) {
                throw e;
            }
            boolean freed = releaseReserve();
            try {
                cf.writePending(dir.resolve(CURSORS), slot);
            } catch (IOException again) {
                throw diskFullOr(again, "writing cursor " + cf.name(), commitNotStored() + toFree(freed));
            }
        }
    }

    /**
     * {@link #writePendingCursorFile} without the retry: a full disk is thrown as it is. Caller holds the file lock.
     */
    private void writePendingCursorFileOnce(CursorImpl c, CursorFile cf, int slot) throws IOException {
        FileChannel kept = c.keptSlotIndex == slot ? c.keptSlot : null;
        closeQuietly(c.keptSlot == kept ? null : c.keptSlot);
        c.keptSlot = null;
        if (kept != null && kept.isOpen()) {
            try (FileChannel k = kept) {
                cf.writePending(k, c.keptSlotLength);
            }
        } else {
            closeQuietly(kept);
            cf.writePending(dir.resolve(CURSORS), slot);
        }
    }

    /**
     * Syncs every cursor commit made under {@link CursorSync#DEFERRED} that is not yet synced, so a power loss
     * from now on sends none of the records they acknowledged again. Under {@link CursorSync#EVERY_COMMIT} there
     * is nothing to do. The buffer calls it itself before deleting any segment.
     *
     * @throws IOException when a cursor file cannot be written or synced (the commits stay pending)
     */
    public void syncCursors() throws IOException {
        lock.lock();
        try {
            ensureWritable();
            syncCursorsLocked();
        } finally {
            lock.unlock();
        }
    }

    private void syncCursorsLocked() throws IOException {
        for (CursorImpl c : cursors.values()) {
            synchronized (c.fileLock) {
                CursorFile state = c.unsynced.get();
                if (state != null) {
                    writeCursorFile(state);
                    c.unsynced.compareAndSet(state, null);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ append

    /**
     * Appends a record with priority 0 and returns once it is durable under the buffer's policy.
     *
     * @param stream  the stream: 1 to 255 UTF-8 bytes, no control characters
     * @param payload the payload, at most 16 MiB
     * @return the record's key and position
     * @throws BufferFullException when the disk budget is full and the stream's policy made no room
     * @throws DiskFullException   when the file system is full
     * @throws IOException         when writing or syncing fails
     */
    public Appended append(String stream, byte[] payload) throws IOException {
        return append(stream, 0, payload);
    }

    /**
     * Appends a record and returns once it is durable under the buffer's policy.
     *
     * @param stream   the stream: 1 to 255 UTF-8 bytes, no control characters
     * @param priority 0 (lowest) to 9
     * @param payload  the payload, at most 16 MiB
     * @return the record's key and position
     * @throws BufferFullException when the disk budget is full and the stream's policy made no room
     * @throws DiskFullException   when the file system is full
     * @throws IOException         when writing or syncing fails
     */
    public Appended append(String stream, int priority, byte[] payload) throws IOException {
        CompletableFuture<Appended> f = write(stream, priority, payload, 0,
                Objects.requireNonNull(payload, "payload").length);
        if (f.isDone() && !f.isCompletedExceptionally()) {
            return f.join();
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    lock.lock();
                    try {
                        if (unreportedFailure == c) {
                            // told now, through this append
                            unreportedFailure = null;
                        }
                    } finally {
                        lock.unlock();
                    }
                    if (c instanceof IOException) {
                        throw (IOException) c;
                    }
                    throw new IOException("Sync failed: " + c, c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes a record and returns at once; the future completes when the record is durable under the policy
     * (at once for {@code always} and {@code none}), or exceptionally if its write or sync failed. Under group
     * commit the record is staged in memory and written together with the records staged around it, so a full
     * disk shows through the futures of every append the failed write held (a {@link DiskFullException} as their
     * cause), and the next {@code appendAsync}, {@code append} or {@link #flush} on any thread throws it once (that
     * call's own record is then not stored either).
     *
     * @param stream   the stream
     * @param priority 0 to 9
     * @param payload  the payload (copied into the log before this method returns)
     * @return the future of the record's key and position
     * @throws BufferFullException when the disk budget is full and the stream's policy made no room
     * @throws DiskFullException   when the file system is full
     * @throws IOException         when writing fails
     */
    public CompletableFuture<Appended> appendAsync(String stream, int priority, byte[] payload) throws IOException {
        return write(stream, priority, payload, 0, Objects.requireNonNull(payload, "payload").length);
    }

    private CompletableFuture<Appended> write(String stream, int priority, byte[] payload, int off, int len)
            throws IOException {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(payload, "payload");
        if (priority < 0 || priority > 9) {
            throw new IllegalArgumentException("priority must be in [0, 9], got " + priority);
        }
        if (len > FrameFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + len + " bytes exceeds the maximum of "
                    + FrameFormat.MAX_PAYLOAD);
        }
        byte[] sb = streamBytes(stream);
        int frameLen = FrameFormat.frameSize(sb.length, len);
        if (frameLen + FrameFormat.SEGMENT_HEADER > segmentBytes) {
            throw new IllegalArgumentException("A record of " + len + " bytes does not fit in a segment of "
                    + segmentBytes + " bytes; raise segmentBytes");
        }
        List<Runnable> after = new ArrayList<>(0);
        CompletableFuture<Appended> result;
        // An interrupted thread doing I/O on a FileChannel closes it for every thread, so the caller's interrupt
        // is set aside while this append does I/O on the shared write channel, and restored when it returns.
        boolean interrupted = Thread.interrupted();
        lock.lock();
        try {
            // an interrupt that arrived while this thread waited for the lock would close the shared channel
            interrupted |= Thread.interrupted();
            ensureWritable();
            throwUnreportedFailure(", and this record was not stored either");
            // before the first frame of this holder: the lock note then no longer says "closed cleanly"
            dirLock.claim();
            appendedHere = true;
            if (durability.mode() == Durability.Mode.NONE && active != null
                    && System.nanoTime() - lastPresenceCheck >= PRESENCE_CHECK_NANOS) {
                // no sync to look after: a deleted active segment is found before this record goes into it
                lastPresenceCheck = System.nanoTime();
                if (Files.notExists(active.path())) {
                    activeSegmentDeleted(after);
                }
            }
            if (stagedFrom < 0 && active != null && pending.isEmpty() && active.summary().records() > 0
                    && minCommitted() >= written && (spaceShort || activeCannotRoll(List.of()))) {
                // Every cursor passed the active segment. When the disk filled since the commit that kept it (or a
                // staged write met ENOSPC in it, which cannot retire the segment holding its frames), it is retired
                // before this record goes in, rather than this write (under group commit, a batch) failing.
                reclaimForAppend();
            }
            checkReserveHeld();
            ensureSpace(stream, sb.length, priority, frameLen, interrupted);
            repairActive();
            if (rolls(frameLen)) {
                boolean staged = stagedFrom >= 0;
                try {
                    roll(after);
                } catch (DiskFullException e) {
                    // staged frames the roll wrote first had their own retry, and their failure is this call's to
                    // report (see appendAsync); a roll that failed by itself is tried once more on reclaimed space
                    if (staged || !reclaimForAppend()) {
                        throw e;
                    }
                    roll(after);
                }
            }
            long[] seqHolder = lastSeq.computeIfAbsent(stream, k -> new long[] {marks.floor()});
            long seq = seqHolder[0] + 1;
            // durably before the frame exists: a later open that finds the end of the log lost continues above it
            reserveSequences(seq);
            long ts = clock.millis();
            long fileOff = active.fileLength();
            if (durability.mode() == Durability.Mode.GROUP) {
                // Group commit coalesces: the frame is staged and written with its neighbours in one positional
                // write when the sync thread syncs, the staging buffer fills, the segment rolls, or on flush/close.
                // Nothing staged is durable or visible to readers, so the record is at risk exactly as long as an
                // unsynced written one (until its future completes).
                if (stagedFrom >= 0 && writeBuf.remaining() < frameLen) {
                    writeStaged(after);
                }
                ensureWriteBuffer(frameLen);
                if (stagedFrom < 0) {
                    writeBuf.clear();
                    stagedFrom = fileOff;
                }
                FrameFormat.writeFrame(writeBuf, FrameFormat.TYPE_RECORD, priority, sb, seq, ts, payload, off, len,
                        writeCrc);
            } else {
                ensureWriteBuffer(frameLen);
                writeBuf.clear();
                FrameFormat.writeFrame(writeBuf, FrameFormat.TYPE_RECORD, priority, sb, seq, ts, payload, off, len,
                        writeCrc);
                writeBuf.flip();
                try {
                    writeFully(active, writeBuf, fileOff);
                } catch (DiskFullException e) {
                    // cut back: nothing of the frame is left; written again once on reclaimed space (a new segment
                    // at the same log position when the active one was retired)
                    if (!reclaimForAppend()) {
                        throw e;
                    }
                    // a retired active segment left marks covering only what was handed out, below this seq: reserve
                    // it again, or an open after losing the new segment would hand the same key out again
                    reserveSequences(seq);
                    if (rolls(frameLen)) {
                        roll(after);
                    }
                    fileOff = active.fileLength();
                    writeBuf.rewind();
                    writeFully(active, writeBuf, fileOff);
                }
            }
            if (durability.mode() == Durability.Mode.ALWAYS) {
                try {
                    timedForce(active.channel());
                } catch (IOException e) {
                    cutBack(active, fileOff);
                    throw diskFullOr(e, "syncing " + active.path());
                }
                if (Files.notExists(active.path())) {
                    // synced into a file nobody can open again: not durable
                    throw activeSegmentDeleted(after);
                }
            }
            seqHolder[0] = seq;
            long position = active.base() + fileOff;
            active.appended(fileOff + frameLen);
            active.summary().add(stream, seq, ts, priority, len);
            totalBytes += frameLen;
            written = active.endPosition();
            Appended appended = new Appended(new IdempotencyKey(deviceId, stream, epoch, seq), ts, position,
                    written);
            if (durability.mode() == Durability.Mode.GROUP) {
                result = new CompletableFuture<>();
                pending.add(new PendingAppend(appended, result));
                if (firstPendingNanos == 0) {
                    firstPendingNanos = System.nanoTime();
                    syncNeeded.signal();
                } else if (written - forced >= durability.maxBytes()) {
                    syncNeeded.signal();
                }
            } else {
                if (durability.mode() == Durability.Mode.ALWAYS) {
                    forced = written;
                }
                durable = written;
                durableAdvanced.signalAll();
                result = CompletableFuture.completedFuture(appended);
                if (listener != null) {
                    notifiedSeq.put(stream, seq);
                    after.add(() -> notifyListener(stream, seq));
                }
            }
        } finally {
            interrupted |= takeSetAsideInterrupt();
            lock.unlock();
            // completions a roll collected run even when the append itself then failed: no future is left hanging
            runAll(after);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return result;
    }

    private byte[] streamBytes(String stream) {
        synchronized (streamNames) {
            byte[] b = streamNames.get(stream);
            if (b != null) {
                return b;
            }
        }
        byte[] b = stream.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > FrameFormat.MAX_STREAM_BYTES) {
            throw new IllegalArgumentException("stream name must be 1 to " + FrameFormat.MAX_STREAM_BYTES
                    + " UTF-8 bytes, got " + b.length);
        }
        for (int i = 0; i < stream.length(); i++) {
            if (Character.isISOControl(stream.charAt(i))) {
                throw new IllegalArgumentException("stream name must not contain control characters: '"
                        + stream.replaceAll("\\p{Cntrl}", "?") + "'");
            }
        }
        synchronized (streamNames) {
            if (streamNames.size() < 10_000) {
                streamNames.put(stream, b);
            }
        }
        return b;
    }

    private void ensureWritable() {
        if (closed) {
            throw new IllegalStateException("Buffer " + dir + " is closed");
        }
        if (readOnly) {
            throw new IllegalStateException("Buffer " + dir + " was opened read-only");
        }
    }

    /**
     * Writes the staged frames to the active segment in one positional write (group commit). When the write fails,
     * the staged frames are cut off and their appends fail: their completions go into {@code after}, and the
     * failure is thrown. Caller holds the lock.
     */
    private void writeStaged(List<Runnable> after) throws IOException {
        if (stagedFrom < 0) {
            return;
        }
        long from = stagedFrom;
        int len = writeBuf.position();
        boolean keep = false;
        boolean reclaimed = false;
        try {
            if (reserveReleased) {
                // staged before a commit released the reserve: the space freed is the commits'
                failStaged(from, new IOException("No space left on device: " + RESERVE + " is not held (released"
                        + " so that cursor commits, which free space, can be stored)"), after);
            }
            for (int attempt = 1; ; attempt++) {
                // The staged frames are other threads' appends too: an interrupt of this thread (arriving before
                // or during the write, which then closes the channel) must not fail them, so it is set aside, the
                // channel reopened and the write tried again; the interrupt is restored when the public call
                // returns.
                interruptSetAside |= Thread.interrupted();
                writeBuf.limit(len).position(0);
                try {
                    repairActive();
                    openSyncChannel(active);
                    writeFully(active, writeBuf, from);
                    return;
                } catch (ClosedChannelException e) {
                    if (attempt < 10) {
                        continue;
                    }
                    // This thread keeps being interrupted: only its own call fails. The frames stay staged (the
                    // failed write was cut off) for the next writer; the sync thread is never interrupted.
                    keep = true;
                    repair(active);
                    throw e;
                } catch (IOException e) {
                    // a full disk: what every cursor acknowledged is reclaimed and the frames written once more
                    // (the active segment holds them, so only sealed segments, and expired ones, can go)
                    if (!reclaimed && e instanceof DiskFullException && reclaimForAppend()) {
                        reclaimed = true;
                        continue;
                    }
                    failStaged(from, e, after);
                }
            }
        } finally {
            if (keep) {
                writeBuf.limit(writeBuf.capacity()).position(len);
            } else {
                writeBuf.clear();
                stagedFrom = -1;
            }
        }
    }

    /**
     * Opens the sync thread's own channel on the active segment before the first write it will sync (see
     * {@link Segment}). Best effort: without it the sync thread syncs through the write channel. Caller holds the
     * lock.
     */
    private void openSyncChannel(Segment seg) {
        try {
            seg.openSyncChannel(opener);
        } catch (IOException e) {
            LOG.warn("Buffer {}: could not open a sync channel on {}; syncing through the write channel", dir,
                    seg.path(), e);
        }
    }

    /** Grows the write buffer to hold a frame; only while nothing is staged in it. Caller holds the lock. */
    private void ensureWriteBuffer(int frameLen) {
        if (writeBuf.capacity() < frameLen) {
            writeBuf = ByteBuffer.allocateDirect(Math.max(Math.max(frameLen, STAGING_BYTES), writeBuf.capacity() * 2));
        }
    }

    /** Returns whether a staged write set this thread's interrupt aside, and forgets it. Caller holds the lock. */
    private boolean takeSetAsideInterrupt() {
        boolean was = interruptSetAside;
        interruptSetAside = false;
        return was;
    }

    /** The staged write failed: drops the staged frames, fails their appends, and throws. Caller holds the lock. */
    private void failStaged(long from, IOException e, List<Runnable> after) throws IOException {
        // writeFully already made a full disk a DiskFullException, whose message speaks of one record
        IOException cause = e instanceof DiskFullException && e.getCause() instanceof IOException
                ? (IOException) e.getCause() : e;
        String lost = describeFrom(active.base() + from);
        IOException failure = diskFullOr(cause, "writing " + active.path(), lost
                + (lost.startsWith("the 1 append ") ? " was" : " were")
                + " not stored (their futures fail). Appends work again once space is freed");
        after.addAll(dropUnwritten(from, failure));
        throw failure;
    }

    /**
     * Names the pending appends at or after a log position, by stream and sequence range, e.g. {@code the 174
     * appends of stream 'default' sequences 2-175}. Caller holds the lock.
     */
    private String describeFrom(long start) {
        Map<String, long[]> ranges = new LinkedHashMap<>();
        int n = 0;
        for (java.util.Iterator<PendingAppend> it = pending.descendingIterator(); it.hasNext(); ) {
            Appended a = it.next().appended;
            if (a.position() < start) {
                break;
            }
            n++;
            long[] r = ranges.computeIfAbsent(a.key().stream(), k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            r[0] = Math.min(r[0], a.sequence());
            r[1] = Math.max(r[1], a.sequence());
        }
        StringBuilder sb = new StringBuilder("the ").append(n).append(n == 1 ? " append" : " appends");
        int shown = 0;
        for (Map.Entry<String, long[]> e : ranges.entrySet()) {
            if (shown == 3) {
                sb.append(" and ").append(ranges.size() - 3).append(" more streams");
                break;
            }
            long[] r = e.getValue();
            sb.append(shown == 0 ? " of stream '" : ", stream '").append(e.getKey()).append("' sequence")
                    .append(r[0] == r[1] ? " " + r[0] : "s " + r[0] + "-" + r[1]);
            shown++;
        }
        return sb.toString();
    }

    /** Keeps a failure for the next caller; a later one before that is added to it as suppressed. */
    private void noteUnreported(IOException e) {
        if (unreportedFailure == null) {
            unreportedFailure = e;
        } else if (unreportedFailure != e) {
            unreportedFailure.addSuppressed(e);
        }
    }

    /**
     * Throws, once, a group-commit failure no caller was told of yet. Caller holds the lock.
     *
     * @param andThis what the failure means for the call that throws it
     */
    private void throwUnreportedFailure(String andThis) throws IOException {
        IOException f = takeUnreportedFailure(andThis);
        if (f != null) {
            throw f;
        }
    }

    /**
     * Returns, once, a group-commit failure no caller was told of yet, worded for the call that reports it, or
     * null. Caller holds the lock.
     */
    private IOException takeUnreportedFailure(String andThis) {
        IOException f = unreportedFailure;
        if (f == null) {
            return null;
        }
        unreportedFailure = null;
        String m = "Earlier appends were not stored (their futures failed)" + andThis + ": " + f.getMessage();
        return f instanceof DiskFullException ? new DiskFullException(m, f) : new IOException(m, f);
    }

    /**
     * Logs a failed write of staged frames. A full disk fails every write for as long as it lasts, so it is one WARN
     * line per 30 s naming the segment, the free space and the failures since, with the stack trace at DEBUG (it was a
     * WARN with a stack trace per failure); any other I/O error keeps its stack trace at WARN.
     */
    private void logWriteFailure(Segment seg, int appends, IOException failure) {
        if (!(failure instanceof DiskFullException) && !DiskFullException.isDiskFull(failure)) {
            LOG.warn("Buffer {}: writing {} failed, {} appends not stored", dir, seg.path(), appends, failure);
            return;
        }
        long since = diskFullWarnings.tryWarn();
        if (since >= 0) {
            LOG.warn("Buffer {}: writing {} failed, {} appends not stored: {}; free space: {}{}", dir, seg.path(),
                    appends, failure.getMessage(), freeSpace(), diskFullWarnings.suffix(since));
        }
        LOG.debug("Buffer {}: writing {} failed, {} appends not stored", dir, seg.path(), appends, failure);
    }

    /** The usable space of the buffer's file system, for a log line ("unknown" when it cannot be read). */
    private String freeSpace() {
        try {
            return Files.getFileStore(dir).getUsableSpace() + " bytes";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Forgets every frame of the active segment from file offset {@code from} on (cut off or never written) and
     * fails the pending appends they held, returning their completions. Caller holds the lock.
     */
    private List<Runnable> dropUnwritten(long from, IOException failure) {
        Segment seg = active;
        long start = seg.base() + from;
        List<PendingAppend> failed = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekLast().appended.position() >= start) {
            failed.add(pending.pollLast());
        }
        Collections.reverse(failed);
        totalBytes -= seg.fileLength() - from;
        seg.appended(from);
        written = seg.endPosition();
        rescanSummary(seg);
        if (pending.isEmpty()) {
            firstPendingNanos = 0;
        }
        logWriteFailure(seg, failed.size(), failure);
        List<Runnable> after = new ArrayList<>(failed.size());
        for (PendingAppend p : failed) {
            after.add(() -> p.future.completeExceptionally(failure));
        }
        durableAdvanced.signalAll();
        return after;
    }

    /**
     * Recounts what the active segment holds from its frames, after frames were cut off its tail, so that its
     * footer and the metrics do not count records that are gone. When the file cannot be read the old summary
     * stays and is marked stale: sealing recounts again, and seals without a footer if that fails too (the next
     * open then scans the segment instead of trusting a footer). Caller holds the lock.
     */
    private void rescanSummary(Segment seg) {
        try {
            SegmentSummary summary = new SegmentSummary();
            FrameScanner sc = new FrameScanner(seg.channel(), seg.fileLength());
            long off = FrameFormat.SEGMENT_HEADER;
            while (off < seg.fileLength()) {
                FrameScanner.Kind k = sc.next(off, false);
                if (k == FrameScanner.Kind.END) {
                    break;
                }
                if (k == FrameScanner.Kind.RECORD) {
                    summary.add(sc.stream(), sc.sequence(), sc.timestamp(), sc.priority(), sc.payloadLength());
                }
                off = sc.nextOffset();
            }
            seg.replaceSummary(summary);
            summaryStale = false;
        } catch (IOException e) {
            summaryStale = true;
            LOG.warn("Buffer {}: could not recount {} after cutting its tail; tried again before sealing it", dir,
                    seg.path(), e);
        }
    }

    private void writeFully(Segment seg, ByteBuffer buf, long fileOff) throws IOException {
        try {
            long pos = fileOff;
            while (buf.hasRemaining()) {
                pos += seg.channel().write(buf, pos);
            }
        } catch (IOException e) {
            cutBack(seg, fileOff);
            throw diskFullOr(e, "writing " + seg.path());
        }
    }

    /**
     * Reopens a segment's write channel if an interrupt (of a thread doing I/O on it) closed it. Best effort: when
     * the file cannot be opened the next append tries again. Caller holds the lock.
     */
    private void repair(Segment seg) {
        try {
            if (seg.reopenWriteIfClosed(opener)) {
                LOG.warn("Buffer {}: the write channel of {} was closed by an interrupted thread; reopened", dir,
                        seg.path());
            }
        } catch (IOException e) {
            LOG.warn("Buffer {}: could not reopen {} after an interrupted thread closed it", dir, seg.path(), e);
        }
    }

    /** Makes sure the active segment's write channel is open before appending to it. Caller holds the lock. */
    private void repairActive() throws IOException {
        if (active != null && active.reopenWriteIfClosed(opener)) {
            LOG.warn("Buffer {}: the write channel of {} was closed by an interrupted thread; reopened", dir,
                    active.path());
        }
    }

    /**
     * Cuts off a failed write so that nothing half-written stays in the log. The failure may have been an interrupt
     * that closed the channel, and another may arrive while cutting: the interrupt is set aside, the channel
     * reopened and the cut tried again (the caller's interrupt is restored).
     */
    private void cutBack(Segment seg, long length) {
        boolean interrupted = false;
        try {
            for (int attempt = 1; ; attempt++) {
                interrupted |= Thread.interrupted();
                repair(seg);
                try {
                    if (seg.channel().size() > length) {
                        seg.channel().truncate(length);
                    }
                    return;
                } catch (ClosedChannelException e) {
                    if (attempt < 10) {
                        continue;
                    }
                    tailUncut = true;
                    LOG.warn("Could not cut {} back to {} bytes after a failed write", seg.path(), length, e);
                    return;
                } catch (IOException e) {
                    // recovery cuts a torn tail on the next open; until then the frame is invisible (not counted)
                    tailUncut = true;
                    LOG.warn("Could not cut {} back to {} bytes after a failed write", seg.path(), length, e);
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private IOException diskFullOr(IOException e, String what) {
        return diskFullOr(e, what, "the record was not stored. Appends work again once space is freed");
    }

    /**
     * An append's write, or the roll before it, met a full disk (or the append found no room to take a fully
     * acknowledged active segment to its roll): reclaims the segments every cursor has passed
     * (the fully acknowledged active segment too, as {@link #spaceShort} is set) and those whose records all
     * expired, so that the caller writes once more. Before, nothing was reclaimed until the next commit, reclaim
     * or open, and a drain that had caught up commits nothing more: every append failed "Disk full" although the
     * space was the buffer's to free. Caller holds the lock.
     *
     * @return whether space was freed and the caller may write again (false when the reserve is not held after it:
     *     the space is then the cursor commits')
     */
    private boolean reclaimForAppend() {
        spaceShort = true;
        boolean held = !reserveReleased;
        long freed = reclaimLocked();
        if (freed > 0 && held && reserveReleased) {
            // the sequence marks the reclaim stores first took the reserve's space on the full disk; what it freed
            // brings the reserve back before this write may use any
            ensureReserve();
        }
        if (freed <= 0 || reserveReleased) {
            return false;
        }
        LOG.info("Buffer {}: disk space is short; reclaimed {} bytes every cursor had acknowledged (or that"
                + " expired) for an append", dir, freed);
        return true;
    }

    /**
     * Turns an ENOSPC into a {@link DiskFullException} saying what failed and what it means, and notes that space is
     * short (so the next commit reclaims even the active segment and restores the reserve).
     */
    private IOException diskFullOr(IOException e, String what, String consequence) {
        if (e instanceof DiskFullException) {
            spaceShort = true;
            return e;
        }
        if (DiskFullException.isDiskFull(e)) {
            spaceShort = true;
            return new DiskFullException("Disk full while " + what + "; " + consequence + " (" + spaceReport() + ")",
                    e);
        }
        return e;
    }

    /**
     * Where space stands, for a full disk's message: what the file system has free, what the buffer's segments take
     * (when the caller holds the lock) and the disk budget.
     */
    private String spaceReport() {
        String free;
        try {
            free = Files.getFileStore(dir).getUsableSpace() + " bytes free on the file system of " + dir;
        } catch (IOException | RuntimeException e) {
            free = "free space on the file system of " + dir + " unknown: " + e.getMessage();
        }
        String held = lock.isHeldByCurrentThread() ? "; the buffer's segments take " + totalBytes + " bytes" : "";
        String budget = budgetBytes == Long.MAX_VALUE ? "; no disk budget is set (DurableBuffer.Builder.diskBudget),"
                + " so the file system is the limit" : "; disk budget " + budgetBytes + " bytes";
        return free + held + budget;
    }

    /**
     * What to free when a write on a full disk failed after {@link #releaseReserve}: when the buffer had nothing left
     * to give up, the block the write needs must come from outside. Caller holds the lock.
     *
     * @param freed what {@link #releaseReserve} returned
     */
    private String toFree(boolean freed) {
        if (freed) {
            // something was freed and the write still failed: the file needs more than one block, or another
            // process took the block first
            return "";
        }
        String block;
        try {
            block = Files.getFileStore(dir).getBlockSize() + " bytes";
        } catch (IOException | RuntimeException e) {
            block = "its size unknown";
        }
        return ". The buffer has nothing left to give up (" + RESERVE + ", " + SegmentIndex.FILE + " and the note in "
                + DirectoryLock.FILE + " are gone): free at least one block of the file system (" + block + ") by"
                + " deleting something else there; nothing the buffer holds is deleted meanwhile, and every record"
                + " whose commit was not stored is sent again";
    }

    /** What a failed cursor write means: the commit is lost, the records are not. */
    private static String commitNotStored() {
        return "the commit was not stored, so its records stay unacknowledged and are sent again (nothing is lost)."
                + " Commits work again once space is freed";
    }

    /**
     * A sync through the write channel (flush, sealing, close) failed; returns what the caller throws. Under group
     * commit the frames above the synced mark are treated exactly as when the sync thread's sync fails
     * ({@link #failPending}): cut off, their appends failed, the channels renewed; otherwise a retried sync, which
     * the device lets succeed, would report them durable. The caller is told now, so no later call reports it
     * again. A channel an interrupt closed loses nothing: that failure is thrown as it is, and a retry syncs the
     * same frames. Caller holds the lock.
     *
     * @param e     the failure
     * @param what  what was being done, e.g. {@code "sealing <path>"}
     * @param after receives the completions of the failed appends
     * @return the exception to throw
     */
    private IOException writerSyncFailed(IOException e, String what, List<Runnable> after) {
        if (e instanceof ClosedChannelException) {
            return e;
        }
        if (durability.mode() != Durability.Mode.GROUP || active == null || written <= forced) {
            if (durability.mode() == Durability.Mode.NONE && active != null && written > forced) {
                // none completed these appends when they were written; they stay readable, but a later sync
                // cannot store what the device failed to write back, so say so rather than cut them off
                return syncFailure(e, what, "records appended since the last successful sync may be lost on a"
                        + " power loss (a later sync does not store them again)");
            }
            return diskFullOr(e, what);
        }
        String lost = describeFrom(forced);
        String consequence = lost + (lost.startsWith("the 1 append ") ? " was" : " were")
                + " not stored (their futures fail; a later sync could not store them)";
        IOException failure = syncFailure(e, what, consequence);
        after.addAll(failPending(active, failure));
        if (unreportedFailure == failure) {
            // thrown to this caller now
            unreportedFailure = null;
        }
        return failure;
    }

    /** A failed sync's exception, saying what failed and what it means. */
    private IOException syncFailure(IOException e, String what, String consequence) {
        if (e instanceof DiskFullException || DiskFullException.isDiskFull(e)) {
            return diskFullOr(e, what, consequence);
        }
        return new IOException("Sync failed while " + what + ": " + e.getMessage() + "; " + consequence, e);
    }

    private void timedForce(FileChannel ch) throws IOException {
        long t0 = System.nanoTime();
        ch.force(false);
        long dt = System.nanoTime() - t0;
        syncs++;
        syncNanosTotal += dt;
        syncNanosMax = Math.max(syncNanosMax, dt);
    }

    /**
     * Seals the active segment (footer, trailer, sync) and starts a new one. The next segment is written as
     * {@code seg-<base>.log.tmp} (header, then synced) before the old one's footer, and renamed into place once the
     * old one is sealed: a crash at any step leaves either the old segment unsealed, or it sealed beside that
     * temporary file, which tells the next open that the log ends in a roll, not in lost segments (no sequence
     * floor; see {@code docs/formats/buffer.md}, "Rolling"). When the temporary file cannot be created or given its
     * header (a full disk), nothing of the roll happened: the old segment stays active and unsealed, its pending
     * appends complete with its next sync, and the exception fails the caller's append only. Completions of the
     * appends the seal made durable go into {@code after} as soon as they exist, so that they run even when a
     * later step fails (syncing or renaming the temporary file). Caller holds the lock.
     */
    private void roll(List<Runnable> after) throws IOException {
        if (active != null && Files.notExists(active.path())) {
            // sealing would sync its pending appends into a file nobody can open again
            List<Runnable> failed = new ArrayList<>();
            IOException gone = activeSegmentDeleted(failed);
            if (!failed.isEmpty()) {
                noteUnreported(gone);
            }
            after.addAll(failed);
        }
        byte[] summary = null;
        long base;
        if (active != null) {
            writeStaged(after);
            if (summaryStale) {
                rescanSummary(active);
            }
            // a summary that may count frames a failed write cut off is never sealed into a footer: without one, the
            // next open scans the segment and counts what is there
            summary = summaryStale ? null : active.summary().encode();
            base = active.endPosition() + (summary == null ? 0
                    : FrameFormat.frameSize(0, summary.length) + (long) FrameFormat.TRAILER);
        } else {
            base = Math.max(minNextBase, written);
        }
        base = Math.max(base, minNextBase);
        rollSteps.accept(RollStep.STARTING);
        Path path = dir.resolve(Segment.fileName(base));
        Path temp = dir.resolve(Segment.tempName(base));
        FileChannel ch = null;
        try {
            // One left by an interrupted roll (recovery completes it with this call) is reused, not deleted first:
            // its name is the evidence that the log ends in a roll until this one is renamed into place.
            ch = Files.exists(temp)
                    ? opener.open(temp, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING))
                    : opener.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                            StandardOpenOption.WRITE));
            rollSteps.accept(RollStep.NEXT_CREATED);
            ByteBuffer h = ByteBuffer.allocate(FrameFormat.SEGMENT_HEADER);
            FrameFormat.writeSegmentHeader(h, base, epoch, writeCrc);
            h.flip();
            long p = 0;
            while (h.hasRemaining()) {
                p += ch.write(h, p);
            }
            rollSteps.accept(RollStep.NEXT_HEADER_WRITTEN);
        } catch (IOException e) {
            // Nothing irreversible has happened yet: the old segment stays the active, unsealed tail (its pending
            // appends complete with its next sync) and the next append tries the roll again. Sealing it anyway,
            // as before, left a log ending sealed with no temporary file beside it, so a crash before the retry
            // cost a floor (a jump in every stream's numbering) on the next open.
            discardNext(ch, temp);
            throw startFailed(e, path);
        }
        if (active != null) {
            try {
                seal(summary, after);
            } catch (IOException | RuntimeException | Error e) {
                discardNext(ch, temp);
                throw e;
            }
        }
        try {
            timedForce(ch);
            rollSteps.accept(RollStep.NEXT_SYNCED);
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path);
            }
            rollSteps.accept(RollStep.RENAMED);
            AtomicFile.syncDirectory(dir);
            rollSteps.accept(RollStep.DIRECTORY_SYNCED);
        } catch (IOException e) {
            discardNext(ch, temp);
            Files.deleteIfExists(path);
            throw startFailed(e, path);
        }
        Segment seg = new Segment(base, path, ch, new SegmentSummary(), FrameFormat.SEGMENT_HEADER,
                FrameFormat.SEGMENT_HEADER, false);
        segments.put(base, seg);
        active = seg;
        totalBytes += FrameFormat.SEGMENT_HEADER;
        written = seg.endPosition();
        forced = written;
        durable = written;
        minNextBase = written;
    }

    /** The exception for a roll that could not start the segment at {@code path}. */
    private IOException startFailed(IOException e, Path path) {
        if (Files.notExists(dir)) {
            return new IOException("Buffer directory " + dir + " was deleted while the buffer was open; nothing can"
                    + " be stored until it is reopened", e);
        }
        return diskFullOr(e, "creating segment " + path);
    }

    /** Closes and deletes a next segment's temporary file that will not be renamed into place. Best effort. */
    private void discardNext(FileChannel ch, Path temp) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // deleted below; nothing was written through it that anyone reads
            }
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("Buffer {}: could not delete {}; the next writable open deletes it", dir, temp, e);
        }
    }

    /**
     * Seals the active segment: footer and trailer ({@code summary} null: none, see {@link #roll}), sync, index
     * entry; then it is no longer active and the appends it held are durable. Caller holds the lock.
     */
    private void seal(byte[] summary, List<Runnable> after) throws IOException {
        Segment old = active;
        boolean footer = summary != null;
        long footerAt = old.fileLength();
        int frameLen = 0;
        if (footer) {
            frameLen = FrameFormat.frameSize(0, summary.length);
            ByteBuffer b = ByteBuffer.allocate(frameLen + FrameFormat.TRAILER);
            FrameFormat.writeFrame(b, FrameFormat.TYPE_FOOTER, 0, new byte[0], 0, clock.millis(), summary, 0,
                    summary.length, writeCrc);
            FrameFormat.writeTrailer(b, footerAt, writeCrc);
            b.flip();
            writeFully(old, b, footerAt);
            rollSteps.accept(RollStep.FOOTER_WRITTEN);
        }
        try {
            timedForce(old.channel());
        } catch (IOException e) {
            if (footer) {
                cutBack(old, footerAt);
            }
            throw writerSyncFailed(e, "sealing " + old.path(), after);
        }
        if (footer) {
            old.sealedAt(footerAt, footerAt + frameLen + FrameFormat.TRAILER);
            old.closeWrite();
            if (indexDropped) {
                rebuildDroppedIndex(); // the whole index, this segment included, not one entry of it
            } else {
                try {
                    SegmentIndex.append(dir, new SegmentIndex.Entry(old.base(), old.fileLength(), footerAt,
                            old.summary()));
                    indexEntries++;
                } catch (IOException e) {
                    // only a cache of the footer just written; the next open reads that footer instead
                    LOG.warn("Could not index sealed segment {}", old.path(), e);
                }
            }
            if (indexEntries > 2 * segments.size() + 16) {
                compactIndex();
                indexEntries = segments.size();
            }
            totalBytes += frameLen + FrameFormat.TRAILER;
        } else {
            LOG.warn("Buffer {}: sealing {} without a footer, as its record counts could not be checked after a"
                    + " failed write; the next open scans it", dir, old.path());
            old.sealWithoutFooter();
            summaryStale = false;
        }
        rollSteps.accept(RollStep.SEALED);
        active = null;
        written = old.endPosition();
        forced = written;
        minNextBase = Math.max(minNextBase, written);
        after.addAll(advanceDurable(written));
    }

    /**
     * Moves the durable watermark to {@code target} and returns the completions (futures, listener calls) to run
     * once the lock is released. Caller holds the lock.
     */
    private List<Runnable> advanceDurable(long target) {
        // Listener calls run before future completions, so a caller that waited on its futures has also been
        // heard by the listener (the CLI prints "durable <seq>" from it).
        List<Runnable> after = new ArrayList<>();
        List<Runnable> completions = new ArrayList<>();
        if (target > durable) {
            durable = target;
        }
        durableAdvanced.signalAll();
        Map<String, Long> advanced = new HashMap<>();
        while (!pending.isEmpty() && pending.peekFirst().appended.endPosition() <= durable) {
            PendingAppend p = pending.pollFirst();
            completions.add(() -> p.future.complete(p.appended));
            advanced.merge(p.appended.key().stream(), p.appended.sequence(), Math::max);
        }
        if (pending.isEmpty()) {
            firstPendingNanos = 0;
        }
        if (listener != null) {
            for (Map.Entry<String, Long> e : advanced.entrySet()) {
                Long prev = notifiedSeq.get(e.getKey());
                if (prev == null || prev < e.getValue()) {
                    notifiedSeq.put(e.getKey(), e.getValue());
                    String s = e.getKey();
                    long q = e.getValue();
                    after.add(() -> notifyListener(s, q));
                }
            }
        }
        after.addAll(completions);
        return after;
    }

    /**
     * Tells the listener that a stream's watermark reached {@code sequence}, unless it was already told of that
     * or a higher one. Under {@link #notifyLock}, so calls from different threads arrive one at a time and in
     * increasing order per stream: a thread whose value another thread overtook drops it (the listener already
     * heard of a higher one), and it returns only after the call, so the futures it completes next are covered.
     */
    private void notifyListener(String stream, long sequence) {
        synchronized (notifyLock) {
            Long prev = deliveredSeq.get(stream);
            if (prev != null && prev >= sequence) {
                return;
            }
            deliveredSeq.put(stream, sequence);
            listener.durable(stream, sequence);
        }
    }

    private void syncLoop() {
        lock.lock();
        try {
            while (true) {
                if (written == forced || active == null) {
                    if (closed) {
                        return;
                    }
                    if (written == forced && !pending.isEmpty()) {
                        runUnlocked(advanceDurable(forced));
                        continue;
                    }
                    syncNeeded.await();
                    continue;
                }
                long now = System.nanoTime();
                long deadline = firstPendingNanos + durability.maxDelay().toNanos();
                if (!closed && written - forced < durability.maxBytes() && now < deadline) {
                    syncNeeded.awaitNanos(deadline - now);
                    continue;
                }
                if (stagedFrom >= 0) {
                    List<Runnable> failed = new ArrayList<>();
                    try {
                        writeStaged(failed);
                    } catch (IOException e) {
                        if (stagedFrom < 0) {
                            // the staged appends failed (their futures say why, and the next append or flush
                            // throws it); what was written before still syncs
                            noteUnreported(e);
                        }
                        runUnlocked(failed);
                        continue;
                    }
                }
                Segment seg = active;
                FileChannel ch = seg.syncTarget();
                long target = written;
                long failuresBefore = syncFailures;
                firstPendingNanos = 0;
                lock.unlock();
                IOException failure = null;
                boolean closedUnder = false;
                long t0 = System.nanoTime();
                try {
                    ch.force(false);
                } catch (ClosedChannelException e) {
                    closedUnder = true;
                } catch (IOException e) {
                    failure = e;
                }
                long dt = System.nanoTime() - t0;
                // synced into a file nobody can open again, when something deleted it: not durable (a stat,
                // outside the lock)
                boolean gone = failure == null && !closedUnder && Files.notExists(seg.path());
                lock.lock();
                syncs++;
                syncNanosTotal += dt;
                syncNanosMax = Math.max(syncNanosMax, dt);
                if (closedUnder && closed) {
                    // close() gave up waiting for this thread and closed the segments: it synced what it could,
                    // and a channel reopened now would never be closed
                    return;
                }
                if (syncFailures != failuresBefore) {
                    // A writer's sync (flush, sealing) failed meanwhile: it cut the unsynced tail off, failed the
                    // appends it held and renewed the channels. This sync's outcome concerns frames that are gone:
                    // its success proves nothing about what was appended since, and its failure is the same
                    // write-back error, already handled (failing again would fail healthy appends).
                    continue;
                }
                if (closedUnder && !seg.sealed()) {
                    // Not sealed, so not synced by sealing: an appender interrupted during its I/O closed the
                    // channel. Nothing is durable yet; reopen and sync again (at once: firstPendingNanos is 0).
                    try {
                        seg.reopenWriteIfClosed(opener);
                        firstPendingNanos = 0;
                        continue;
                    } catch (IOException e) {
                        failure = e;
                    }
                }
                if (failure != null && seg.sealed()) {
                    // A roll sealed the segment while this sync ran, and the seal's own sync through the write
                    // channel succeeded. That sync waited for the same write-back and would have been told of its
                    // error (this thread syncs through a descriptor of its own: Linux reports a write-back error
                    // to every descriptor open when it happened), so the segment is durable. The appends pending
                    // now are in the new segment, which this failure does not concern: failing them would leave
                    // their frames to be synced later and their callers to append them again (duplicates).
                    LOG.warn("Buffer {}: a sync of {} failed, but sealing it synced it afterwards; nothing is lost",
                            dir, seg.path(), failure);
                    failure = null;
                }
                if (gone && seg == active) {
                    List<Runnable> failed = new ArrayList<>();
                    IOException e = activeSegmentDeleted(failed);
                    if (!failed.isEmpty()) {
                        noteUnreported(e);
                    }
                    runUnlocked(failed);
                    continue;
                }
                // closed under us and sealed: sealing synced everything up to the target
                if (failure == null) {
                    if (target > forced) {
                        forced = target;
                    }
                    runUnlocked(advanceDurable(forced));
                } else {
                    runUnlocked(failPending(seg, failure));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A sync failed: cut the unsynced tail off and fail every pending append. Whichever descriptor heard of the
     * failure (the sync thread's, or the writer's when flushing, sealing or closing), the frames above the synced
     * mark are not stored: the device reports a write-back error once per descriptor and a later sync succeeds
     * without storing them, so nothing may ever count them as durable. Caller holds the lock.
     */
    private List<Runnable> failPending(Segment seg, IOException failure) {
        IOException e = diskFullOr(failure, "syncing " + seg.path());
        LOG.warn("Buffer {}: sync failed, {} pending appends fail", dir, pending.size(), e);
        if (seg == active) {
            // staged frames were never written; they fail with the rest
            writeBuf.clear();
            stagedFrom = -1;
        }
        syncFailures++;
        if (seg == active && forced >= seg.base()) {
            cutBack(seg, forced - seg.base());
            long cut = seg.fileLength() - (forced - seg.base());
            seg.appended(forced - seg.base());
            totalBytes -= cut;
            written = forced;
            rescanSummary(seg);
            // Every descriptor open when the write-back failed reports it once, the one whose sync failed
            // included: the others would report it to their next sync and fail appends made after the cut.
            try {
                seg.renewChannels(opener);
            } catch (IOException renew) {
                LOG.warn("Buffer {}: could not reopen {} after a failed sync; its next sync may report the same"
                        + " error again", dir, seg.path(), renew);
            }
        }
        List<Runnable> after = new ArrayList<>();
        if (!pending.isEmpty()) {
            noteUnreported(e);
        }
        while (!pending.isEmpty()) {
            PendingAppend p = pending.pollFirst();
            after.add(() -> p.future.completeExceptionally(e));
        }
        firstPendingNanos = 0;
        durableAdvanced.signalAll();
        return after;
    }

    private void runUnlocked(List<Runnable> after) {
        if (after == null || after.isEmpty()) {
            return;
        }
        lock.unlock();
        try {
            runAll(after);
        } finally {
            lock.lock();
        }
    }

    /** Runs completions; a throwing listener must not stop the sync thread (appenders would wait forever). */
    private static void runAll(List<Runnable> after) {
        for (Runnable r : after) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("A durability listener or future callback failed", e);
            }
        }
    }

    /**
     * Waits until every record appended so far is durable (forces a sync now under group commit).
     *
     * <p>When the sync fails, the device may have dropped what it failed to write back, and it reports that once:
     * a retried sync succeeds without storing those records. So under group commit a failed sync fails the
     * futures of every append not yet durable and cuts their frames off (their sequences are not reused), exactly
     * as when the group-commit thread's sync fails; a later flush does not report them durable, and appends made
     * after it work. Under {@code none} the records appended since the last successful sync were already
     * reported durable and stay readable, but may be lost on a power loss even after a later flush succeeds.
     *
     * @throws IOException when the sync fails (under group commit the exception names the appends that failed), or
     *                     when earlier appends under group commit failed (their futures completed exceptionally)
     *                     and no call has reported it yet: then every other record appended so far is durable, and
     *                     the failed ones are not stored
     */
    public void flush() throws IOException {
        List<Runnable> after = new ArrayList<>();
        boolean interrupted = Thread.interrupted();
        lock.lock();
        try {
            ensureWritable();
            if (active != null && written > forced) {
                writeStaged(after);
                repairActive();
                try {
                    timedForce(active.channel());
                } catch (IOException e) {
                    repair(active);
                    throw writerSyncFailed(e, "syncing " + active.path(), after);
                }
                forced = written;
            }
            if (active != null && Files.notExists(active.path())) {
                throw activeSegmentDeleted(after);
            }
            after.addAll(advanceDurable(written));
            // what was stored is durable now; a failure no caller heard of yet is this flush's to report
            throwUnreportedFailure("");
        } finally {
            interrupted |= takeSetAsideInterrupt();
            lock.unlock();
            // completions of appends a failed write dropped run too: no future is left hanging
            runAll(after);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ budget & TTL

    private StreamPolicy policyFor(String stream) {
        return policies.getOrDefault(stream, defaultPolicy);
    }

    /** Whether appending a frame of this size starts a new segment. Caller holds the lock. */
    private boolean rolls(int frameLen) {
        return active == null || (active.fileLength() + frameLen > segmentBytes && active.summary().records() > 0);
    }

    /** The bytes an append commits the buffer to (see {@link #ensureSpace}). Caller holds the lock. */
    private long spaceNeeded(String stream, int streamBytes, int frameLen) {
        if (rolls(frameLen)) {
            return frameLen + (active == null ? 0 : footerBytes(active.summary())) + FrameFormat.SEGMENT_HEADER
                    + footerBytes(new SegmentSummary(), stream, streamBytes);
        }
        return frameLen + footerBytes(active.summary(), stream, streamBytes);
    }

    /** The bytes a segment's footer frame and trailer take. */
    private static long footerBytes(SegmentSummary summary) {
        return FrameFormat.frameSize(0, summary.encodedSize()) + (long) FrameFormat.TRAILER;
    }

    /** The bytes a segment's footer frame and trailer will take, with {@code stream} counted in its summary. */
    private static long footerBytes(SegmentSummary summary, String stream, int streamBytes) {
        int payload = summary.encodedSize() + (summary.has(stream) ? 0 : SegmentSummary.entryBytes(streamBytes));
        return FrameFormat.frameSize(0, payload) + (long) FrameFormat.TRAILER;
    }

    /**
     * Makes room for a frame, counting what the append commits the buffer to: the frame, the footer its segment
     * will get when sealed, and, when the append starts a new segment, the old segment's footer and the new
     * header. So the files never outgrow the budget, sealed or not. Quarantined copies count too.
     */
    private void ensureSpace(String stream, int streamBytes, int priority, int frameLen, boolean interrupted)
            throws IOException {
        if (budgetBytes == Long.MAX_VALUE) {
            return;
        }
        long deadline = 0;
        // recomputed each round: waiting for space releases the lock, and other appends may roll meanwhile
        while (totalBytes + quarantineBytes() + spaceNeeded(stream, streamBytes, frameLen) > budgetBytes) {
            if (reclaimLocked() > 0) {
                continue;
            }
            StreamPolicy p = policyFor(stream);
            switch (p.whenFull()) {
                case REJECT_NEW:
                    throw full(stream, "policy reject-new");
                case BLOCK:
                    if (deadline == 0) {
                        deadline = System.nanoTime() + p.blockTimeout().toNanos();
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw full(stream, "policy block, nothing acknowledged within " + p.blockTimeout());
                    }
                    if (interrupted) {
                        throw new java.io.InterruptedIOException("Interrupted while waiting for buffer space");
                    }
                    try {
                        spaceFreed.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("Interrupted while waiting for buffer space");
                    }
                    ensureWritable();
                    break;
                case DROP_OLDEST: {
                    Segment victim = null;
                    for (Segment s : segments.values()) {
                        if (s != active) {
                            victim = s;
                            break;
                        }
                    }
                    if (victim == null) {
                        throw full(stream, "policy drop-oldest, but no sealed segment to drop");
                    }
                    evict(victim);
                    break;
                }
                default: {
                    Segment victim = null;
                    int victimPrio = Integer.MAX_VALUE;
                    for (Segment s : segments.values()) {
                        if (s == active) {
                            continue;
                        }
                        int mp = -1;
                        for (StreamStats st : s.summary().streams().values()) {
                            mp = Math.max(mp, st.maxPriority());
                        }
                        if (mp < victimPrio) {
                            victimPrio = mp;
                            victim = s;
                        }
                    }
                    if (victim == null || victimPrio > priority) {
                        throw full(stream, "policy drop-lowest-priority, but every sealed segment holds records of "
                                + "priority above " + priority);
                    }
                    evict(victim);
                    break;
                }
            }
        }
    }

    private BufferFullException full(String stream, String why) {
        return new BufferFullException("Buffer " + dir + " is full (" + totalBytes + " of " + budgetBytes
                + " bytes) appending to stream '" + stream + "': " + why);
    }

    private long minCommitted() {
        if (cursors.isEmpty()) {
            return -1;
        }
        long m = Long.MAX_VALUE;
        for (CursorImpl c : cursors.values()) {
            m = Math.min(m, c.committed);
        }
        return m;
    }

    /**
     * Deletes every sealed segment that all cursors have passed or whose records all expired. Runs by itself after
     * commits and when space is needed; call it to apply TTLs on an idle buffer.
     *
     * @return the number of bytes freed; 0 on a read-only buffer
     * @throws IllegalStateException when the buffer is closed
     */
    public long reclaim() {
        lock.lock();
        try {
            ensureOpen();
            if (readOnly) {
                return 0;
            }
            return reclaimLocked();
        } finally {
            lock.unlock();
        }
    }

    private long reclaimLocked() {
        long freed = 0;
        long min = minCommitted();
        long now = clock.millis();
        List<Segment> victims = new ArrayList<>();
        for (Segment s : segments.values()) {
            if (s == active || !s.sealed()) {
                continue;
            }
            boolean acked = acknowledged(s, min);
            if (acked || expired(s, now)) {
                victims.add(s);
            }
        }
        // After a full disk, records acknowledged by every cursor may all sit in the active segment: sealing it
        // would need space, and without this they would never be reclaimed. Retire it instead (no footer; nothing
        // more is appended to it) and let the next append start a new segment at the same log position.
        boolean retireActive = active != null && active.summary().records() > 0 && min >= written
                && pending.isEmpty() && (spaceShort || activeCannotRoll(victims));
        if (retireActive) {
            victims.add(active);
        }
        if (!victims.isEmpty()) {
            try {
                syncCursorsLocked();
                if (retireActive) {
                    // the log is left empty: the marks then cover everything handed out (no false "lost end")
                    storeMarks(marksCoveringAllHandedOut().raisedBy(lastSequences(victims)), "no segment was"
                            + " reclaimed and no record lost; reclaiming resumes once space is freed");
                } else {
                    persistMarks(reclaimMarks(victims));
                }
            } catch (IOException e) {
                LOG.warn("Buffer {}: not reclaiming {} segments, because the cursors and sequence marks could not be "
                        + "synced first", dir, victims.size(), e);
                return 0;
            }
        }
        if (retireActive) {
            LOG.info("Buffer {}: disk space is short and every cursor passed the active segment {}; retiring it",
                    dir, active);
            active.sealWithoutFooter();
            active = null;
            minNextBase = Math.max(minNextBase, written);
        }
        for (Segment s : victims) {
            boolean acked = acknowledged(s, min);
            if (!acked) {
                droppedByPolicy += s.summary().records();
            }
            freed += delete(s);
        }
        if (retireActive && spaceShort && spaceRecovered()) {
            spaceShort = false;
        }
        return freed;
    }

    /**
     * Whether the file system lacks the room to take the active segment to its roll (what deleting {@code victims}
     * frees counted), so that its acknowledged records would hold their space until the disk is full. The evidence
     * {@link #spaceShort} cannot give another process: a drain that never met ENOSPC itself (the appender that filled
     * the disk left {@code reserve.bin} in place) never retired the active segment, and the next appender found the
     * disk as full as before. One {@code statvfs}, only when every cursor passed the non-empty active segment (a
     * failed call reports 0 bytes: the segment is retired, which loses nothing). Caller holds the lock.
     */
    private boolean activeCannotRoll(List<Segment> victims) {
        long freed = 0;
        for (Segment s : victims) {
            freed += s.fileLength();
        }
        long toRoll = segmentBytes - active.fileLength() + footerBytes(active.summary()) + FrameFormat.SEGMENT_HEADER;
        return usableSpace(dir) + freed < toRoll;
    }

    /**
     * The bytes free for this process on a directory's file system, 0 when that cannot be told. {@link
     * java.io.File#getUsableSpace} is one {@code statvfs}; another file system than the default (the tests'
     * power-cut file system) has no {@code File}, so its {@code FileStore} is asked.
     */
    private static long usableSpace(Path dir) {
        if (dir.getFileSystem() == FileSystems.getDefault()) {
            return dir.toFile().getUsableSpace();
        }
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Whether the full disk that set {@link #spaceShort} is over once the active segment it made the buffer retire
     * is gone: the reserve and the lock note are held, and the file system has room for a whole new segment (one
     * {@code statvfs}). The flag then has done its work; from there on a reclaim retires the next active segment
     * only when the file system cannot take it to its roll ({@link #activeCannotRoll}), or after another ENOSPC sets
     * the flag again. Before, only {@link #ensureReserve} cleared it, and a commit runs that only while the reserve
     * is missing, so after a full disk that never released the reserve the flag stayed set for the rest of the
     * process, and every drain that caught up retired the active segment (a {@code sequences} write, a roll's syncs
     * and an INFO line each) with the disk all but empty. Caller holds the lock.
     */
    private boolean spaceRecovered() {
        if (reserveReleased || dirLock.noteGivenUp()) {
            return false;
        }
        try {
            return sizeOrMissing(dir.resolve(RESERVE)) >= RESERVE_BYTES
                    && usableSpace(dir) >= segmentBytes;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether every cursor passed all of a segment's records ({@code min}: {@link #minCommitted}). The footer after
     * them is not needed: a cursor that caught up with the active segment commits its records' end, and when the
     * segment then rolled, its footer put its end past that commit, so it stayed until a commit in the next
     * segment; a drain that caught up just before a roll and then could send nothing (an outage) left a fully
     * acknowledged segment filling the disk (a 256 KiB segment of a 2 MiB tmpfs).
     */
    private static boolean acknowledged(Segment s, long min) {
        return min >= s.base() + s.recordsEnd();
    }

    private boolean expired(Segment s, long now) {
        if (s.summary().streams().isEmpty()) {
            return false;
        }
        for (Map.Entry<String, StreamStats> e : s.summary().streams().entrySet()) {
            Optional<Duration> ttl = policyFor(e.getKey()).ttl();
            if (ttl.isEmpty() || e.getValue().maxTimestamp() + ttl.get().toMillis() >= now) {
                return false;
            }
        }
        return true;
    }

    private void evict(Segment s) throws IOException {
        syncCursorsLocked();
        persistMarks(reclaimMarks(List.of(s)));
        long min = minCommitted();
        if (!acknowledged(s, min)) {
            droppedByPolicy += s.summary().records();
        }
        LOG.info("Buffer {}: dropping segment {} ({} records) to stay within the disk budget", dir, s,
                s.summary().records());
        delete(s);
    }

    private long delete(Segment s) {
        segments.remove(s.base());
        synchronized (openReaders) {
            openReaders.remove(s.base());
        }
        s.closeQuietly();
        // copies first: a crash in between leaves copies of a live segment (deleted with it later), never orphans
        deleteQuarantineOf(s);
        try {
            Files.deleteIfExists(s.path());
        } catch (IOException e) {
            LOG.warn("Could not delete reclaimed segment {}", s.path(), e);
        }
        totalBytes -= s.fileLength();
        spaceFreed.signalAll();
        return s.fileLength();
    }

    // -------------------------------------------------------------------------------------------------- reads

    /**
     * Returns a reader positioned at the oldest record still held.
     *
     * @return the reader
     */
    public BufferReader reader() {
        lock.lock();
        try {
            ensureOpen();
            return new BufferReader(this, segments.isEmpty() ? written : segments.firstKey());
        } finally {
            lock.unlock();
        }
    }

    List<BufferedRecord> readBatch(BufferReader r, int maxRecords, long maxBytes) throws IOException {
        List<BufferedRecord> out = new ArrayList<>();
        long bytes = 0;
        int retries = 0;
        while (out.size() < maxRecords) {
            Segment seg;
            long limit;
            long pos = r.position();
            lock.lock();
            try {
                ensureOpen();
                Map.Entry<Long, Segment> e = segments.floorEntry(pos);
                if (e == null) {
                    e = segments.firstEntry();
                    if (e == null) {
                        return out;
                    }
                    pos = e.getKey();
                }
                if (pos >= e.getValue().endPosition()) {
                    e = segments.higherEntry(e.getKey());
                    if (e == null) {
                        return out;
                    }
                    pos = e.getKey();
                }
                seg = e.getValue();
                limit = seg == active ? Math.min(durable, seg.endPosition()) - seg.base() : seg.recordsEnd();
            } finally {
                lock.unlock();
            }
            long off = Math.max(pos - seg.base(), FrameFormat.SEGMENT_HEADER);
            if (r.segment != seg) {
                r.segment = seg;
                try {
                    FileChannel rc = readChannelOf(seg);
                    if (seg != active && rc.size() < seg.fileLength()) {
                        // truncated outside the buffer since the open compared its length with the index
                        r.segment = null;
                        truncatedWhileHeld(seg);
                        continue;
                    }
                    r.scanner = new FrameScanner(rc, limit);
                } catch (NoSuchFileException gone) {
                    r.segment = null;
                    if (vanished(seg)) {
                        // deleted by something else while held (a loss) or, read-only, reclaimed by the writer
                        continue;
                    }
                    // reclaimed by this buffer between the lookup and the open: look it up again
                    if (++retries > 100) {
                        if (!out.isEmpty()) {
                            return out;
                        }
                        throw gone;
                    }
                    continue;
                }
            }
            r.scanner.limit(limit);
            FrameScanner.Kind k;
            try {
                k = r.scanner.next(off, true);
            } catch (ClosedChannelException e) {
                // the segment was reclaimed or dropped under us: look it up again
                r.segment = null;
                if (++retries > 100) {
                    throw e;
                }
                continue;
            }
            switch (k) {
                case END:
                    if (seg == active || off < seg.recordsEnd()) {
                        r.seek(seg.base() + off);
                        return out;
                    }
                    r.seek(seg.endPosition());
                    break;
                case FOOTER:
                    r.seek(seg.endPosition());
                    break;
                case RECORD: {
                    int len = r.scanner.payloadLength();
                    if (!out.isEmpty() && bytes + len > maxBytes) {
                        return out;
                    }
                    long recPos = seg.base() + off;
                    long next = seg.base() + r.scanner.nextOffset();
                    r.seek(next);
                    String stream = r.scanner.stream();
                    Optional<Duration> ttl = policyFor(stream).ttl();
                    if (ttl.isPresent() && r.scanner.timestamp() + ttl.get().toMillis() < clock.millis()) {
                        countExpired(recPos);
                        break;
                    }
                    bytes += len;
                    out.add(new BufferedRecord(new IdempotencyKey(deviceId, stream, epoch, r.scanner.sequence()),
                            r.scanner.timestamp(), r.scanner.priority(), r.scanner.payload(), recPos, next));
                    break;
                }
                default: {
                    long next = r.scanner.nextOffset();
                    String file = seg.path().getFileName().toString();
                    boolean frame = k == FrameScanner.Kind.CORRUPT_FRAME;
                    boolean fresh = recordLoss(readChannelOf(seg), file, off, next - off,
                            frame ? Loss.Kind.CORRUPT_FRAME : Loss.Kind.CORRUPT_REGION,
                            frame ? r.scanner.stream() : "", frame ? r.scanner.sequence() : 0);
                    if (fresh && !frame && seg != active) {
                        boundRegionLoss(seg, file, off, next);
                    }
                    r.seek(seg.base() + next);
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Handles a held sealed segment whose file a reader found shorter than the segment index said: replaces it by
     * what is left and reports the rest ({@link #recoverTruncated}), so the reader goes on with the intact frames.
     */
    private void truncatedWhileHeld(Segment seg) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            if (segments.get(seg.base()) != seg) {
                return;
            }
            FileChannel ch;
            try {
                ch = opener.open(seg.path(), EnumSet.of(StandardOpenOption.READ));
            } catch (NoSuchFileException gone) {
                return;
            }
            long len = ch.size();
            if (len >= seg.fileLength()) {
                ch.close();
                return;
            }
            synchronized (openReaders) {
                openReaders.remove(seg.base());
            }
            seg.closeQuietly();
            Segment left = recoverTruncated(seg.base(), seg.path(), ch, len,
                    new SegmentIndex.Entry(seg.base(), seg.fileLength(), seg.recordsEnd(), seg.summary()));
            segments.put(seg.base(), left);
            if (!readOnly) {
                totalBytes -= seg.fileLength() - left.fileLength();
            }
            markTruncatedTails();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Handles a held sealed segment whose file is gone. A writable buffer never deletes a segment it still holds,
     * so for it the records are lost: each stream's are reported ({@code MISSING_SEGMENT}), the segment is dropped
     * and readers move past it (the sequence marks are raised where it held a stream's highest sequence, so none is
     * issued again). A read-only buffer checks the sequence marks, which a writer raises before deleting anything:
     * covered means reclaimed (no loss), otherwise lost as above. Returns false when this buffer no longer holds
     * the segment (it reclaimed it itself) or it is the active one, so the caller looks it up again.
     */
    private boolean vanished(Segment seg) throws IOException {
        List<Runnable> failed = new ArrayList<>();
        lock.lock();
        try {
            ensureOpen();
            if (seg == active && !readOnly && segments.get(seg.base()) == seg && Files.notExists(seg.path())) {
                // the segment being written was deleted under the buffer: handled as when a sync finds it
                IOException e = activeSegmentDeleted(failed);
                if (!failed.isEmpty()) {
                    noteUnreported(e);
                }
                return true;
            }
            if (segments.get(seg.base()) != seg || seg == active || Files.exists(seg.path())) {
                return false;
            }
            boolean reclaimed = false;
            if (readOnly) {
                SequenceMarks fresh = SequenceMarks.read(dir).orElse(marks);
                reclaimed = true;
                for (Map.Entry<String, StreamStats> e : seg.summary().streams().entrySet()) {
                    reclaimed &= fresh.sequences().getOrDefault(e.getKey(), 0L) >= e.getValue().lastSeq();
                }
            }
            segments.remove(seg.base());
            synchronized (openReaders) {
                openReaders.remove(seg.base());
            }
            seg.closeQuietly();
            if (reclaimed) {
                return true;
            }
            String file = seg.path().getFileName().toString();
            LOG.warn("Buffer {}: segment {} ({} records) was deleted while the buffer held it; its records are lost",
                    dir, file, seg.summary().records());
            Map<String, Long> tails = new HashMap<>();
            for (Map.Entry<String, StreamStats> e : seg.summary().streams().entrySet()) {
                StreamStats st = e.getValue();
                losses.record(new Loss(file, 0, seg.fileLength(), Loss.Kind.MISSING_SEGMENT, "", e.getKey(),
                        st.firstSeq(), st.lastSeq()));
                tails.put(e.getKey(), st.lastSeq());
            }
            if (!readOnly) {
                deleteQuarantineOf(seg);
                totalBytes -= seg.fileLength();
                // where it held a stream's highest sequence, no file would remember that sequence: mark it
                Map<String, Long> held = lastSequences(new ArrayList<>(segments.values()));
                tails.entrySet().removeIf(t -> held.getOrDefault(t.getKey(), 0L) >= t.getValue());
                try {
                    persistMarks(tails);
                } catch (IOException e) {
                    LOG.warn("Buffer {}: could not raise the sequence marks past the records of {}; they are kept in"
                            + " memory while the buffer is open", dir, file, e);
                }
                spaceFreed.signalAll();
            }
            return true;
        } finally {
            lock.unlock();
            runAll(failed);
        }
    }

    /**
     * The active segment's file is gone: something other than this buffer deleted it (the buffer deletes a segment
     * only once it appends to it no more). Writes and syncs into the unlinked file still succeed, so without this
     * its appends would be reported durable and be missing at the next open. The records it held that were
     * reported durable are lost: reported per stream with their sequences ({@code MISSING_SEGMENT}), and the
     * sequence marks raised so none is issued again. The appends not yet durable fail (their completions go into
     * {@code after}); the segment is dropped and the next append starts a new one past its end. Caller holds the
     * lock.
     *
     * @return the failure, for the caller that found the deletion to throw or to keep for the next call
     */
    private IOException activeSegmentDeleted(List<Runnable> after) {
        Segment seg = active;
        String file = seg.path().getFileName().toString();
        // pending appends are each stream's newest records: what lies below the first of them was reported durable
        Map<String, Long> firstPending = new HashMap<>();
        for (PendingAppend p : pending) {
            firstPending.merge(p.appended.key().stream(), p.appended.sequence(), Math::min);
        }
        Map<String, Long> tails = new HashMap<>();
        StringBuilder lost = new StringBuilder();
        for (Map.Entry<String, StreamStats> e : new TreeMap<>(seg.summary().streams()).entrySet()) {
            StreamStats st = e.getValue();
            tails.put(e.getKey(), st.lastSeq());
            long last = firstPending.containsKey(e.getKey()) ? firstPending.get(e.getKey()) - 1 : st.lastSeq();
            if (last >= st.firstSeq()) {
                losses.record(new Loss(file, 0, seg.fileLength(), Loss.Kind.MISSING_SEGMENT, "", e.getKey(),
                        st.firstSeq(), last));
                lost.append(lost.length() == 0 ? "stream '" : ", stream '").append(e.getKey()).append("' ")
                        .append(st.firstSeq() == last ? "sequence " + last : "sequences " + st.firstSeq() + "-" + last);
            }
        }
        String notStored = pending.isEmpty() ? "" : describeFrom(seg.base());
        IOException failure = new IOException("Buffer segment " + seg.path() + " was deleted while the buffer was"
                + " writing it (not by the buffer)"
                + (lost.length() == 0 ? "" : "; the records it held are lost (" + lost + ", reported as "
                        + Loss.Kind.MISSING_SEGMENT + ")")
                + (notStored.isEmpty() ? "" : "; " + notStored + (notStored.startsWith("the 1 append ") ? " was"
                        : " were") + " not stored")
                + "; appends go on in a new segment");
        LOG.warn("Buffer {}: {}", dir, failure.getMessage());
        // staged frames were never written; they fail with the rest
        writeBuf.clear();
        stagedFrom = -1;
        while (!pending.isEmpty()) {
            PendingAppend p = pending.pollFirst();
            after.add(() -> p.future.completeExceptionally(failure));
        }
        firstPendingNanos = 0;
        // a sync of the deleted file running outside the lock meanwhile proves nothing
        syncFailures++;
        segments.remove(seg.base());
        synchronized (openReaders) {
            openReaders.remove(seg.base());
        }
        seg.closeQuietly();
        deleteQuarantineOf(seg);
        totalBytes -= seg.fileLength();
        long end = seg.endPosition();
        active = null;
        summaryStale = false;
        tailUncut = false;
        written = end;
        forced = end;
        durable = end;
        minNextBase = Math.max(minNextBase, end);
        try {
            // tails are within what every stream handed out; covering all of it lets the next open see that the
            // log ends here on purpose (reported already), not that its end was lost
            storeMarks(marksCoveringAllHandedOut().raisedBy(tails), "the sequence marks were not raised");
        } catch (IOException e) {
            LOG.warn("Buffer {}: could not raise the sequence marks past the records of {}; they are kept in memory"
                    + " while the buffer is open", dir, file, e);
        }
        durableAdvanced.signalAll();
        spaceFreed.signalAll();
        return failure;
    }

    /** Sealed and active segments with an open read channel, least recently used first. */
    private final LinkedHashMap<Long, Segment> openReaders = new LinkedHashMap<>(16, 0.75f, true);
    private static final int MAX_OPEN_READERS = 32;

    private FileChannel readChannelOf(Segment seg) throws IOException {
        FileChannel ch = seg.readChannel(opener);
        Segment evicted = null;
        synchronized (openReaders) {
            openReaders.put(seg.base(), seg);
            if (openReaders.size() > MAX_OPEN_READERS) {
                Map.Entry<Long, Segment> eldest = openReaders.entrySet().iterator().next();
                openReaders.remove(eldest.getKey());
                evicted = eldest.getValue();
            }
        }
        if (evicted != null && evicted != seg) {
            evicted.closeRead();
        }
        return ch;
    }

    private void countExpired(long pos) {
        lock.lock();
        try {
            if (pos >= ttlCountedUpTo) {
                droppedByPolicy++;
                ttlCountedUpTo = pos + 1;
            }
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Buffer " + dir + " is closed");
        }
    }

    /** {@link #ensureOpen()} for callers that do not hold the lock. */
    private void checkOpen() {
        lock.lock();
        try {
            ensureOpen();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------------ cursors

    /**
     * Returns the named cursor, creating (and persisting) it at the oldest record held when it does not exist.
     *
     * @param name 1-64 letters, digits, '.', '_' or '-'
     * @return the cursor; the same instance for the same name
     * @throws IOException when a new cursor cannot be persisted
     */
    public Cursor cursor(String name) throws IOException {
        CursorFile.checkName(name);
        CursorImpl c;
        lock.lock();
        try {
            ensureOpen();
            c = cursors.get(name);
            if (c != null) {
                return c;
            }
            c = new CursorImpl(name, segments.isEmpty() ? written : segments.firstKey(), new HashMap<>());
            if (!readOnly) {
                CursorFile state = new CursorFile(name, c.committed, Map.of());
                writeCursorFile(state);
                state.createPendingSlots(dir.resolve(CURSORS));
            }
            cursors.put(name, c);
            return c;
        } finally {
            lock.unlock();
        }
    }

    /** @return the names of the cursors, in creation order */
    public List<String> cursorNames() {
        lock.lock();
        try {
            return List.copyOf(cursors.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes a cursor, so it no longer holds back reclaiming. A commit of that cursor under way finishes first
     * (its sequences are kept in the sequence marks); later commits through the deleted cursor object fail with
     * {@link IllegalStateException}.
     *
     * @param name the cursor name
     * @throws IOException when its file cannot be deleted
     */
    public void deleteCursor(String name) throws IOException {
        lock.lock();
        try {
            ensureWritable();
            CursorImpl gone = cursors.get(name);
            if (gone != null) {
                // the file lock (after the buffer's, as in syncCursorsLocked) waits for a commit writing its file,
                // so its sequences are seen, and a later commit finds the cursor deleted instead of recreating it
                synchronized (gone.fileLock) {
                    // its acknowledged sequences may be the only record of sequences a power loss took from the log
                    Map<String, Long> ackedByIt = new HashMap<>(gone.acked);
                    CursorFile pendingState = gone.unsynced.get();
                    if (pendingState != null) {
                        pendingState.acked().forEach((st, q) -> ackedByIt.merge(st, q, Math::max));
                    }
                    persistMarks(notOnDisk(ackedByIt));
                    gone.deleted = true;
                    closeQuietly(gone.keptSlot);
                    gone.keptSlot = null;
                    cursors.remove(name);
                    // slots first: slots left without their cursor file are never read, the reverse could be
                    for (int slot = 0; slot < 2; slot++) {
                        Files.deleteIfExists(CursorFile.pendingFile(dir.resolve(CURSORS), name, slot));
                    }
                    Files.deleteIfExists(dir.resolve(CURSORS).resolve(name + CursorFile.SUFFIX));
                    // the deletion is durable only once the directory is synced: a power cut brought the deleted
                    // cursor back at its old position, holding back reclaiming for good, since nothing polls it
                    // (PowerCutFindingsTest.deletedCursorStaysDeleted)
                    AtomicFile.syncDirectory(dir.resolve(CURSORS));
                }
                reclaimLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean awaitBeyond(long position, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!closed) {
                Map.Entry<Long, Segment> last = segments.lastEntry();
                long visibleEnd = active != null ? durable
                        : last == null ? 0 : last.getValue().base() + last.getValue().recordsEnd();
                if (visibleEnd > position) {
                    return true;
                }
                if (nanos <= 0) {
                    return false;
                }
                nanos = durableAdvanced.awaitNanos(nanos);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void committed(CursorImpl c) {
        lock.lock();
        try {
            // after a full disk the reserve comes back with the first commit that finds room for it, whether or not
            // this commit freed a segment; so does a lock note given up for a commit that did not fit again yet
            if (!closed && !readOnly && (reclaimLocked() > 0 || spaceShort || dirLock.noteGivenUp())
                    && (dirLock.noteGivenUp() || !Files.exists(dir.resolve(RESERVE)))) {
                ensureReserve();
            }
        } finally {
            lock.unlock();
        }
    }

    private final class CursorImpl implements Cursor {
        private final String name;
        private final Object cursorLock = new Object();
        private final Map<String, Long> acked;
        private volatile long committed;
        private BufferReader reader;
        /** The polls since the last commit or rewind, by the position after their last record. */
        private final TreeMap<Long, PolledSequences> polled = new TreeMap<>();
        /**
         * Guards writing this cursor's files: a commit (under {@link #cursorLock}) and a sync of deferred commits
         * (under the buffer's lock) both replace {@code <name>.cursor} through the same temporary file.
         */
        private final Object fileLock = new Object();
        /** The pending slot the next deferred commit overwrites (the other holds the previous one). */
        private int nextSlot;
        /** The latest deferred commit not yet in the synced cursor file, or null. */
        private final AtomicReference<CursorFile> unsynced = new AtomicReference<>();
        /** Set by {@link DurableBuffer#deleteCursor} under {@link #fileLock}: commits then fail. */
        private boolean deleted;
        /**
         * The pending slot {@link #keptSlotIndex}, left open for writing by loading under deferred commits so the
         * first deferred commit need not open it again; null once used or closed. Guarded by {@link #fileLock}.
         */
        private FileChannel keptSlot;
        /** Which slot {@link #keptSlot} is. */
        private int keptSlotIndex = -1;
        /** The length of {@link #keptSlot}'s file when it was read. */
        private long keptSlotLength;

        CursorImpl(String name, long committed, Map<String, Long> acked) {
            this.name = name;
            this.committed = committed;
            // concurrent: deleteCursor reads it under the buffer's lock, which must not wait for the cursor's lock
            this.acked = new java.util.concurrent.ConcurrentHashMap<>(acked);
            this.reader = new BufferReader(DurableBuffer.this, committed);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<BufferedRecord> poll(int maxRecords, long maxBytes) throws IOException {
            synchronized (cursorLock) {
                List<BufferedRecord> recs = reader.next(maxRecords, maxBytes);
                if (!recs.isEmpty()) {
                    polled.put(recs.get(recs.size() - 1).nextPosition(), new PolledSequences(recs));
                }
                return recs;
            }
        }

        @Override
        public boolean awaitRecords(Duration timeout) throws InterruptedException {
            long pos;
            synchronized (cursorLock) {
                pos = reader.position();
            }
            return awaitBeyond(pos, timeout);
        }

        @Override
        public void commit(long position) throws IOException {
            synchronized (cursorLock) {
                checkOpen();
                if (position < committed) {
                    throw new IllegalArgumentException("Cursor '" + name + "' cannot commit " + position
                            + ": it already committed " + committed);
                }
                if (position > reader.position()) {
                    throw new IllegalArgumentException("Cursor '" + name + "' cannot commit " + position
                            + ": it has only read up to " + reader.position());
                }
                // every record polled before the position is acknowledged, including part of a poll: each stream's
                // highest such sequence goes into the cursor file before any segment below the position is deleted
                Map<String, Long> newAcked = new HashMap<>(acked);
                for (PolledSequences ps : polled.headMap(position, true).values()) {
                    ps.foldAll(newAcked);
                }
                Map.Entry<Long, PolledSequences> partial = polled.higherEntry(position);
                if (partial != null) {
                    partial.getValue().foldUpTo(position, newAcked);
                }
                boolean logSynced;
                lock.lock();
                try {
                    ensureWritable();
                    logSynced = position <= forced;
                } finally {
                    lock.unlock();
                }
                CursorFile state = new CursorFile(name, position, newAcked);
                boolean stored;
                synchronized (fileLock) {
                    stored = store(state, newAcked, logSynced, false);
                }
                if (!stored) {
                    // A full disk: the reserve is released and the write tried again with the buffer's lock held,
                    // so no append can take the freed space in between (appends then wait for the reserve).
                    lock.lock();
                    try {
                        synchronized (fileLock) {
                            store(state, newAcked, logSynced, true);
                        }
                    } finally {
                        lock.unlock();
                    }
                }
                committed = position;
                polled.headMap(position, true).clear();
            }
            committed(this);
        }

        /**
         * Writes a commit's state. Caller holds {@link #fileLock}, and the buffer's lock when {@code release}.
         *
         * @param release whether a full disk releases the reserve and retries (else this returns false)
         * @return whether it was stored; false only for a full disk without {@code release}
         */
        private boolean store(CursorFile state, Map<String, Long> newAcked, boolean logSynced, boolean release)
                throws IOException {
            if (deleted) {
                throw new IllegalStateException("Cursor '" + name + "' was deleted from " + dir
                        + "; nothing was committed. Get a new cursor with cursor(\"" + name + "\")");
            }
            try {
                // Deferring is safe only for records whose frames are synced: under durability none a receiver can
                // acknowledge records a power loss then takes from the log, and only a synced cursor file keeps
                // their sequences from being handed out again. Nor while the reserve is not held: the disk is full,
                // and a slot not written yet would take the block the synced cursor file needs before the segments
                // this commit acknowledges can be reclaimed (then nothing would ever be freed).
                if (cursorSync == CursorSync.DEFERRED && logSynced && !reserveReleased) {
                    if (release) {
                        writePendingCursorFile(this, state, nextSlot);
                    } else {
                        writePendingCursorFileOnce(this, state, nextSlot);
                    }
                    nextSlot ^= 1;
                    // set before committed moves, so a reclaim that sees the new position syncs this state first
                    unsynced.set(state);
                } else {
                    if (release) {
                        writeCursorFile(state);
                    } else {
                        state.write(dir.resolve(CURSORS));
                    }
                    unsynced.set(null);
                }
            } catch (IOException e) {
                if (!release && DiskFullException.isDiskFull(e)) {
                    return false;
                }
                throw e;
            }
            // inside the file lock, so deleteCursor sees the sequences of every commit written
            acked.putAll(newAcked);
            return true;
        }

        @Override
        public void rewind() {
            synchronized (cursorLock) {
                checkOpen();
                reader.seek(committed);
                polled.clear();
            }
        }

        @Override
        public long committedPosition() {
            return committed;
        }

        @Override
        public long readPosition() {
            synchronized (cursorLock) {
                return reader.position();
            }
        }

        @Override
        public String toString() {
            return "Cursor[" + name + ", committed " + committed + "]";
        }
    }

    // ------------------------------------------------------------------------------------------ introspection

    /** @return the buffer directory */
    public Path directory() {
        return dir;
    }

    /** @return the device id used in idempotency keys */
    public String deviceId() {
        return deviceId;
    }

    /** @return the epoch used in idempotency keys; changes only when the buffer is recreated from nothing */
    public long epoch() {
        return epoch;
    }

    /** @return when cursor commits are synced */
    public CursorSync cursorSync() {
        return cursorSync;
    }

    /** @return the durability policy */
    public Durability durability() {
        return durability;
    }

    /** @return the log position up to which records are durable (and visible to readers) */
    public long durablePosition() {
        lock.lock();
        try {
            return durable;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the highest sequence appended to a stream (durable or not), 0 when none; the next append to it gets
     * the one after. After a writable open found the end of the log lost, it is at least the floor (see
     * {@code docs/formats/buffer.md}), also for a stream that has no record yet.
     *
     * @param stream the stream
     * @return the sequence
     */
    public long lastSequence(String stream) {
        lock.lock();
        try {
            long[] s = lastSeq.get(stream);
            return s == null ? marks.floor() : s[0];
        } finally {
            lock.unlock();
        }
    }

    /** @return the streams that ever had records in this buffer (as far as its files and cursors tell) */
    public Set<String> streams() {
        lock.lock();
        try {
            return Set.copyOf(lastSeq.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the temporary files that writes a crash interrupted left in the directory, as this open found them,
     * relative to it: a roll's {@code seg-<base>.log.tmp}, and {@code buffer.id.tmp}, {@code sequences.tmp},
     * {@code segments.idx.tmp}, {@code cursors/<name>.cursor.tmp} of the files replaced atomically (their targets
     * are intact: the rename never happened). A writable open deletes them after recovery (a roll's is read first:
     * it tells a roll in progress from a lost end of the log); a read-only open only lists them, and beside a
     * running writer it may also list one that writer is writing at that moment.
     *
     * @return the names, empty when there were none
     */
    public List<String> leftoverTemporaryFiles() {
        return List.copyOf(leftoverTemps);
    }

    /** @return what damage was found and skipped so far */
    public LossReport lossReport() {
        return losses.report();
    }

    /** @return a snapshot of the buffer's metrics */
    public BufferMetrics metrics() {
        long records = 0;
        long min;
        long bytesAtRisk;
        long unacked;
        long dropped;
        long syncCount;
        long mean;
        long max;
        long total;
        lock.lock();
        try {
            for (Segment s : segments.values()) {
                records += s.summary().records();
            }
            total = totalBytes;
            min = minCommitted();
            if (min < 0) {
                min = segments.isEmpty() ? written : segments.firstKey();
            }
            // live bytes only: a lagging cursor may point into segments a budget policy dropped (or a TTL expired)
            unacked = 0;
            for (Segment s : segments.values()) {
                long lo = Math.max(min, s.base());
                long hi = Math.min(durable, s.endPosition());
                if (hi > lo) {
                    unacked += hi - lo;
                }
            }
            if (!segments.isEmpty()) {
                min = Math.max(min, segments.firstKey());
            }
            bytesAtRisk = written - forced;
            dropped = droppedByPolicy;
            syncCount = syncs;
            mean = syncs == 0 ? 0 : syncNanosTotal / syncs;
            max = syncNanosMax;
        } finally {
            lock.unlock();
        }
        long age = 0;
        if (unacked > 0 && !closed) {
            try {
                BufferReader r = new BufferReader(this, min);
                List<BufferedRecord> first = r.next(1, 1);
                if (!first.isEmpty()) {
                    age = Math.max(0, clock.millis() - first.get(0).timestampMillis());
                }
            } catch (IOException | IllegalStateException e) {
                age = 0;
            }
        }
        LossReport lr = losses.report();
        return new BufferMetrics(records, total, unacked, age, bytesAtRisk, dropped, lr.corruptFrames(),
                lr.truncatedBytes(), syncCount, mean, max);
    }

    /**
     * Syncs what was written, stops the sync thread and closes the files. Pending group-commit futures complete
     * once their final sync is done; when it fails they fail, as their frames are cut off. Idempotent. Safe to call
     * from a future's callback, which runs on the sync thread: close then does the final sync itself instead of
     * waiting for that thread, which ends once the callback returns.
     *
     * @throws IOException when the final sync fails (under group commit the appends it held fail and their frames
     *                     are cut off, the exception naming them; under {@code none} the records stay in the files
     *                     and recovery checks them), or when earlier appends failed and no call reported it yet
     */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        boolean clean = false;
        List<Runnable> after = null;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            syncNeeded.signalAll();
            spaceFreed.signalAll();
            durableAdvanced.signalAll();
        } finally {
            lock.unlock();
        }
        // Called on the sync thread (from a future's callback or the listener), close must not wait for that
        // thread, which is this call's caller: the loop ends by itself once this returns, as closed is set.
        if (syncThread != null && Thread.currentThread() != syncThread) {
            try {
                syncThread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean interrupted = Thread.interrupted();
        lock.lock();
        try {
            List<Runnable> failed = new ArrayList<>();
            if (!readOnly && active != null && written > forced) {
                try {
                    List<Runnable> dropped = new ArrayList<>();
                    try {
                        writeStaged(dropped);
                    } finally {
                        runUnlocked(dropped);
                    }
                    repairActive();
                    try {
                        timedForce(active.channel());
                        forced = written;
                    } catch (IOException e) {
                        failure = writerSyncFailed(e, "closing " + active.path(), failed);
                    }
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure == null && appendedHere && active != null && Files.notExists(active.path())) {
                failure = activeSegmentDeleted(failed);
            }
            if (failure == null) {
                after = advanceDurable(forced);
            } else {
                after = failed;
                if (durability.mode() == Durability.Mode.GROUP && (written > forced || !pending.isEmpty())) {
                    // what writerSyncFailed did not fail (a failed write or reopen, a closed channel) fails here
                    after.addAll(failPending(active, failure));
                }
            }
            for (Segment s : segments.values()) {
                s.closeQuietly();
            }
            closeKeptSlots();
            // clean: every frame in the files is synced (the next writable open need not sync the tail again);
            // not when cutting off a failed write failed, which may have left unsynced frames behind
            clean = failure == null && !tailUncut;
            if (failure == null) {
                // appends failed and nobody was told yet (their futures were not looked at): close is the last call
                failure = takeUnreportedFailure("");
            }
        } finally {
            interrupted |= takeSetAsideInterrupt();
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        runAll(after);
        if (dirLock != null) {
            dirLock.release(clean);
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "DurableBuffer[" + dir + ", " + durability + ", epoch " + epoch + "]";
    }

    /** The positions and sequences of one poll's records, so a commit inside the poll knows what it acknowledges. */
    private static final class PolledSequences {
        final long[] next;
        final String[] stream;
        final long[] seq;
        final Map<String, Long> max = new HashMap<>();

        PolledSequences(List<BufferedRecord> recs) {
            int n = recs.size();
            next = new long[n];
            stream = new String[n];
            seq = new long[n];
            for (int i = 0; i < n; i++) {
                BufferedRecord r = recs.get(i);
                next[i] = r.nextPosition();
                stream[i] = r.stream();
                seq[i] = r.sequence();
                max.merge(stream[i], seq[i], Math::max);
            }
        }

        void foldAll(Map<String, Long> into) {
            max.forEach((st, q) -> into.merge(st, q, Math::max));
        }

        void foldUpTo(long position, Map<String, Long> into) {
            for (int i = 0; i < next.length && next[i] <= position; i++) {
                into.merge(stream[i], seq[i], Math::max);
            }
        }
    }

    private static final class PendingAppend {
        final Appended appended;
        final CompletableFuture<Appended> future;

        PendingAppend(Appended appended, CompletableFuture<Appended> future) {
            this.appended = appended;
            this.future = future;
        }
    }

    /**
     * Builder for {@link DurableBuffer}. {@link #open()} does the I/O.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private Path directory;
        private String deviceId;
        private Durability durability = Durability.groupCommit(Duration.ofMillis(5), 1 << 20);
        private CursorSync cursorSync = CursorSync.EVERY_COMMIT;
        private long segmentBytes = 4L << 20;
        private long budgetBytes = Long.MAX_VALUE;
        private final Map<String, StreamPolicy> policies = new HashMap<>();
        private StreamPolicy defaultPolicy = StreamPolicy.defaults();
        private Clock clock = Clock.systemUTC();
        private ChannelOpener opener = ChannelOpener.DEFAULT;
        private boolean readOnly;
        private boolean createIfMissing = true;
        private DurabilityListener listener;
        private Consumer<RollStep> rollSteps = step -> { };

        private Builder() {
        }

        /**
         * @param directory the buffer directory (created when missing)
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * @param deviceId the device id of the idempotency keys; defaults to the one stored at creation. Opening
         *                 an existing buffer with another id than the stored one fails with an {@code IOException}
         *                 naming both: the held records' keys would change. Not blank, no control characters
         *                 (buffer.id holds it on one line: a line break was stored as a space, and the next open
         *                 with the same id was refused as another device)
         * @return this builder
         * @throws IllegalArgumentException when the id is blank or holds a control character, naming it
         */
        public Builder deviceId(String deviceId) {
            Objects.requireNonNull(deviceId, "deviceId");
            if (deviceId.isBlank()) {
                throw new IllegalArgumentException("deviceId must not be blank, got '" + deviceId + "'");
            }
            for (int i = 0; i < deviceId.length(); i++) {
                char c = deviceId.charAt(i);
                if (Character.isISOControl(c)) {
                    throw new IllegalArgumentException(String.format("deviceId must not contain control characters: "
                            + "'%s' has U+%04X at index %d", printable(deviceId), (int) c, i));
                }
            }
            this.deviceId = deviceId;
            return this;
        }

        /** The id with every control character (C0, DEL and C1) shown as {@code ?}, for a one-line message. */
        private static String printable(String id) {
            StringBuilder b = new StringBuilder(id.length());
            id.chars().forEach(ch -> b.append(Character.isISOControl(ch) ? '?' : (char) ch));
            return b.toString();
        }

        /**
         * @param durability when appends are synced; default group commit every 5 ms or 1 MiB
         * @return this builder
         */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * @param cursorSync when cursor commits are synced; default {@link CursorSync#EVERY_COMMIT}. A gateway
         *                   draining many buffers uses {@link CursorSync#DEFERRED} (see there for the trade).
         * @return this builder
         */
        public Builder cursorSync(CursorSync cursorSync) {
            this.cursorSync = Objects.requireNonNull(cursorSync, "cursorSync");
            return this;
        }

        /**
         * @param segmentBytes the size at which a segment is sealed and a new one started; default 4 MiB,
         *                     at least 4 KiB. Smaller segments reclaim space sooner; larger ones mean fewer files.
         * @return this builder
         */
        public Builder segmentBytes(long segmentBytes) {
            if (segmentBytes < 4096 || segmentBytes > (1L << 30)) {
                throw new IllegalArgumentException("segmentBytes must be between 4 KiB and 1 GiB, got "
                        + segmentBytes);
            }
            this.segmentBytes = segmentBytes;
            return this;
        }

        /**
         * @param budgetBytes the most bytes the segment files may take; at least two segments. Default unlimited.
         * @return this builder
         */
        public Builder diskBudget(long budgetBytes) {
            if (budgetBytes < 1) {
                throw new IllegalArgumentException("diskBudget must be positive, got " + budgetBytes);
            }
            this.budgetBytes = budgetBytes;
            return this;
        }

        /**
         * @param stream the stream
         * @param policy its full-buffer and TTL policy
         * @return this builder
         */
        public Builder streamPolicy(String stream, StreamPolicy policy) {
            policies.put(Objects.requireNonNull(stream, "stream"), Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * @param policy the policy of streams without their own; default {@link StreamPolicy#defaults()}
         * @return this builder
         */
        public Builder defaultStreamPolicy(StreamPolicy policy) {
            this.defaultPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param clock the clock for record timestamps and TTLs; default system UTC
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param opener opens segment files; default {@link ChannelOpener#DEFAULT}
         * @return this builder
         */
        public Builder channelOpener(ChannelOpener opener) {
            this.opener = Objects.requireNonNull(opener, "opener");
            return this;
        }

        /**
         * @param readOnly open without modifying anything (no truncation, no new files; appends throw)
         * @return this builder
         */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * @param createIfMissing false to open only an existing buffer: a missing directory, or one holding none of
         *                        a buffer's files, then fails with {@link NoSuchFileException} ("not a buffer
         *                        directory") instead of becoming a new, empty buffer (what a consumer that only
         *                        drains wants: a typo must not look like "nothing to send"). Default true.
         * @return this builder
         */
        public Builder createIfMissing(boolean createIfMissing) {
            this.createIfMissing = createIfMissing;
            return this;
        }

        /**
         * @param listener told whenever a stream's durable watermark advances
         * @return this builder
         */
        public Builder durabilityListener(DurabilityListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Test seam: {@code hook} is told of each step of every segment roll, on the rolling thread under the
         * buffer's lock (a test's child process stops there to be killed).
         *
         * @param hook called with each step reached
         * @return this builder
         */
        Builder rollSteps(Consumer<RollStep> hook) {
            this.rollSteps = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Opens (or creates) the buffer and recovers it. A writable open takes an OS lock on
         * {@code buffer.lock} in the directory, held until {@link DurableBuffer#close()}: one writer per directory.
         *
         * @return the buffer
         * @throws BufferLockedException       when another process, or another open buffer in this one, has the
         *                                     directory open for writing (read-only opens take no lock)
         * @throws IncompatibleFormatException when intact files were written by an incompatible format version
         * @throws IOException                 when the directory cannot be used
         */
        public DurableBuffer open() throws IOException {
            if (directory == null) {
                throw new IllegalStateException("directory is required");
            }
            if (budgetBytes != Long.MAX_VALUE && budgetBytes < 2 * segmentBytes) {
                throw new IllegalArgumentException("diskBudget (" + budgetBytes
                        + ") must hold at least two segments of " + segmentBytes + " bytes");
            }
            if (readOnly || !createIfMissing) {
                // read-only opens too: a typo must not report a healthy empty buffer with an identity made up
                if (!Files.exists(directory)) {
                    throw new NoSuchFileException(directory.toString(), null,
                            "not a buffer directory (it does not exist; check the path)");
                }
                if (!Files.isDirectory(directory)) {
                    throw new java.nio.file.FileSystemException(directory.toString(), null,
                            "not a buffer directory (it is a file, not a directory; check the path)");
                }
                if (!holdsBuffer(directory)) {
                    throw new java.nio.file.FileSystemException(directory.toString(), null, "not a buffer directory"
                            + " (no " + BufferIdentity.FILE + ", " + SequenceMarks.FILE + ", " + CURSORS
                            + "/ or segment here; check the path)");
                }
            }
            DirectoryLock held = null;
            if (!readOnly) {
                // one stat of an existing directory (createDirectories tried mkdir first, then looked), whose file
                // key also identifies it for the lock
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(directory, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    attrs = null;
                }
                if (attrs != null && !attrs.isDirectory()) {
                    throw new java.nio.file.FileSystemException(directory.toString(), null,
                            "exists but is not a directory; a buffer needs a directory of its own");
                }
                if (attrs == null) {
                    createDirectoriesDurably(directory);
                    attrs = Files.readAttributes(directory, BasicFileAttributes.class);
                }
                held = DirectoryLock.acquire(directory, attrs.fileKey(), durability.mode());
            }
            try {
                return new DurableBuffer(this, held);
            } catch (IOException | RuntimeException | Error e) {
                if (held != null) {
                    held.release(false);
                }
                throw e;
            }
        }

        /**
         * Creates the buffer directory and the missing ones above it, and syncs the parent of each directory it
         * created. A new directory's name is durable only once its parent is synced (POSIX; ext4 happens to commit
         * it with the next fsync of anything, other file systems need not), and until then a power cut takes the
         * whole buffer with it, records reported durable and cursor commits included: {@code PowerCutTest} found
         * the durable view of a buffer created by its open empty after 120 steps under {@code always}
         * ({@code PowerCutFindingsTest.newBufferDirectoryIsDurable}). Only an open that creates the directory pays these syncs.
         */
        private static void createDirectoriesDurably(Path directory) throws IOException {
            Path abs = directory.toAbsolutePath();
            Path highestCreated = abs;
            while (highestCreated.getParent() != null && Files.notExists(highestCreated.getParent())) {
                highestCreated = highestCreated.getParent();
            }
            Files.createDirectories(abs);
            for (Path p = abs; p != null && p.getParent() != null; p = p.getParent()) {
                AtomicFile.syncDirectory(p.getParent());
                if (p.equals(highestCreated)) {
                    break;
                }
            }
        }
    }
}
