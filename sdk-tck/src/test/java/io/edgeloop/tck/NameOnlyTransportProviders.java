package io.edgeloop.tck;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;

/**
 * Providers that differ only in their name, for the kit's discovery checks. Registered only by the test that needs
 * them (ProviderRegistrationKitTest), through a class loader of its own. Thread-safe: stateless.
 */
public abstract class NameOnlyTransportProviders implements TransportProvider {
    private final String name;

    NameOnlyTransportProviders(String name) {
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Transport create(ComponentConfig config) {
        throw new UnsupportedOperationException("never created by the registration tests");
    }

    /** A name that is not lower-kebab-case, so the loader refuses it. */
    public static final class RefusedName extends NameOnlyTransportProviders {
        /** Creates the provider. */
        public RefusedName() {
            super("AcmeTcp");
        }
    }

    /** The name of {@link InMemoryTransportProvider}. */
    public static final class SameName extends NameOnlyTransportProviders {
        /** Creates the provider. */
        public SameName() {
            super("in-memory");
        }
    }
}
