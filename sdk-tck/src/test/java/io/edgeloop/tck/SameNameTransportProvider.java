package io.edgeloop.tck;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;

/**
 * A provider with the name of {@link InMemoryTransportProvider}. Registered only by the test that needs it
 * (ProviderRegistrationKitTest), through a class loader of its own. Thread-safe: stateless.
 */
public final class SameNameTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "in-memory";
    }

    @Override
    public Transport create(ComponentConfig config) {
        throw new UnsupportedOperationException("never created by the registration tests");
    }
}
