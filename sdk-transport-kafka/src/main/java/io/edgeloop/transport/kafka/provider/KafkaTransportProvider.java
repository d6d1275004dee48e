package io.edgeloop.transport.kafka.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.transport.kafka.publish.KafkaTransport;

/**
 * The {@code kafka} transport: publishes batches to a Kafka topic through an idempotent producer with
 * {@code acks=all}. See {@link KafkaTransport} for the configuration keys.
 *
 * <p>Thread-safe: stateless; {@link #create} only validates the configuration.
 */
public final class KafkaTransportProvider implements TransportProvider {
    /** Creates the provider; does nothing else. */
    public KafkaTransportProvider() {
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Transport create(ComponentConfig config) {
        return new KafkaTransport(config);
    }
}
