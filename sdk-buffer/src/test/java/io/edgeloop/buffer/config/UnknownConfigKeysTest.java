package io.edgeloop.buffer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.TransportProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module's transports and source refuse a configuration key they do not read, naming the closest known one,
 * and accept every key they document (so the check refuses no legitimate setting). The misspellings are those a
 * newcomer's review found accepted without a word.
 */
@DisplayName("Unknown configuration keys")
class UnknownConfigKeysTest {
    @TempDir
    static Path dir;

    static Stream<Arguments> misspelt() {
        return Stream.of(
                Arguments.of("file-drop", Map.of("uri", "file:/tmp"), "fsycn", "false", "fsync"),
                Arguments.of("http", Map.of("uri", "http://127.0.0.1:9/x"), "conect-timeout", "1s", "connect-timeout"),
                Arguments.of("http", Map.of("uri", "http://127.0.0.1:9/x"), "headers.Authorization", "t",
                        "header.<name>"),
                Arguments.of("mqtt", Map.of("uri", "mqtt://127.0.0.1:9/x"), "pasword", "s3cret", "password"),
                Arguments.of("relay", Map.of("uri", "relay://127.0.0.1:9"), "ack-timout", "5s", "ack-timeout"),
                Arguments.of("relay", Map.of("uri", "relay://127.0.0.1:9"), "Compression", "gzip", "compression"),
                Arguments.of("csv-replay", Map.of("path", "data.csv"), "positon-file", "p.pos", "position-file"));
    }

    @ParameterizedTest(name = "{0} refuses {2}, suggesting {4}")
    @MethodSource("misspelt")
    @DisplayName("refuses a misspelt key, naming the closest known key")
    void refusesMisspeltKey(String provider, Map<String, String> valid, String key, String value, String near) {
        ComponentConfig.Builder b = ComponentConfig.builder().put(key, value);
        valid.forEach(b::put);
        ConfigException e = assertThrows(ConfigException.class, () -> create(provider, b.build()));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains("'" + key + "' (did you mean '" + near + "'?)"), e.getMessage());
        assertTrue(e.getMessage().contains(provider), e.getMessage());
    }

    static Stream<Arguments> documented() {
        return Stream.of(
                Arguments.of("file-drop", Map.of("uri", "file:/tmp", "compression", "gzip", "max-batch-bytes", "1MiB",
                        "fsync", "false")),
                Arguments.of("http", Map.of("uri", "https://127.0.0.1:9/x", "compression", "lz4", "max-batch-bytes",
                        "1MiB", "connect-timeout", "1s", "request-timeout", "2s", "header.Authorization", "Bearer t",
                        "header.X-Site", "a")),
                Arguments.of("mqtt", Map.of("uri", "mqtt://127.0.0.1:9/x", "compression", "none", "max-batch-bytes",
                        "1MiB", "client-id", "c", "username", "u", "password", "p", "connect-timeout", "1s",
                        "publish-timeout", "2s", "keep-alive", "30s", "protocol-version", "3.1.1")),
                Arguments.of("relay", Map.of("uri", "relay://127.0.0.1:9", "compression", "gzip", "max-batch-bytes",
                        "1MiB", "connect-timeout", "1s", "ack-timeout", "2s", "idle-timeout", "3s")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documented")
    @DisplayName("accepts every documented transport key")
    void acceptsDocumentedTransportKeys(String provider, Map<String, String> config) throws Exception {
        create(provider, ComponentConfig.of(config));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documented")
    @DisplayName("names the closest known key for an obviously unknown key only when one is close")
    void namesKnownKeysForAFarKey(String provider, Map<String, String> config) {
        ConfigException e = assertThrows(ConfigException.class, () -> create(provider,
                ComponentConfig.of(config).toBuilder().put("edgeloop-tck-no-such-key", "1").build()));
        assertEquals("edgeloop-tck-no-such-key", e.key());
        assertTrue(e.getMessage().contains("known keys: ") && e.getMessage().contains("max-batch-bytes"),
                e.getMessage());
    }

    @org.junit.jupiter.api.Test
    @DisplayName("csv-replay accepts every documented key")
    void acceptsDocumentedSourceKeys() throws Exception {
        Map<String, String> all = new java.util.TreeMap<>(Map.of("path", "data.csv", "device", "d", "stream", "s",
                "timestamp-column", "ts", "timestamp-format", "epoch-millis", "zone", "UTC", "channels", "a,b",
                "skip", "1", "limit", "2", "first-sequence", "3"));
        all.putAll(Map.of("speed", "0", "on-bad-row", "skip", "position-file", dir.resolve("p.pos").toString()));
        try (var s = ProviderLoader.of(SensorSourceProvider.class).select("csv-replay")
                .create(ComponentConfig.of(all))) {
            assertTrue(s != null);
        }
    }

    private static void create(String provider, ComponentConfig config) throws Exception {
        if (provider.equals("csv-replay")) {
            ProviderLoader.of(SensorSourceProvider.class).select(provider).create(config).close();
        } else {
            ProviderLoader.of(TransportProvider.class).select(provider).create(config).close();
        }
    }
}
