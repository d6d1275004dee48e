package io.edgeloop.labeling.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Replaces a file all at once: the content goes to a temporary file beside the target, named for this writer alone
 * ({@code <name>.<pid>.<thread>.<nanos>.tmp}, so two concurrent writers never truncate or move each other's file), and
 * is then forced to the disk and moved over the target (atomically where the file system can), and the directory
 * is forced too. A reader sees the old file or the new one, never a part, and after a power cut the target is the
 * old file or the whole new one (without the forces, a file system may keep the rename and lose the content, leaving
 * an empty file); a failed write leaves the target as it was and no temporary file. The temporary file gets the
 * default permissions (the umask's), as any file created there would.
 *
 * <p>Thread-safe: static methods; concurrent writers of one target each replace it whole (the last move wins).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes the content of a temporary file.
     *
     * <p>Thread safety: called once, on the thread that calls {@code write}; it need not be thread-safe.
     */
    @FunctionalInterface
    public interface Content {
        /**
         * @param tmp the temporary file to write (it may not exist yet)
         * @throws IOException when writing fails
         */
        void writeTo(Path tmp) throws IOException;
    }

    /**
     * Writes {@code target} through a temporary file of this writer's own.
     *
     * @param target  the file to replace or create (its directory must exist)
     * @param content writes the new content into the temporary file
     * @throws IOException when writing or moving fails; the target is then unchanged
     */
    public static void write(Path target, Content content) throws IOException {
        Objects.requireNonNull(content, "content");
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + "." + System.nanoTime() + ".tmp");
        try {
            content.writeTo(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(target.toAbsolutePath().getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory to force it; the move itself is still atomic there.
        }
    }
}
