package io.edgeloop.ota.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens a file for reading only when it is a regular file, and for reading alone. What is at the name is checked
 * first (not followed): anything else (a directory, a link, a FIFO, a socket, a device) is refused without being
 * opened; a regular file is opened for reading (the last name not followed), and the open file is then checked
 * through its descriptor (a FIFO or socket cannot seek). Nothing opens it for writing, so a read needs no write
 * permission, works on an immutable file or a read-only mount, and shows up to inotify watchers as an
 * {@code IN_CLOSE_NOWRITE}, not a write. (Until 2026-12-03 every file was opened for reading and writing, review s17.)
 *
 * <p>The race that remains: a FIFO moved to the name between the check and the open. open(2) of a FIFO for reading
 * waits for a writer (Java cannot pass {@code O_NONBLOCK}), so a watchdog thread looks, every
 * {@value #WATCHDOG_PERIOD_MILLIS} ms, at the name of each open in progress for at least that long, and when a FIFO
 * is there it opens that FIFO for reading and writing itself (which returns at once on Linux and BSD), so the
 * waiting open returns and the descriptor check refuses it: the caller is held for 200 to 400 ms, then gets
 * {@link NotRegularFileException}. Only someone who can write the directory can make this race, and such a one
 * can still, exactly:
 * <ul>
 *   <li>hold the caller for good, by moving the FIFO away again (renaming or deleting it) before the watchdog's
 *       first look (200 to 400 ms after the open began): the open then waits until that FIFO is opened for writing
 *       by someone else, or is back at the name when the watchdog looks;</li>
 *   <li>with a regular file moved back to the name between the watchdog's look and its own open, make that one
 *       open be of a regular file for reading and writing (nothing is written; an inotify watcher sees a
 *       {@code IN_CLOSE_WRITE}; closing it drops any POSIX lock this process holds on that file);</li>
 *   <li>with a character or block device moved in (which needs {@code CAP_MKNOD} to create one), have it opened for
 *       reading, by its driver's rules; a device that can seek passes the descriptor check (as it did before).</li>
 * </ul>
 *
 * <p>Thread-safe: stateless but for the watchdog, one daemon thread ({@code edgeloop-fifo-watchdog}) shared by all
 * opens, started by an open when none runs and ended after a minute without opens.
 */
public final class RegularFileChannel {
    /** How often the watchdog looks at the name of an open in progress. */
    static final long WATCHDOG_PERIOD_MILLIS = 200;
    /** {@code S_IFMT} and {@code S_IFIFO} of {@code st_mode} (POSIX; the same on Linux, BSD and macOS). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private RegularFileChannel() {
    }

    /**
     * Something other than a regular file is at a name opened with {@link #open}: a directory, a symbolic link
     * (not followed), a FIFO, a socket or a device. Not thread-safe (an exception).
     */
    public static final class NotRegularFileException extends FileSystemException {
        private static final long serialVersionUID = 1L;

        /**
         * @param file  the name
         * @param found what is there ({@code a special file (a FIFO, socket or device)})
         */
        public NotRegularFileException(Path file, String found) {
            super(file.toString(), null, "is " + found + ", not a regular file");
        }
    }

    /**
     * @param file the file (the last name not followed when it is a symbolic link)
     * @return the file opened for reading (only), positioned at 0
     * @throws NoSuchFileException     when nothing is there
     * @throws NotRegularFileException when something other than a regular file is there
     * @throws IOException             when it cannot be opened
     */
    public static FileChannel open(Path file) throws IOException {
        requireRegular(file);
        beforeOpen.accept(file);
        FileChannel c;
        try {
            Watchdog.watch(file);
            c = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            requireRegular(file); // replaced since the check: a link is "Too many levels of symbolic links"
            throw e;
        } finally {
            Watchdog.done();
        }
        try {
            c.position(); // through the descriptor: a FIFO or socket cannot seek ("Illegal seek")
            return c;
        } catch (IOException notAFile) {
            c.close();
            throw new NotRegularFileException(file, SPECIAL);
        }
    }

    private static final String SPECIAL = "a special file (a FIFO, socket or device)";

    /** Refuses anything but a regular file at {@code file} (not followed), naming what is there. */
    private static void requireRegular(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new NotRegularFileException(file, a.isDirectory() ? "a directory"
                    : a.isSymbolicLink() ? "a symbolic link" : SPECIAL);
        }
    }

    /**
     * The watchdog's look: when a FIFO is at {@code file}, opens it for reading and writing and closes it, which
     * never waits and is the writer a read-only open of that FIFO waits for. Anything else is left unopened.
     */
    private static void releaseFifo(Path file) {
        try {
            if (isFifo(file)) {
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)
                        .close();
            }
        } catch (IOException | RuntimeException e) {
            // gone or replaced since the look: the next look (if the open still waits) tries again
        }
    }

    private static boolean isFifo(Path file) throws IOException {
        try {
            return ((Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & S_IFMT) == S_IFIFO;
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            return false; // not a Unix file system: no FIFOs in it
        }
    }

    /**
     * The watchdog: opens register their name while they are in progress (no thread is woken per open), and one
     * daemon thread looks every {@value #WATCHDOG_PERIOD_MILLIS} ms at the names of those begun at least that long
     * ago. It is started by an open when none runs and ends after a minute without opens.
     */
    private static final class Watchdog implements Runnable {
        /** Opens in progress, by the thread opening (one name at a time each). */
        static final ConcurrentHashMap<Thread, Pending> PENDING = new ConcurrentHashMap<>();
        static final AtomicBoolean RUNNING = new AtomicBoolean();
        static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(WATCHDOG_PERIOD_MILLIS);
        static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(1);
        /** When the last open began ({@link System#nanoTime()}). */
        static volatile long lastWatched;

        /** An open in progress: its name and when it began. */
        record Pending(Path file, long sinceNanos) {
        }

        static void watch(Path file) {
            long now = System.nanoTime();
            lastWatched = now;
            PENDING.put(Thread.currentThread(), new Pending(file, now));
            if (!RUNNING.get() && RUNNING.compareAndSet(false, true)) {
                start();
            }
        }

        static void done() {
            PENDING.remove(Thread.currentThread());
        }

        private static void start() {
            Thread t = new Thread(new Watchdog(), "edgeloop-fifo-watchdog");
            t.setDaemon(true);
            t.setContextClassLoader(null);
            try {
                t.start();
            } catch (OutOfMemoryError noThread) {
                RUNNING.set(false); // the next open tries again
                throw noThread;
            }
        }

        @Override
        public void run() {
            while (true) {
                try {
                    Thread.sleep(WATCHDOG_PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    // nobody else owns this thread: an open may still be waiting, keep looking
                }
                long now = System.nanoTime();
                for (Pending p : PENDING.values()) {
                    if (now - p.sinceNanos() >= PERIOD_NANOS) {
                        releaseFifo(p.file());
                    }
                }
                if (PENDING.isEmpty() && now - lastWatched > IDLE_NANOS) {
                    RUNNING.set(false);
                    // an open that registered after the look above and saw RUNNING still true is watched on
                    if (PENDING.isEmpty() || !RUNNING.compareAndSet(false, true)) {
                        return;
                    }
                }
            }
        }
    }

    /** Test seam: runs between the check of the name and its open (a test swaps a FIFO in there). */
    static volatile java.util.function.Consumer<Path> beforeOpen = f -> {
    };
}
