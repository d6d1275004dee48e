package io.edgeloop.quantize.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.Quantizer;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The quantizers refuse an option they do not read, in their provider config or a request's options, naming the
 * closest known one (a misspelt {@code calibraton=mse} used to quantize with auto calibration and record "auto" in
 * the provenance); the integer runtime, which reads no configuration, refuses any key.
 */
@DisplayName("Quantizer and runtime configuration keys")
class UnknownQuantizerKeysTest {
    @Test
    @DisplayName("a quantizer refuses a misspelt option in its provider config, naming the closest known option")
    void refusesMisspeltProviderOption() {
        ConfigException e = assertThrows(ConfigException.class, () -> ProviderLoader.of(QuantizerProvider.class)
                .select("int8").create(ComponentConfig.of(Map.of("calibraton", "mse"))));
        assertEquals("calibraton", e.key());
        assertTrue(e.getMessage().contains("'calibraton' (did you mean 'calibration'?) for the int8 quantizer"),
                e.getMessage());
    }

    @Test
    @DisplayName("a quantizer refuses a misspelt request option before reading the model")
    void refusesMisspeltRequestOption() {
        Quantizer q = ProviderLoader.of(QuantizerProvider.class).select("int16").create(ComponentConfig.empty());
        QuantizationRequest r = QuantizationRequest.builder().modelFile(Path.of("no-such.model"))
                .calibration(new double[][] {{1}}).target(TargetProfile.of("avr8"))
                .options(ComponentConfig.of(Map.of("weightscales", "per-tensor"))).build();
        ConfigException e = assertThrows(ConfigException.class, () -> q.quantize(r));
        assertTrue(e.getMessage().contains("'weightscales' (did you mean 'weightScales'?)"), e.getMessage());
    }

    @Test
    @DisplayName("a quantizer accepts every documented option")
    void acceptsDocumentedOptions() {
        assertNotNull(ProviderLoader.of(QuantizerProvider.class).select("int16").create(ComponentConfig.of(Map.of(
                "calibration", "mse", "weights", "int8", "weightScales", "per-tensor", "biasCorrection", "false",
                "adaptiveRounding", "false", "treeThresholds", "exact"))));
    }

    @Test
    @DisplayName("the edgeloop-int runtime, which reads no configuration, refuses any key")
    void runtimeRefusesAnyKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ProviderLoader.of(ModelRuntimeProvider.class)
                .select("edgeloop-int").create(ComponentConfig.of(Map.of("version", "2"))));
        assertTrue(e.getMessage().endsWith("for the edgeloop-int runtime; known keys: none"), e.getMessage());
    }
}
