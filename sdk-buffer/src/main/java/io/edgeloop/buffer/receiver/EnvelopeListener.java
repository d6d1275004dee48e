package io.edgeloop.buffer.receiver;

import io.edgeloop.api.transport.Envelope;
import java.util.List;

/**
 * Receives the envelopes of one batch that were not seen before, before the receiver acknowledges the batch.
 * If it throws, the batch is not acknowledged and its keys are not marked seen, so the sender's retry delivers
 * them again.
 *
 * <p>Called by one receiver thread at a time.
 */
@FunctionalInterface
public interface EnvelopeListener {
    /**
     * Stores or forwards fresh envelopes; returns only once they are safe.
     *
     * @param envelopes the fresh envelopes of one batch, in order; may be empty when all were duplicates
     * @throws Exception when they could not be stored (the batch is then not acknowledged)
     */
    void accepted(List<Envelope> envelopes) throws Exception;
}
