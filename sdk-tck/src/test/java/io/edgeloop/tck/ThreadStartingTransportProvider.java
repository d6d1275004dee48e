package io.edgeloop.tck;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A provider whose constructor starts a daemon thread: the provider contract's cheap-construction check must fail it. */
public final class ThreadStartingTransportProvider implements TransportProvider {
    private static final List<Thread> STARTED = new CopyOnWriteArrayList<>();

    /** Starts the thread (the defect under test). */
    public ThreadStartingTransportProvider() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "provider-keepalive");
        t.setDaemon(true);
        t.start();
        STARTED.add(t);
    }

    /** Stops every thread the constructor started. */
    static void stopAll() {
        for (Thread t : STARTED) {
            t.interrupt();
        }
    }

    @Override
    public String name() {
        return "thread-starting";
    }

    @Override
    public Transport create(ComponentConfig config) {
        throw new UnsupportedOperationException("never created by the registration tests");
    }
}
