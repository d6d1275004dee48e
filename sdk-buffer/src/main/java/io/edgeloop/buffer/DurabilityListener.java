package io.edgeloop.buffer;

/**
 * Told whenever the durable watermark of a stream advances: every record of {@code stream} with a sequence up to
 * {@code sequence} is now durable under the buffer's policy, except records whose append failed. Under group
 * commit a failed write or sync fails the futures of the appends it held, and the next append or flush throws it;
 * their sequences are never reused (a frame of a failed write may survive on disk), so they leave a gap below the
 * watermark. Called after each sync (once per stream that advanced), from the thread that performed it, before
 * the futures of the records it covers complete; keep it quick and do not append from it.
 *
 * <p>Implementations must be thread-safe if the buffer has several appending threads.
 */
@FunctionalInterface
public interface DurabilityListener {
    /**
     * @param stream   the stream
     * @param sequence the highest durable sequence of that stream
     */
    void durable(String stream, long sequence);
}
