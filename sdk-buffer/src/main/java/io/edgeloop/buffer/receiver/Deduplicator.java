package io.edgeloop.buffer.receiver;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Drops envelopes whose {@link IdempotencyKey} was already seen. The set of seen keys lives in memory and grows
 * with the number of distinct keys (about 100 bytes each); a receiver that must survive restarts persists the
 * keys it accepted alongside the data.
 *
 * <p>Thread-safe: every method holds one internal lock.
 */
public final class Deduplicator {
    private final Object lock = new Object();
    private final Set<IdempotencyKey> seen = new HashSet<>();
    private long duplicates;

    /** Creates an empty deduplicator. */
    public Deduplicator() {
    }

    /**
     * Returns the envelopes whose keys were not seen before (also not earlier in the same list), without marking
     * them seen. Call {@link #markSeen(List)} once they are stored.
     *
     * @param envelopes the candidates in order
     * @return the fresh envelopes in order
     */
    public List<Envelope> fresh(List<Envelope> envelopes) {
        Objects.requireNonNull(envelopes, "envelopes");
        synchronized (lock) {
            List<Envelope> out = new ArrayList<>(envelopes.size());
            Set<IdempotencyKey> inThisCall = new HashSet<>();
            for (Envelope e : envelopes) {
                if (!seen.contains(e.key()) && inThisCall.add(e.key())) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    /**
     * Marks keys as seen and counts how many of {@code offered} were duplicates.
     *
     * @param offered  all envelopes that arrived
     * @param accepted the fresh envelopes that were stored
     */
    public void commit(List<Envelope> offered, List<Envelope> accepted) {
        synchronized (lock) {
            duplicates += offered.size() - accepted.size();
            for (Envelope e : accepted) {
                seen.add(e.key());
            }
        }
    }

    /**
     * Filters and marks in one step: returns the fresh envelopes and remembers their keys.
     *
     * @param envelopes the candidates in order
     * @return the fresh envelopes in order
     */
    public List<Envelope> accept(List<Envelope> envelopes) {
        synchronized (lock) {
            List<Envelope> fresh = fresh(envelopes);
            commit(envelopes, fresh);
            return fresh;
        }
    }

    /**
     * @param key a key
     * @return whether the key was accepted before
     */
    public boolean seen(IdempotencyKey key) {
        synchronized (lock) {
            return seen.contains(key);
        }
    }

    /** @return the number of distinct keys accepted */
    public long distinct() {
        synchronized (lock) {
            return seen.size();
        }
    }

    /** @return the number of envelopes dropped as duplicates */
    public long duplicatesDropped() {
        synchronized (lock) {
            return duplicates;
        }
    }
}
