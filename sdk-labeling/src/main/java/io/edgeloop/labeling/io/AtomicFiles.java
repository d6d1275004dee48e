package io.edgeloop.labeling.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * Replaces a file all at once: the content goes to a temporary file beside the target, named for this writer alone
 * ({@code <name>.<pid>.<thread>.<nanos>.tmp}, so two concurrent writers never truncate or move each other's file), and
 * is then moved over the target (atomically where the file system can). A reader sees the old file or the new one,
 * never a part; a failed write leaves the target as it was and no temporary file. The temporary file gets the
 * default permissions (the umask's), as any file created there would.
 *
 * <p>Thread-safe: static methods; concurrent writers of one target each replace it whole (the last move wins).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of a temporary file. */
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
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
