package io.edgeloop.ota.deploy;

import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.ota.bundle.BundleLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Shared steps of a fetch: one fetch per destination at a time, the resume point, bounded copying and the final
 * check. Thread-safe: the destination claims are a concurrent map; everything else is stateless.
 */
final class Downloads {
    /** Destinations being fetched into in this JVM (by {@link #key}), with how many fetches hold or wait for each. */
    private static final ConcurrentHashMap<Path, Claim> CLAIMS = new ConcurrentHashMap<>();

    private Downloads() {
    }

    /**
     * The right to fetch into one destination, held by one fetch of this JVM at a time (any deployer instance).
     * Fetches resume from what the destination holds and append to it, so two at once appended twice the bytes
     * (and the first to finish deleted the other's file as a failed download). Processes must not share a
     * destination; the device agent names its downloads in its own staging directory. A destination is one file
     * however it is spelled: the claim is keyed on its {@link #key canonical path}.
     */
    static final class Claim implements AutoCloseable {
        private final Path key;
        private final ReentrantLock lock = new ReentrantLock();
        private int users;

        private Claim(Path key) {
            this.key = key;
        }

        @Override
        public void close() {
            lock.unlock();
            CLAIMS.compute(key, (k, c) -> --c.users == 0 ? null : c);
        }
    }

    /**
     * Waits for the destination to be free of other fetches of this JVM and claims it.
     *
     * @throws InterruptedException when interrupted while waiting (nothing is then claimed)
     */
    static Claim claim(Path destination) throws InterruptedException {
        Path key = key(destination);
        Claim c = CLAIMS.compute(key, (k, held) -> {
            Claim h = held == null ? new Claim(k) : held;
            h.users++;
            return h;
        });
        try {
            c.lock.lockInterruptibly();
        } catch (InterruptedException e) {
            CLAIMS.compute(key, (k, held) -> --held.users == 0 ? null : held);
            throw e;
        }
        return c;
    }

    /**
     * The file a destination names, however it is spelled: the real path of its directory (links and {@code ..}
     * resolved as the kernel resolves them) and its file name. The file itself may not exist yet, and a link at
     * the destination itself is not followed (it is refused when fetched into). A lexical normalisation alone made
     * {@code staging/b} and {@code link-to-staging/b} two destinations, and {@code link/../b} one beside the link
     * rather than beside its target, so two fetches into one file ran at once and appended twice the bytes. When
     * the directory does not exist (the fetch then fails to create the file), the absolute normalised path is used.
     */
    static Path key(Path destination) {
        Path abs = destination.toAbsolutePath();
        Path parent = abs.getParent();
        Path name = abs.getFileName();
        if (parent == null || name == null) {
            return abs.normalize();
        }
        try {
            // The real parent has no links left, so normalising a trailing ".." or "." is now exact.
            return parent.toRealPath().resolve(name).normalize();
        } catch (IOException e) {
            return abs.normalize();
        }
    }

    /** Writes the publication's bytes from an offset to the end onto the destination (appending). */
    @FunctionalInterface
    interface Transfer {
        /**
         * @param from the first byte to transfer (0: the whole publication, the destination then being empty)
         * @throws IOException          when reading or writing fails
         * @throws InterruptedException when interrupted
         */
        void from(long from) throws IOException, InterruptedException;
    }

    /**
     * The fetch protocol both deployers share: claim the destination, keep it when it already holds the
     * publication, resume a partial file, restart once from byte 0 when the resumed file does not match, and check
     * the result.
     *
     * @throws IOException          when the transfer or the check fails
     * @throws InterruptedException when interrupted (also while waiting for another fetch into the destination)
     */
    static void fetch(Path destination, Publication p, Transfer transfer) throws IOException, InterruptedException {
        Claim claim = claim(destination);
        try {
            if (alreadyFetched(destination, p)) {
                return;
            }
            long from = resumeFrom(destination, p);
            checkSpace(destination, p, from);
            transfer.from(from);
            if (restartAfterResume(destination, p, from)) {
                transfer.from(0);
            }
            check(destination, p);
        } finally {
            claim.close();
        }
    }

    /**
     * True when the destination already holds exactly the publication's bytes (a fetch that finished before, or a
     * concurrent fetch into it that went first): nothing is then downloaded again.
     */
    static boolean alreadyFetched(Path destination, Publication p) throws IOException {
        BasicFileAttributes a = attributes(destination);
        return a != null && a.size() == p.sizeBytes() && Sha256.hex(destination).equals(p.sha256());
    }

    /**
     * Refuses a fetch whose remaining bytes do not fit in the destination's file store, before any byte is
     * written (a partial file already there is kept for a later resume). Skipped when the directory does not
     * exist (opening the file then fails with its own error).
     */
    static void checkSpace(Path destination, Publication p, long from) throws IOException {
        Path dir = destination.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        long need = p.sizeBytes() - from;
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < need) {
            throw new DeploymentException("not enough space in " + dir + " for " + p.name() + " (sequence "
                    + p.sequence() + "): " + need + " more bytes needed, " + free + " usable; nothing was fetched");
        }
    }

    /** Largest publication fetched by default: the largest archive {@link BundleLimits#DEFAULT} can accept. */
    static final long DEFAULT_MAX_BYTES = BundleLimits.DEFAULT.maxArchiveBytes();

    /** Refuses a publication announcing more bytes than a bundle may have, before anything is fetched. */
    static void checkAnnounced(Publication p, long maxBytes) throws DeploymentException {
        if (p.sizeBytes() > maxBytes) {
            throw new DeploymentException("publication " + p.name() + " (sequence " + p.sequence() + ") announces "
                    + p.sizeBytes() + " bytes, above the " + maxBytes + "-byte limit (config max-bundle-bytes)");
        }
    }

    /**
     * Copies at most {@code limit} bytes; when the source has more, the destination is deleted and the copy
     * refused, so a source streaming more than it announced cannot fill the disk. A failure to read keeps what
     * was written (the next fetch resumes it); a failure to write (a full disk, an I/O error) deletes the partial
     * file, so a download that hit ENOSPC does not keep the disk full.
     */
    static void copyAtMost(InputStream in, OutputStream out, long limit, Path destination, Publication p)
            throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = limit;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                return;
            }
            try {
                out.write(buf, 0, n);
            } catch (IOException e) {
                try {
                    out.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
                Files.deleteIfExists(destination);
                throw new DeploymentException("cannot write the download " + destination + " (" + e.getMessage()
                        + "); deleted the partial file", e);
            }
            left -= n;
        }
        if (in.read() >= 0) {
            out.close();
            Files.deleteIfExists(destination);
            throw new DeploymentException("the source sent more than the " + p.sizeBytes() + " bytes announced for "
                    + p.name() + " (sequence " + p.sequence() + "); stopped after " + p.sizeBytes()
                    + " bytes and deleted the download");
        }
    }

    /**
     * Bytes already present in a partial download, or 0 when it must start over (nothing there, or a file as long
     * as the publication or longer, which is deleted). Links are never followed: a destination that is a symbolic
     * link (even a dangling one) or anything but a regular file is refused, so a download cannot be redirected
     * out of its directory.
     */
    static long resumeFrom(Path destination, Publication p) throws IOException {
        BasicFileAttributes a = attributes(destination);
        if (a == null) {
            return 0;
        }
        long have = a.size();
        if (have >= p.sizeBytes()) {
            Files.delete(destination);
            return 0;
        }
        return have;
    }

    /** The destination's own attributes (links not followed), null when nothing is there; refuses non-files. */
    private static BasicFileAttributes attributes(Path destination) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(destination, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (a.isSymbolicLink()) {
            throw new DeploymentException("download path " + destination + " is a symbolic link; refusing to write "
                    + "through it (downloads go only into regular files; remove the link)");
        }
        if (!a.isRegularFile()) {
            throw new DeploymentException("download path " + destination + " is not a regular file (a directory "
                    + "or a special file); refusing to write there (remove it)");
        }
        return a;
    }

    /**
     * Opens the destination for appending, creating it, without following a link at its path (a link planted
     * after {@link #resumeFrom} fails the open instead of redirecting it).
     */
    static OutputStream openForAppend(Path destination) throws IOException {
        return Files.newOutputStream(destination, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * After a download that resumed a partial file: when the result does not match, the partial file was of other
     * bytes (another bundle's, or damaged), so it is deleted and the caller downloads once more from the start.
     *
     * @return true when the download must be repeated from byte 0
     */
    static boolean restartAfterResume(Path destination, Publication p, long resumedFrom) throws IOException {
        if (resumedFrom == 0) {
            return false;
        }
        BasicFileAttributes a = attributes(destination);
        if (a != null && a.size() == p.sizeBytes() && Sha256.hex(destination).equals(p.sha256())) {
            return false;
        }
        Files.deleteIfExists(destination);
        return true;
    }

    /** Checks size and digest; deletes the file and throws when they do not match. */
    static void check(Path destination, Publication p) throws IOException {
        BasicFileAttributes a = attributes(destination);
        if (a == null) {
            throw new DeploymentException("download " + destination + " vanished before its digest was checked");
        }
        long size = a.size();
        String sha = Sha256.hex(destination);
        if (size != p.sizeBytes() || !sha.equals(p.sha256())) {
            Files.deleteIfExists(destination);
            throw new DeploymentException("downloaded " + size + " bytes with SHA-256 " + sha.substring(0, 16)
                    + "..., the publication says " + p.sizeBytes() + " bytes, " + p.sha256().substring(0, Math.min(16,
                            p.sha256().length())) + "...; the partial file was deleted");
        }
    }
}
