package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.transport.kafka.ingest.KafkaSensorSource;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Kafka client settings are checked when a transport or source is created (nothing connects: the URIs point at a
 * closed port), and an error only the client's creation can find is not one a resend could cure.
 */
class KafkaClientSettingsTest {
    private static final String URI = "kafka://127.0.0.1:9/t";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"gw\" password=\"S3CRET-PW\"";

    private static Map<String, String> with(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("uri", URI, "timeout", "2s"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static ConfigException transportRefuses(String... kv) {
        return assertThrows(ConfigException.class, () -> new KafkaTransport(ComponentConfig.of(with(kv))));
    }

    private static ConfigException sourceRefuses(String... kv) {
        Map<String, String> m = with(kv);
        m.remove("timeout");
        return assertThrows(ConfigException.class, () -> new KafkaSensorSource(ComponentConfig.of(m)));
    }

    @Test
    @DisplayName("refuses at creation a kafka.* value the producer would refuse at every send, naming the key and"
            + " Kafka's reason")
    void refusesInvalidProducerValues() {
        ConfigException acks = transportRefuses("kafka.acks", "1");
        assertEquals("kafka.acks", acks.key());
        assertTrue(acks.getMessage().contains("acks to all"), acks.getMessage());
        ConfigException compression = transportRefuses("kafka.compression.type", "brotli");
        assertEquals("kafka.compression.type", compression.key());
        assertTrue(compression.getMessage().contains("brotli") && compression.getMessage().contains("zstd"),
                compression.getMessage());
        assertEquals("kafka.linger.ms", transportRefuses("kafka.linger.ms", "abc").key());
    }

    @Test
    @DisplayName("refuses a JAAS configuration missing its ';' at creation, with the parser's reason and without"
            + " the password")
    void refusesBadJaas() throws Exception {
        for (ConfigException e : new ConfigException[] {
                transportRefuses("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "PLAIN",
                        "kafka.sasl.jaas.config", JAAS),
                sourceRefuses("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "PLAIN",
                        "kafka.sasl.jaas.config", JAAS)}) {
            assertEquals("kafka.sasl.jaas.config", e.key());
            assertTrue(e.getMessage().contains("';'") || e.getMessage().contains(";"), e.getMessage());
            assertFalse(e.getMessage().contains("S3CRET"), e.getMessage());
        }
        // the same with its ';' is accepted: creating connects nothing
        new KafkaTransport(ComponentConfig.of(with("kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "PLAIN", "kafka.sasl.jaas.config", JAAS + ";"))).close();
    }

    @Test
    @DisplayName("refuses invalid consumer values at creation")
    void refusesInvalidConsumerValues() {
        assertEquals("kafka.max.poll.records", sourceRefuses("kafka.max.poll.records", "abc").key());
        assertEquals("kafka.auto.offset.reset", sourceRefuses("kafka.auto.offset.reset", "middle").key());
    }

    @Test
    @DisplayName("refuses misspelt keys, naming the key and the closest known one")
    void refusesUnknownKeys() {
        ConfigException timeout = transportRefuses("timout", "5s");
        assertEquals("timout", timeout.key());
        assertTrue(timeout.getMessage().contains("did you mean 'timeout'"), timeout.getMessage());
        ConfigException protocol = transportRefuses("kafka.securty.protocol", "SSL");
        assertEquals("kafka.securty.protocol", protocol.key());
        assertTrue(protocol.getMessage().contains("did you mean 'kafka.security.protocol'"), protocol.getMessage());
        ConfigException group = sourceRefuses("gruop", "g");
        assertTrue(group.getMessage().contains("did you mean 'group'"), group.getMessage());
        // a consumer setting is not a producer setting
        assertEquals("kafka.max.poll.records", transportRefuses("kafka.max.poll.records", "10").key());
        assertEquals("linger", sourceRefuses("linger", "5ms").key());
    }

    @Test
    @DisplayName("names every unknown key at once, each with the closest known key by the rule every provider uses"
            + " (ignoring case)")
    void namesEveryUnknownKey() {
        ConfigException e = transportRefuses("timout", "5s", "CLIENT-ID", "gw-1", "kafka.securty.protocol", "SSL",
                "kafka.Linger.MS", "5", "kafak.acks", "all");
        String m = e.getMessage();
        // before: only the first unknown key, and case-sensitively no suggestion for CLIENT-ID or kafka.Linger.MS
        assertEquals("CLIENT-ID", e.key(), m);
        assertTrue(m.startsWith("Unknown configuration keys 'CLIENT-ID' (did you mean 'client-id'?), 'kafak.acks'"
                + " (did you mean 'kafka.<name>'?), 'kafka.Linger.MS' (did you mean 'kafka.linger.ms'?),"
                + " 'kafka.securty.protocol' (did you mean 'kafka.security.protocol'?), 'timout' (did you mean"
                + " 'timeout'?) for the kafka transport; known keys: "), m);
        assertTrue(m.contains("kafka-plugin-keys") && m.contains("interceptor.classes"), m);
        ConfigException source = sourceRefuses("gruop", "g", "Start", "latest");
        assertEquals("Start", source.key());
        assertTrue(source.getMessage().contains("'Start' (did you mean 'start'?), 'gruop' (did you mean 'group'?)"),
                source.getMessage());
    }

    @Test
    @DisplayName("with a plug-in class set, a Kafka setting spelt in another case is refused as a typo, not passed"
            + " on as a plug-in's key")
    void settingInAnotherCaseIsNotAPluginKey() throws Exception {
        // before: far from every setting case-sensitively, so taken for a plug-in's key and passed to the client,
        // which ignores it: the producer connected in plaintext
        ConfigException e = transportRefuses("kafka.partitioner.class",
                "org.apache.kafka.clients.producer.RoundRobinPartitioner", "kafka.SECURITY.PROTOCOL", "SSL");
        assertEquals("kafka.SECURITY.PROTOCOL", e.key());
        assertTrue(e.getMessage().contains("did you mean 'kafka.security.protocol'"), e.getMessage());
        // a plug-in's key far from every setting, in any case, is still passed on
        new KafkaTransport(ComponentConfig.of(with("kafka.partitioner.class",
                "org.apache.kafka.clients.producer.RoundRobinPartitioner", "kafka.Schema.Registry.URL", "x")))
                .close();
    }

    @Test
    @DisplayName("accepts every documented key and valid pass-through settings, through the providers too")
    void acceptsKnownKeys() throws Exception {
        try (Transport t = ProviderLoader.of(TransportProvider.class).select("kafka").create(ComponentConfig.of(
                with("linger", "10ms", "batch-size", "64KiB", "compression", "zstd", "client-id", "gw-1",
                        "kafka.security.protocol", "PLAINTEXT", "kafka.request.timeout.ms", "1000")))) {
            assertTrue(t instanceof KafkaTransport);
        }
        Map<String, String> source = with("group", "g", "start", "latest", "on-malformed", "skip",
                "dedup.window", "128", "dedup.max-streams", "10", "max-poll-records", "10", "client-id", "c-1",
                "kafka.fetch.min.bytes", "262144", "kafka.fetch.max.wait.ms", "50");
        source.remove("timeout");
        try (SensorSource s = ProviderLoader.of(SensorSourceProvider.class).select("kafka").create(
                ComponentConfig.of(source))) {
            assertTrue(s instanceof KafkaSensorSource);
        }
    }

    @Test
    @DisplayName("a setting only the client's creation can check fails the first send as not retryable, and the"
            + " first poll as a ConfigException, with Kafka's root reason")
    void firstUseConfigurationErrorsAreNotRetryable() throws Exception {
        try (KafkaTransport t = new KafkaTransport(ComponentConfig.of(with("kafka.interceptor.classes",
                "com.example.NoSuchInterceptor")))) {
            TransportException e = assertThrows(TransportException.class,
                    () -> t.send(SensorEnvelopes.batch("d", 1, 1)));
            assertFalse(e.isRetryable(), e.getMessage());
            assertTrue(e.getMessage().contains("com.example.NoSuchInterceptor"), e.getMessage());
        }
        Map<String, String> m = with("kafka.interceptor.classes", "com.example.NoSuchInterceptor");
        m.remove("timeout");
        try (KafkaSensorSource s = new KafkaSensorSource(ComponentConfig.of(m))) {
            ConfigException e = assertThrows(ConfigException.class, () -> s.poll(1, Duration.ofMillis(10)));
            assertTrue(e.getMessage().contains("com.example.NoSuchInterceptor"), e.getMessage());
        }
    }

    /** Runs the call with System.err (where slf4j-simple writes WARN) captured; returns what was written. */
    private static String stderrOf(Callable<?> call) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Object made = call.call();
            if (made instanceof AutoCloseable c) {
                c.close();
            }
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("with a plug-in class set, accepts a kafka.* key far from every Kafka setting and names it in one"
            + " WARN; a typo of a Kafka setting is still refused")
    void acceptsPluginKeysWhenAPluginIsSet() throws Exception {
        String warn = stderrOf(() -> new KafkaTransport(ComponentConfig.of(with(
                "kafka.interceptor.classes", KeyRecordingInterceptor.class.getName(),
                "kafka.schema.registry.url", "http://registry:8081", "kafka.basic.auth.user.info", "u:p"))));
        assertEquals(1, warn.lines().filter(l -> l.contains("WARN")).count(), warn);
        assertTrue(warn.contains("[kafka.basic.auth.user.info, kafka.schema.registry.url]")
                && warn.contains("kafka.interceptor.classes"), warn);
        // every kind of plug-in setting counts: a partitioner (a CLASS setting), a config provider (a list)
        new KafkaTransport(ComponentConfig.of(with("kafka.partitioner.class",
                "org.apache.kafka.clients.producer.RoundRobinPartitioner", "kafka.schema.registry.url", "x"))).close();
        new KafkaTransport(ComponentConfig.of(with("kafka.config.providers", "file",
                "kafka.config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider")))
                .close();
        ConfigException typo = transportRefuses("kafka.interceptor.classes", KeyRecordingInterceptor.class.getName(),
                "kafka.securty.protocol", "SSL");
        assertEquals("kafka.securty.protocol", typo.key());
        assertTrue(typo.getMessage().contains("did you mean 'kafka.security.protocol'"), typo.getMessage());
        // the source too: a consumer plug-in (an assignor list) lets its keys through, typos not
        Map<String, String> source = with("kafka.partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor", "kafka.schema.registry.url", "x");
        source.remove("timeout");
        new KafkaSensorSource(ComponentConfig.of(source)).close();
        assertEquals("kafka.fetch.min.byte", sourceRefuses("kafka.partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor", "kafka.fetch.min.byte", "1").key());
    }

    @Test
    @DisplayName("without a plug-in class set, refuses a kafka.* key that is not a Kafka setting, saying how to"
            + " pass a plug-in's key")
    void refusesUnknownKeysWithoutAPlugin() {
        ConfigException e = transportRefuses("kafka.schema.registry.url", "http://registry:8081");
        assertEquals("kafka.schema.registry.url", e.key());
        assertTrue(e.getMessage().contains("kafka-plugin-keys") && e.getMessage().contains("interceptor.classes"),
                e.getMessage());
        assertEquals("kafka.schema.registry.url", sourceRefuses("kafka.schema.registry.url", "x").key());
    }

    @Test
    @DisplayName("accepts the keys listed in kafka-plugin-keys without a warning, even one close to a Kafka setting")
    void acceptsDeclaredPluginKeys() throws Exception {
        String warn = stderrOf(() -> new KafkaTransport(ComponentConfig.of(with(
                "kafka-plugin-keys", "schema.registry.url, kafka.buffer.memory.mb",
                "kafka.schema.registry.url", "http://registry:8081", "kafka.buffer.memory.mb", "r1"))));
        assertFalse(warn.contains("WARN"), warn);
        // close to buffer.memory: refused unless declared
        assertTrue(transportRefuses("kafka.interceptor.classes", KeyRecordingInterceptor.class.getName(),
                "kafka.buffer.memory.mb", "r1").getMessage().contains("kafka-plugin-keys"));
        assertEquals("kafka-plugin-key", transportRefuses("kafka-plugin-key", "x").key());
    }

    @Test
    @DisplayName("a plug-in's own key reaches the plug-in: an interceptor configured through the transport reads it"
            + " and sees the records sent to a real broker")
    void pluginReadsItsOwnKey() throws Exception {
        String topic = "plugin-keys";
        SharedBroker.get().createTopic(topic, 1);
        KeyRecordingInterceptor.configured = null;
        KeyRecordingInterceptor.RECORDS.set(0);
        try (KafkaTransport t = new KafkaTransport(ComponentConfig.of(Map.of("uri", SharedBroker.get().uri(topic),
                "kafka.interceptor.classes", KeyRecordingInterceptor.class.getName(),
                "kafka." + KeyRecordingInterceptor.KEY, "http://registry:8081")))) {
            t.send(SensorEnvelopes.batch("p", 1, 3));
        }
        assertEquals("http://registry:8081", KeyRecordingInterceptor.configured);
        assertEquals(3, KeyRecordingInterceptor.RECORDS.get());
        assertEquals(3, SharedBroker.envelopes(topic).size());
    }
}
