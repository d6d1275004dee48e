package io.edgeloop.buffer;

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
 * {@value #CLEAN}, just before it releases the lock; the next holder reads it before writing its own note
 * ({@link #previousClosedCleanly()}). Every holder writes its own note before it writes anything else, so a note
 * saying "closed cleanly" means nobody wrote to the directory since that clean close: after a process crash the
 * crashed holder's note is what the page cache shows, and after a power loss only what reached the disk is left.
 * Notes are overwritten in place, padded to a fixed width: truncating the file to rewrite it made every open wait
 * for the file system's journal (measured on the Kafka ingest benchmark: a third of the gateway's I/O threads'
 * time, ten thousand buffers opened per drain).
 *
 * <p>Not thread-safe: acquired and released by the buffer's open and close.
 */
final class DirectoryLock {
    static final String FILE = "buffer.lock";
    /** How a note left by a clean close starts. */
    static final String CLEAN = "closed cleanly";
    /** Notes are padded with spaces to a multiple of this, so one holder's notes overwrite each other exactly. */
    private static final int NOTE_WIDTH = 128;
    /** This process's pid and command, the same for every lock it takes (looking them up is several syscalls). */
    private static final String HOLDER = holderName();
    /**
     * The lock files this JVM holds, by real path. A second open in the same process is refused from here, without
     * touching the file: opening and closing another channel on it would drop the OS lock (POSIX record locks
     * belong to the process, and closing any descriptor of the file releases them all), after which another
     * process could open the directory for writing beside the holder.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final FileChannel channel;
    private final FileLock lock;
    private final boolean previousClosedCleanly;
    private final Path key;

    private DirectoryLock(FileChannel channel, FileLock lock, boolean previousClosedCleanly, Path key) {
        this.channel = channel;
        this.lock = lock;
        this.previousClosedCleanly = previousClosedCleanly;
        this.key = key;
    }

    private static String holderName() {
        ProcessHandle me = ProcessHandle.current();
        return "pid " + me.pid() + " (" + me.info().command().orElse("?") + ")";
    }

    /**
     * Takes the lock of a buffer directory, which must exist.
     *
     * @param dir the buffer directory
     * @return the held lock
     * @throws BufferLockedException when another writer holds it
     * @throws IOException           when the lock file cannot be opened, or its stale note cannot be replaced
     */
    static DirectoryLock acquire(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        Path key = dir.toRealPath().resolve(FILE);
        if (!HELD.add(key)) {
            throw new BufferLockedException("Buffer " + dir + " is already open for writing in this process ("
                    + HOLDER + "); use that DurableBuffer, or close it before opening the directory again");
        }
        try {
            return acquire(dir, file, key);
        } catch (IOException | RuntimeException | Error e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static DirectoryLock acquire(Path dir, Path file, Path key) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            // a byte past any content, so the holder's note stays readable where locks are mandatory
            l = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
        } catch (OverlappingFileLockException sameJvm) {
            // the same file reached through another real path (a hard link, a bind mount): closing this channel
            // may drop the holder's OS lock, which cannot be helped once the file is open
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
        boolean clean;
        try {
            clean = readNote(ch).startsWith(CLEAN);
            if (!writeNote(ch, HOLDER + ", since " + Instant.now())) {
                // the note is only for messages, but a stale "closed cleanly" must not outlive this holder
                ch.truncate(0);
                clean = false;
            }
        } catch (IOException | RuntimeException e) {
            try {
                l.release();
            } finally {
                ch.close();
            }
            throw new IOException("Cannot write the lock note " + file + ": " + e.getMessage(), e);
        }
        return new DirectoryLock(ch, l, clean, key);
    }

    /**
     * @return whether the previous holder released the lock after a clean close, with everything it wrote synced
     */
    boolean previousClosedCleanly() {
        return previousClosedCleanly;
    }

    private static String readNote(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(CLEAN.length());
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // read the start of the note
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** Overwrites the note in place; returns false when it could not be written (a full disk). */
    private static boolean writeNote(FileChannel ch, String text) {
        byte[] raw = (text + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] note = new byte[(raw.length + NOTE_WIDTH - 1) / NOTE_WIDTH * NOTE_WIDTH];
        Arrays.fill(note, (byte) ' ');
        System.arraycopy(raw, 0, note, 0, raw.length);
        note[note.length - 1] = '\n';
        try {
            ByteBuffer b = ByteBuffer.wrap(note);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            if (ch.size() > note.length) {
                ch.truncate(note.length);
            }
            return true;
        } catch (IOException fullDisk) {
            return false;
        }
    }

    private static String holder(Path file) {
        try {
            String note = Files.readString(file, StandardCharsets.UTF_8).trim();
            return note.isEmpty() ? "holder unknown" : note;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /**
     * Releases the lock; the note stays (it names the last holder, and the file is reused).
     *
     * @param clean whether everything this holder wrote is synced (a clean close): the note then says so, and
     *              the next holder need not sync the log's tail
     */
    void release(boolean clean) {
        if (clean) {
            writeNote(channel, CLEAN + " by " + HOLDER + " at " + Instant.now());
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
