package io.edgeloop.buffer.log;

import java.util.Objects;

/**
 * One damaged region the buffer skipped or cut off.
 *
 * <p>Thread-safe: immutable.
 *
 * @param file       the file name within the buffer directory (e.g. {@code seg-00000000000000000000.log})
 * @param offset     the byte offset of the damage in that file
 * @param length     the number of bytes skipped or truncated
 * @param kind       what was found
 * @param quarantine    where a copy of the damaged bytes was kept (relative to the buffer directory), or empty
 * @param stream        the stream whose records are known lost ({@link Kind#SEQUENCE_GAP},
 *                      {@link Kind#MISSING_SEGMENT}, {@link Kind#SEGMENT_TRUNCATED}), or empty when the loss is not
 *                      known per stream
 * @param firstSequence the first sequence of that stream known lost, or 0 when not known; for a bound (see
 *                      {@code recordsAtMost}) the first sequence the lost records can have
 * @param lastSequence  the last sequence of that stream known lost, or 0 when not known; for a bound the last
 *                      sequence the lost records can have
 * @param recordsAtMost for a {@link Kind#CORRUPT_REGION} entry per stream (since 2026-12-02): at most this many of
 *                      the stream's records were in the region, each with a sequence from {@code firstSequence} to
 *                      {@code lastSequence}; 0 for every other entry
 */
public record Loss(String file, long offset, long length, Kind kind, String quarantine, String stream,
        long firstSequence, long lastSequence, long recordsAtMost) {
    /**
     * What kind of damage a {@link Loss} is.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Kind {
        /**
         * A frame whose header was intact but whose payload failed its CRC: one record lost, named by the stream and
         * sequence of its header (since 2026-12-02).
         */
        CORRUPT_FRAME,
        /**
         * Bytes that are no valid frame, followed by valid frames: at least one record lost. In a sealed segment
         * whose footer (or index entry) counts more records of a stream than the intact and named frames left in it,
         * one more entry per such stream (length 0, since 2026-12-02) bounds what the region took: at most
         * {@link Loss#recordsAtMost()} records, with sequences between the stream's intact frames around the region.
         */
        CORRUPT_REGION,
        /**
         * An incomplete or damaged tail of the active segment after the last valid frame: cut off on open. When the
         * last writer had closed cleanly (its records were synced and handed out), each record frame in it whose
         * header survived is named by one more entry per stream and run of sequences, of length 0 (since
         * 2026-12-02); records whose headers are gone too cannot be named, since only the frames say what the
         * active segment held. After a crash the tail names no record by itself: under {@code always} or group
         * commit it is the crash's unsynced write, whose appends never returned, and under {@code none} a frame cut
         * off was most likely the one being written; only a frame a cursor committed past (it was read, so handed
         * out) is named, when another cursor had not read it yet (since 2026-12-02).
         */
        TORN_TAIL,
        /** A segment header that failed its CRC; the frames after it were still read. */
        SEGMENT_HEADER,
        /** A cursor file that could not be read; the cursor restarted at the oldest record (duplicates, no loss). */
        CURSOR_RESET,
        /** The identity file was missing or damaged; the epoch was recovered from the segments or renewed. */
        IDENTITY,
        /**
         * The sequences file was damaged: which sequences were handed out is unknown, so a writable open renewed
         * the buffer's epoch (as for a buffer recreated from nothing) and no idempotency key repeats; records still
         * held are sent again under new keys (duplicates a receiver cannot recognise).
         */
        SEQUENCES,
        /**
         * A segment file that vanished while the buffer held it (deleted by something other than the buffer; also
         * the segment being written, where the sequences are those reported durable before the deletion was
         * found), or the segment that a sequence gap found on open belongs to: its records are lost. One loss per
         * stream it held, with the sequences lost when known (since 1.2).
         */
        MISSING_SEGMENT,
        /**
         * A segment shorter than the log positions it spans (truncated; or, for the last segment, created but never
         * given its header): the bytes from {@code offset} on are gone, {@code length} of them where the next
         * segment's base tells (0 when unknown). Counted as truncated bytes. A segment other than the last is kept
         * (and reported on every open) until cursors pass it; the last one is deleted by a writable open, which
         * first raises the sequence floor above every sequence that may have been handed out, since which
         * sequences it held is unknown (format 1.2; before, it renewed the epoch). When the segment index knew the
         * segment, one more entry per stream (length 0, counted once above) names the sequences the cut took.
         */
        SEGMENT_TRUNCATED,
        /**
         * Per stream, sequences missing between two held segments (or before the oldest) that neither the
         * {@code sequences} file nor a cursor's acknowledged sequences explain: records deleted or truncated away by
         * something other than the buffer. {@code file} is the segment after the gap (since 1.2).
         */
        SEQUENCE_GAP
    }

    /**
     * A loss not known per stream.
     *
     * @param file       the file
     * @param offset     the offset
     * @param length     the length
     * @param kind       the kind
     * @param quarantine the quarantine copy or empty string
     */
    public Loss(String file, long offset, long length, Kind kind, String quarantine) {
        this(file, offset, length, kind, quarantine, "", 0, 0, 0);
    }

    /**
     * A loss known per stream, or not known (empty stream, sequences 0); no bound.
     *
     * @param file          the file
     * @param offset        the offset
     * @param length        the length
     * @param kind          the kind
     * @param quarantine    the quarantine copy or empty string
     * @param stream        the stream or empty string
     * @param firstSequence the first sequence lost or 0
     * @param lastSequence  the last sequence lost or 0
     */
    public Loss(String file, long offset, long length, Kind kind, String quarantine, String stream,
            long firstSequence, long lastSequence) {
        this(file, offset, length, kind, quarantine, stream, firstSequence, lastSequence, 0);
    }

    /**
     * @return the number of records known lost ({@code lastSequence - firstSequence + 1}), or -1 when unknown (also
     *         for a bound: see {@link #recordsAtMost()})
     */
    public long records() {
        return recordsAtMost == 0 && firstSequence > 0 && lastSequence >= firstSequence
                ? lastSequence - firstSequence + 1 : -1;
    }

    /**
     * Validates the components.
     *
     * @param file       the file
     * @param offset     the offset
     * @param length     the length
     * @param kind       the kind
     * @param quarantine    the quarantine copy or empty string
     * @param stream        the stream or empty string
     * @param firstSequence the first sequence lost or 0
     * @param lastSequence  the last sequence lost or 0
     * @param recordsAtMost the bound of a corrupt region's records in this stream, or 0
     */
    public Loss {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(stream, "stream");
        if (recordsAtMost < 0) {
            throw new IllegalArgumentException("recordsAtMost must be 0 (no bound) or positive, not " + recordsAtMost);
        }
    }
}
