package io.edgeloop.ota.deploy;

import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.ota.bundle.BundleLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** Bytes already present in a partial download, or 0 when it must start over. */
    static long resumeFrom(Path destination, Publication p) throws IOException {
        if (!Files.isRegularFile(destination)) {
            return 0;
        }
        long have = Files.size(destination);
        if (have >= p.sizeBytes()) {
            Files.delete(destination);
            return 0;
        }
        return have;
    }

    /** Checks size and digest; deletes the file and throws when they do not match. */
    static void check(Path destination, Publication p) throws IOException {
        long size = Files.size(destination);
        String sha = Sha256.hex(destination);
        if (size != p.sizeBytes() || !sha.equals(p.sha256())) {
            Files.deleteIfExists(destination);
            throw new DeploymentException("downloaded " + size + " bytes with SHA-256 " + sha.substring(0, 16)
                    + "..., the publication says " + p.sizeBytes() + " bytes, " + p.sha256().substring(0, Math.min(16,
                            p.sha256().length())) + "...; the partial file was deleted");
        }
    }
}
