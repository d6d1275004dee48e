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
 * What a component holds that its {@code close()} must give back: live non-daemon threads (they keep a JVM from
 * exiting) and, where the platform shows them ({@code /proc/self/fd}), open file descriptors. The kits take a
 * {@link Snapshot} before creating components and check after closing them, with a grace period for threads that
 * are ending.
 *
 * <p>Thread safety: stateless; snapshots are immutable.
 */
final class Resources {
    private static final Path FDS = Path.of("/proc/self/fd");

    private Resources() {
    }

    /**
     * Live non-daemon threads and the open descriptor count (-1 when unknown) at one moment.
     *
     * @param threads the live non-daemon threads
     * @param fds     open file descriptors, or -1
     */
    record Snapshot(Set<Thread> threads, int fds) {
    }

    static Snapshot snapshot() {
        return new Snapshot(nonDaemonThreads(), openFds());
    }

    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon())
                .collect(Collectors.toSet());
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
     * {@code ignored} ones) has ended and the open descriptor count is back below {@code before + cycles}: a
     * component that keeps one descriptor per instance after {@code close()} fails; a descriptor or two opened
     * once by the JVM (a jar, a log file) does not.
     */
    static void assertReleased(Snapshot before, int cycles, Duration grace, Predicate<Thread> ignored, String when) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<Thread> left;
        int fds;
        while (true) {
            left = new ArrayList<>();
            for (Thread t : nonDaemonThreads()) {
                if (!before.threads().contains(t) && !ignored.test(t)) {
                    left.add(t);
                }
            }
            fds = openFds();
            boolean fdsOk = fds < 0 || before.fds() < 0 || fds < before.fds() + cycles;
            if ((left.isEmpty() && fdsOk) || System.nanoTime() > deadline) {
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
            List<String> names = new ArrayList<>();
            for (Thread t : left) {
                StackTraceElement[] st = t.getStackTrace();
                names.add("'" + t.getName() + "'" + (st.length == 0 ? "" : " at " + st[0]));
            }
            fail(left.size() + " non-daemon thread(s) started by the component were still alive " + grace + " "
                    + when + ": close() must stop them (they keep the JVM from exiting): " + names);
        }
        if (fds >= 0 && before.fds() >= 0 && fds >= before.fds() + cycles) {
            fail((fds - before.fds()) + " more open file descriptors (" + FDS + ") " + grace + " " + when + " than "
                    + "before: close() must close the files and sockets the component opened");
        }
    }
}
