package io.edgeloop.ota.file;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replaces a file all at once. The content goes to a temporary file beside the target that belongs to this writer
 * alone ({@code .<name>.<pid>.<n>.tmp}, created exclusively, so neither a concurrent writer in this process or
 * another nor a link planted at that name can share it), is synced, and is then renamed over the target
 * atomically; the directory is synced last. A reader sees the old file or the new one, never a part; concurrent
 * writers each replace the target whole (the last rename wins); a failed write leaves the target as it was and
 * deletes its temporary file. The same pattern as sdk-labeling's {@code io.edgeloop.labeling.io.AtomicFiles},
 * which this module does not depend on.
 *
 * <p>Thread-safe: static methods; the temporary-file counter is atomic.
 */
public final class AtomicFiles {
    private static final AtomicLong NEXT = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    private AtomicFiles() {
    }

    /**
     * Writes the new content of a file.
     *
     * <p>Thread safety: called once, on the thread that calls {@code write}; it need not be thread-safe.
     */
    @FunctionalInterface
    public interface Content {
        /**
         * @param out the temporary file's stream (closed by the caller)
         * @throws IOException when writing fails
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code target} with {@code bytes}.
     *
     * @param target the file to replace or create (its directory must exist)
     * @param bytes  the new content
     * @throws IOException when writing, syncing or renaming fails; the target is then unchanged
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(target, out -> out.write(bytes));
    }

    /**
     * Replaces {@code target} with what {@code content} writes, through a temporary file of this writer's own.
     *
     * @param target  the file to replace or create (its directory must exist)
     * @param content writes the new content
     * @throws IOException when writing, syncing or renaming fails; the target is then unchanged
     */
    public static void write(Path target, Content content) throws IOException {
        Objects.requireNonNull(content, "content");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            FileChannel ch = null;
            for (int attempt = 0; ch == null; attempt++) {
                tmp = dir.resolve("." + abs.getFileName() + "." + PID + "." + NEXT.incrementAndGet() + ".tmp");
                try {
                    ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS);
                } catch (FileAlreadyExistsException leftByACrashedProcessWithThisPid) {
                    tmp = null;
                    if (attempt == 100) {
                        throw leftByACrashedProcessWithThisPid;
                    }
                }
            }
            try (FileChannel c = ch; OutputStream out = Channels.newOutputStream(c)) {
                content.writeTo(out);
                out.flush();
                c.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            syncDirectory(dir);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Syncs a directory, so that a rename or a new file in it survives a power loss. Best effort: some file systems
     * cannot open a directory for syncing, and the rename is still atomic there.
     *
     * @param dir the directory
     */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // cannot be opened for syncing on this file system; durability of the rename is then the system's
        }
    }
}
