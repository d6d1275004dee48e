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
 * @param quarantine where a copy of the damaged bytes was kept (relative to the buffer directory), or empty
 */
public record Loss(String file, long offset, long length, Kind kind, String quarantine) {
    /**
     * What kind of damage a {@link Loss} is.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Kind {
        /** A frame whose header was intact but whose payload failed its CRC: one record lost. */
        CORRUPT_FRAME,
        /** Bytes that are no valid frame, followed by valid frames: at least one record lost. */
        CORRUPT_REGION,
        /** An incomplete or damaged tail of the active segment after the last valid frame: cut off on open. */
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
        SEQUENCES
    }

    /**
     * Validates the components.
     *
     * @param file       the file
     * @param offset     the offset
     * @param length     the length
     * @param kind       the kind
     * @param quarantine the quarantine copy or empty string
     */
    public Loss {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(quarantine, "quarantine");
    }
}
