package io.edgeloop.ota.bundle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.ota.file.AtomicFiles;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.trust.SigningKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes signed bundles: {@code manifest.json} (canonical form), {@code signatures.json}, then each artifact,
 * as a POSIX (pax) tar, optionally gzip-compressed. Output is byte-identical for identical inputs: entries carry
 * the manifest's creation time, owner 0 and mode 0644, and signatures are deterministic.
 *
 * <p>Thread-safe: stateless.
 */
public final class BundleWriter {
    private BundleWriter() {
    }

    /**
     * Checks that artifact bytes match the manifest and writes the signed archive.
     *
     * @param manifest  the manifest
     * @param artifacts artifact bytes by archive path
     * @param signers   the keys that sign (at least one)
     * @param gzip      compress with gzip
     * @param out       where to write (not closed)
     * @throws IOException              when writing fails
     * @throws IllegalArgumentException when an artifact is missing or does not match its entry, or one key (by key
     *                                  id) is among the signers twice
     */
    public static void write(BundleManifest manifest, Map<String, byte[]> artifacts, List<SigningKey> signers,
            boolean gzip, OutputStream out) throws IOException {
        Objects.requireNonNull(manifest, "manifest");
        if (signers.isEmpty()) {
            throw new IllegalArgumentException("a bundle needs at least one signing key");
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (SigningKey k : signers) {
            if (!ids.add(k.keyId())) {
                // A second record by one key counts once toward a threshold: writing it only misleads.
                throw new IllegalArgumentException("signing key " + k.keyId() + " is given more than once; each key"
                        + " signs a bundle once");
            }
        }
        for (ArtifactEntry a : manifest.artifacts()) {
            byte[] b = artifacts.get(a.path());
            if (b == null || b.length != a.size() || !Sha256.hex(b).equals(a.sha256())) {
                throw new IllegalArgumentException("artifact bytes for " + a.path() + " are missing or differ from the manifest");
            }
        }
        byte[] canonical = manifest.canonicalBytes();
        byte[] signed = BundleManifest.signedBytes(canonical);
        ObjectNode sf = CanonicalJson.object();
        sf.put("formatVersion", BundleManifest.FORMAT_VERSION);
        ArrayNode arr = sf.putArray("signatures");
        for (SigningKey k : signers) {
            arr.add(k.signRecord(signed).toJson());
        }
        OutputStream target = gzip ? new GZIPOutputStream(new NonClosing(out), 64 * 1024) : new NonClosing(out);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(target, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            Date mtime = Date.from(manifest.createdAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            put(tar, EntryNames.MANIFEST, canonical, mtime);
            put(tar, EntryNames.SIGNATURES, CanonicalJson.bytes(sf), mtime);
            for (ArtifactEntry a : manifest.artifacts()) {
                put(tar, a.path(), artifacts.get(a.path()), mtime);
            }
            tar.finish();
        }
    }

    /**
     * Writes a bundle to a file atomically: a temporary file of this call's own in the same directory, synced, then
     * renamed over the file, and the directory synced; concurrent writers of one file each leave a whole bundle
     * (the last rename wins). Once this returns the bundle survives a power loss: a failed sync of the directory
     * after the rename is thrown (the file then holds the new bundle, which a power loss may take back; write it
     * again). Then deletes the temporary files that writers of this file killed before their rename left beside it
     * ({@link AtomicFiles#deleteStaleTemporaryFilesOf}: only those no live writer holds locked, in any PID
     * namespace on this machine).
     *
     * @param manifest  the manifest
     * @param artifacts artifact bytes by path
     * @param signers   signing keys
     * @param gzip      compress with gzip
     * @param file      the destination
     * @throws IOException when writing fails, or the directory's sync after the rename
     */
    public static void write(BundleManifest manifest, Map<String, byte[]> artifacts, List<SigningKey> signers,
            boolean gzip, Path file) throws IOException {
        // A temporary file of this writer's own: with a shared "<bundle>.tmp" two writers of one output truncated
        // and interleaved each other's bytes, and one published a torn bundle or lost its file to the other's rename.
        // Durably: a bundle create whose directory sync failed reported a file that a power cut took back.
        AtomicFiles.writeDurably(file, o -> write(manifest, artifacts, signers, gzip, o));
        // a writer of this file killed before its rename left a bundle-sized hidden file for good
        AtomicFiles.deleteStaleTemporaryFilesOf(file);
    }

    /**
     * Writes a bundle to memory.
     *
     * @param manifest  the manifest
     * @param artifacts artifact bytes by path
     * @param signers   signing keys
     * @param gzip      compress with gzip
     * @return the archive bytes
     */
    public static byte[] toBytes(BundleManifest manifest, Map<String, byte[]> artifacts, List<SigningKey> signers,
            boolean gzip) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try {
            write(manifest, artifacts, signers, gzip, bos);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bos.toByteArray();
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] data, Date mtime) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setModTime(mtime);
        e.setMode(0100644);
        e.setIds(0, 0);
        e.setNames("", "");
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /** Lets the tar stream close the gzip layer without closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
