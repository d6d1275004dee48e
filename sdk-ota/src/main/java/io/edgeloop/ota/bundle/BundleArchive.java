package io.edgeloop.ota.bundle;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The entries of a bundle archive, read defensively and held in memory: nothing is written to disk and nothing
 * in the archive is trusted yet. The reader accepts a POSIX tar, optionally gzip-compressed, and refuses before
 * buffering anything beyond the limits: entries that are not regular files (symlinks, hard links, devices,
 * FIFOs, directories), absolute or {@code ..} paths, names outside {@code manifest.json},
 * {@code signatures.json} and {@code artifacts/...}, duplicates, entries or totals above
 * {@link BundleLimits}, compression ratios above the bomb guard, truncated or garbage input.
 *
 * <p>Thread-safe: immutable once read.
 */
public final class BundleArchive {
    private static final long RATIO_FLOOR = 1L << 20;

    private final Map<String, byte[]> entries;
    private final boolean compressed;

    private BundleArchive(Map<String, byte[]> entries, boolean compressed) {
        this.entries = Collections.unmodifiableMap(entries);
        this.compressed = compressed;
    }

    /** @return the entries by name, in archive order (byte arrays are shared: do not modify) */
    public Map<String, byte[]> entries() {
        return entries;
    }

    /** @return true when the archive was gzip-compressed */
    public boolean compressed() {
        return compressed;
    }

    /**
     * Reads an archive.
     *
     * @param in     the archive bytes (closed by the caller)
     * @param limits the limits to enforce
     * @return the entries
     * @throws BundleVerificationException naming the failed check ({@link Check#ARCHIVE},
     *                                     {@link Check#SIZE_LIMIT}, {@link Check#PATH}, {@link Check#ENTRY_TYPE},
     *                                     {@link Check#DUPLICATE_ENTRY})
     * @throws IOException                 when the underlying stream fails
     */
    public static BundleArchive read(InputStream in, BundleLimits limits) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(limits, "limits");
        Counting raw = new Counting(new BufferedInputStream(in, 64 * 1024), Long.MAX_VALUE, null);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 < 0) {
            throw new BundleVerificationException(Check.ARCHIVE, "empty input is not a bundle");
        }
        boolean gz = b0 == 0x1f && b1 == 0x8b;
        // Header blocks, padding and the end marker add to the entries' bytes: allow a generous fixed overhead.
        long hardCap = limits.maxTotalBytes() + 512L * (2L * limits.maxEntries() + 8);
        Counting body;
        try {
            body = gz ? new Counting(new GZIPInputStream(raw, 64 * 1024), hardCap, raw) : new Counting(raw, hardCap, null);
        } catch (ZipException | EOFException e) {
            throw new BundleVerificationException(Check.ARCHIVE, "corrupt gzip header: " + e.getMessage(), e);
        }
        body.ratioLimit = limits.maxCompressionRatio();
        Map<String, byte[]> out = new LinkedHashMap<>();
        long total = 0;
        int count = 0;
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(body, "UTF-8");
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                count++;
                if (count > limits.maxEntries()) {
                    throw new BundleVerificationException(Check.SIZE_LIMIT, "more than " + limits.maxEntries()
                            + " entries");
                }
                String name = e.getName();
                String type = typeOf(e);
                if (type != null) {
                    throw new BundleVerificationException(Check.ENTRY_TYPE, "entry '" + printable(name) + "' is a "
                            + type + "; only regular files are allowed");
                }
                if (!EntryNames.isSafe(name)) {
                    throw new BundleVerificationException(Check.PATH, "entry name '" + printable(name)
                            + "' is not a safe relative path (absolute, '..', empty or odd characters)");
                }
                if (!EntryNames.isAllowed(name)) {
                    throw new BundleVerificationException(Check.PATH, "entry '" + printable(name)
                            + "' is outside the bundle layout (manifest.json, signatures.json, artifacts/...)");
                }
                if (out.containsKey(name)) {
                    throw new BundleVerificationException(Check.DUPLICATE_ENTRY, "entry '" + name
                            + "' appears more than once");
                }
                long size = e.getSize();
                long limit = name.equals(EntryNames.MANIFEST) ? limits.maxManifestBytes()
                        : name.equals(EntryNames.SIGNATURES) ? limits.maxSignaturesBytes() : limits.maxEntryBytes();
                if (size < 0 || size > limit) {
                    throw new BundleVerificationException(Check.SIZE_LIMIT, "entry '" + name + "' is " + size
                            + " bytes; the limit is " + limit);
                }
                total += size;
                if (total > limits.maxTotalBytes()) {
                    throw new BundleVerificationException(Check.SIZE_LIMIT, "entries total more than "
                            + limits.maxTotalBytes() + " bytes");
                }
                byte[] data = tar.readNBytes((int) size);
                if (data.length != size) {
                    throw new BundleVerificationException(Check.ARCHIVE, "truncated archive: entry '" + name
                            + "' has " + data.length + " of " + size + " bytes");
                }
                out.put(name, data);
            }
        } catch (BundleVerificationException e) {
            throw e;
        } catch (LimitExceeded e) {
            throw new BundleVerificationException(Check.SIZE_LIMIT, e.getMessage(), e);
        } catch (EOFException e) {
            throw new BundleVerificationException(Check.ARCHIVE, "truncated archive", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new BundleVerificationException(Check.ARCHIVE, "not a readable bundle archive: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        if (out.isEmpty()) {
            throw new BundleVerificationException(Check.ARCHIVE, "not a bundle: the archive holds no entries");
        }
        return new BundleArchive(out, gz);
    }

    private static String typeOf(TarArchiveEntry e) {
        if (e.isSymbolicLink()) {
            return "symbolic link";
        }
        if (e.isLink()) {
            return "hard link";
        }
        if (e.isCharacterDevice() || e.isBlockDevice()) {
            return "device file";
        }
        if (e.isFIFO()) {
            return "FIFO";
        }
        if (e.isDirectory()) {
            return "directory";
        }
        if (!e.isFile() || e.isSparse()) {
            return "special entry (type '" + (char) e.getLinkFlag() + "')";
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 120; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }

    /** Thrown from inside the stream stack when a byte cap or the compression ratio is exceeded. */
    private static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String m) {
            super(m);
        }
    }

    /** Counts bytes; enforces a hard cap and, for decompressed streams, a ratio against the compressed count. */
    private static final class Counting extends FilterInputStream {
        private final long cap;
        private final Counting compressedSide;
        private long count;
        private long marked;
        int ratioLimit = Integer.MAX_VALUE;

        Counting(InputStream in, long cap, Counting compressedSide) {
            super(in);
            this.cap = cap;
            this.compressedSide = compressedSide;
        }

        private void add(long n) throws IOException {
            if (n <= 0) {
                return;
            }
            count += n;
            if (count > cap) {
                throw new LimitExceeded("archive expands beyond " + cap + " bytes (decompression bomb or oversized)");
            }
            if (compressedSide != null && count > RATIO_FLOOR
                    && count / Math.max(1, compressedSide.count) > ratioLimit) {
                throw new LimitExceeded("compression ratio above " + ratioLimit + ":1 (decompression bomb)");
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            add(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            add(s);
            return s;
        }

        @Override
        public synchronized void mark(int readlimit) {
            super.mark(readlimit);
            marked = count;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            count = marked;
        }
    }
}
