package io.edgeloop.transport.kafka.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.transport.kafka.ingest.KafkaSensorSource;

/**
 * The {@code kafka} sensor source: reads ingested records from a Kafka topic as a consumer group member and drops
 * duplicates by idempotency key. See {@link KafkaSensorSource} for the configuration keys.
 *
 * <p>Thread-safe: stateless; {@link #create} only validates the configuration.
 */
public final class KafkaSensorSourceProvider implements SensorSourceProvider {
    /** Creates the provider; does nothing else. */
    public KafkaSensorSourceProvider() {
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public SensorSource create(ComponentConfig config) {
        return new KafkaSensorSource(config);
    }
}
