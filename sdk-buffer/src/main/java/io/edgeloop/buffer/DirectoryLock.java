package io.edgeloop.buffer;

import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OS file lock ({@code fcntl}/{@code flock} through {@link FileChannel#tryLock}) that makes one writable
 * {@link DurableBuffer} per directory at a time. The lock file holds a note naming the holder (pid, command, time)
 * for the error the next opener gets. The OS drops the lock when the process dies (kill -9, power loss), so a
 * stale lock file never blocks a restart.
 *
 * <p>A holder that closes cleanly (everything it wrote synced) replaces the note with one starting
 * {@value #CLEAN}, just before it releases the lock; the next holder reads it when it takes the lock
 * ({@link #previousClosedCleanly()}). Every holder writes its own note before it writes any frame to the log
 * ({@link #claim()}), so a note saying "closed cleanly" means no frame was written to the directory since that
 * clean close: after a process crash the crashed holder's note is what the page cache shows, and after a power
 * loss only what reached the disk is left. A holder that finds a clean note leaves it in place until its first
 * frame (a gateway that only reads and commits cursors never writes one), and then also leaves it at its own
 * clean close: two writes of the lock file per open saved (measured on the Kafka ingest benchmark, ten thousand
 * buffers opened per drain). While such a holder has the directory, the next opener's error cannot name it and
 * says so. Notes are overwritten in place, padded to a fixed width: truncating the file to rewrite it made every
 * open wait for the file system's journal.
 *
 * <p>A holder's note also names its durability ({@code durability none}), so the next holder knows, after a crash,
 * whether the lost tail of the log can hold records whose appends returned ({@link #previousMayHaveHandedOutUnsynced}):
 * under {@code none} they can, under group commit or {@code always} an append returns only once synced. A holder
 * that takes over an unclean note whose writer may have handed out unsynced records writes {@code durability none}
 * itself until its recovery has kept that evidence ({@link #recovered}): a crash during that recovery must not turn
 * the evidence into "a crash under group commit". A note without a durability (written before this, or cut to
 * nothing on a full disk, also on purpose to free its block for a cursor commit: {@link #giveUpNote}) counts as
 * {@code none}.
 *
 * <p>Not thread-safe: acquired, claimed and released under the buffer's lock (or before the buffer exists).
 */
final class DirectoryLock {
    static final String FILE = "buffer.lock";
    /** How a note left by a clean close starts. */
    static final String CLEAN = "closed cleanly";
    /** Notes are padded with spaces to a multiple of this, so one holder's notes overwrite each other exactly. */
    private static final int NOTE_WIDTH = 128;
    /** The most of an old note read when the lock is taken: enough for its length and its start. */
    private static final int NOTE_READ = 4 * NOTE_WIDTH;
    /** This process's pid and command, the same for every lock it takes (looking them up is several syscalls). */
    private static final String HOLDER = holderName();
    /**
     * The buffer directories whose lock this JVM holds, by file key (device and inode) or, where the platform has
     * none, by real path. A second open in the same process is refused from here, without touching the lock file:
     * opening and closing another channel on it would drop the OS lock (POSIX record locks belong to the process,
     * and closing any descriptor of the file releases them all), after which another process could open the
     * directory for writing beside the holder. The file key of the directory is one {@code stat}, where its real
     * path took a {@code readlink} per path element; it also catches the same directory reached through a bind
     * mount.
     */
    private static final Set<Object> HELD = ConcurrentHashMap.newKeySet();

    private final FileChannel channel;
    private final FileLock lock;
    private final boolean previousClosedCleanly;
    private final boolean previousMayHaveHandedOutUnsynced;
    /** This holder's durability mode. */
    private final Durability.Mode mode;
    /** The durability its note names: {@code none} while it inherits an unsynced writer's evidence. */
    private Durability.Mode noteMode;
    private final Object key;
    /** The length of the note in the file (what a longer old note left is cut off when the next note is written). */
    private long noteLength;
    /** Whether this holder's own note is in the file (written when it took the lock, or by {@link #claim}). */
    private boolean claimed;
    /** Whether {@link #giveUpNote} cut the note to nothing and {@link #restoreNote} has not written it again. */
    private boolean noteGivenUp;

    private DirectoryLock(FileChannel channel, FileLock lock, boolean previousClosedCleanly,
                          boolean previousMayHaveHandedOutUnsynced, Durability.Mode mode, Object key,
                          long noteLength, boolean claimed) {
        this.channel = channel;
        this.lock = lock;
        this.previousClosedCleanly = previousClosedCleanly;
        this.previousMayHaveHandedOutUnsynced = previousMayHaveHandedOutUnsynced;
        this.mode = mode;
        this.noteMode = previousMayHaveHandedOutUnsynced ? Durability.Mode.NONE : mode;
        this.key = key;
        this.noteLength = noteLength;
        this.claimed = claimed;
    }

    private static String holderName() {
        ProcessHandle me = ProcessHandle.current();
        return "pid " + me.pid() + " (" + me.info().command().orElse("?") + ")";
    }

    /**
     * Takes the lock of a buffer directory, which must exist.
     *
     * @param dir     the buffer directory
     * @param fileKey the directory's file key ({@link java.nio.file.attribute.BasicFileAttributes#fileKey()}), or
     *                null where the platform has none
     * @param mode    the durability the holder appends with (named in its note)
     * @return the held lock
     * @throws BufferLockedException when another writer holds it
     * @throws IOException           when the lock file cannot be opened, or its stale note cannot be replaced
     */
    static DirectoryLock acquire(Path dir, Object fileKey, Durability.Mode mode) throws IOException {
        Path file = dir.resolve(FILE);
        Object key = fileKey != null ? fileKey : dir.toRealPath().resolve(FILE);
        if (!HELD.add(key)) {
            throw new BufferLockedException("Buffer " + dir + " is already open for writing in this process ("
                    + HOLDER + "); use that DurableBuffer, or close it before opening the directory again");
        }
        try {
            return acquire(dir, file, key, mode);
        } catch (IOException | RuntimeException | Error e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static DirectoryLock acquire(Path dir, Path file, Object key, Durability.Mode mode) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            // a byte past any content, so the holder's note stays readable where locks are mandatory
            l = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
        } catch (OverlappingFileLockException sameJvm) {
            // the same file reached through another path the file key did not catch (a hard link): closing this
            // channel may drop the holder's OS lock, which cannot be helped once the file is open
            ch.close();
            throw new BufferLockedException("Buffer " + dir + " is already open for writing in this process ("
                    + HOLDER + "); use that DurableBuffer, or close it before opening the directory again");
        } catch (IOException e) {
            ch.close();
            throw new IOException("Cannot lock " + file + ": " + e.getMessage(), e);
        }
        if (l == null) {
            ch.close();
            throw new BufferLockedException("Buffer " + dir + " is open for writing by another process ("
                    + holder(file) + "); stop it (or drain from inside it) first; dump and verify read it without "
                    + "a lock");
        }
        try {
            ByteBuffer old = readNote(ch);
            long oldLength = old.position() < old.capacity() ? old.position() : Long.MAX_VALUE;
            if (startsWith(old, CLEAN)) {
                // left in place until this holder writes a frame (claim), so a holder that writes none leaves the
                // lock file untouched
                return new DirectoryLock(ch, l, true, false, mode, key, oldLength, false);
            }
            Durability.Mode previous = noteMode(old);
            DirectoryLock held = new DirectoryLock(ch, l, false, previous == null || previous == Durability.Mode.NONE,
                    mode, key, oldLength, false);
            held.claim();
            return held;
        } catch (IOException | RuntimeException e) {
            try {
                l.release();
            } finally {
                ch.close();
            }
            throw new IOException("Cannot write the lock note " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a buffer directory's lock note without taking the lock (for a read-only open): whether it says the last
     * writer closed cleanly, so no frame was written since and every frame in the log had been synced (and handed
     * out). False when the file is missing or unreadable, or a writer has written since (its note names it).
     *
     * @param dir the buffer directory
     * @return whether the note starts with "closed cleanly"
     */
    static boolean noteSaysClosedCleanly(Path dir) {
        try (FileChannel ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.READ)) {
            return startsWith(readNote(ch), CLEAN);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @return whether the previous holder released the lock after a clean close, with everything it wrote synced
     */
    boolean previousClosedCleanly() {
        return previousClosedCleanly;
    }

    /**
     * @return whether the log's tail may have held records whose appends returned before they were synced: the
     *         previous holder did not close cleanly and its note names durability {@code none}, or no durability
     */
    boolean previousMayHaveHandedOutUnsynced() {
        return previousMayHaveHandedOutUnsynced;
    }

    /**
     * Called once the open's recovery kept what the previous holder's crash left as evidence (the sequence floor):
     * a note that still names {@code none} for that reason now names this holder's own durability. A note that
     * cannot be rewritten (a full disk) keeps naming {@code none}, which only costs a floor after a crash.
     */
    void recovered() {
        if (claimed && noteMode != mode) {
            noteMode = mode;
            writeNote(note());
        }
    }

    private String note() {
        return HOLDER + ", durability " + noteMode.name().toLowerCase(java.util.Locale.ROOT) + ", since "
                + Instant.now();
    }

    /** The durability an unclean note names, or null when it names none (an older note, or one cut to nothing). */
    private static Durability.Mode noteMode(ByteBuffer note) {
        String text = new String(note.array(), 0, note.position(), StandardCharsets.UTF_8);
        int at = text.indexOf(", durability ");
        if (at < 0) {
            return null;
        }
        int from = at + ", durability ".length();
        int to = text.indexOf(',', from);
        String name = text.substring(from, to < 0 ? text.length() : to).trim().toUpperCase(java.util.Locale.ROOT);
        for (Durability.Mode m : Durability.Mode.values()) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Writes this holder's note, once, before its first frame, and syncs it: from then on a crash or a power cut
     * leaves a note that is not "closed cleanly", so the next open syncs the log's tail. A note that cannot be
     * written (a full disk) is cut to nothing, which says the same.
     *
     * @throws IOException when neither the note can be written nor the old one cut (nothing may be written then)
     */
    void claim() throws IOException {
        if (claimed) {
            return;
        }
        if (!writeNote(note())) {
            // the note is only for messages, but a stale "closed cleanly" must not outlive this holder
            channel.truncate(0);
            noteLength = 0;
        }
        // Synced once per holder, before its first frame: written in place and left to writeback, the note could
        // still be the last clean close's on the disk after a power cut (the kernel had written that one back),
        // and the next open would then read a log this holder wrote under durability none as closed cleanly.
        // Found after the power-cut harness (PowerCutFindingsTest.claimNoteIsDurableBeforeTheFirstFrame).
        channel.force(false);
        claimed = true;
    }

    /**
     * Cuts the note to nothing, so that the file system block it takes is free for a cursor commit on a full disk
     * when the buffer has nothing else to give up ({@code reserve.bin} and {@code segments.idx} both gone). The note
     * only names the holder for the next opener's messages and tells it how the last holder ended; an empty note
     * says "did not close cleanly, durability {@code none}", the most cautious reading (a crash meanwhile costs the
     * next open a tail sync and, when it finds the end of the log damaged, a jump in the sequence numbers). A clean
     * note this holder had left in place is gone with it, so from now on the holder counts as claimed.
     *
     * @return whether a block was freed: false when the note was already empty or could not be cut
     */
    boolean giveUpNote() {
        try {
            if (channel.size() == 0) {
                return false;
            }
            channel.truncate(0);
        } catch (IOException e) {
            return false;
        }
        noteLength = 0;
        claimed = true;
        noteGivenUp = true;
        return true;
    }

    /** @return whether the note is cut to nothing by {@link #giveUpNote} and not written again yet */
    boolean noteGivenUp() {
        return noteGivenUp;
    }

    /**
     * Writes this holder's note again after {@link #giveUpNote}, when there is room for it; nothing otherwise. A note
     * that still does not fit is cut back to nothing (a part of one would be taken for a whole note).
     */
    void restoreNote() {
        if (!noteGivenUp) {
            return;
        }
        if (writeNote(note())) {
            noteGivenUp = false;
            return;
        }
        try {
            channel.truncate(0);
        } catch (IOException ignored) {
            // the next restore tries again; a part of a note names no durability, which counts as none
        }
        noteLength = 0;
    }

    /**
     * Reads the start of the note, up to {@link #NOTE_READ} bytes, in one read: a short read is taken as the end of
     * the note (on a local file system it is). Were it not, only the length is wrong, and with it whether the next
     * note cuts off what an older, longer one left behind it: readers look at a note's start only.
     */
    private static ByteBuffer readNote(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(NOTE_READ);
        ch.read(b, 0);
        return b;
    }

    private static boolean startsWith(ByteBuffer note, String prefix) {
        if (note.position() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (note.get(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Overwrites the note in place; returns false when it could not be written (a full disk). */
    private boolean writeNote(String text) {
        byte[] raw = (text + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] note = new byte[(raw.length + NOTE_WIDTH - 1) / NOTE_WIDTH * NOTE_WIDTH];
        Arrays.fill(note, (byte) ' ');
        System.arraycopy(raw, 0, note, 0, raw.length);
        note[note.length - 1] = '\n';
        try {
            ByteBuffer b = ByteBuffer.wrap(note);
            while (b.hasRemaining()) {
                channel.write(b, b.position());
            }
            // the length is known from the last note (or its read), so no size call is needed
            if (noteLength > note.length && channel.size() > note.length) {
                channel.truncate(note.length);
            }
            noteLength = note.length;
            return true;
        } catch (IOException fullDisk) {
            return false;
        }
    }

    private static String holder(Path file) {
        try {
            String note = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (note.startsWith(CLEAN)) {
                // a holder that has written no frame leaves the last clean close's note in place
                return "a holder that has written nothing to the log since it opened; the lock file's note is the"
                        + " previous holder's: " + note;
            }
            return note.isEmpty() ? "holder unknown" : note;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /**
     * Releases the lock; the note stays (it names the last holder, and the file is reused).
     *
     * @param clean whether everything this holder wrote is synced (a clean close): the note then says so, and
     *              the next holder need not sync the log's tail. A holder that wrote no frame and found a clean
     *              note leaves that note as it is.
     */
    void release(boolean clean) {
        // unclaimed, this holder wrote no frame: the previous clean close's note is still true
        if (clean && claimed) {
            writeNote(CLEAN + " by " + HOLDER + " at " + Instant.now());
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        } finally {
            HELD.remove(key);
        }
    }
}
