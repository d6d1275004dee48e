package io.edgeloop.ota.deploy;

import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared checks for finished downloads. Thread-safe: stateless. */
final class Downloads {
    private Downloads() {
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
