package io.edgeloop.buffer;

/**
 * Told whenever the durable watermark of a stream advances: every record of {@code stream} with a sequence up to
 * {@code sequence} is now durable under the buffer's policy, except records whose append failed. Under group
 * commit a failed write or sync fails the futures of the appends it held, and the next append or flush throws it;
 * their sequences are never reused (a frame of a failed write may survive on disk), so they leave a gap below the
 * watermark. Called after each sync (once per stream that advanced), from the thread that performed it (the
 * group-commit thread, an appender whose append sealed a segment, or a caller of {@code flush}), before the futures
 * of the records it covers complete.
 *
 * <p>Ordering: calls are made one at a time (under a lock of the buffer's), and per stream the sequences increase
 * strictly: when two threads' syncs finish close together, the call with the lower sequence is dropped if the
 * higher one was already made (the listener has heard of a higher watermark, which covers it). The last call for a
 * stream names its highest durable sequence. Keep it quick (other syncing threads wait for it) and do not call
 * the buffer's appends, {@code flush} or {@code close} from it.
 *
 * <p>Implementations need not be thread-safe with respect to themselves (calls never overlap), but they run on
 * several threads, so state they share with other code needs the usual care.
 */
@FunctionalInterface
public interface DurabilityListener {
    /**
     * @param stream   the stream
     * @param sequence the highest durable sequence of that stream
     */
    void durable(String stream, long sequence);
}
