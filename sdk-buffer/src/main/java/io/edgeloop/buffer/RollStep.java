package io.edgeloop.buffer;

/**
 * The steps of a segment roll, in order, as a test seam: a test's hook (package-private
 * {@code DurableBuffer.Builder.rollSteps}) is called as each step is reached, on the rolling thread under the
 * buffer's lock, so a child process can be killed exactly there. See {@code docs/formats/buffer.md}, "Rolling".
 *
 * <p>Thread-safe: an immutable enum.
 */
enum RollStep {
    /** The staged frames are written to the old segment; nothing of the roll is on disk yet. */
    STARTING,
    /** {@code seg-<next>.log.tmp} exists, empty. */
    NEXT_CREATED,
    /** The next segment's header is written into the temporary file, not synced. */
    NEXT_HEADER_WRITTEN,
    /** The old segment's footer and trailer are written, not synced. */
    FOOTER_WRITTEN,
    /** The old segment is synced (sealed) and its index entry appended. */
    SEALED,
    /** The temporary file is synced. */
    NEXT_SYNCED,
    /** The temporary file is renamed to {@code seg-<next>.log}; the directory is not synced yet. */
    RENAMED,
    /** The directory is synced: the roll is complete. */
    DIRECTORY_SYNCED
}
