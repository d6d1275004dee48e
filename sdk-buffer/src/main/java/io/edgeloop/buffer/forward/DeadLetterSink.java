package io.edgeloop.buffer.forward;

import io.edgeloop.api.transport.Envelope;
import java.io.IOException;

/**
 * Where a {@link Forwarder} keeps a record the receiver refused as never acceptable, before it skips it (see
 * {@link Forwarder.Builder#deadLetters(DeadLetterSink)}). The forwarder skips the record only once
 * {@link #keep} returned; when it throws, the record stays in the buffer and is tried again after a backoff. The
 * standard sink is {@link io.edgeloop.buffer.relay.DeadLetterDirectory}, a directory of batch-wire files.
 *
 * <p>A record may be kept again: a forwarder that restarted before storing the commit that skips it decides the
 * skip again. Implementations should make that add nothing (keyed by {@link Envelope#key()}).
 *
 * <p>Thread safety: called from the forwarder's loop thread only; a sink shared between forwarders must allow
 * concurrent calls.
 */
public interface DeadLetterSink {
    /**
     * Keeps a refused record durably, returning only once it is.
     *
     * @param record the record as stored in the buffer (key, priority, payload)
     * @param reason the receiver's refusal, one line
     * @return where the record is kept (a file, a topic), named in the forwarder's log line
     * @throws IOException when it cannot be kept; the record then stays in the buffer
     */
    String keep(Envelope record, String reason) throws IOException;
}
