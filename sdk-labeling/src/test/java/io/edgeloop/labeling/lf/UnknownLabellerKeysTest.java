package io.edgeloop.labeling.lf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.spi.ProviderLoader;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The built-in labellers refuse a configuration key they do not read, naming the closest known one (a misspelt
 * {@code otherwise} used to leave the labeller abstaining where it should vote), and accept every key they
 * document, sensor-health's own keys beside the threshold keys included.
 */
@DisplayName("Labeller configuration keys")
class UnknownLabellerKeysTest {
    private static ComponentConfig config(String pairs) {
        Map<String, String> m = new TreeMap<>();
        for (String kv : pairs.split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return ComponentConfig.of(m);
    }

    @ParameterizedTest(name = "{0}: {2} suggests {3}")
    @CsvSource({
        "threshold,      feature=light.mean above=300,        otherwize, otherwise",
        "range,          feature=co2.mean min=1 max=2,        maxx,      max",
        "rate-of-change, channel=co2 above=0.05,              chanel,    channel",
        "duration,       channel=light above=300,             sample,    samples",
        "sensor-health,  feature=light.mean above=300,        saturation.hihg, saturation.high",
    })
    @DisplayName("refuses a misspelt key, naming the closest known key")
    void refusesMisspeltKey(String provider, String valid, String key, String near) {
        ComponentConfig c = config(valid).toBuilder().put(key, "1").build();
        ConfigException e = assertThrows(ConfigException.class,
                () -> ProviderLoader.of(LabellerProvider.class).select(provider).create(c));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains("'" + key + "' (did you mean '" + near + "'?) for the " + provider
                + " labeller"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "threshold,      feature=light.mean below=300 name=n classes=3 vote=2 otherwise=0",
        "range,          feature=co2.mean min=1 max=2 name=n classes=2 vote=1 otherwise=-1",
        "rate-of-change, channel=co2 below=0.05 name=n classes=2 vote=0 otherwise=1",
        "duration,       channel=light above=300 samples=5 name=n classes=2 vote=1 otherwise=0",
        "sensor-health,  feature=light.mean above=300 name=n classes=2 vote=1 otherwise=0 channels=light"
                + " saturation.low=0 saturation.high=1000 flatline.samples=10",
    })
    @DisplayName("accepts every documented key")
    void acceptsDocumentedKeys(String provider, String all) {
        assertNotNull(ProviderLoader.of(LabellerProvider.class).select(provider).create(config(all)));
    }
}
