package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.edgeloop.transport.kafka.broker.LocalKafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    void startsQuietly() throws Exception {
        LocalKafkaBroker broker = SharedBroker.get();
        broker.kill();
        PrintStream systemErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try {
            // slf4j-simple (this module's test binding, WARN and above) writes to whatever System.err is now
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            broker.start();
        } finally {
            System.setErr(systemErr);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("could not be established"), text);
        assertFalse(text.contains("WARN"), text);
    }
}
