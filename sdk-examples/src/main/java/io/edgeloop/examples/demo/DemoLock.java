package io.edgeloop.examples.demo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OS file lock ({@link FileChannel#tryLock}) on the output directory's {@link DemoFiles#MARKER} that one
 * {@code edgeloop demo} run holds from before it clears the directory until it has written its report, so two runs
 * never write one {@code --out} at once. The marker's text then names the holder (pid and start time) for the
 * refusal the second run prints; the OS drops the lock when the process dies (SIGTERM, kill -9), so an interrupted
 * run never blocks the next one.
 *
 * <p>Thread-safe: acquiring is safe from any thread (a run already holding a directory in this JVM is refused
 * without touching the file); {@link #close()} is idempotent and meant for the one thread that acquired it.
 */
public final class DemoLock implements AutoCloseable {
    /** What the marker says besides the holder; the same text {@link DemoFiles#claim} writes. */
    private static final String MARKER_TEXT = "output of edgeloop demo; its subdirectories are replaced on each run\n";
    /**
     * The marker files this JVM holds the lock of, by real path. A second run in the same process is refused from
     * here: opening and closing another channel on the file would drop this process's POSIX lock.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DemoLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of a claimed output directory (one holding {@link DemoFiles#MARKER}, see
     * {@link DemoFiles#claim}) and writes this process's pid into the marker.
     *
     * @param out the output directory
     * @return the held lock; close it when the run has ended
     * @throws IOException when another run holds the directory (the message names it and, where known, the
     *                     holder's pid), or the marker cannot be opened or locked
     */
    public static DemoLock acquire(Path out) throws IOException {
        Path marker = out.resolve(DemoFiles.MARKER);
        Path key = marker.toRealPath();
        String me = "pid " + ProcessHandle.current().pid();
        if (!HELD.add(key)) {
            throw new IOException(inUse(out, "another run in this process, " + me));
        }
        try {
            FileChannel ch = FileChannel.open(marker, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                // a byte past any content, so the holder's note stays readable where locks are mandatory
                l = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
            } catch (OverlappingFileLockException sameJvm) {
                l = null;
            } catch (IOException e) {
                ch.close();
                throw new IOException("Cannot lock " + marker + ": " + e.getMessage(), e);
            }
            if (l == null) {
                String holder = holder(ch);
                ch.close();
                throw new IOException(inUse(out, holder));
            }
            DemoLock held = new DemoLock(key, ch, l);
            held.note("run in progress: " + me + " since " + Instant.now()
                    + "; report.html and summary.json are written when it ends\n");
            return held;
        } catch (IOException | RuntimeException | Error e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static String inUse(Path out, String holder) {
        return out + " is in use by another `edgeloop demo` run (" + holder + "); wait for it to finish, or "
                + "choose another --out";
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(4096);
            ch.read(b, 0);
            String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            int at = text.indexOf("pid ");
            if (at < 0) {
                return "holder unknown";
            }
            int end = text.indexOf(';', at);
            return text.substring(at, end < 0 ? text.strip().length() : end).strip();
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /** Replaces the marker's text with the marker line and a note; the lock byte lies past any note. */
    private void note(String line) throws IOException {
        channel.truncate(0);
        ByteBuffer b = ByteBuffer.wrap((MARKER_TEXT + line).getBytes(StandardCharsets.UTF_8));
        long at = 0;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
    }

    /**
     * Notes in the marker that the run ended and releases the lock. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            note("last run ended at " + Instant.now() + "\n");
        } catch (IOException ignored) {
            // the note is only for messages; the lock goes with the channel below
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
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
