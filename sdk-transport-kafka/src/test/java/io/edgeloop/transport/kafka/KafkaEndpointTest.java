package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.transport.kafka.ingest.KafkaSensorSource;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KafkaEndpointTest {
    @Test
    @DisplayName("parses servers and topic")
    void parses() {
        KafkaEndpoint e = KafkaEndpoint.parse("kafka://a.example:9092,10.0.0.2:9093/fleet.telemetry");
        assertEquals("a.example:9092,10.0.0.2:9093", e.bootstrapServers());
        assertEquals("fleet.telemetry", e.topic());
        assertEquals("kafka://a.example:9092,10.0.0.2:9093/fleet.telemetry", e.uri());
    }

    @Test
    @DisplayName("passes kafka.* keys to the client with the prefix removed")
    void passesClientKeys() {
        KafkaEndpoint e = KafkaEndpoint.from(ComponentConfig.of(Map.of("uri", "kafka://h:1/t",
                "kafka.security.protocol", "SSL", "timeout", "5s")));
        assertEquals(Map.of("security.protocol", "SSL"), e.clientOverrides());
    }

    @Test
    @DisplayName("rejects malformed URIs with a message naming the key and the expected form")
    void rejectsMalformed() {
        for (String bad : new String[] {"http://h:1/t", "kafka://h:1", "kafka://h/t", "kafka://h:99999/t",
                "kafka://h:1/", "kafka://h:1/bad topic", "kafka://:1/t"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> KafkaEndpoint.parse(bad), bad);
            assertEquals("uri", e.key());
            assertTrue(e.getMessage().contains("uri"), e.getMessage());
        }
        ConfigException missing = assertThrows(ConfigException.class, () -> KafkaEndpoint.from(ComponentConfig.empty()));
        assertTrue(missing.getMessage().contains("'uri'"), missing.getMessage());
    }

    @Test
    @DisplayName("transport and source reject bad settings at creation, naming the key")
    void rejectsBadSettings() {
        assertEquals("compression", assertThrows(ConfigException.class, () -> new KafkaTransport(ComponentConfig.of(
                Map.of("uri", "kafka://h:1/t", "compression", "brotli")))).key());
        assertEquals("timeout", assertThrows(ConfigException.class, () -> new KafkaTransport(ComponentConfig.of(
                Map.of("uri", "kafka://h:1/t", "timeout", "10ms")))).key());
        assertEquals("on-malformed", assertThrows(ConfigException.class, () -> new KafkaSensorSource(
                ComponentConfig.of(Map.of("uri", "kafka://h:1/t", "on-malformed", "ignore")))).key());
        assertEquals("start", assertThrows(ConfigException.class, () -> new KafkaSensorSource(
                ComponentConfig.of(Map.of("uri", "kafka://h:1/t", "start", "middle")))).key());
    }
}
