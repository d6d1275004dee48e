package io.edgeloop.ota.agent;

import io.edgeloop.ota.file.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@link DeviceStorage} in a directory: an atomic write goes to a temporary file of that write's own, which is
 * fsynced and renamed over the target, then the directory is fsynced; a write or delete whose directory sync fails
 * throws, since what it changed may not survive a power loss. Names must be safe relative paths; nothing
 * is ever written outside the root, and symbolic links are never followed: a name that is not a regular file, or
 * whose directory is not a directory (a symbolic link, a file left by a damaged file system), reads as absent.
 * Writing a name whose entry is not a regular file (a directory, a symbolic link, a device node), or into a slot
 * directory that is not a real directory (a file, a symbolic link), first moves that entry aside, whole, to
 * {@code <name>.DAMAGED-<n>} beside it (upper case: outside the storage names, so storage never reads, writes or
 * cleans it again) and logs both paths at {@code WARN}; deleting a name whose entry is a directory leaves the
 * directory where it is, since it already reads as absent.
 *
 * <p>Thread-safe: operations on distinct names are independent; concurrent atomic writes of one name (threads or
 * processes) each replace it whole, the last rename winning. The agent serialises its own writes.
 */
public final class FileDeviceStorage implements DeviceStorage {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileDeviceStorage.class);
    private final Path root;
    /** Syncs a directory ({@link AtomicFiles#syncDirectoryOrThrow}; tests record the calls). */
    private final DirectorySync directorySync;

    /** Syncs a directory, throwing when the sync fails. */
    @FunctionalInterface
    interface DirectorySync {
        /**
         * @param dir the directory
         * @throws IOException when the sync fails
         */
        void sync(Path dir) throws IOException;
    }

    /**
     * Opens the state directory and deletes the temporary files that writers killed mid-write left in it and in its
     * slot directories ({@code .<name>.<pid>.<n>.tmp} that no live writer holds locked, of a pid no longer alive
     * or this process's own; see {@link AtomicFiles#deleteStaleTemporaryFiles}): named by pid, they were never reused, so each kill at that
     * moment left one for good (up to a 4 MiB manifest's worth). Only directories with storage names are slot
     * directories: an entry moved aside ({@code .DAMAGED-<n>}) is never touched.
     *
     * @param root the state directory (created when missing)
     * @throws IOException when it cannot be created
     */
    public FileDeviceStorage(Path root) throws IOException {
        // a failed directory sync is thrown: the values are reported durable once a write returns (AtomicFiles
        // .syncDirectory ignored it, so a write whose rename a power cut took back returned as durable)
        this(root, AtomicFiles::syncDirectoryOrThrow);
    }

    /** As {@link #FileDeviceStorage(Path)}, syncing directories through {@code directorySync}. */
    FileDeviceStorage(Path root, DirectorySync directorySync) throws IOException {
        this.directorySync = Objects.requireNonNull(directorySync, "directorySync");
        this.root = createDirectoriesDurably(Objects.requireNonNull(root, "root").toAbsolutePath()).toRealPath();
        int deleted = AtomicFiles.deleteStaleTemporaryFiles(this.root);
        try (java.util.stream.Stream<Path> s = Files.list(this.root)) {
            for (Path d : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && isName(d.getFileName().toString())) {
                    deleted += AtomicFiles.deleteStaleTemporaryFiles(d);
                }
            }
        }
        if (deleted > 0) {
            LOG.info("Deleted {} temporary file(s) left in {} by writers killed mid-write", deleted, this.root);
        }
    }

    /** @return the root directory */
    public Path root() {
        return root;
    }

    /** True when {@code segment} is a storage name of one level (a file in the root, or a slot directory). */
    private static boolean isName(String segment) {
        return segment.matches("[a-z0-9.-]+") && !segment.contains("..");
    }

    /** The path of a safe name inside the root (its directory is not created). */
    private Path checked(String name) throws IOException {
        if (!name.matches("[a-z0-9.-]+(/[a-z0-9.-]+)?") || name.contains("..")) {
            throw new IOException("unsafe storage name '" + name + "'");
        }
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root)) {
            throw new IOException("storage name '" + name + "' escapes " + root);
        }
        return p;
    }

    /** The path to write a name to, its directory created when missing. */
    private Path resolve(String name) throws IOException {
        Path p = checked(name);
        Path parent = p.getParent();
        if (!parent.equals(root)) {
            // A slot directory that is a file or a symbolic link (never followed) reads as an empty slot; to write
            // into it, the entry is moved aside whole like a damaged file (installs into that slot failed until
            // someone removed it by hand).
            makeWay(parent, true);
            createDirectoriesDurably(parent);
        }
        return p;
    }

    /**
     * Creates a directory and the missing ones above it, syncing the parent of each one it created: a new
     * directory's name survives a power cut only once its parent is synced (POSIX; ext4 happens to commit it with
     * the next fsync of anything, other file systems need not). Without it a power cut soon after the state
     * directory was created could take the whole state with it (anti-rollback counters included), although every
     * file in it had been synced; the same was found in sdk-buffer by its power-cut file system (7256517e).
     */
    private Path createDirectoriesDurably(Path dir) throws IOException {
        AtomicFiles.createDirectoriesDurably(dir, directorySync::sync);
        return dir;
    }

    /**
     * The path of a name to read or delete, empty when its directory is not a real one (missing, a file, a
     * symbolic link): the name is then absent. Reading never creates a directory, and a damaged directory entry
     * must not stop the agent from starting on the other slot (it threw, and the device ran no model at all).
     */
    private Optional<Path> existing(String name) throws IOException {
        Path p = checked(name);
        Path parent = p.getParent();
        if (!parent.equals(root) && !entry(parent).map(BasicFileAttributes::isDirectory).orElse(false)) {
            return Optional.empty();
        }
        return Optional.of(p);
    }

    /**
     * What is at {@code p}, not followed; empty when nothing is. Any other failure to look is thrown: a storage
     * failure is not an absent value. {@link Files#isRegularFile} and {@link Files#isDirectory} answer false on any
     * I/O error, so a failing read of the staged slot read as a missing file and the install was refused as "the
     * staged slot does not read back as written" (REFUSED, the sequence burned) instead of failing as storage
     * (FAILED, the attempt undone, the IOException thrown), found by OtaPowerCutTest.
     */
    private static Optional<BasicFileAttributes> entry(Path p) throws IOException {
        try {
            return Optional.of(Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<byte[]> read(String name) throws IOException {
        Optional<Path> p = existing(name);
        if (p.isEmpty() || !entry(p.get()).map(BasicFileAttributes::isRegularFile).orElse(false)) {
            return Optional.empty();
        }
        return Optional.of(Files.readAllBytes(p.get()));
    }

    @Override
    public Optional<String> obstruction(String name) throws IOException {
        Optional<Path> p = existing(name);
        return p.isEmpty() || wanted(p.get(), false) ? Optional.empty() : Optional.of(kind(p.get()));
    }

    /** What an entry that is not a regular file is, for messages. */
    private static String kind(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "a directory"
                : Files.isSymbolicLink(p) ? "a symbolic link"
                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "a regular file" : "not a regular file";
    }

    @Override
    public OptionalLong usableBytes() throws IOException {
        return OptionalLong.of(Files.getFileStore(root).getUsableSpace());
    }

    @Override
    public boolean sharesSpaceWith(Path file) throws IOException {
        return Files.getFileStore(root).equals(Files.getFileStore(file));
    }

    @Override
    public long size(String name) throws IOException {
        Optional<Path> p = existing(name);
        return p.isEmpty() ? 0 : entry(p.get()).filter(BasicFileAttributes::isRegularFile)
                .map(BasicFileAttributes::size).orElse(0L);
    }

    @Override
    public void writeAtomic(String name, byte[] data) throws IOException {
        // A temporary file of this writer's own: with a shared "<name>.tmp" two writers of one name (two agents
        // on one state directory, or a caller's own threads) tore the file or lost it to the other's rename.
        AtomicFiles.writeDurably(makeWay(resolve(name), false), data);
    }

    @Override
    public void write(String name, byte[] data, Runnable midWrite) throws IOException {
        Path p = makeWay(resolve(name), false);
        writeSynced(p, data, midWrite);
        // "durably once it returns": a file this write created has a durable name only once its directory is synced
        directorySync.sync(p.getParent());
    }

    @Override
    public void delete(String name) throws IOException {
        Optional<Path> p = existing(name);
        if (p.isEmpty() || Files.isDirectory(p.get(), LinkOption.NOFOLLOW_LINKS)) {
            return; // a directory at the name reads as absent: nothing to delete, and what it holds is not ours
        }
        if (Files.deleteIfExists(p.get())) {
            directorySync.sync(p.get().getParent());
        }
    }

    /** How many names {@link #makeWay} tries before giving up (each a damaged entry moved aside earlier). */
    private static final int ASIDE_NAMES = 1000;

    /**
     * Clears the way to write {@code p}: an entry there that is not a regular file reads as absent, yet a rename
     * cannot replace a directory, so the agent failed to rewrite {@code boot.json} or {@code counters.json} at
     * every start (no model ran) and an install failed on a slot file replaced by a directory. Such an entry is
     * moved aside whole to the first free {@code <name>.DAMAGED-<n>} and the move is logged; nothing is deleted.
     * For a slot directory the wrong kind is the reverse: a file, a symbolic link (never followed) or anything
     * else that is not a real directory reads as an empty slot, and installs into that slot failed until someone
     * removed it by hand; it is moved aside the same way.
     *
     * @param p         the path to write
     * @param directory whether {@code p} must be a directory (a slot directory) rather than a regular file
     * @return {@code p}
     */
    private Path makeWay(Path p, boolean directory) throws IOException {
        if (wanted(p, directory)) {
            return p;
        }
        String wanted = directory ? "a directory" : "a file";
        String kind = kind(p);
        for (int n = 1; n <= ASIDE_NAMES; n++) {
            Path aside = p.resolveSibling(p.getFileName() + ".DAMAGED-" + n);
            if (Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (wanted(p, directory)) {
                // another writer of this name (the javadoc allows threads and processes) moved the damaged entry
                // aside and wrote a good one meanwhile: moving that one aside too would lose its write
                return p;
            }
            try {
                Files.move(p, aside); // a link is moved as the link; a directory with all it holds
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                continue;
            } catch (java.nio.file.NoSuchFileException gone) {
                return p; // a concurrent writer of this name moved it aside first
            }
            directorySync.sync(p.getParent());
            LOG.warn("{} is {}, not {}, so it read as missing; moved it aside to {} (nothing in it was deleted) "
                    + "to write {} there", p, kind, wanted, aside, root.relativize(p));
            return p;
        }
        throw new IOException(p + " is " + kind + ", not " + wanted + ", and cannot be moved aside: " + p.getFileName()
                + ".DAMAGED-1 to -" + ASIDE_NAMES + " are all taken; remove them or " + p);
    }

    /** Whether {@code p} is missing or already of the wanted kind, so nothing needs moving aside. */
    private static boolean wanted(Path p, boolean directory) {
        return !Files.exists(p, LinkOption.NOFOLLOW_LINKS) || (directory ? Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static void writeSynced(Path p, byte[] data, Runnable midWrite) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            int half = data.length / 2;
            ByteBuffer first = ByteBuffer.wrap(data, 0, half);
            while (first.hasRemaining()) {
                ch.write(first);
            }
            if (midWrite != null) {
                ch.force(true);
                midWrite.run();
            }
            ByteBuffer rest = ByteBuffer.wrap(data, half, data.length - half);
            while (rest.hasRemaining()) {
                ch.write(rest);
            }
            ch.force(true);
        }
    }
}
