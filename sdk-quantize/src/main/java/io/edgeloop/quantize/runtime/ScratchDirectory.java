package io.edgeloop.quantize.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A directory that exists only while a write needs it (a staging directory, a private snapshot): {@link #close()}
 * deletes it, and so does the JVM's shutdown when it is still there, so Ctrl-C (SIGINT) or a SIGTERM in the middle of
 * {@code edgeloop quantize} leaves none behind (a finally block does not run then). A SIGKILL still can: writers that
 * name theirs after their process ({@link QuantizedDirectory}) delete those of dead processes on the next run.
 *
 * <p>Thread-safe: each instance is closed once by its owner; the registry of live directories is concurrent.
 */
public final class ScratchDirectory implements AutoCloseable {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    private static final Object HOOK_LOCK = new Object();
    private static boolean hooked;

    private final Path path;

    private ScratchDirectory(Path path) {
        this.path = path;
    }

    /**
     * Creates {@code dir} (its parent must exist) as a scratch directory.
     *
     * @param dir the directory to create; it must not exist
     * @return the scratch directory
     * @throws IOException when it cannot be created
     */
    public static ScratchDirectory create(Path dir) throws IOException {
        return register(Files.createDirectory(Objects.requireNonNull(dir, "dir")));
    }

    /**
     * Creates a scratch directory in the default temporary-file directory.
     *
     * @param prefix the name's prefix
     * @return the scratch directory
     * @throws IOException when it cannot be created
     */
    public static ScratchDirectory createTemp(String prefix) throws IOException {
        return register(Files.createTempDirectory(prefix));
    }

    private static ScratchDirectory register(Path dir) {
        synchronized (HOOK_LOCK) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(ScratchDirectory::deleteLive,
                        "edgeloop-scratch-cleanup"));
                hooked = true;
            }
        }
        LIVE.add(dir);
        return new ScratchDirectory(dir);
    }

    private static void deleteLive() {
        for (Path p : LIVE) {
            try {
                deleteTree(p);
            } catch (IOException | RuntimeException e) {
                // best effort at shutdown: a writer still adding files may keep the directory; its pid names it
            }
        }
    }

    /** @return the directory */
    public Path path() {
        return path;
    }

    /**
     * Deletes the directory and everything in it, if it is still there (a directory moved into place is not).
     *
     * @throws IOException when it cannot be deleted
     */
    @Override
    public void close() throws IOException {
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(path);
            }
        } finally {
            LIVE.remove(path);
        }
    }

    /**
     * Deletes a directory tree, not following symbolic links.
     *
     * @param dir the directory
     * @throws IOException when something cannot be deleted
     */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
