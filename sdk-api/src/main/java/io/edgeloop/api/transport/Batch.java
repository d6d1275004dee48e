package io.edgeloop.api.transport;

import java.util.List;
import java.util.Objects;

/**
 * A batch of envelopes sent and acknowledged as one unit. A transport acknowledges a batch only when the
 * receiver has durably accepted every envelope in it.
 *
 * <p>Thread-safe: immutable.
 */
public final class Batch {
    private final List<Envelope> envelopes;
    private final long payloadBytes;

    private Batch(List<Envelope> envelopes) {
        this.envelopes = List.copyOf(envelopes);
        long n = 0;
        for (Envelope e : this.envelopes) {
            n += e.payloadSize();
        }
        this.payloadBytes = n;
    }

    /**
     * @param envelopes the envelopes, in order; not empty
     * @return the batch
     */
    public static Batch of(List<Envelope> envelopes) {
        Objects.requireNonNull(envelopes, "envelopes");
        if (envelopes.isEmpty()) {
            throw new IllegalArgumentException("A batch holds at least one envelope");
        }
        return new Batch(envelopes);
    }

    /** @return the envelopes in order */
    public List<Envelope> envelopes() {
        return envelopes;
    }

    /** @return the number of envelopes */
    public int size() {
        return envelopes.size();
    }

    /** @return the sum of payload sizes */
    public long payloadBytes() {
        return payloadBytes;
    }

    @Override
    public String toString() {
        return "Batch[" + envelopes.size() + " envelopes, " + payloadBytes + " B, first "
                + envelopes.get(0).key() + "]";
    }
}
