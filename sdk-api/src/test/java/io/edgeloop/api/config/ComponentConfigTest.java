package io.edgeloop.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ComponentConfig")
class ComponentConfigTest {
    enum Policy { DROP_OLDEST, REJECT_NEW }

    private final ComponentConfig cfg = ComponentConfig.builder().put("count", "42").put("bad", "4x")
            .put("ratio", "0.5").put("delay", "250ms").put("ttl", "2h").put("iso", "PT5S").put("size", "16MiB")
            .put("on", "yes").put("policy", "drop-oldest").put("mqtt.host", "localhost").put("mqtt.port", "1883")
            .build();

    @Test
    @DisplayName("reads typed values and defaults")
    void readsTypedValues() {
        assertEquals(42, cfg.getInt("count", 0));
        assertEquals(7, cfg.getInt("absent", 7));
        assertEquals(0.5, cfg.getDouble("ratio", 0, 0, 1));
        assertEquals(Duration.ofMillis(250), cfg.getDuration("delay", Duration.ZERO));
        assertEquals(Duration.ofHours(2), cfg.getDuration("ttl", Duration.ZERO));
        assertEquals(Duration.ofSeconds(5), cfg.getDuration("iso", Duration.ZERO));
        assertEquals(16L << 20, cfg.getSizeBytes("size", 0));
        assertTrue(cfg.getBoolean("on", false));
        assertEquals(Policy.DROP_OLDEST, cfg.getEnum("policy", Policy.class, Policy.REJECT_NEW));
        assertEquals(ComponentConfig.of(Map.of("host", "localhost", "port", "1883")), cfg.subset("mqtt"));
    }

    @Test
    @DisplayName("names the key, the value and what is allowed when a value is invalid")
    void invalidValueMessage() {
        ConfigException e = assertThrows(ConfigException.class, () -> cfg.getInt("bad", 0, 1, 10));
        assertEquals("bad", e.key());
        assertEquals("Invalid value '4x' for configuration key 'bad': expected an integer between 1 and 10",
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> cfg.getInt("count", 0, 1, 10));
        assertTrue(e.getMessage().contains("'42'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> cfg.getEnum("count", Policy.class, null));
        assertTrue(e.getMessage().endsWith("expected one of drop-oldest, reject-new"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> cfg.getDuration("bad", null));
        assertTrue(e.getMessage().contains("duration"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> cfg.requireString("url"));
        assertTrue(e.getMessage().contains("'url'"), e.getMessage());
    }

    @Test
    @DisplayName("is immutable and derives changed copies through its builder")
    void immutable() {
        ComponentConfig changed = cfg.toBuilder().put("count", 1).remove("bad").build();
        assertEquals(42, cfg.getInt("count", 0));
        assertEquals(1, changed.getInt("count", 0));
        assertFalse(changed.has("bad"));
        assertThrows(UnsupportedOperationException.class, () -> cfg.asMap().put("x", "y"));
    }

    @Test
    @DisplayName("of() takes values of any type and stores their text, as the builder does")
    void ofTakesAnyValues() {
        int port = 8080;
        ComponentConfig c = ComponentConfig.of(java.util.Map.of("port", port, "ratio", 0.5, "uri", "http://h"));
        assertEquals(8080, c.getInt("port", 0, 1, 65535));
        assertEquals("0.5", c.getString("ratio", ""));
        assertEquals(c, ComponentConfig.builder().put("port", 8080).put("ratio", 0.5).put("uri", "http://h").build());
    }

    @Test
    @DisplayName("accepts known keys and keys of known groups")
    void acceptsKnownKeys() {
        ComponentConfig c = ComponentConfig.builder().put("uri", "file:/x").put("header.Authorization", "t").build();
        c.requireKnownKeys("test transport", Set.of("uri", "fsync"), Set.of("header"));
        ComponentConfig.empty().requireKnownKeys("test transport", Set.of());
    }

    @Test
    @DisplayName("refuses every unknown key, naming the closest known key for each and the known keys")
    void refusesUnknownKeys() {
        ComponentConfig c = ComponentConfig.builder().put("uri", "file:/x").put("fsycn", "false")
                .put("Compression", "gzip").put("zzz-unrelated", "1").build();
        ConfigException e = assertThrows(ConfigException.class,
                () -> c.requireKnownKeys("file-drop transport", List.of("uri", "fsync", "compression")));
        assertEquals("Compression", e.key(), "the first unknown key in key order");
        assertEquals("Unknown configuration keys 'Compression' (did you mean 'compression'?), 'fsycn' (did you"
                + " mean 'fsync'?), 'zzz-unrelated' for the file-drop transport; known keys: compression, fsync, uri",
                e.getMessage());
    }

    @Test
    @DisplayName("suggests a key group for a misspelt group key, and refuses a bare group name")
    void suggestsGroups() {
        ComponentConfig c = ComponentConfig.builder().put("heder.Authorization", "t").build();
        ConfigException e = assertThrows(ConfigException.class,
                () -> c.requireKnownKeys("http transport", Set.of("uri"), Set.of("header")));
        assertEquals("Unknown configuration key 'heder.Authorization' (did you mean 'header.<name>'?) for the http"
                + " transport; known keys: uri, header.<name>", e.getMessage());
        ComponentConfig bare = ComponentConfig.builder().put("header", "x").build();
        e = assertThrows(ConfigException.class,
                () -> bare.requireKnownKeys("http transport", Set.of("uri"), Set.of("header")));
        assertEquals("header", e.key());
    }

    @Test
    @DisplayName("suggests nothing when no known key is close")
    void noSuggestionWhenFar() {
        ComponentConfig c = ComponentConfig.builder().put("edgeloop-tck-no-such-key", "1").build();
        ConfigException e = assertThrows(ConfigException.class,
                () -> c.requireKnownKeys("mqtt transport", Set.of("uri", "client-id", "keep-alive")));
        assertFalse(e.getMessage().contains("did you mean"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> c.requireKnownKeys("runtime", Set.of()));
        assertTrue(e.getMessage().endsWith("known keys: none"), e.getMessage());
        assertEquals("fsync", ComponentConfig.closestKey("fsycn", Set.of("fsync", "uri")));
        assertEquals(null, ComponentConfig.closestKey("port", Set.of("compression")));
        assertEquals(java.util.Optional.of("CO2.slope"), ComponentConfig.closestName("co2.slop",
                java.util.List.of("CO2.mean", "CO2.slope")));
        assertEquals(java.util.Optional.empty(), ComponentConfig.closestName("humidity.mean", Set.of("co2.mean")));
    }
}
