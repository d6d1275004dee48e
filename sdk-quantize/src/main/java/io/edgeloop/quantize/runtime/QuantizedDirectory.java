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
 * Writes a quantized-model directory so that a failed write never leaves a mixed one. Every file is first written
 * in full (and forced to the disk) into a staging directory; only then is anything old touched:
 * <ul>
 *   <li>a new directory is staged beside the target ({@code .<name>.tmp-<random>}) and renamed into place;</li>
 *   <li>an existing directory is replaced in place, so it keeps what belongs to the directory itself (a mount
 *       point stays usable, its mode, set-gid bit, group and ACLs stay, a symbolic link to it is followed): the
 *       files are staged inside it ({@code .quantize-tmp-<random>}), then {@code model.json} is removed, the
 *       other files are moved over the old ones (files of the old output the new one lacks are removed) and
 *       {@code model.json} comes back last. An interruption while the files move leaves a directory without
 *       {@code model.json}, which every reader refuses and the next {@code quantize} replaces.</li>
 * </ul>
 * An existing target is replaced only when it is an earlier {@code quantize} output (it holds {@code model.json},
 * or the staging directory of an interrupted replacement, and otherwise nothing but the files a quantized-model
 * directory holds) or empty; anything else is refused. A write that fails before the files move (a bad model, a
 * full disk) leaves the old directory exactly as it was and no staging directory behind.
 *
 * <p>Thread-safe: stateless. Two writers of one new target each either win or fail cleanly; two writers replacing
 * one existing target at the same time may interleave their files (do not run two {@code quantize} into one
 * {@code --out} at once).
 */
public final class QuantizedDirectory {
    /** The files a quantized-model directory may hold (the workflow adds {@code float-model}). */
    public static final Set<String> FILES = Set.of("model.json", "model.h", "model.c", "golden.json", "report.json",
            "float-model");
    /** Name prefix of the staging directory inside a directory being replaced. */
    private static final String STAGING = ".quantize-tmp-";

    private QuantizedDirectory() {
    }

    /**
     * Writes {@code files} as the directory {@code dir}, replacing an earlier quantized-model directory there.
     *
     * @param dir   the target directory (a symbolic link to a directory is followed)
     * @param files file name (one of {@link #FILES}) to contents
     * @throws FileAlreadyExistsException when {@code dir} is a file
     * @throws IOException                when {@code dir} is a directory but not an earlier quantize output, or when
     *                                    writing or moving fails
     */
    public static void write(Path dir, Map<String, byte[]> files) throws IOException {
        Objects.requireNonNull(files, "files");
        for (String name : files.keySet()) {
            if (!FILES.contains(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a quantized-model directory file " + FILES);
            }
        }
        Path target = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        if (Files.isSymbolicLink(target) && Files.isDirectory(target)) {
            target = target.toRealPath(); // write into the directory the link names, as createDirectories accepts it
        }
        Path parent = target.getParent();
        if (parent == null || target.getFileName() == null) {
            throw new IOException("Cannot write a quantized-model directory at " + dir);
        }
        if (checkReplaceable(dir, target)) {
            replaceInPlace(target, files);
            return;
        }
        Files.createDirectories(parent);
        Path tmp = sibling(parent, "." + target.getFileName() + ".tmp-");
        Files.createDirectory(tmp);
        try {
            writeFiles(tmp, files);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(parent);
        } finally {
            if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(tmp);
            }
        }
    }

    private static void replaceInPlace(Path target, Map<String, byte[]> files) throws IOException {
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target, STAGING + "*")) {
            s.forEach(leftovers::add);
        }
        Path staging = sibling(target, STAGING);
        Files.createDirectory(staging);
        try {
            writeFiles(staging, files);
            // Everything new is on the disk; from here the old output is replaced file by file, model.json first
            // out and last in.
            Files.deleteIfExists(target.resolve("model.json"));
            forceDirectory(target);
            for (String name : FILES) {
                if (!files.containsKey(name)) {
                    Files.deleteIfExists(target.resolve(name));
                }
            }
            for (String name : files.keySet()) {
                if (!name.equals("model.json")) {
                    Files.move(staging.resolve(name), target.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
            if (files.containsKey("model.json")) {
                Files.move(staging.resolve("model.json"), target.resolve("model.json"),
                        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            forceDirectory(target);
            for (Path p : leftovers) {
                deleteTree(p); // staging directories of interrupted runs
            }
        } finally {
            if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(staging);
            }
        }
    }

    private static void writeFiles(Path into, Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            try (FileChannel ch = FileChannel.open(into.resolve(e.getKey()), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(e.getValue());
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
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
        boolean interrupted = false;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (n.startsWith(STAGING) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    interrupted = true;
                    continue;
                }
                if (!FILES.contains(n) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("Output " + given + " exists and is not an earlier quantize output (it holds '"
                            + n + "'); choose another --out or remove it");
                }
                names.add(n);
            }
        }
        if (!names.isEmpty() && !names.contains("model.json") && !interrupted) {
            throw new IOException("Output " + given + " exists and is not an earlier quantize output (no model.json); "
                    + "choose another --out or remove it");
        }
        return true;
    }

    private static Path sibling(Path in, String prefix) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            Path p = in.resolve(prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        throw new FileAlreadyExistsException(in + "/" + prefix + "*");
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
