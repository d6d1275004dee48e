package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real quantized models meet bundles: a Tribuo model trained on the UCI occupancy data is quantized by
 * sdk-quantize for two targets, packaged with {@code bundle create}, and {@code bundle verify} runs the golden
 * vectors bit-exactly on the {@code edgeloop-int} runtime.
 */
@DisplayName("edgeloop bundle with real quantized models")
class BundleQuantizedModelTest {
    private StringWriter out;
    private StringWriter err;

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    static Path datasets() throws IOException {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            if (Files.exists(pom) && Files.readString(pom).contains("<artifactId>edgeloop-parent</artifactId>")
                    && !Files.readString(pom).contains("<parent>")) {
                for (Path a = p.getParent(); a != null; a = a.getParent()) {
                    if (Files.isDirectory(a.resolve("shared/datasets"))) {
                        return a.resolve("shared/datasets");
                    }
                }
                return p.resolveSibling("shared").resolve("datasets");
            }
        }
        throw new IllegalStateException("repository root not found from " + System.getProperty("user.dir"));
    }

    @Test
    @DisplayName("packages int8 (avr8) and int16 (cortex-m3) models and verifies their golden vectors bit-exactly")
    void realModels(@TempDir Path dir) throws Exception {
        CsvData train = CsvData.read(datasets().resolve("occupancy-detection-uci/datatraining.txt"), "Occupancy",
                Set.of("date"));
        Path modelFile = dir.resolve("occupancy.model");
        TribuoTraining.train(train, "logistic", 1).serializeToFile(modelFile);
        Path avr = dir.resolve("q-avr8");
        Path m3 = dir.resolve("q-cortex-m3");
        quantize("int8", TargetProfile.AVR8, modelFile, train.rows()).writeTo(avr);
        quantize("int16", TargetProfile.CORTEX_M3, modelFile, train.rows()).writeTo(m3);

        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString()), err.toString());
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1",
                "--out", dir.resolve("trust.json").toString()), err.toString());
        Path bundle = dir.resolve("occupancy.bundle");
        assertEquals(0, run("bundle", "create", "--model", avr.toString(), "--model", m3.toString(), "--name",
                "occupancy", "--sequence", "1", "--key", dir.resolve("k/private.pem").toString(), "--gzip", "--out",
                bundle.toString()), err.toString());
        for (String profile : new String[] {"avr8", "cortex-m3"}) {
            assertEquals(0, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                    "--profile", profile, "--json"), err.toString());
            JsonNode r = new ObjectMapper().readTree(out.toString());
            assertTrue(r.get("goldenVectors").asText().contains("bit-exact on edgeloop-int"), r.toString());
        }
        assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "jvm"));
        assertTrue(err.toString().contains("target: no artifact for target jvm"), err.toString());
    }

    @Test
    @DisplayName("a golden-vector mismatch is reported as one (not as 'the runtime cannot load the artifact')")
    void goldenMismatchIsNamed(@TempDir Path dir) throws Exception {
        CsvData train = CsvData.read(datasets().resolve("occupancy-detection-uci/datatraining.txt"), "Occupancy",
                Set.of("date"));
        Path modelFile = dir.resolve("occupancy.model");
        TribuoTraining.train(train, "logistic", 1).serializeToFile(modelFile);
        Path avr = dir.resolve("q-avr8");
        quantize("int8", TargetProfile.AVR8, modelFile, train.rows()).writeTo(avr);
        // one expected output changed by 1, as the reviewer's har-9-bad.bundle
        ObjectMapper om = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode g = (com.fasterxml.jackson.databind.node.ObjectNode) om.readTree(
                avr.resolve("golden.json").toFile());
        com.fasterxml.jackson.databind.node.ArrayNode first = (com.fasterxml.jackson.databind.node.ArrayNode) g
                .get("outputs").get(0);
        first.set(0, om.getNodeFactory().numberNode(first.get(0).asLong() + 1));
        om.writeValue(avr.resolve("golden.json").toFile(), g);
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString()), err.toString());
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1",
                "--out", dir.resolve("trust.json").toString()), err.toString());
        Path bundle = dir.resolve("bad.bundle");
        assertEquals(0, run("bundle", "create", "--model", avr.toString(), "--name", "occupancy", "--sequence", "1",
                "--key", dir.resolve("k/private.pem").toString(), "--out", bundle.toString()), err.toString());
        assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "avr8"));
        String e = err.toString().trim();
        assertTrue(e.startsWith("edgeloop: bundle refused: golden-vectors: vector 0 computed"), e);
        assertTrue(!e.contains("cannot load"), e);
    }

    private static QuantizedModel quantize(String scheme, TargetProfile target, Path model, double[][] calibration)
            throws IOException {
        return ProviderLoader.of(QuantizerProvider.class).select(scheme).create(ComponentConfig.empty())
                .quantize(QuantizationRequest.builder().modelFile(model).calibration(calibration).target(target).build());
    }
}
