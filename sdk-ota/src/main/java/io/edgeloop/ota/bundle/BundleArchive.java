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
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * The entries of a bundle archive, read defensively and held in memory: nothing is written to disk and nothing
 * in the archive is trusted yet. The reader accepts a POSIX tar, optionally gzip-compressed, and refuses before
 * buffering anything beyond the limits: entries that are not regular files (symlinks, hard links, devices,
 * FIFOs, directories), absolute or {@code ..} paths, names outside {@code manifest.json},
 * {@code signatures.json} and {@code artifacts/...}, duplicates, entries or totals above
 * {@link BundleLimits}, compression ratios above the bomb guard, truncated or garbage input. Only tar type flags
 * {@code '0'} and NUL count as regular files: any other flag (GNU volume labels, continuations, dump directories,
 * contiguous files, sparse files, vendor extensions) is refused, because other tar readers would not read it as the
 * file the verifier checked. Long-name ({@code L}, {@code K}) and pax ({@code x}, {@code g}) header bodies above
 * {@value #MAX_EXTENSION_HEADER_BYTES} bytes are refused before they are buffered, and an archive must end with
 * its end-of-archive marker (a zero record): one cut at an entry boundary is truncated. Every header record's
 * checksum is checked (commons-compress does not), as GNU tar does: a header with a wrong one is refused.
 *
 * <p>Thread-safe: immutable once read.
 */
public final class BundleArchive {
    private static final long RATIO_FLOOR = 1L << 20;
    /** Largest long-name or pax extended-header body read; names are at most 255 characters anyway. */
    public static final int MAX_EXTENSION_HEADER_BYTES = 8192;
    private static final String NOT_TAR = "not a bundle: the input does not start with a tar header (a bundle is the "
            + "tar or tar.gz archive 'edgeloop bundle create' writes)";

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
            HeaderWatch watch = new HeaderWatch(body);
            TarArchiveInputStream tar = new TarArchiveInputStream(watch, "UTF-8");
            TarArchiveEntry e;
            String previous = null;
            while (true) {
                watch.expectHeader();
                try {
                    e = tar.getNextEntry();
                } catch (IOException | IllegalArgumentException garbage) {
                    // a header field that is no number (commons-compress: IllegalArgumentException, or an
                    // IOException caused by one); a failing stream or a limit is reported as itself
                    if (previous != null || !(garbage instanceof IllegalArgumentException
                            || garbage.getCause() instanceof IllegalArgumentException)) {
                        throw garbage;
                    }
                    // commons-compress quotes the header bytes it could not parse ("Invalid byte 121 at offset 1 in
                    // '4y*..'"): say what the file is not, and keep its words for --verbose only (suppressed, not
                    // the cause, which one-line error messages append)
                    BundleVerificationException notTar = new BundleVerificationException(Check.ARCHIVE, NOT_TAR);
                    notTar.addSuppressed(garbage);
                    throw notTar;
                }
                if (e == null) {
                    if (previous == null && !watch.endMarkerSeen()) {
                        throw new BundleVerificationException(Check.ARCHIVE, "not a bundle: the input ("
                                + body.count + " bytes) does not start with a complete tar header");
                    }
                    if (!watch.endMarkerSeen()) {
                        throw new BundleVerificationException(Check.ARCHIVE, "truncated archive: it ends after entry '"
                                + previous + "' without the end-of-archive marker");
                    }
                    break;
                }
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
                byte[] data;
                try {
                    data = tar.readNBytes((int) size);
                } catch (IOException cut) {
                    // commons-compress's words for an entry whose content the input ends inside; not chained, so
                    // that they are not appended to this message
                    if ("Truncated TAR archive".equals(cut.getMessage())) {
                        throw new BundleVerificationException(Check.ARCHIVE, "truncated archive: it is cut short "
                                + "inside entry '" + printable(name) + "' (of " + size + " bytes)");
                    }
                    throw cut;
                }
                if (data.length != size) {
                    throw new BundleVerificationException(Check.ARCHIVE, "truncated archive: entry '" + name
                            + "' has " + data.length + " of " + size + " bytes");
                }
                out.put(name, data);
                previous = name;
            }
        } catch (BundleVerificationException e) {
            throw e;
        } catch (LimitExceeded e) {
            throw new BundleVerificationException(Check.SIZE_LIMIT, e.getMessage(), e);
        } catch (EOFException e) {
            throw new BundleVerificationException(Check.ARCHIVE, "truncated archive", e);
        } catch (IOException | IllegalArgumentException e) {
            // commons-compress quotes the offending header bytes in its messages: never pass them on raw
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : PrintableText.of(e.getMessage(), 200);
            throw new BundleVerificationException(Check.ARCHIVE, "not a readable bundle archive: " + why, e);
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
        byte flag = e.getLinkFlag();
        if (flag != '0' && flag != 0 || !e.isFile() || e.isSparse()) {
            return "special entry (tar type flag " + (flag >= 0x21 && flag < 0x7f ? "'" + (char) flag + "'"
                    : String.format(java.util.Locale.ROOT, "0x%02x", flag & 0xff)) + ")";
        }
        return null;
    }

    private static String printable(String s) {
        return PrintableText.of(s, 120);
    }

    /** Thrown from inside the stream stack when a byte cap or the compression ratio is exceeded. */
    private static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String m) {
            super(m);
        }
    }

    /**
     * Watches the tar stream below commons-compress for the records it reads as headers: refuses a long-name or pax
     * header whose body is above {@link #MAX_EXTENSION_HEADER_BYTES} as soon as its header record has been read
     * (commons-compress would buffer the whole body), and notes a zero record read where a header was due (the
     * end-of-archive marker). Mark/reset is not offered, so the position it tracks is the stream's.
     */
    private static final class HeaderWatch extends FilterInputStream {
        private final byte[] header = new byte[512];
        private long pos;
        private long headerAt = -1;
        private boolean endMarker;

        HeaderWatch(InputStream in) {
            super(in);
        }

        /** The next record at or after the current position, rounded up to a record boundary, is a header. */
        void expectHeader() {
            headerAt = (pos + 511) / 512 * 512;
        }

        boolean endMarkerSeen() {
            return endMarker;
        }

        private void seen(byte[] b, int off, int n) throws IOException {
            if (headerAt >= 0 && n > 0) {
                long from = Math.max(pos, headerAt);
                long to = Math.min(pos + n, headerAt + 512);
                for (long p = from; p < to; p++) {
                    header[(int) (p - headerAt)] = b[off + (int) (p - pos)];
                }
                if (pos + n >= headerAt + 512 && pos < headerAt + 512) {
                    inspect();
                }
            }
            pos += Math.max(0, n);
        }

        private void inspect() throws IOException {
            long start = headerAt;
            headerAt = -1;
            boolean zero = true;
            for (byte x : header) {
                if (x != 0) {
                    zero = false;
                    break;
                }
            }
            if (zero) {
                endMarker = true;
                return;
            }
            boolean sumMatches;
            try {
                sumMatches = TarUtils.verifyCheckSum(header);
            } catch (IllegalArgumentException notOctal) {
                // the checksum field itself is no octal number ("Invalid byte 122 at offset 0 in 'zzzzzz..'"):
                // a corrupt header like any other, not commons-compress's words
                sumMatches = false;
            }
            if (!sumMatches) {
                // commons-compress reads such a header anyway; GNU tar and Python's tarfile refuse it, and a reader
                // that disagrees with them about what the archive holds is what the verifier must not be
                if (start == 0 && !startsWith(header, 257, "ustar")) {
                    throw new BundleVerificationException(Check.ARCHIVE, NOT_TAR);
                }
                throw new BundleVerificationException(Check.ARCHIVE, "corrupt tar header at byte " + start
                        + (start == 0 ? " (the first one)" : "") + ": its checksum does not match its contents (the "
                        + "file is damaged or was altered; GNU tar refuses it too)");
            }
            byte flag = header[156];
            if (flag != 'L' && flag != 'K' && flag != 'x' && flag != 'X' && flag != 'g') {
                return;
            }
            long size = declaredSize();
            if (size < 0 || size > MAX_EXTENSION_HEADER_BYTES) {
                throw new LimitExceeded("tar " + (flag == 'L' || flag == 'K' ? "long-name" : "pax") + " header (type '"
                        + (char) flag + "') declares " + (size < 0 ? "an unreadable or huge" : String.valueOf(size))
                        + " bytes; the limit is " + MAX_EXTENSION_HEADER_BYTES
                        + " (bundle names are at most 255 characters)");
            }
            // The entry this header extends has its own header after the body.
            headerAt = start + 512 + (size + 511) / 512 * 512;
        }

        private static boolean startsWith(byte[] b, int off, String ascii) {
            for (int i = 0; i < ascii.length(); i++) {
                if (b[off + i] != ascii.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** The octal size field; -1 when it is base-256 (huge) or not octal. */
        private long declaredSize() {
            if ((header[124] & 0x80) != 0) {
                return -1;
            }
            long v = 0;
            boolean digits = false;
            for (int i = 124; i < 136; i++) {
                byte c = header[i];
                if (c == 0 || c == ' ') {
                    if (digits) {
                        break;
                    }
                    continue;
                }
                if (c < '0' || c > '7') {
                    return -1;
                }
                digits = true;
                v = v * 8 + (c - '0');
            }
            return v;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                seen(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            seen(b, off, n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Read instead of skipping, so that every byte passes through the header window.
            if (n <= 0) {
                return 0;
            }
            int r = read(new byte[(int) Math.min(n, 8192)], 0, (int) Math.min(n, 8192));
            return Math.max(r, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
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
