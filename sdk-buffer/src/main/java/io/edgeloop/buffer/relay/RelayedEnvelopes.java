package io.edgeloop.buffer.relay;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.forward.ExplainsUnreachable;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.BatchFormatException;
import io.edgeloop.buffer.wire.Compression;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a gateway keeps a relayed envelope in its own buffer without losing the device's identity: the gateway
 * record's payload is the envelope encoded as a one-envelope batch (batch wire format, so it carries its own
 * checksum), and the gateway's forwarder sends through {@link #unwrapping(Transport)}, which turns gateway
 * records back into the original envelopes. Upstream receivers therefore see the device's idempotency keys and
 * drop duplicates created anywhere along the way.
 *
 * <p>Thread-safe: stateless.
 */
public final class RelayedEnvelopes {
    private static final BatchCodec CODEC = BatchCodec.of(Compression.NONE);

    private RelayedEnvelopes() {
    }

    /**
     * @param envelope a device's envelope
     * @return the payload of the gateway record holding it
     */
    public static byte[] wrap(Envelope envelope) {
        return CODEC.encode(Batch.of(List.of(Objects.requireNonNull(envelope, "envelope"))));
    }

    /**
     * @param payload the payload of a gateway record written by {@link #wrap}
     * @return the device's envelope
     * @throws BatchFormatException when the payload is not a wrapped envelope
     */
    public static Envelope unwrap(byte[] payload) throws BatchFormatException {
        Batch b = CODEC.decode(payload);
        if (b.size() != 1) {
            throw new BatchFormatException("A relayed record holds exactly one envelope, found " + b.size());
        }
        return b.envelopes().get(0);
    }

    /**
     * Returns a transport that unwraps each envelope of a batch (gateway records) and sends the device envelopes
     * through {@code upstream}. A record that does not unwrap fails the whole batch as not retryable: the forwarder
     * then keeps it while nothing after it is accepted, and skips it (logged, kept nowhere) once a later record is.
     * Gateways should pass a {@link DeadLetterDirectory} to {@link #unwrapping(Transport, DeadLetterDirectory)}.
     *
     * @param upstream the gateway's real transport (closed with the returned one)
     * @return the unwrapping transport
     */
    public static Transport unwrapping(Transport upstream) {
        return unwrapping(upstream, null);
    }

    /**
     * Returns a transport that unwraps each envelope of a batch (gateway records) and sends the device envelopes
     * through {@code upstream}. A record that does not unwrap can never be delivered, so it neither fails nor holds
     * back the records around it: it is written to {@code deadLetters} (durably, logged once) before the rest of the
     * batch goes upstream. When it cannot be written the send fails as retryable and the batch stays in the buffer.
     *
     * @param upstream    the gateway's real transport (closed with the returned one)
     * @param deadLetters where records that are not relayed envelopes are kept; null to fail their batch as not
     *                    retryable instead (what {@link #unwrapping(Transport)} does)
     * @return the unwrapping transport
     */
    public static Transport unwrapping(Transport upstream, DeadLetterDirectory deadLetters) {
        Objects.requireNonNull(upstream, "upstream");
        // explains itself as the upstream does: a gateway whose file: upstream was missing showed only "transport
        // unwrapping[...] reports its receiver unreachable", not the upstream's own reason
        abstract class Unwrapping implements Transport, ExplainsUnreachable {
        }
        return new Unwrapping() {
            @Override
            public void send(Batch batch) throws TransportException {
                List<Envelope> out = new ArrayList<>(batch.size());
                for (Envelope e : batch.envelopes()) {
                    try {
                        out.add(unwrap(e.payloadBytes()));
                    } catch (BatchFormatException x) {
                        if (deadLetters == null) {
                            throw new TransportException("Gateway record " + e.key() + " is not a relayed envelope: "
                                    + x.getMessage(), false, x);
                        }
                        deadLetters.keepNotRelayed(e, x.getMessage());
                    }
                }
                if (!out.isEmpty()) {
                    upstream.send(Batch.of(out));
                }
            }

            @Override
            public boolean isReachable() {
                return upstream.isReachable();
            }

            @Override
            public String unreachableReason() {
                return upstream instanceof ExplainsUnreachable ? ((ExplainsUnreachable) upstream).unreachableReason()
                        : "transport " + upstream + " reports its receiver unreachable";
            }

            @Override
            public void close() throws TransportException {
                upstream.close();
            }

            @Override
            public String toString() {
                return "unwrapping[" + upstream + "]";
            }
        };
    }
}
