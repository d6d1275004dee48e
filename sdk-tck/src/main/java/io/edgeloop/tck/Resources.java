package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a component holds that its {@code close()} must give back: the threads it started and, where the platform
 * shows them ({@code /proc/self/fd}), open file descriptors. The kits take a {@link Snapshot} before creating
 * components and check after closing them, with a grace period for threads that are ending. A non-daemon thread
 * left behind fails at once (it keeps the JVM from exiting); daemon threads fail with the same tolerance as
 * descriptors, {@code cycles}: one per closed instance is a leak that grows without bound in a gateway making a
 * component per device or per poll, a pool started once is not. Threads of the JDK's shared pools (the common
 * fork-join pool, the cleaner, JUnit's timeout threads) are not the component's and are not counted.
 *
 * <p>Thread safety: stateless; snapshots are immutable.
 */
final class Resources {
    private static final Path FDS = Path.of("/proc/self/fd");

    private Resources() {
    }

    /**
     * Live threads and the open descriptor count (-1 when unknown) at one moment.
     *
     * @param threads the live threads, daemon or not
     * @param fds     open file descriptors, or -1
     */
    record Snapshot(Set<Thread> threads, int fds) {
    }

    static Snapshot snapshot() {
        return new Snapshot(liveThreads(), openFds());
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    /** Threads of pools the JDK or JUnit share across the JVM, which a component may start but does not own. */
    private static boolean isSharedPoolThread(Thread t) {
        String n = t.getName();
        return n.startsWith("ForkJoinPool.commonPool-") || n.equals("Common-Cleaner") || n.startsWith("junit-")
                || n.equals("process reaper") || n.startsWith("Attach Listener") || n.startsWith("tck-");
    }

    private static int openFds() {
        if (!Files.isDirectory(FDS)) {
            return -1;
        }
        try (Stream<Path> s = Files.list(FDS)) {
            return (int) s.count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /**
     * Fails unless, within {@code grace}, every non-daemon thread started since {@code before} (other than
     * {@code ignored} ones and the JDK's shared pools) has ended, fewer than {@code cycles} such daemon threads are
     * still alive, and the open descriptor count is back below {@code before + cycles}: a component that keeps one
     * thread or descriptor per instance after {@code close()} fails; a pool thread, a descriptor or two opened once by
     * the JVM (a jar, a log file) does not.
     */
    static void assertReleased(Snapshot before, int cycles, Duration grace, Predicate<Thread> ignored, String when) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<Thread> left;
        List<Thread> daemons;
        int fds;
        while (true) {
            left = new ArrayList<>();
            daemons = new ArrayList<>();
            for (Thread t : liveThreads()) {
                if (!before.threads().contains(t) && !ignored.test(t) && !isSharedPoolThread(t)) {
                    (t.isDaemon() ? daemons : left).add(t);
                }
            }
            fds = openFds();
            boolean fdsOk = fds < 0 || before.fds() < 0 || fds < before.fds() + cycles;
            if ((left.isEmpty() && daemons.size() < cycles && fdsOk) || System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!left.isEmpty()) {
            fail(left.size() + " non-daemon thread(s) started by the component were still alive " + grace + " "
                    + when + ": close() must stop them (they keep the JVM from exiting): " + names(left));
        }
        if (daemons.size() >= cycles) {
            fail(daemons.size() + " daemon thread(s) started by the component were still alive " + grace + " " + when
                    + ": close() must stop the threads an instance started (one per instance grows without bound "
                    + "when a component is made per device or per poll): " + names(daemons));
        }
        if (fds >= 0 && before.fds() >= 0 && fds >= before.fds() + cycles) {
            fail((fds - before.fds()) + " more open file descriptors (" + FDS + ") " + grace + " " + when + " than "
                    + "before: close() must close the files and sockets the component opened");
        }
    }

    private static List<String> names(List<Thread> threads) {
        List<String> names = new ArrayList<>();
        for (Thread t : threads) {
            StackTraceElement[] st = t.getStackTrace();
            names.add("'" + t.getName() + "'" + (st.length == 0 ? "" : " at " + st[0]));
        }
        return names;
    }
}
