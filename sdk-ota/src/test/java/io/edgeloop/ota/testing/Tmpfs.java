package io.edgeloop.ota.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A real, small tmpfs mounted for a full-disk test (as sdk-buffer's DiskFullTest does). Mounting needs root (CI
 * runs the tests as root); when the mount is impossible the test is skipped by an assumption, never faked.
 * Not thread-safe: one test uses one mount.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /**
     * Mounts a tmpfs of {@code size} (for example {@code 256k}) on a new directory under {@code parent}.
     *
     * @param parent where to create the mount point
     * @param size   the tmpfs size option
     * @return the mount
     * @throws IOException          when the mount point cannot be created
     * @throws InterruptedException when interrupted
     */
    public static Tmpfs mount(Path parent, String size) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(parent.resolve("tmpfs-" + size));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()),
                "mounting a tmpfs needs root (CI runs the tests as root); without it this full-disk case is untested");
        return new Tmpfs(dir);
    }

    /** @return the mount point */
    public Path dir() {
        return dir;
    }

    /**
     * Fills the file system with {@code name}, then shrinks that file so that about {@code leaveBytes} stay
     * free.
     *
     * @param name       the filler file's name in the mount
     * @param leaveBytes bytes to leave free
     * @return the filler file
     * @throws IOException when the filler cannot be written
     */
    public Path fill(String name, long leaveBytes) throws IOException {
        Path filler = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] b = new byte[4096];
            while (true) {
                out.write(b);
            }
        } catch (IOException full) {
            // the file system is full
        }
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
            ch.truncate(Math.max(0, ch.size() - leaveBytes));
        }
        return filler;
    }

    @Override
    public void close() throws IOException {
        try {
            run("umount", dir.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + dir, e);
        }
    }

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
