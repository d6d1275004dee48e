package io.edgeloop.tck;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** A test transport that delivers into a shared list; {@code mode} selects correct or deliberately broken behaviour. */
public final class InMemoryTransportProvider implements TransportProvider {
    static final List<Envelope> RECEIVED = new CopyOnWriteArrayList<>();
    /** The shared receiver is up; the kit's stopReceiver()/startReceiver() hooks flip it. */
    static final AtomicBoolean UP = new AtomicBoolean(true);

    @Override
    public String name() {
        return "in-memory";
    }

    @Override
    public Transport create(ComponentConfig config) {
        config.requireKnownKeys(name() + " transport", java.util.Set.of("reachable", "mode"));
        boolean reachable = config.getBoolean("reachable", true);
        String mode = config.getString("mode", "correct");
        AtomicBoolean closed = new AtomicBoolean();
        List<Envelope> deferred = new java.util.ArrayList<>();
        return new Transport() {
            @Override
            public void send(Batch batch) throws TransportException {
                if (closed.get()) {
                    throw new IllegalStateException("closed");
                }
                if (!reachable || !UP.get()) {
                    throw new TransportException("receiver unreachable", true);
                }
                List<Envelope> es = batch.envelopes();
                // "drop-last" acknowledges a batch without delivering its last envelope: the kit must catch it.
                int n = mode.equals("drop-last") ? es.size() - 1 : es.size();
                if (mode.equals("defer-until-close")) {
                    // Acknowledges at once but delivers only at close(): the kit must catch it too.
                    synchronized (deferred) {
                        deferred.addAll(es);
                    }
                    return;
                }
                RECEIVED.addAll(es.subList(0, n));
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    synchronized (deferred) {
                        RECEIVED.addAll(deferred);
                        deferred.clear();
                    }
                }
            }
        };
    }
}
