package io.edgeloop.ota.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * Makes a temporary file named by this process's pid look like a predecessor's leftover: last written before this
 * process started (a file of this pid written since is a same-pid writer elsewhere, and is kept).
 *
 * <p>Thread-safe: static and stateless.
 */
public final class Predecessors {
    private Predecessors() {
    }

    /**
     * @param f the file
     * @return {@code f}, last modified a minute before this process started
     * @throws IOException when its time cannot be set
     */
    public static Path backdate(Path f) throws IOException {
        Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
        Files.setLastModifiedTime(f, FileTime.from(started.minusSeconds(60)));
        return f;
    }
}
