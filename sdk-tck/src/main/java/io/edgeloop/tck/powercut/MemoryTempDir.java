package io.edgeloop.tck.powercut;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * A {@code @TempDir} factory that puts the directory on {@code /dev/shm} (a tmpfs) where there is a writable one,
 * else where JUnit puts it: {@code @TempDir(factory = MemoryTempDir.class)}. A {@link PowerCutFileSystem} does every
 * operation for real, and a few hundred cut workloads replace files by rename and truncate them thousands of times;
 * ext4 writes out the data of a file that replaces another by rename, or that was truncated, at once
 * ({@code auto_da_alloc}), which made an OTA power-cut suite spend half its time waiting for the disk (10.3 s against 20.1 s for the same 80 trials, 2026-12-03). Nothing in a
 * power-cut test depends on the real disk: the file system's model decides what survives.
 *
 * <p>Thread-safe: stateless.
 */
public final class MemoryTempDir implements TempDirFactory {
    private static final Path SHM = Path.of("/dev/shm");

    /** Creates the factory (JUnit does, by the annotation). */
    public MemoryTempDir() {
    }

    @Override
    public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
            throws IOException {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            return Files.createTempDirectory(SHM, "junit-powercut-");
        }
        return Files.createTempDirectory("junit-powercut-");
    }
}
