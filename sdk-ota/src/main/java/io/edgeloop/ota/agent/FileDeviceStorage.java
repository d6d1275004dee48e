package io.edgeloop.ota.agent;

import io.edgeloop.ota.file.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link DeviceStorage} in a directory: an atomic write goes to a temporary file of that write's own, which is
 * fsynced and renamed over the target, then the directory is fsynced. Names must be safe relative paths; nothing
 * is ever written outside the root, and symbolic links are never followed: a name that is not a regular file, or
 * whose directory is not a directory (a symbolic link, a file left by a damaged file system), reads as absent;
 * writing into such a directory fails with an {@link IOException} naming it.
 *
 * <p>Thread-safe: operations on distinct names are independent; concurrent atomic writes of one name (threads or
 * processes) each replace it whole, the last rename winning. The agent serialises its own writes.
 */
public final class FileDeviceStorage implements DeviceStorage {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileDeviceStorage.class);
    private final Path root;

    /**
     * Opens the state directory and deletes the temporary files that writers killed mid-write left in it and in its
     * slot directories ({@code .<name>.<pid>.<n>.tmp} of a pid no longer alive; see
     * {@link AtomicFiles#deleteStaleTemporaryFiles}): named by pid, they were never reused, so each kill at that
     * moment left one for good (up to a 4 MiB manifest's worth).
     *
     * @param root the state directory (created when missing)
     * @throws IOException when it cannot be created
     */
    public FileDeviceStorage(Path root) throws IOException {
        this.root = Files.createDirectories(Objects.requireNonNull(root, "root")).toRealPath();
        int deleted = AtomicFiles.deleteStaleTemporaryFiles(this.root);
        try (java.util.stream.Stream<Path> s = Files.list(this.root)) {
            for (Path d : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
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
            if (Files.isSymbolicLink(parent)) {
                throw new IOException(parent + " is a symbolic link; refusing to follow it");
            }
            if (Files.exists(parent, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(parent + " is not a directory; refusing to write " + name + " (remove it and "
                        + "the agent creates the directory again)");
            }
            Files.createDirectories(parent);
        }
        return p;
    }

    /**
     * The path of a name to read or delete, empty when its directory is not a real one (missing, a file, a
     * symbolic link): the name is then absent. Reading never creates a directory, and a damaged directory entry
     * must not stop the agent from starting on the other slot (it threw, and the device ran no model at all).
     */
    private Optional<Path> existing(String name) throws IOException {
        Path p = checked(name);
        Path parent = p.getParent();
        if (!parent.equals(root) && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(p);
    }

    @Override
    public Optional<byte[]> read(String name) throws IOException {
        Optional<Path> p = existing(name);
        if (p.isEmpty() || !Files.isRegularFile(p.get(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(Files.readAllBytes(p.get()));
    }

    @Override
    public void writeAtomic(String name, byte[] data) throws IOException {
        // A temporary file of this writer's own: with a shared "<name>.tmp" two writers of one name (two agents
        // on one state directory, or a caller's own threads) tore the file or lost it to the other's rename.
        AtomicFiles.write(resolve(name), data);
    }

    @Override
    public void write(String name, byte[] data, Runnable midWrite) throws IOException {
        writeSynced(resolve(name), data, midWrite);
    }

    @Override
    public void delete(String name) throws IOException {
        Optional<Path> p = existing(name);
        if (p.isPresent() && Files.deleteIfExists(p.get())) {
            AtomicFiles.syncDirectory(p.get().getParent());
        }
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
