package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.transport.kafka.ingest.KafkaSensorSource;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The settings check run when a transport or source is created logs nothing at INFO (Kafka's "ProducerConfig
 * values: ..." dump came once per check, and again when the producer was created). Checked in a child JVM on this
 * test class path whose slf4j-simple logs INFO (this module's tests log WARN and up only, fixed per logger when it
 * is first used), so the dump would be seen: the child also builds Kafka's own {@link ProducerConfig} and
 * {@link ConsumerConfig}, whose dumps must show, or the test could not fail.
 */
class QuietSettingsCheckTest {
    private static final String CHECK = "=== check";
    private static final String KAFKA = "=== kafka's own configs";
    private static final String END = "=== end";

    /** The child: runs the checks, then Kafka's own logging constructors, between markers on System.err. */
    public static void main(String[] args) {
        String uri = "kafka://127.0.0.1:9/t";
        System.err.println(CHECK);
        try {
            new KafkaTransport(ComponentConfig.of(Map.of("uri", uri, "timeout", "2s", "kafka.security.protocol",
                    "PLAINTEXT"))).close();
            new KafkaSensorSource(ComponentConfig.of(Map.of("uri", uri))).close();
            System.err.println(KAFKA);
            Map<String, Object> p = new HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
            new ProducerConfig(p);
            new ConsumerConfig(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
            System.err.println(END);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2);
        }
    }

    @Test
    @DisplayName("creating a transport and a source checks their settings without Kafka's INFO dump of every value")
    void settingsCheckLogsNoInfoDump() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                QuietSettingsCheckTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, child.exitValue(), out);
        int check = out.indexOf(CHECK);
        int kafka = out.indexOf(KAFKA);
        int end = out.indexOf(END);
        assertTrue(check >= 0 && kafka > check && end > kafka, out);
        String checks = out.substring(check, kafka);
        String own = out.substring(kafka, end);
        assertTrue(own.contains("INFO org.apache.kafka.common.config.AbstractConfig - ProducerConfig values:")
                && own.contains("ConsumerConfig values:"), "the child must show Kafka's INFO dump: " + own);
        for (String line : List.of(checks.split("\n"))) {
            assertFalse(line.contains(" INFO "), "the settings check logged at INFO: " + line);
        }
        assertFalse(checks.contains("values:"), checks);
    }
}
