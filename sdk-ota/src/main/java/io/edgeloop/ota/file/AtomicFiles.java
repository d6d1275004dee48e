package io.edgeloop.ota.file;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.Objects;

/**
 * Replaces a file all at once. The content goes to a temporary file beside the target that belongs to this writer
 * alone ({@link TemporaryFile}, {@code .<name>.<pid>.<n>.tmp}, created exclusively, so neither a concurrent writer
 * in this process or another nor a link planted at that name can share it, and locked until it is renamed or
 * deleted), is synced, and is then renamed over the target atomically; the directory is synced last. A reader sees
 * the old file or the new one, never a part; concurrent writers each replace the target whole (the last rename
 * wins); a failed write leaves the target as it was and deletes its temporary file. The same pattern as
 * sdk-labeling's {@code io.edgeloop.labeling.io.AtomicFiles}, which this module does not depend on.
 *
 * <p>Thread-safe: static methods; the temporary-file counter and registry are concurrent.
 */
public final class AtomicFiles {
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
        write(target, content, false);
    }

    /**
     * Replaces {@code target} with {@code bytes} as {@link #write(Path, byte[])} does, for a caller that reports the
     * value durable once this returns: a failed sync of the directory after the rename is thrown rather than
     * ignored (see {@link #syncDirectoryOrThrow}).
     *
     * @param target the file to replace or create (its directory must exist)
     * @param bytes  the new content
     * @throws IOException when writing, syncing or renaming fails (the target is then unchanged), or the
     *                     directory's sync after the rename fails (the target then holds the new content, which a
     *                     power loss may take back)
     */
    public static void writeDurably(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        writeDurably(target, out -> out.write(bytes));
    }

    /**
     * Replaces {@code target} with what {@code content} writes, as {@link #write(Path, Content)} does, throwing a
     * failed sync of the directory after the rename as {@link #writeDurably(Path, byte[])} does.
     *
     * @param target  the file to replace or create (its directory must exist)
     * @param content writes the new content
     * @throws IOException when writing, syncing or renaming fails, or {@code target} is a directory (the target is
     *                     then unchanged), or the directory's sync after the rename fails (the target then holds
     *                     the new content, which a power loss may take back)
     */
    public static void writeDurably(Path target, Content content) throws IOException {
        write(target, content, true);
    }

    private static void write(Path target, Content content, boolean durably) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
            // a rename cannot replace a directory: say so before writing anything, naming what the caller gave
            // (the rename's error named the temporary file, after the whole content was written)
            throw new java.nio.file.FileSystemException(abs.toString(), null,
                    "is a directory, not a file; give the path of the file to write");
        }
        try (TemporaryFile tmp = writeTemporary(abs, content)) {
            tmp.replace(abs, durably);
        }
    }

    /**
     * Writes what {@code content} writes to a new temporary file of this writer's own beside {@code target} and
     * syncs it; on any failure the temporary file is deleted. The caller moves it ({@link TemporaryFile#replace},
     * {@link TemporaryFile#moveNew}) and closes it, which deletes it if it was not moved: it stays locked, so no
     * cleaning deletes it, until then.
     *
     * @param target     the file the temporary one will become (its directory must exist)
     * @param content    writes the content
     * @param attributes attributes the temporary file is created with (for example owner-only POSIX permissions,
     *                   so the content is never readable by others, even for a moment)
     * @return the synced, locked temporary file
     * @throws IOException when creating, writing or syncing fails
     */
    public static TemporaryFile writeTemporary(Path target, Content content, FileAttribute<?>... attributes)
            throws IOException {
        Objects.requireNonNull(content, "content");
        TemporaryFile t = TemporaryFile.create(target, attributes);
        boolean done = false;
        try {
            try (OutputStream out = t.output()) {
                content.writeTo(out);
                out.flush();
            }
            t.sync();
            done = true;
            return t;
        } finally {
            if (!done) {
                t.close();
            }
        }
    }

    /**
     * Creates a new, empty, locked temporary file of this writer's own beside {@code target}, named as
     * {@link #writeTemporary} names them ({@code .<name>.<pid>.<n>.tmp}), for a caller that fills it itself (an
     * upload streamed from the network) through {@link TemporaryFile#output()}. It stays locked until closed, so a
     * cleaning in any process on this machine leaves it alone while it is in use; once its process is gone (a kill
     * mid-write), a later {@link #deleteStaleTemporaryFiles} on that directory deletes it, as a
     * {@link Files#createTempFile} name never was. Created with the process's default permissions unless
     * {@code attributes} say otherwise. Closing it deletes it unless it was moved.
     *
     * @param target     names the file (its directory must exist; the file itself is not touched)
     * @param attributes attributes the file is created with
     * @return the new empty file
     * @throws IOException when it cannot be created
     */
    public static TemporaryFile createTemporary(Path target, FileAttribute<?>... attributes) throws IOException {
        return TemporaryFile.create(target, attributes);
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

    /**
     * Syncs a directory for a write that reports durability: a failed sync is thrown, since the rename or new name
     * in it may then not survive a power loss ({@link #syncDirectory} ignores it, so a device's state write
     * returned as durable what a power cut took back; found with sdk-tck's power-cut file system,
     * {@code OtaPowerCutFindingsTest.failedDirectorySyncFailsTheWrite}). Only a directory that this file system
     * cannot open for syncing at all (access denied, unsupported, as on Windows) is skipped, as by
     * {@link #syncDirectory}.
     *
     * @param dir the directory
     * @throws IOException when the directory cannot be opened for another reason, or its sync fails
     */
    public static void syncDirectoryOrThrow(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
            return; // cannot be opened for syncing here; durability of the rename is then the system's
        }
        try (ch) {
            ch.force(true);
        } catch (IOException e) {
            if (!refusesDirectorySync(e)) {
                throw e;
            }
            // EINVAL / ENOTSUP: the file system has no directory fsync at all (CIFS before Linux 4.17, some FUSE,
            // WSL DrvFs and Ceph mounts); its renames are as durable as it makes them, and throwing would fail
            // every write there for good (a device that never starts). Said once per JVM; EIO and the rest throw.
            if (DIRECTORY_SYNC_UNSUPPORTED_WARNED.compareAndSet(false, true)) {
                org.slf4j.LoggerFactory.getLogger(AtomicFiles.class).warn("{}: this file system refuses to sync a "
                        + "directory ({}); renames and new names here are as durable as it makes them (logged once)",
                        dir, e.getMessage());
            }
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean DIRECTORY_SYNC_UNSUPPORTED_WARNED =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param e the failure of a directory's {@code force}
     * @return whether it says the file system does not sync directories at all (EINVAL, ENOTSUP, ENOSYS), as
     *         opposed to a failed sync (EIO)
     */
    static boolean refusesDirectorySync(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Invalid argument") || m.contains("Operation not supported")
                || m.contains("Function not implemented");
    }

    /** Syncs a directory; {@link #syncDirectoryOrThrow} is one. */
    @FunctionalInterface
    public interface DirectorySyncer {
        /**
         * @param dir the directory
         * @throws IOException when the sync fails
         */
        void sync(Path dir) throws IOException;
    }

    /**
     * Creates a directory and the missing ones above it, syncing the parent of each one it created (with
     * {@link #syncDirectoryOrThrow}): a new directory's name survives a power loss only once its parent is synced,
     * so without it a power cut could take back a new directory with every synced file in it.
     *
     * @param dir the directory
     * @throws IOException when a directory cannot be created, or a parent's sync fails
     */
    public static void createDirectoriesDurably(Path dir) throws IOException {
        createDirectoriesDurably(dir, AtomicFiles::syncDirectoryOrThrow);
    }

    /**
     * As {@link #createDirectoriesDurably(Path)}, syncing through {@code sync}. When a parent's sync fails, the
     * directories this call created are removed again (best effort) before the failure is thrown: a retry then
     * creates them anew and syncs their parents; left in place, the retry found them existing and never synced
     * the parent, so a power cut could still take them, and every file written in them since, back.
     *
     * @param dir  the directory
     * @param sync how a directory is synced
     * @throws IOException when a directory cannot be created, or a parent's sync fails
     */
    public static void createDirectoriesDurably(Path dir, DirectorySyncer sync) throws IOException {
        Path abs = dir.toAbsolutePath();
        Path highestCreated = null;
        for (Path q = abs; q != null && Files.notExists(q, LinkOption.NOFOLLOW_LINKS); q = q.getParent()) {
            highestCreated = q;
        }
        Files.createDirectories(abs);
        for (Path q = abs; highestCreated != null && q.getParent() != null; q = q.getParent()) {
            try {
                sync.sync(q.getParent());
            } catch (IOException e) {
                for (Path u = abs; u != null; u = u.getParent()) {
                    try {
                        Files.deleteIfExists(u); // empty: created by this call
                    } catch (IOException | RuntimeException undo) {
                        e.addSuppressed(undo);
                        break;
                    }
                    if (u.equals(highestCreated)) {
                        break;
                    }
                }
                throw e;
            }
            if (q.equals(highestCreated)) {
                break;
            }
        }
    }

    /** {@code .<name>.<pid>.<n>.tmp}, the temporary names {@link TemporaryFile} makes. */
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("\\..+\\.(\\d{1,18})\\.\\d+\\.tmp");

    /**
     * Deletes the temporary files of this class's writes that killed processes left in {@code dir}. A file is
     * deleted only when all of these hold: this JVM does not have it in use; nobody holds its lock (a live writer
     * holds it from creation until rename or delete, see {@link TemporaryFile}), which this call takes, shared,
     * before it deletes; and its pid is not a live process in this PID namespace, or is this process's own and the
     * file was last written before this process started (a predecessor's with the same pid: a container's PID 1;
     * one written since is a same-pid writer elsewhere, such as another container's PID 1, and is kept). So a live writer keeps its file whatever PID namespace
     * it runs in (another container sharing the volume, a blue-green switch), and a process that always has the
     * same pid deletes its predecessors' leftovers. Files of SDKs before 2026-12-02 carry no lock: they are deleted
     * when their pid is not alive here, as before (so such a writer in another namespace still loses its in-flight
     * write). Locks are per kernel: across hosts sharing a directory they hold only where the file system carries
     * them (NFS with its lock service); on a file system without locks, a file is deleted when its pid is not alive
     * here and not this process's own, as before. A live pid's unlocked file is left (a pid reused since is merely
     * a file left for a later call). Other files are never touched. Only regular files are opened, for reading,
     * through {@link RegularFileChannel}, so a FIFO swapped in after the check does not hold the caller (a plain
     * open for reading waited for a writer for good, hanging a server's start, review s16); what was opened is
     * deleted only when it can seek and the name still holds the file that was checked. Best effort: a file that
     * cannot be opened or deleted is skipped.
     *
     * @param dir the directory (not followed when it is a symbolic link; nothing happens when it is missing)
     * @return how many files were deleted
     */
    public static int deleteStaleTemporaryFiles(Path dir) {
        return deleteStale(dir, null);
    }

    /**
     * Deletes the temporary files that writes of {@code target} killed before their rename left beside it
     * ({@code .<name>.<pid>.<n>.tmp}, by the rules of {@link #deleteStaleTemporaryFiles}), as that method does for
     * a whole directory, for a writer of a file in a directory it does not own (a bundle or key written where the
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
        long own = TemporaryFile.pid();
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
                // a live writer here, which may be of an SDK that does not lock; this JVM's own are never opened:
                // closing any descriptor of a file drops this process's lock on it, its writer's lock included
                if (pid != own && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                        || TemporaryFile.inUse(n)) {
                    continue;
                }
                if (pid == own && !beforeThisProcessStarted(f)) {
                    // this pid's, not this JVM's, written since it started: not a predecessor's leftover but a
                    // writer elsewhere with the same pid (two containers' PID 1), maybe of an SDK that does not
                    // lock (review s15); a predecessor's ended before this process began
                    continue;
                }
                if (deleteUnlocked(f, pid != own)) {
                    deleted++;
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort: an unreadable directory is the caller's next error, not this one's
        }
        return deleted;
    }

    /** When this process started; null when the system does not say. */
    private static final java.time.Instant STARTED = ProcessHandle.current().info().startInstant().orElse(null);

    /** Whether {@code f} was last written before this process started (false when either time is unknown). */
    private static boolean beforeThisProcessStarted(Path f) {
        try {
            return STARTED != null && Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant()
                    .isBefore(STARTED);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Deletes {@code f} while holding a shared lock on it, which nobody can take while a live writer holds its
     * exclusive one (in any PID namespace on this kernel).
     *
     * @param deadByPid whether the pid in its name is not alive here (decides on a file system without locks)
     * @return true when deleted
     */
    private static boolean deleteUnlocked(Path f, boolean deadByPid) {
        BasicFileAttributes checked;
        try {
            checked = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
        if (!checked.isRegularFile()) {
            return false;
        }
        beforeOpen.accept(f);
        // for reading alone, never waiting on a FIFO swapped in after the check above (opened for reading by a
        // plain open, one hung the start of a server or agent for good, review s16): refused, and left
        try (FileChannel c = RegularFileChannel.open(f)) {
            FileLock lock;
            try {
                lock = c.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException anotherCleaningHereHasIt) {
                return false;
            } catch (IOException noLocksOnThisFileSystem) {
                return deadByPid && sameFile(f, checked) && Files.deleteIfExists(f);
            }
            return lock != null && sameFile(f, checked) && Files.deleteIfExists(f); // the lock goes with the channel
        } catch (IOException e) {
            return false; // best effort: it is left for the next call
        }
    }

    /** Whether {@code f} is still the regular file {@code checked} described (not swapped since). */
    private static boolean sameFile(Path f, BasicFileAttributes checked) throws IOException {
        BasicFileAttributes now = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return now.isRegularFile() && Objects.equals(checked.fileKey(), now.fileKey()); // null: no ids here
    }

    /** Test seam: runs between the cleaner's last check of a file and its open (a test swaps a FIFO in there). */
    static volatile java.util.function.Consumer<Path> beforeOpen = f -> {
    };
}
