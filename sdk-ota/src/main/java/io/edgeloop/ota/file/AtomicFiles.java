package io.edgeloop.ota.file;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Objects;
import java.util.Set;
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
     * @throws IOException when writing, syncing or renaming fails, or {@code target} is a directory (refused before
     *                     anything is written, naming it); the target is then unchanged
     */
    public static void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
            // a rename cannot replace a directory: say so before writing anything, naming what the caller gave
            // (the rename's error named the temporary file, after the whole content was written)
            throw new java.nio.file.FileSystemException(abs.toString(), null,
                    "is a directory, not a file; give the path of the file to write");
        }
        Path tmp = writeTemporary(abs, content);
        try {
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            syncDirectory(abs.getParent());
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Writes what {@code content} writes to a new temporary file of this writer's own beside {@code target} and
     * syncs it; on any failure the temporary file is deleted. Pair with {@link #moveNew} or a rename.
     *
     * @param target     the file the temporary one will become (its directory must exist)
     * @param content    writes the content
     * @param attributes attributes the temporary file is created with (for example owner-only POSIX permissions,
     *                   so the content is never readable by others, even for a moment)
     * @return the synced temporary file
     * @throws IOException when creating, writing or syncing fails
     */
    public static Path writeTemporary(Path target, Content content, FileAttribute<?>... attributes)
            throws IOException {
        Objects.requireNonNull(content, "content");
        Temporary t = openTemporary(target.toAbsolutePath(), attributes);
        boolean done = false;
        try {
            try (FileChannel c = t.channel(); OutputStream out = Channels.newOutputStream(c)) {
                content.writeTo(out);
                out.flush();
                c.force(true);
            }
            done = true;
            return t.path();
        } finally {
            if (!done) {
                Files.deleteIfExists(t.path());
            }
        }
    }

    /**
     * Creates a new, empty temporary file of this writer's own beside {@code target}, named as
     * {@link #writeTemporary} names them ({@code .<name>.<pid>.<n>.tmp}), for a caller that fills it itself (an
     * upload streamed from the network). A later {@link #deleteStaleTemporaryFiles} on that directory deletes it
     * once this process is gone, so a kill mid-write does not leave it for good, as a
     * {@link Files#createTempFile} name did. Created with the process's default permissions unless
     * {@code attributes} say otherwise. The caller deletes it when done.
     *
     * @param target     names the file (its directory must exist; the file itself is not touched)
     * @param attributes attributes the file is created with
     * @return the new empty file
     * @throws IOException when it cannot be created
     */
    public static Path createTemporary(Path target, FileAttribute<?>... attributes) throws IOException {
        Temporary t = openTemporary(target.toAbsolutePath(), attributes);
        try {
            t.channel().close();
        } catch (IOException e) {
            Files.deleteIfExists(t.path());
            throw e;
        }
        return t.path();
    }

    /** A temporary file just created exclusively, and its open channel. */
    private record Temporary(Path path, FileChannel channel) {
    }

    /** Creates a temporary file beside {@code abs} exclusively, retrying names a crashed process with this pid left. */
    private static Temporary openTemporary(Path abs, FileAttribute<?>... attributes) throws IOException {
        Path dir = abs.getParent();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + abs.getFileName() + "." + PID + "." + NEXT.incrementAndGet() + ".tmp");
            try {
                return new Temporary(tmp, FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), attributes));
            } catch (FileAlreadyExistsException leftByACrashedProcessWithThisPid) {
                if (attempt == 100) {
                    throw leftByACrashedProcessWithThisPid;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                if (!Files.isDirectory(dir)) {
                    // name what the caller gave (its directory), not the temporary name it never chose
                    java.nio.file.NoSuchFileException missing = new java.nio.file.NoSuchFileException(
                            dir.toString(), null, "the directory for " + abs.getFileName() + " does not exist");
                    missing.initCause(e);
                    throw missing;
                }
                throw e;
            }
        }
    }

    /**
     * Moves a file written by {@link #writeTemporary} to {@code target}, refusing when {@code target} exists: a
     * hard link, which fails atomically when the name is taken, then the temporary name is removed. On a file system
     * without hard links, a plain move after an existence check (not atomic against a concurrent creator). The
     * temporary file is deleted whatever happens.
     *
     * @param tmp    the temporary file
     * @param target the name it takes
     * @throws FileAlreadyExistsException when {@code target} exists
     * @throws IOException                when linking or moving fails
     */
    public static void moveNew(Path tmp, Path target) throws IOException {
        try {
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
                Files.move(tmp, target);
            }
            syncDirectory(target.toAbsolutePath().getParent());
        } finally {
            Files.deleteIfExists(tmp);
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

    /** {@code .<name>.<pid>.<n>.tmp}, the temporary names {@link #writeTemporary} makes. */
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("\\..+\\.(\\d{1,18})\\.\\d+\\.tmp");

    /**
     * Deletes the temporary files of this class's writes that a killed process left in {@code dir}: those whose
     * writer's pid is no longer a live process. A live process's (this one's included) are left alone, as a write
     * may be under way; a pid reused since is merely a file left for a later call. Other files are never touched.
     * Best effort: a file that cannot be deleted is skipped.
     *
     * <p>Liveness is judged by pid in this process's PID namespace, so two limits (review s14): a writer in another
     * PID namespace (another container, another host on a shared volume) looks dead, and its in-flight temporary
     * file is deleted (its write then fails, naming the file; nothing else is lost); and a process that always gets
     * the same pid (PID 1 in a container without an init) never deletes its predecessors' leftovers. Keep one
     * writer's namespace per directory for the cleaning to be exact.
     *
     * @param dir the directory (not followed when it is a symbolic link; nothing happens when it is missing)
     * @return how many files were deleted
     */
    public static int deleteStaleTemporaryFiles(Path dir) {
        return deleteStale(dir, null);
    }

    /**
     * Deletes the temporary files that writes of {@code target} killed before their rename left beside it
     * ({@code .<name>.<pid>.<n>.tmp} of a pid no longer alive), as {@link #deleteStaleTemporaryFiles} does for a
     * whole directory, for a writer of a file in a directory it does not own (a bundle or key written where the
     * user says): only that name's leftovers are touched. Best effort.
     *
     * @param target the file whose temporary files to delete
     * @return how many files were deleted
     */
    public static int deleteStaleTemporaryFilesOf(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.getParent() == null ? 0 : deleteStale(abs.getParent(), abs.getFileName().toString());
    }

    private static int deleteStale(Path dir, String onlyName) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int deleted = 0;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                String n = f.getFileName().toString();
                java.util.regex.Matcher m = TEMPORARY.matcher(n);
                if (!m.matches() || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                        || onlyName != null && !n.substring(1, m.start(1) - 1).equals(onlyName)) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                if (pid == PID || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try {
                    if (Files.deleteIfExists(f)) {
                        deleted++;
                    }
                } catch (IOException e) {
                    // best effort: it is left for the next call
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort: an unreadable directory is the caller's next error, not this one's
        }
        return deleted;
    }
}
