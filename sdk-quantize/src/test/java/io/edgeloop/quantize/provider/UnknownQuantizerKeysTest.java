package io.edgeloop.quantize.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.Quantizer;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The quantizers refuse an option they do not read, in their provider config or a request's options, naming the
 * closest known one (a misspelt {@code calibraton=mse} used to quantize with auto calibration and record "auto" in
 * the provenance); the integer runtime, which reads no configuration, refuses any key. The options' camelCase
 * spellings of before 2026-12-03 still work, as deprecated aliases of the lower-kebab ones.
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
        assertTrue(e.getMessage().contains("'weightscales' (did you mean 'weight-scales'?)"), e.getMessage());
    }

    @Test
    @DisplayName("a quantizer accepts every documented option")
    void acceptsDocumentedOptions() {
        assertNotNull(ProviderLoader.of(QuantizerProvider.class).select("int16").create(ComponentConfig.of(Map.of(
                "calibration", "mse", "weights", "int8", "weight-scales", "per-tensor", "bias-correction", "false",
                "adaptive-rounding", "false", "tree-thresholds", "exact", "tree-input-scales", "calibrated"))));
    }

    @Test
    @DisplayName("reads the old camelCase options as the new ones, with one WARN per quantizer naming the new spelling")
    void oldOptionsStillWorkAndWarnOnce() throws Exception {
        QuantizationRequest base = QuantizerContractTests.request(TargetProfile.AVR8); // trains before the capture
        ComponentConfig oldConfig = ComponentConfig.of(Map.of("weightScales", "per-tensor", "biasCorrection", "false"));
        QuantizationRequest oldRequest = base.toBuilder().options(ComponentConfig.of(Map.of("adaptiveRounding",
                "true"))).build();
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        QuantizedModel first;
        QuantizedModel second;
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
            Quantizer q = ProviderLoader.of(QuantizerProvider.class).select("int8").create(oldConfig);
            first = q.quantize(oldRequest);
            second = q.quantize(oldRequest);
        } finally {
            System.setErr(stderr);
        }
        QuantizedModel current = ProviderLoader.of(QuantizerProvider.class).select("int8").create(ComponentConfig.of(
                Map.of("weight-scales", "per-tensor", "bias-correction", "false"))).quantize(base.toBuilder()
                .options(ComponentConfig.of(Map.of("adaptive-rounding", "true"))).build());
        // the provenance records the settings under their camelCase names: a file format, not configuration keys
        Map<String, String> settings = first.provenance().settings();
        assertEquals("per-tensor", settings.get("weightScales"), settings.toString());
        assertEquals("false", settings.get("biasCorrection"), settings.toString());
        assertEquals("true", settings.get("adaptiveRounding"), settings.toString());
        assertEquals(current.provenance().settings(), settings, "old and new spellings quantize alike");
        assertEquals(current.provenance().settings(), second.provenance().settings());
        List<String> warnings = log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("deprecated"))
                .toList();
        assertEquals(1, warnings.size(), "one WARN for the quantizer's config and both requests: " + warnings);
        assertTrue(warnings.get(0).contains("WARN") && warnings.get(0).contains("int8 quantizer")
                && warnings.get(0).contains("'weightScales' (now 'weight-scales')")
                && warnings.get(0).contains("'biasCorrection' (now 'bias-correction')"), warnings.get(0));
    }

    @Test
    @DisplayName("refuses the old and the new spelling of one option set to different values, naming both")
    void refusesBothSpellingsWithTwoValues() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> ProviderLoader.of(QuantizerProvider.class)
                .select("int16").create(ComponentConfig.of(Map.of("treeThresholds", "aligned", "tree-thresholds",
                        "exact"))));
        assertEquals("tree-thresholds", e.key());
        assertTrue(e.getMessage().contains("'tree-thresholds' and 'treeThresholds'"), e.getMessage());
        Quantizer q = ProviderLoader.of(QuantizerProvider.class).select("int16").create(ComponentConfig.empty());
        QuantizationRequest r = QuantizerContractTests.request(TargetProfile.AVR8).toBuilder().options(
                ComponentConfig.of(Map.of("weightScales", "per-tensor", "weight-scales", "per-channel"))).build();
        ConfigException o = assertThrows(ConfigException.class, () -> q.quantize(r));
        assertEquals("weight-scales", o.key());
    }

    @Test
    @DisplayName("the edgeloop-int runtime, which reads no configuration, refuses any key")
    void runtimeRefusesAnyKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ProviderLoader.of(ModelRuntimeProvider.class)
                .select("edgeloop-int").create(ComponentConfig.of(Map.of("version", "2"))));
        assertTrue(e.getMessage().endsWith("for the edgeloop-int runtime; known keys: none"), e.getMessage());
    }
}
