// Copied from the reviewer's third-party project (/tmp/rev-api/lora, review of 2026-11-30): a deliberately
// breakable implementation whose `fault` switch turns on one known defect, so the kit's own tests can prove that
// each contract test fails for it.
package io.edgeloop.tck.lora;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;

/** Factory for the lora transport. Thread-safe: stateless. */
public final class LoraTransportProvider implements TransportProvider {
    @Override public String name() { return "lora"; }
    @Override public Transport create(ComponentConfig config) {
        config.requireKnownKeys(name() + " transport", java.util.Set.of("port", "fault", "ack-timeout"));
        return new LoraTransport(config);
    }
}
