package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Starting the local broker says nothing on the console: its readiness check used to create a Kafka admin client
 * while the broker's JVM was still booting, and that client logged a WARN for every refused connection (6 to 19
 * lines at each start of {@code edgeloop bench ingest}).
 */
class LocalKafkaBrokerStartTest {
    @Test
    @DisplayName("starting the broker logs no refused-connection warnings")
    void startsQuietly() {
        // The shared broker's first start, in whichever test came first, was recorded: a start from a fresh directory
        // with the same readiness check as a restart, and what bench ingest does on every run. (Killing and starting
        // it again here cost a broker restart, 14 s.)
        String text = SharedBroker.firstStartLog();
        assertFalse(text.contains("could not be established"), text);
        assertFalse(text.contains("WARN"), text);
    }
}
