package io.edgeloop.tck;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;

/** A provider deliberately missing from META-INF/services: the provider contract must fail it. */
public final class UnlistedTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "unlisted";
    }

    @Override
    public Transport create(ComponentConfig config) {
        throw new UnsupportedOperationException("never created by the registration tests");
    }
}
