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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a quantized-model directory so that a failed write never leaves a mixed one. Every file is first written
 * in full (and forced to the disk) into a staging directory; only then is anything old touched:
 * <ul>
 *   <li>a new directory is staged beside the target ({@code .<name>.tmp-<pid>-<random>}) and renamed into place;
 *       staging directories of writers that were killed (their process is gone) are deleted first;</li>
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
 * full disk) leaves the old directory exactly as it was and no staging directory behind; so does Ctrl-C (SIGINT) or
 * SIGTERM ({@link ScratchDirectory}), and what a SIGKILL leaves beside the target the next write deletes.
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
        refuseInsideAnOutput(dir, target);
        if (checkReplaceable(dir, target)) {
            replaceInPlace(target, files);
            return;
        }
        Files.createDirectories(parent);
        String prefix = "." + target.getFileName() + ".tmp-";
        deleteDeadWritersStaging(parent, prefix);
        try (ScratchDirectory tmp = ScratchDirectory.create(sibling(parent, prefix + PID + "-"))) {
            writeFiles(tmp.path(), files);
            Files.move(tmp.path(), target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(parent);
        }
    }

    private static final long PID = ProcessHandle.current().pid();
    /** When this process started; null when the system does not say. */
    private static final java.time.Instant STARTED = ProcessHandle.current().info().startInstant().orElse(null);

    /**
     * Deletes the staging directories beside the target ({@code <prefix><pid>-<random>}) that writers killed before
     * their rename left (SIGKILL, a power cut: nothing ran to delete them): those whose process is gone, and this
     * process id's from before this process started (a container's writers all have one pid). A live writer's, and
     * names without a pid (written before 2026-12-02, whose writer cannot be told dead), are left alone. Best effort.
     */
    private static void deleteDeadWritersStaging(Path parent, String prefix) {
        java.util.regex.Pattern name = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(prefix)
                + "(\\d{1,19})-[0-9a-f]+");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path p : s) {
                java.util.regex.Matcher m = name.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                boolean dead = pid == PID ? STARTED != null
                        && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(STARTED)
                        : !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (dead) {
                    ScratchDirectory.deleteTree(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: an unreadable parent is the write's own error next
        }
    }

    private static void replaceInPlace(Path target, Map<String, byte[]> files) throws IOException {
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target, STAGING + "*")) {
            s.forEach(leftovers::add);
        }
        try (ScratchDirectory scratch = ScratchDirectory.create(sibling(target, STAGING))) {
            Path staging = scratch.path();
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
                ScratchDirectory.deleteTree(p); // staging directories of interrupted runs
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

    /**
     * Refuses a target inside an earlier quantize output: it would be written, then the outer directory could never
     * be replaced again (it holds a directory that is not one of its files).
     */
    private static void refuseInsideAnOutput(Path given, Path target) throws IOException {
        for (Path p = target.getParent(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("model.json"), LinkOption.NOFOLLOW_LINKS)
                    && Files.isRegularFile(p.resolve("report.json"), LinkOption.NOFOLLOW_LINKS)
                    && Files.isRegularFile(p.resolve("model.h"), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("Output " + given + " is inside the quantize output " + p + "; choose an --out "
                        + "outside it");
            }
        }
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

    /** Makes the renames durable where the platform allows opening a directory (Linux does; Windows does not). */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported on this platform: the renames are still atomic, only their durability is the OS's
        }
    }
}
