package io.edgeloop.buffer.policy;

/**
 * When a cursor's commits are synced to the device.
 *
 * <p>A cursor commit never decides whether a record is lost: the record was acknowledged by the receiver before
 * the commit. It decides what a crash makes the buffer send again, and, through the highest acknowledged sequence
 * the cursor file carries, that a sequence number is never handed out twice. The two modes:
 *
 * <ul>
 *   <li>{@link #EVERY_COMMIT} (the default): each commit is written to a temporary file, synced, renamed over
 *       {@code cursors/<name>.cursor} and the directory synced. After a power loss nothing acknowledged is sent
 *       again. It costs two syncs per commit, which a device draining one buffer does not notice.</li>
 *   <li>{@link #DEFERRED}: a commit is written without syncing into one of the cursor's two pending slots
 *       ({@code cursors/<name>.pending.0|1}, rewritten in place, alternating; the operating system writes it back
 *       within seconds). A commit of records whose frames are not yet synced (durability {@code none}) is synced
 *       at once instead, so that their sequence numbers cannot be reused after a power loss. The synced {@code .cursor} file is brought up to date before any
 *       segment is deleted (so a cursor on the device never points before a deleted segment and no sequence number
 *       can be reused), by {@link io.edgeloop.buffer.DurableBuffer#syncCursors()}, and never otherwise. A power
 *       loss may therefore send again records acknowledged since the last such sync: delivery stays at least once,
 *       and the idempotency key lets the receiver drop the repeats. A process crash (SIGKILL) loses nothing, since
 *       the page cache survives it. This is the mode for a gateway that drains thousands of buffers, where two
 *       syncs per commit per buffer would bound its throughput (Vector's disk buffer and Kafka consumers with
 *       asynchronous offset commits make the same trade).</li>
 * </ul>
 *
 * <p>Thread-safe: an enum.
 */
public enum CursorSync {
    /** Sync every commit before it returns. */
    EVERY_COMMIT,
    /** Write commits without syncing; sync before deleting segments and on request. */
    DEFERRED
}
