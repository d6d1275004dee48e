package io.edgeloop.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KeyAliases")
class KeyAliasesTest {
    private static final KeyAliases ALIASES = KeyAliases.of(Map.of("maxBundleBytes", "max-bundle-bytes",
            "publishToken", "publish-token"));
    private static final Set<String> KNOWN = Set.of("url", "max-bundle-bytes", "publish-token");

    /** Runs the call with slf4j-simple's System.err captured; returns the log and the result. */
    private static <T> Map.Entry<String, T> logged(Supplier<T> call) {
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        T result;
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
            result = call.get();
        } finally {
            System.setErr(stderr);
        }
        return Map.entry(log.toString(StandardCharsets.UTF_8), result);
    }

    @Test
    @DisplayName("reads a deprecated key as its current key and logs one WARN naming both")
    void deprecatedKeyReadsAsCurrentAndWarnsOnce() {
        ComponentConfig old = ComponentConfig.of(Map.of("url", "http://h", "maxBundleBytes", "1MiB",
                "publishToken", "t0k3n"));
        old.requireKnownKeys("http deployer", KNOWN, Set.of(), ALIASES);
        Map.Entry<String, ComponentConfig> r = logged(() -> ALIASES.resolve("http deployer", old));
        assertEquals(ComponentConfig.of(Map.of("url", "http://h", "max-bundle-bytes", "1MiB",
                "publish-token", "t0k3n")), r.getValue());
        assertEquals(1L << 20, r.getValue().getSizeBytes("max-bundle-bytes", 0));
        String warn = r.getKey();
        assertEquals(1, warn.lines().count(), warn);
        assertTrue(warn.contains("WARN") && warn.contains("http deployer")
                && warn.contains("'maxBundleBytes' (now 'max-bundle-bytes')")
                && warn.contains("'publishToken' (now 'publish-token')"), warn);
        assertFalse(warn.contains("t0k3n"), "no value in the log: " + warn);
    }

    @Test
    @DisplayName("returns the configuration unchanged and logs nothing without deprecated keys")
    void currentKeysPassQuietly() {
        ComponentConfig c = ComponentConfig.of(Map.of("url", "http://h", "max-bundle-bytes", "1MiB"));
        Map.Entry<String, ComponentConfig> r = logged(() -> ALIASES.resolve("http deployer", c));
        assertSame(c, r.getValue());
        assertEquals("", r.getKey());
    }

    @Test
    @DisplayName("accepts both spellings with one value, and refuses them with two, naming both keys")
    void bothSpellings() {
        ComponentConfig same = ComponentConfig.of(Map.of("maxBundleBytes", "1MiB", "max-bundle-bytes", "1MiB"));
        assertEquals(ComponentConfig.of(Map.of("max-bundle-bytes", "1MiB")),
                logged(() -> ALIASES.resolve("http deployer", same)).getValue());
        ComponentConfig two = ComponentConfig.of(Map.of("publishToken", "secret-a", "publish-token", "secret-b"));
        ConfigException e = assertThrows(ConfigException.class, () -> ALIASES.resolve("http deployer", two));
        assertEquals("publish-token", e.key());
        assertEquals("Configuration keys 'publish-token' and 'publishToken' (its deprecated spelling) are both set,"
                + " to different values, for the http deployer; set only 'publish-token'", e.getMessage());
    }

    @Test
    @DisplayName("refuses two deprecated spellings of one key set to different values, naming both keys")
    void twoDeprecatedSpellingsWithDifferentValues() {
        KeyAliases a = KeyAliases.of(Map.of("maxBytes", "max-bytes", "max_bytes", "max-bytes"));
        ComponentConfig two = ComponentConfig.of(Map.of("maxBytes", "secret-1", "max_bytes", "secret-2"));
        two.requireKnownKeys("x", Set.of("max-bytes"), Set.of(), a);
        // before: the later spelling silently won
        ConfigException e = assertThrows(ConfigException.class, () -> a.resolve("x", two));
        assertEquals("max-bytes", e.key());
        assertEquals("Configuration keys 'maxBytes' and 'max_bytes' (both deprecated spellings of 'max-bytes') are"
                + " both set, to different values, for the x; set only 'max-bytes'", e.getMessage());
        ComponentConfig same = ComponentConfig.of(Map.of("maxBytes", "1", "max_bytes", "1"));
        assertEquals(ComponentConfig.of(Map.of("max-bytes", "1")), logged(() -> a.resolve("x", same)).getValue());
    }

    @Test
    @DisplayName("a value error for a key set under its deprecated spelling names that spelling too")
    void valueErrorNamesTheOldSpelling() {
        ComponentConfig old = logged(() -> ALIASES.resolve("http deployer",
                ComponentConfig.of(Map.of("maxBundleBytes", "lots")))).getValue();
        ConfigException e = assertThrows(ConfigException.class, () -> old.getSizeBytes("max-bundle-bytes", 0));
        assertEquals("Invalid value 'lots' for configuration key 'max-bundle-bytes' (set as 'maxBundleBytes'): "
                + "expected a size such as 512, 64KiB, 16MiB or 1GiB", e.getMessage());
        // written under the current key (also beside the old one), or changed since: the current key only
        ComponentConfig both = logged(() -> ALIASES.resolve("http deployer",
                ComponentConfig.of(Map.of("maxBundleBytes", "lots", "max-bundle-bytes", "lots")))).getValue();
        assertFalse(assertThrows(ConfigException.class, () -> both.getSizeBytes("max-bundle-bytes", 0))
                .getMessage().contains("set as"));
        ComponentConfig changed = old.toBuilder().put("max-bundle-bytes", "more").build();
        assertFalse(assertThrows(ConfigException.class, () -> changed.getSizeBytes("max-bundle-bytes", 0))
                .getMessage().contains("set as"));
        assertEquals(ComponentConfig.of(Map.of("max-bundle-bytes", "lots")), old, "the spelling is no value");
    }

    @Test
    @DisplayName("warns once for all the configurations one flag covers")
    void oneFlagOneWarning() {
        AtomicBoolean warned = new AtomicBoolean();
        ComponentConfig old = ComponentConfig.of(Map.of("maxBundleBytes", "1MiB"));
        String log = logged(() -> {
            ALIASES.resolve("int8 quantizer", ComponentConfig.empty(), warned);
            assertFalse(warned.get(), "nothing deprecated yet");
            ALIASES.resolve("int8 quantizer", old, warned);
            return ALIASES.resolve("int8 quantizer (request options)", old, warned);
        }).getKey();
        assertEquals(1, log.lines().count(), log);
        assertTrue(warned.get());
    }

    @Test
    @DisplayName("requireKnownKeys accepts a deprecated key of a known key only, and suggests current keys")
    void requireKnownKeysWithAliases() {
        ComponentConfig.of(Map.of("publishToken", "t")).requireKnownKeys("http deployer", KNOWN, Set.of(), ALIASES);
        // the directory deployer has no publish token: its old spelling is as unknown as its new one
        ConfigException notHere = assertThrows(ConfigException.class, () -> ComponentConfig.of(
                Map.of("publishToken", "t")).requireKnownKeys("directory deployer", Set.of("root",
                "max-bundle-bytes"), Set.of(), ALIASES));
        assertEquals("publishToken", notHere.key());
        // a misspelt old key is offered the new spelling, and the message lists current keys only
        ConfigException e = assertThrows(ConfigException.class, () -> ComponentConfig.of(
                Map.of("maxBundleByte", "1")).requireKnownKeys("http deployer", KNOWN, Set.of(), ALIASES));
        assertEquals("Unknown configuration key 'maxBundleByte' (did you mean 'max-bundle-bytes'?) for the http"
                + " deployer; known keys: max-bundle-bytes, publish-token, url", e.getMessage());
        ConfigException kebab = assertThrows(ConfigException.class, () -> ComponentConfig.of(
                Map.of("publish-tokn", "1")).requireKnownKeys("http deployer", KNOWN, Set.of(), ALIASES));
        assertTrue(kebab.getMessage().contains("(did you mean 'publish-token'?)"), kebab.getMessage());
    }

    @Test
    @DisplayName("refuses aliases that are not lower-kebab, point at themselves or chain")
    void refusesBadAliases() {
        IllegalArgumentException camel = assertThrows(IllegalArgumentException.class,
                () -> KeyAliases.of(Map.of("max_bytes", "maxBytes")));
        assertTrue(camel.getMessage().contains("'maxBytes'") && camel.getMessage().contains("lower-kebab"),
                camel.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyAliases.of(Map.of("max-bytes", "max-bytes")));
        IllegalArgumentException chain = assertThrows(IllegalArgumentException.class,
                () -> KeyAliases.of(Map.of("maxBytes", "max-bytes", "max-bytes", "max-size")));
        assertTrue(chain.getMessage().contains("'maxBytes'"), chain.getMessage());
        assertSame(KeyAliases.none(), KeyAliases.of(Map.of()));
        assertEquals(Map.of("maxBundleBytes", "max-bundle-bytes", "publishToken", "publish-token"), ALIASES.asMap());
        assertEquals("max-bundle-bytes", ALIASES.currentKey("maxBundleBytes").orElseThrow());
        assertTrue(ALIASES.currentKey("max-bundle-bytes").isEmpty());
    }
}
