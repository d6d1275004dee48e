package io.edgeloop.tck;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small real file system for full-disk tests: a tmpfs of a given size mounted on a directory, unmounted on
 * {@link #close()}. A full tmpfs fails writes with ENOSPC exactly as a full device does, which a channel wrapper
 * can only imitate. Mounting needs root (the README's test command runs as root in CI); where it is refused,
 * {@link #mount} aborts the calling test through a JUnit assumption, with the reason given.
 *
 * <p>Use it in try-with-resources:
 * <pre>{@code
 * try (Tmpfs fs = Tmpfs.mount(tempDir.resolve("mnt"), 1 << 20, "the QuotaChannel test covers ENOSPC without it")) {
 *     ... write into fs.path() until it is full ...
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread and more than once.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path path;
    private boolean mounted = true;

    private Tmpfs(Path path) {
        this.path = path;
    }

    /**
     * Mounts a tmpfs of {@code bytes} bytes on {@code dir} (created if missing), or aborts the calling test when
     * it cannot be mounted.
     *
     * @param dir          the mount point
     * @param bytes        the file system's size in bytes (the kernel rounds it up to whole pages)
     * @param withoutMount what covers the case when the mount is refused, for the assumption's message
     * @return the mounted file system
     * @throws IOException when the mount point cannot be created or the mount command cannot be run
     */
    public static Tmpfs mount(Path dir, long bytes, String withoutMount) throws IOException {
        Files.createDirectories(dir);
        boolean ok = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString()));
        Assumptions.assumeTrue(ok, "mounting a tmpfs needs root (the README's test command runs as root); "
                + withoutMount);
        return new Tmpfs(dir);
    }

    /** @return the mount point */
    public Path path() {
        return path;
    }

    /**
     * Fills the file system: writes a file of that name in blocks of {@code blockBytes} until the next block no
     * longer fits (ENOSPC). Smaller blocks leave less free space behind.
     *
     * @param name       the file's name in the file system's root
     * @param blockBytes the block size
     * @return the file written
     * @throws IOException when the file cannot be created at all
     */
    public Path fill(String name, int blockBytes) throws IOException {
        Path file = path.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] block = new byte[blockBytes];
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            if (!Files.exists(file)) {
                throw full;
            }
            return file;
        }
    }

    /** Unmounts the file system (lazily when still busy). Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (!mounted) {
            return;
        }
        mounted = false;
        if (!run(List.of("umount", path.toString())) && !run(List.of("umount", "-l", path.toString()))) {
            throw new IOException("could not unmount the tmpfs on " + path);
        }
    }

    private static boolean run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        try {
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd, e);
        }
    }
}
