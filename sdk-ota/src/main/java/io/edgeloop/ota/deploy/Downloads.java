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

/** Shared checks for finished downloads. Thread-safe: stateless. */
final class Downloads {
    private Downloads() {
    }

    /** Largest publication fetched by default: the largest archive {@link BundleLimits#DEFAULT} can accept. */
    static final long DEFAULT_MAX_BYTES = BundleLimits.DEFAULT.maxArchiveBytes();

    /** Refuses a publication announcing more bytes than a bundle may have, before anything is fetched. */
    static void checkAnnounced(Publication p, long maxBytes) throws DeploymentException {
        if (p.sizeBytes() > maxBytes) {
            throw new DeploymentException("publication " + p.name() + " (sequence " + p.sequence() + ") announces "
                    + p.sizeBytes() + " bytes, above the " + maxBytes + "-byte limit (config maxBundleBytes)");
        }
    }

    /**
     * Copies at most {@code limit} bytes; when the source has more, the destination is deleted and the copy
     * refused, so a source streaming more than it announced cannot fill the disk.
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
            out.write(buf, 0, n);
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
