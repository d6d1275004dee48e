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
 * is ever written outside the root, and symbolic links are never followed.
 *
 * <p>Thread-safe: operations on distinct names are independent; concurrent atomic writes of one name (threads or
 * processes) each replace it whole, the last rename winning. The agent serialises its own writes.
 */
public final class FileDeviceStorage implements DeviceStorage {
    private final Path root;

    /**
     * @param root the state directory (created when missing)
     * @throws IOException when it cannot be created
     */
    public FileDeviceStorage(Path root) throws IOException {
        this.root = Files.createDirectories(Objects.requireNonNull(root, "root")).toRealPath();
    }

    /** @return the root directory */
    public Path root() {
        return root;
    }

    private Path resolve(String name) throws IOException {
        if (!name.matches("[a-z0-9.-]+(/[a-z0-9.-]+)?") || name.contains("..")) {
            throw new IOException("unsafe storage name '" + name + "'");
        }
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root)) {
            throw new IOException("storage name '" + name + "' escapes " + root);
        }
        Path parent = p.getParent();
        if (!parent.equals(root)) {
            if (Files.isSymbolicLink(parent)) {
                throw new IOException(parent + " is a symbolic link; refusing to follow it");
            }
            Files.createDirectories(parent);
        }
        return p;
    }

    @Override
    public Optional<byte[]> read(String name) throws IOException {
        Path p = resolve(name);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(Files.readAllBytes(p));
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
        Path p = resolve(name);
        if (Files.deleteIfExists(p)) {
            AtomicFiles.syncDirectory(p.getParent());
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
