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

/**
 * The OS file lock ({@code fcntl}/{@code flock} through {@link FileChannel#tryLock}) that makes one writable
 * {@link DurableBuffer} per directory at a time. The lock file holds a note naming the holder (pid, command, time)
 * for the error the next opener gets. The OS drops the lock when the process dies (kill -9, power loss), so a
 * stale lock file never blocks a restart.
 *
 * <p>Not thread-safe: acquired and released by the buffer's open and close.
 */
final class DirectoryLock {
    static final String FILE = "buffer.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of a buffer directory, which must exist.
     *
     * @param dir the buffer directory
     * @return the held lock
     * @throws BufferLockedException when another writer holds it
     * @throws IOException           when the lock file cannot be opened
     */
    static DirectoryLock acquire(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            // a byte past any content, so the holder's note stays readable where locks are mandatory
            l = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
        } catch (OverlappingFileLockException sameJvm) {
            ch.close();
            throw new BufferLockedException("Buffer " + dir + " is already open for writing in this process ("
                    + holder(file) + "); use that DurableBuffer, or close it before opening the directory again");
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
            ProcessHandle me = ProcessHandle.current();
            byte[] note = ("pid " + me.pid() + " (" + me.info().command().orElse("?") + "), since " + Instant.now()
                    + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(note), 0);
        } catch (IOException fullDisk) {
            // the note only helps the next error message; the lock is what counts
        }
        return new DirectoryLock(ch, l);
    }

    private static String holder(Path file) {
        try {
            String note = Files.readString(file, StandardCharsets.UTF_8).trim();
            return note.isEmpty() ? "holder unknown" : note;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /** Releases the lock; the note stays (it names the last holder, and the file is reused). */
    void release() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
