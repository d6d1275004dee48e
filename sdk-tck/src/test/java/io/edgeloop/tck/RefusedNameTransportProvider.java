package io.edgeloop.tck;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;

/**
 * A provider whose name is not lower-kebab-case, so the loader refuses it. Registered only by the test that needs
 * it (ProviderRegistrationKitTest), through a class loader of its own. Thread-safe: stateless.
 */
public final class RefusedNameTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "AcmeTcp";
    }

    @Override
    public Transport create(ComponentConfig config) {
        throw new UnsupportedOperationException("never created by the registration tests");
    }
}
