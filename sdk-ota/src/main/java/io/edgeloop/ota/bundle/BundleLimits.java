package io.edgeloop.ota.bundle;

/**
 * Size limits a bundle reader enforces before trusting anything in the archive.
 *
 * <p>Thread-safe: immutable.
 *
 * @param maxEntries         most entries in the archive
 * @param maxEntryBytes      largest single entry (uncompressed)
 * @param maxTotalBytes      largest sum of entries (uncompressed)
 * @param maxManifestBytes   largest manifest.json
 * @param maxSignaturesBytes largest signatures.json
 * @param maxCompressionRatio largest ratio of uncompressed to compressed bytes once past 1 MiB (bomb guard)
 */
public record BundleLimits(int maxEntries, long maxEntryBytes, long maxTotalBytes, int maxManifestBytes,
        int maxSignaturesBytes, int maxCompressionRatio) {
    /** Defaults: 256 entries, 64 MiB per entry, 128 MiB total, 4 MiB manifest, 64 KiB signatures, ratio 200. */
    public static final BundleLimits DEFAULT = new BundleLimits(256, 64L << 20, 128L << 20, 4 << 20, 64 << 10, 200);

    /**
     * The largest archive file a reader within these limits can accept: every entry at its limit plus the tar
     * headers, padding and end blocks, and slack for gzip framing. A download announcing more than this is refused
     * before a byte is fetched.
     *
     * @return the bound in bytes
     */
    public long maxArchiveBytes() {
        long entries = maxTotalBytes + maxManifestBytes + maxSignaturesBytes;
        long tar = (long) (maxEntries + 2) * 1024 + 20 * 512; // a header and padding per entry; end and record blocks
        return entries + tar + entries / 1000 + 1024; // gzip stored blocks add 5 bytes per 32 KiB
    }

    /**
     * Validates the limits.
     *
     * @param maxEntries          entries
     * @param maxEntryBytes       per entry
     * @param maxTotalBytes       total
     * @param maxManifestBytes    manifest
     * @param maxSignaturesBytes  signatures
     * @param maxCompressionRatio ratio
     */
    public BundleLimits {
        if (maxEntries < 3 || maxEntryBytes < 1 || maxTotalBytes < maxEntryBytes || maxManifestBytes < 1
                || maxSignaturesBytes < 1 || maxCompressionRatio < 2) {
            throw new IllegalArgumentException("bundle limits must be positive, with maxEntries >= 3, "
                    + "maxTotalBytes >= maxEntryBytes and maxCompressionRatio >= 2");
        }
    }
}
