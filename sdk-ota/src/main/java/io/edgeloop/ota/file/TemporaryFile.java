package io.edgeloop.ota.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A temporary file of this writer's own beside a target, {@code .<name>.<pid>.<n>.tmp}, created exclusively and
 * held under an exclusive OS file lock from its creation until {@link #close()}: while the file is being written,
 * while it waits for its rename, and while it is renamed. {@link AtomicFiles#deleteStaleTemporaryFiles} deletes
 * such a file only when it can take the lock itself, so a live writer keeps its file whatever PID namespace it
 * runs in (a pid is only proof within one namespace); and this JVM keeps a registry of the files it has in use,
 * which its own cleaning never opens: POSIX locks belong to the process, and closing any descriptor of a file
 * drops all of the process's locks on it.
 *
 * <p>All access to the content goes through this object ({@link #output()}, {@link #input()}), never through a
 * second descriptor opened by path, for the same reason. On a file system that cannot lock (an NFS mount without
 * its lock service) the file is written unlocked and cleaning falls back to the pid alone.
 *
 * <p>Not thread-safe: one writer uses it at a time. {@link #close()} is idempotent.
 */
public final class TemporaryFile implements AutoCloseable {
    /** Names of the temporary files this JVM has in use; a name holds its pid and a JVM-wide counter. */
    private static final Set<String> IN_USE = ConcurrentHashMap.newKeySet();
    private static final AtomicLong NEXT = new AtomicLong();
    /** The pid in this process's names (a test stands in for a writer of another PID namespace by changing it). */
    private static volatile long namePid = ProcessHandle.current().pid();

    private final Path path;
    private final String name;
    private final FileChannel channel;
    private boolean atTemporaryName = true;
    private boolean closed;

    private TemporaryFile(Path path, String name, FileChannel channel) {
        this.path = path;
        this.name = name;
        this.channel = channel;
    }

    /** @return the pid this process's temporary files are named by */
    static long pid() {
        return namePid;
    }

    /** Test seam: names this process's temporary files by another pid, as a writer of another namespace would. */
    static void nameByPid(long pid) {
        namePid = pid;
    }

    /** @return true when this JVM has the temporary file of that name in use (a file name, not a path) */
    static boolean inUse(String fileName) {
        return IN_USE.contains(fileName);
    }

    /**
     * Creates a temporary file beside {@code target} exclusively and locks it, retrying names a crashed process of
     * this pid left, or that another process's cleaning deleted between the creation and the lock.
     *
     * @param target     the file it will become (its directory must exist)
     * @param attributes attributes it is created with
     * @return the locked, empty file
     * @throws IOException when it cannot be created, naming {@code target}'s directory when that is missing
     */
    static TemporaryFile create(Path target, FileAttribute<?>... attributes) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        for (int attempt = 0; ; attempt++) {
            String name = "." + abs.getFileName() + "." + namePid + "." + NEXT.incrementAndGet() + ".tmp";
            Path tmp = dir.resolve(name);
            // registered before it exists, so this JVM's cleaning never opens it (its close would drop the lock)
            IN_USE.add(name);
            TemporaryFile made = null;
            try {
                FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), attributes);
                try {
                    if (lock(ch) && Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
                        made = new TemporaryFile(tmp, name, ch);
                        return made;
                    }
                    // another process's cleaning had it between our creation and our lock, and deletes it
                } finally {
                    if (made == null) {
                        ch.close();
                    }
                }
                if (attempt == 100) {
                    throw new FileSystemException(tmp.toString(), null,
                            "another process deleted 100 new temporary files in a row before they could be locked");
                }
            } catch (FileAlreadyExistsException leftByACrashedProcessWithThisPid) {
                if (attempt == 100) {
                    throw leftByACrashedProcessWithThisPid;
                }
            } catch (NoSuchFileException e) {
                if (!Files.isDirectory(dir)) {
                    // name what the caller gave (its directory), not the temporary name it never chose
                    NoSuchFileException missing = new NoSuchFileException(
                            dir.toString(), null, "the directory for " + abs.getFileName() + " does not exist");
                    missing.initCause(e);
                    throw missing;
                }
                throw e;
            } finally {
                if (made == null) {
                    IN_USE.remove(name);
                }
            }
        }
    }

    /** Takes the exclusive lock: false when someone else holds one; true, unlocked, when the file system has none. */
    private static boolean lock(FileChannel ch) {
        try {
            return ch.tryLock() != null;
        } catch (IOException noLocksOnThisFileSystem) {
            return true; // written unlocked: cleaning falls back to the pid here (AtomicFiles.deleteStale)
        }
    }

    /** @return the temporary name (the file is elsewhere once {@link #replace} or {@link #moveNew} moved it) */
    public Path path() {
        return path;
    }

    /**
     * A stream that appends at the file's current position. Closing it does not close this file.
     *
     * @return the stream
     */
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                while (bb.hasRemaining()) {
                    channel.write(bb);
                }
            }
        };
    }

    /**
     * A stream that reads the file from its start, through this file's own descriptor. Closing it does not close
     * this file.
     *
     * @return the stream
     */
    public InputStream input() {
        return new InputStream() {
            private long position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                int n = channel.read(ByteBuffer.wrap(b, off, len), position);
                if (n > 0) {
                    position += n;
                }
                return n;
            }
        };
    }

    /**
     * Forces the content to the storage device.
     *
     * @throws IOException when syncing fails
     */
    public void sync() throws IOException {
        channel.force(true);
    }

    /**
     * Renames the file over {@code target} atomically, then syncs {@code target}'s directory.
     *
     * @param target the file to replace or create
     * @throws IOException when the rename fails; the file then keeps its temporary name
     */
    public void replace(Path target) throws IOException {
        replace(target, false);
    }

    /**
     * As {@link #replace(Path)}, for a caller that reports the file durable once this returns: a failed sync of
     * the directory after the rename is thrown ({@link AtomicFiles#syncDirectoryOrThrow}); the target then holds
     * the file, which a power loss may take back, and {@link #moved()} is true.
     *
     * @param target the file to replace or create
     * @throws IOException when the rename fails (the file then keeps its temporary name), or the directory's sync
     *                     after it
     */
    public void replaceDurably(Path target) throws IOException {
        replace(target, true);
    }

    /**
     * As {@link #replace(Path)}; with {@code durably}, a failed sync of the directory after the rename is thrown
     * ({@link AtomicFiles#syncDirectoryOrThrow}: the target then holds the file, which a power loss may take back).
     */
    void replace(Path target, boolean durably) throws IOException {
        Files.move(path, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        atTemporaryName = false;
        Path dir = target.toAbsolutePath().getParent();
        if (durably) {
            AtomicFiles.syncDirectoryOrThrow(dir);
        } else {
            AtomicFiles.syncDirectory(dir);
        }
    }

    /**
     * Gives the file the name {@code target}, refusing when {@code target} exists: a hard link, which fails
     * atomically when the name is taken, then the temporary name is removed. On a file system without hard links,
     * a plain move after an existence check (not atomic against a concurrent creator). Syncs the directory.
     *
     * @param target the name it takes
     * @throws FileAlreadyExistsException when {@code target} exists (the file keeps its temporary name)
     * @throws IOException                when linking or moving fails
     */
    public void moveNew(Path target) throws IOException {
        moveNew(target, false);
    }

    /**
     * As {@link #moveNew(Path)}, for a caller that reports the file durable once this returns: a failed sync of the
     * directory after the move is thrown ({@link AtomicFiles#syncDirectoryOrThrow}); {@code target} then holds the
     * file, which a power loss may take back, and {@link #moved()} is true.
     *
     * @param target the name it takes
     * @throws FileAlreadyExistsException when {@code target} exists (the file keeps its temporary name)
     * @throws IOException                when linking or moving fails, or the directory's sync after it
     */
    public void moveNewDurably(Path target) throws IOException {
        moveNew(target, true);
    }

    private void moveNew(Path target, boolean durably) throws IOException {
        try {
            Files.createLink(target, path);
            atTemporaryName = false;
            Files.deleteIfExists(path);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
            if (!atTemporaryName) {
                throw noHardLinks; // linked, but the temporary name could not be removed
            }
            Files.move(path, target);
            atTemporaryName = false;
        }
        Path dir = target.toAbsolutePath().getParent();
        if (durably) {
            AtomicFiles.syncDirectoryOrThrow(dir);
        } else {
            AtomicFiles.syncDirectory(dir);
        }
    }

    /**
     * @return true once the file was moved to its target by {@link #replace} or {@link #moveNew} (or their durable
     *         forms), also when the directory's sync after the move then failed
     */
    public boolean moved() {
        return !atTemporaryName;
    }

    /**
     * Deletes the file unless it was moved to its target, then releases the lock and leaves the registry.
     *
     * @throws IOException when the temporary file cannot be deleted (the lock is released all the same, so a later
     *                     cleaning deletes it)
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (atTemporaryName) {
                Files.deleteIfExists(path); // while still locked: nobody else's cleaning has it meanwhile
            }
        } finally {
            try {
                channel.close();
            } finally {
                IN_USE.remove(name);
            }
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
