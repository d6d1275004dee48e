package io.edgeloop.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A benchmark's scratch directory: a new temporary directory under {@code --dir} (or the system temp directory),
 * deleted with everything in it on {@link #close()}.
 *
 * <p>Not thread-safe.
 */
final class ScratchDirectory implements AutoCloseable {
    private final Path path;

    private ScratchDirectory(Path path) {
        this.path = path;
    }

    /**
     * Creates the directory.
     *
     * @param parent where to create it (created if missing), or null for the system temp directory
     * @param prefix the name's prefix
     * @return the new scratch directory
     * @throws IOException when it cannot be created
     */
    static ScratchDirectory create(Path parent, String prefix) throws IOException {
        Path p = parent != null ? parent : Path.of(System.getProperty("java.io.tmpdir"));
        return new ScratchDirectory(Files.createTempDirectory(Files.createDirectories(p), prefix));
    }

    /** @return the directory */
    Path path() {
        return path;
    }

    /** Deletes the directory and everything in it. */
    @Override
    public void close() throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
