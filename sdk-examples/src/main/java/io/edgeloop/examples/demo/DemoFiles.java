package io.edgeloop.examples.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The demo's output directory: each step owns a subdirectory ({@code devices}, {@code models},
 * {@code release}, {@code fleet}) that it clears before writing, so a rerun never mixes results.
 *
 * <p>Thread-safe: stateless.
 */
public final class DemoFiles {
    private DemoFiles() {
    }

    /**
     * Deletes a directory tree if it exists and creates it empty.
     *
     * @param dir the directory
     * @return the directory
     * @throws IOException when it cannot be cleared
     */
    public static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }
}
