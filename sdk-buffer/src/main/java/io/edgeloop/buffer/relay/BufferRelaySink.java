package io.edgeloop.buffer.relay;

import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.DurableBuffer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The standard gateway sink: appends each relayed envelope to the gateway's own {@link DurableBuffer} as one
 * record of stream {@code relay} (payload: {@link RelayedEnvelopes#wrap}, priority kept), and returns once all of
 * them are durable under that buffer's durability policy. With a group-commit policy the envelopes of one batch
 * share syncs. The gateway's forwarder then drains the stream through
 * {@link RelayedEnvelopes#unwrapping(io.edgeloop.api.transport.Transport)}.
 *
 * <p>What "durable" means is the gateway buffer's policy: with {@code none} (OS only) an acknowledged batch
 * survives a gateway process crash but not a power cut.
 *
 * <p>Thread-safe: the buffer is.
 */
public final class BufferRelaySink implements RelaySink {
    /** The stream relayed envelopes are stored in unless another is given. */
    public static final String DEFAULT_STREAM = "relay";

    private final DurableBuffer buffer;
    private final String stream;

    /**
     * @param buffer the gateway's buffer (not closed by the sink)
     * @param stream the stream to store relayed envelopes in
     */
    public BufferRelaySink(DurableBuffer buffer, String stream) {
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.stream = Objects.requireNonNull(stream, "stream");
    }

    /**
     * @param buffer the gateway's buffer; envelopes go to stream {@value #DEFAULT_STREAM}
     */
    public BufferRelaySink(DurableBuffer buffer) {
        this(buffer, DEFAULT_STREAM);
    }

    @Override
    public void store(List<Envelope> envelopes) throws IOException {
        List<CompletableFuture<Appended>> pending = new ArrayList<>(envelopes.size());
        for (Envelope e : envelopes) {
            pending.add(buffer.appendAsync(stream, e.priority(), RelayedEnvelopes.wrap(e)));
        }
        for (CompletableFuture<Appended> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the gateway buffer to sync");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof IOException) {
                    throw (IOException) c;
                }
                throw new IOException("gateway buffer append failed: " + c, c);
            }
        }
    }
}
