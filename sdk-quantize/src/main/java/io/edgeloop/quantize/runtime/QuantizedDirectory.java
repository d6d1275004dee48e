package io.edgeloop.quantize.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes a quantized-model directory all at once: every file goes into a temporary directory beside the target
 * ({@code .<name>.tmp-<random>}), which is moved into place only when complete. An existing target is replaced
 * only when it is an earlier {@code quantize} output (it holds {@code model.json} and nothing but the files a
 * quantized-model directory holds) or empty; anything else is refused, so a failed or refused write leaves the old
 * directory exactly as it was and no temporary directory behind.
 *
 * <p>Thread-safe: stateless; two writers racing for one target each either win or fail cleanly.
 */
public final class QuantizedDirectory {
    /** The files a quantized-model directory may hold (the workflow adds {@code float-model}). */
    public static final Set<String> FILES = Set.of("model.json", "model.h", "model.c", "golden.json", "report.json",
            "float-model");

    private QuantizedDirectory() {
    }

    /**
     * Writes {@code files} as the directory {@code dir}, replacing an earlier quantized-model directory there.
     *
     * @param dir   the target directory
     * @param files file name (one of {@link #FILES}) to contents, written in map order
     * @throws FileAlreadyExistsException when {@code dir} is a file
     * @throws IOException                when {@code dir} is a directory but not an earlier quantize output, or when
     *                                    writing or moving fails (the old directory is then left as it was)
     */
    public static void write(Path dir, Map<String, byte[]> files) throws IOException {
        Objects.requireNonNull(files, "files");
        for (String name : files.keySet()) {
            if (!FILES.contains(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a quantized-model directory file " + FILES);
            }
        }
        Path target = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || target.getFileName() == null) {
            throw new IOException("Cannot write a quantized-model directory at " + dir);
        }
        boolean replace = checkReplaceable(dir, target);
        Files.createDirectories(parent);
        Path tmp = sibling(parent, target, "tmp");
        Files.createDirectory(tmp);
        try {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                try (FileChannel ch = FileChannel.open(tmp.resolve(e.getKey()), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap(e.getValue());
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    ch.force(true);
                }
            }
            if (replace) {
                Path old = sibling(parent, target, "old");
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                    throw e;
                }
                deleteTree(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            forceDirectory(parent);
        } finally {
            if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(tmp);
            }
        }
    }

    /**
     * @return whether an existing directory is to be replaced (false: nothing there)
     * @throws IOException when something that must not be replaced is there
     */
    private static boolean checkReplaceable(Path given, Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            // As Files.createDirectories reports it (the CLI words it "not a directory (a file exists there)").
            throw new FileAlreadyExistsException(given.toString());
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (!FILES.contains(n) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("Output " + given + " exists and is not an earlier quantize output (it holds '"
                            + n + "'); choose another --out or remove it");
                }
                names.add(n);
            }
        }
        if (!names.isEmpty() && !names.contains("model.json")) {
            throw new IOException("Output " + given + " exists and is not an earlier quantize output (no model.json); "
                    + "choose another --out or remove it");
        }
        return true;
    }

    private static Path sibling(Path parent, Path target, String kind) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            Path p = parent.resolve("." + target.getFileName() + "." + kind + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        throw new FileAlreadyExistsException(parent + "/." + target.getFileName() + "." + kind + "-*");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Makes the renames durable where the platform allows opening a directory (Linux does; Windows does not). */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported on this platform: the renames are still atomic, only their durability is the OS's
        }
    }
}
