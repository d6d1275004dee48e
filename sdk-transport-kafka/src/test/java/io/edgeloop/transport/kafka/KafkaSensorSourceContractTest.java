package io.edgeloop.transport.kafka;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.tck.SensorSourceContractTest;
import io.edgeloop.transport.kafka.provider.KafkaSensorSourceProvider;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;

/** The sdk-tck sensor source contract against a real broker holding records published by the kafka transport. */
class KafkaSensorSourceContractTest extends SensorSourceContractTest {
    private static final String TOPIC = "tck-source";
    private static final AtomicInteger GROUPS = new AtomicInteger();

    @BeforeAll
    static void publish() throws Exception {
        SharedBroker.get().createTopic(TOPIC, 2);
        try (KafkaTransport t = new KafkaTransport(ComponentConfig.of(Map.of("uri", SharedBroker.get().uri(TOPIC))))) {
            for (int d = 0; d < 4; d++) {
                t.send(SensorEnvelopes.batch("tck-dev-" + d, 1, 20));
            }
        }
    }

    @Override
    protected SensorSourceProvider provider() {
        return new KafkaSensorSourceProvider();
    }

    @Override
    protected ComponentConfig config() {
        // A fresh group per source, so each test reads the topic from the beginning.
        return ComponentConfig.of(Map.of("uri", SharedBroker.get().uri(TOPIC), "group",
                "tck-group-" + GROUPS.incrementAndGet()));
    }
}
