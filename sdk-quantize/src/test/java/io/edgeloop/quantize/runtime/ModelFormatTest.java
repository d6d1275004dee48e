package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.scheme.WeightScales;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static QuantizedArtifact artifact(String kind, Scheme scheme) {
        Object[] m = TestModels.all(6).get(kind);
        IntModel im = new ModelQuantizer(scheme, Calibration.MIN_MAX).quantize((FloatModel) m[0], (double[][]) m[1]);
        return new QuantizedArtifact(im, TargetProfile.AVR8, "min-max",
                Provenance.capture("quantized-model", ModelFormatTest.class).build());
    }

    @Test
    @DisplayName("every model kind and scheme survives model.json and predicts the same")
    void roundTrips() throws IOException {
        for (String kind : TestModels.all(6).keySet()) {
            for (Scheme s : new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT16_W8, Scheme.INT32}) {
                QuantizedArtifact a = artifact(kind, s);
                QuantizedArtifact b = ModelFormat.fromBytes(ModelFormat.toBytes(a));
                assertArrayEquals(ModelFormat.toBytes(a), ModelFormat.toBytes(b), kind + " " + s);
                for (int[] in : GoldenVectors.inputs(a.model(), 300, 3)) {
                    assertArrayEquals(a.predict(in), b.predict(in));
                }
            }
        }
    }

    @Test
    @DisplayName("writes the agreed directory layout with golden vectors computed by the runtime")
    void writesDirectory(@TempDir Path dir) throws IOException {
        QuantizedArtifact a = artifact("mlp", Scheme.INT8);
        a.writeTo(dir);
        for (String f : new String[] {"model.json", "model.h", "model.c", "report.json", "golden.json"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        JsonNode model = JSON.readTree(dir.resolve("model.json").toFile());
        assertEquals("edgeloop-quantized-model", model.get("format").asText());
        assertEquals(2, model.get("formatVersion").asInt());
        assertEquals("single", model.get("rounding").get("rule").asText());
        JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
        assertEquals("avr8", report.get("target").asText());
        assertEquals(6, report.get("inputSize").asInt());
        assertTrue(report.get("flashBytes").asLong() > 0 && report.get("ramBytes").asLong() > 0);
        JsonNode golden = JSON.readTree(dir.resolve("golden.json").toFile());
        assertEquals(64, golden.get("inputs").size());
        IntegerModel loaded = ProviderLoader.of(ModelRuntimeProvider.class).select("edgeloop-int")
                .create(ComponentConfig.empty()).load(Files.readAllBytes(dir.resolve("model.json")));
        for (int k = 0; k < 64; k++) {
            int[] in = JSON.convertValue(golden.get("inputs").get(k), int[].class);
            int[] out = JSON.convertValue(golden.get("outputs").get(k), int[].class);
            assertArrayEquals(out, loaded.predict(in));
        }
    }

    @Test
    @DisplayName("rejects corrupt, truncated, unknown-version and tampered models with a clear message")
    void rejectsBadModels() throws IOException {
        ModelRuntime rt = new io.edgeloop.quantize.provider.EdgeloopIntRuntimeProvider().create(ComponentConfig.empty());
        byte[] good = ModelFormat.toBytes(artifact("logistic", Scheme.INT8));
        IOException e = assertThrows(IOException.class, () -> rt.load("{".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
        e = assertThrows(IOException.class, () -> rt.load(java.util.Arrays.copyOf(good, good.length / 2)));
        assertTrue(e.getMessage().contains("Not a quantized model"), e.getMessage());
        ObjectNode n = (ObjectNode) JSON.readTree(good);
        n.put("formatVersion", 3);
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(n)));
        assertTrue(e.getMessage().contains("formatVersion 3"), e.getMessage());
        ObjectNode rq = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) rq.get("layers").get(0)).put("weightScales", "per-channel");
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(rq)));
        assertTrue(e.getMessage().contains("contradicts requantization"), e.getMessage());
        ObjectNode unknown = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) unknown.get("layers").get(0)).put("requantization", "per-row");
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(unknown)));
        assertTrue(e.getMessage().contains("Unknown requantization 'per-row'"), e.getMessage());
        ObjectNode t = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) t.get("layers").get(0)).put("accumulatorBound", 1);
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(t)));
        assertTrue(e.getMessage().contains("accumulator proof"), e.getMessage());
        ObjectNode r = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) r.get("rounding")).put("rule", "double");
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(r)));
        assertTrue(e.getMessage().contains("rounding"), e.getMessage());
        ObjectNode tree = (ObjectNode) JSON.readTree(ModelFormat.toBytes(artifact("cart", Scheme.INT8)));
        com.fasterxml.jackson.databind.node.ArrayNode thr = (com.fasterxml.jackson.databind.node.ArrayNode) tree.get("threshold");
        thr.set(0, thr.get(0).asLong() + 1);
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(tree)));
        assertTrue(e.getMessage().contains("does not reproduce the float split"), e.getMessage());
        assertEquals("1.0.0", rt.version());
    }

    @Test
    @DisplayName("refuses bytes after the model (NUL padding a torn write leaves, a second object); a newline is fine")
    void rejectsTrailingBytes() throws IOException {
        ModelRuntime rt = new io.edgeloop.quantize.provider.EdgeloopIntRuntimeProvider().create(ComponentConfig.empty());
        byte[] good = ModelFormat.toBytes(artifact("logistic", Scheme.INT8));
        byte[] padded = java.util.Arrays.copyOf(good, good.length + 4096);
        IOException e = assertThrows(IOException.class, () -> rt.load(padded));
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
        byte[] two = (new String(good, StandardCharsets.UTF_8) + "{}").getBytes(StandardCharsets.UTF_8);
        e = assertThrows(IOException.class, () -> rt.load(two));
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
        byte[] newline = (new String(good, StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(good, ModelFormat.toBytes(ModelFormat.fromBytes(newline)));
    }

    @Test
    @DisplayName("refuses bounds that are not proved: a Long.MIN_VALUE bias, regression leaves whose sum overflows int32")
    void rejectsUnprovedBounds() throws IOException {
        ModelRuntime rt = new io.edgeloop.quantize.provider.EdgeloopIntRuntimeProvider().create(ComponentConfig.empty());
        ObjectNode n = (ObjectNode) JSON.readTree(ModelFormat.toBytes(artifact("logistic-binary", Scheme.INT8)));
        ObjectNode layer = (ObjectNode) n.get("layers").get(0);
        ((com.fasterxml.jackson.databind.node.ArrayNode) layer.get("bias")).set(0, Long.MIN_VALUE);
        // |Long.MIN_VALUE| wrapped to a negative number used to make the recomputed bound 0.
        layer.put("accumulatorBound", 0);
        layer.put("accumulatorBits", 32);
        IOException e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(n)));
        assertTrue(e.getMessage().contains("exceeds int64"), e.getMessage());

        ObjectNode reg = (ObjectNode) JSON.readTree(ModelFormat.toBytes(artifact("regression-forest", Scheme.INT8)));
        com.fasterxml.jackson.databind.node.ArrayNode feature = (com.fasterxml.jackson.databind.node.ArrayNode) reg.get("feature");
        com.fasterxml.jackson.databind.node.ArrayNode value = (com.fasterxml.jackson.databind.node.ArrayNode) reg.get("value");
        for (int i = 0; i < feature.size(); i++) {
            if (feature.get(i).asInt() < 0) {
                value.set(i, 2_000_000_000);
            }
        }
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(reg)));
        assertTrue(e.getMessage().contains("can overflow the int32 regression sum"), e.getMessage());
        InputQuantization iq = new InputQuantization(new double[] {1}, new long[] {0}, -128, 127);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> new IntTreeEnsemble("int8",
                List.of("x"), List.of(), iq, new int[] {0, 1}, new int[] {-1, -1}, new long[2], new double[2],
                new int[2], new int[2], new int[] {2_000_000_000, 2_000_000_000}, 1.0));
        assertTrue(x.getMessage().contains("2 trees of leaf values up to 2000000000"), x.getMessage());
    }

    @Test
    @DisplayName("refuses a formatVersion or an integer field that is not an integer instead of truncating it")
    void rejectsNonIntegerNumbers() throws IOException {
        ModelRuntime rt = new io.edgeloop.quantize.provider.EdgeloopIntRuntimeProvider().create(ComponentConfig.empty());
        byte[] good = ModelFormat.toBytes(artifact("logistic", Scheme.INT8));
        for (String v : new String[] {"2.9", "\"2\"", "1.5", "2.0"}) {
            ObjectNode n = (ObjectNode) JSON.readTree(good);
            n.set("formatVersion", JSON.readTree(v));
            IOException e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(n)), v);
            assertTrue(e.getMessage().contains("formatVersion must be an integer, got " + v), e.getMessage());
        }
        ObjectNode w = (ObjectNode) JSON.readTree(good);
        ((com.fasterxml.jackson.databind.node.ArrayNode) w.get("layers").get(0).get("weights")).set(0, 1.5);
        IOException e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(w)));
        assertTrue(e.getMessage().contains("value 1.5 is not an int32"), e.getMessage());
        ObjectNode f = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) f.get("layers").get(0)).put("inputs", 6.0);
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(f)));
        assertTrue(e.getMessage().contains("non-int32 field 'inputs'"), e.getMessage());
        ObjectNode b = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) b.get("layers").get(0)).put("accumulatorBound", b.get("layers").get(0).get("accumulatorBound")
                .asLong() + 0.5);
        e = assertThrows(IOException.class, () -> rt.load(JSON.writeValueAsBytes(b)));
        assertTrue(e.getMessage().contains("non-int64 field 'accumulatorBound'"), e.getMessage());
    }

    @Test
    @DisplayName("toMap hands out copies: changing them does not change the model")
    void toMapDoesNotExposeInternalArrays() throws IOException {
        for (String kind : List.of("mlp", "forest", "regression-forest")) {
            IntModel m = artifact(kind, Scheme.INT8).model();
            Provenance p = Provenance.capture("quantized-model", ModelFormatTest.class).build();
            byte[] before = ModelFormat.toBytes(new QuantizedArtifact(m, TargetProfile.AVR8, "min-max", p));
            Map<String, Object> map = m.toMap();
            List<Object> arrays = new java.util.ArrayList<>(map.values());
            if (map.containsKey("layers")) {
                arrays.clear();
                for (Object l : (List<?>) map.get("layers")) {
                    arrays.addAll(((Map<?, ?>) l).values());
                }
            }
            int[][] probes = GoldenVectors.inputs(m, 50, 4);
            int[][] expected = new int[probes.length][];
            for (int i = 0; i < probes.length; i++) {
                expected[i] = m.predict(probes[i]);
            }
            for (Object a : arrays) {
                if (a instanceof int[]) {
                    java.util.Arrays.fill((int[]) a, 1);
                } else if (a instanceof long[]) {
                    java.util.Arrays.fill((long[]) a, 1);
                } else if (a instanceof double[]) {
                    java.util.Arrays.fill((double[]) a, 1);
                }
            }
            for (int i = 0; i < probes.length; i++) {
                assertArrayEquals(expected[i], m.predict(probes[i]), kind);
            }
            assertArrayEquals(before, ModelFormat.toBytes(new QuantizedArtifact(m, TargetProfile.AVR8, "min-max", p)),
                    kind);
        }
    }

    @Test
    @DisplayName("a version 1 model (per-channel requantisation everywhere) still loads and predicts the same")
    void readsVersion1() throws IOException {
        IntModel im = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX, WeightScales.PER_CHANNEL)
                .quantize((FloatModel) TestModels.all(6).get("mlp")[0], (double[][]) TestModels.all(6).get("mlp")[1]);
        QuantizedArtifact a = new QuantizedArtifact(im, TargetProfile.AVR8, "min-max",
                Provenance.capture("quantized-model", ModelFormatTest.class).build());
        ObjectNode v1 = (ObjectNode) JSON.readTree(ModelFormat.toBytes(a));
        v1.put("formatVersion", 1);
        for (JsonNode l : v1.get("layers")) {
            ((ObjectNode) l).remove("requantization");
            ((ObjectNode) l).remove("weightScales");
        }
        QuantizedArtifact b = ModelFormat.fromBytes(JSON.writeValueAsBytes(v1));
        for (int[] in : GoldenVectors.inputs(im, 300, 5)) {
            assertArrayEquals(a.predict(in), b.predict(in));
        }
        ObjectNode compact = (ObjectNode) JSON.readTree(ModelFormat.toBytes(artifact("logistic", Scheme.INT8)));
        compact.put("formatVersion", 1);
        IOException e = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(compact)));
        assertTrue(e.getMessage().contains("multipliers"), e.getMessage());
    }

    @Test
    @DisplayName("integer inputs outside the scheme's range are rejected")
    void rejectsOutOfRangeInputs() {
        QuantizedArtifact a = artifact("logistic", Scheme.INT8);
        int[] in = new int[6];
        in[2] = 128;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.predict(in));
        assertTrue(e.getMessage().contains("outside [-128, 127]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.predict(new int[5]));
    }

    @Test
    @DisplayName("int8 parameters take at most 0.3x the float32 bytes on a 128-feature model")
    void int8IsSmall() {
        Map<String, Object[]> all = TestModels.all(128);
        IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize((FloatModel) all.get("mlp")[0],
                (double[][]) all.get("mlp")[1]);
        double ratio = (double) m.parameterBytes() / m.float32ParameterBytes();
        System.out.println("int8 mlp 128-16-8-3 parameter bytes " + m.parameterBytes() + " / float32 "
                + m.float32ParameterBytes() + " = " + ratio);
        assertTrue(ratio <= 0.3, "ratio " + ratio);
    }
    @Test
    @DisplayName("a model.json naming two inputs (or two classes) alike is refused, naming the name and both positions")
    void rejectsRepeatedNames() throws IOException {
        // Before: it loaded, and eval fed the first CSV column of that name to both inputs.
        for (String kind : List.of("logistic", "cart")) {
            ObjectNode n = (ObjectNode) JSON.readTree(ModelFormat.toBytes(artifact(kind, Scheme.INT8)));
            com.fasterxml.jackson.databind.node.ArrayNode f = (com.fasterxml.jackson.databind.node.ArrayNode) n.get("features");
            f.set(1, f.get(0));
            IOException e = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(n)));
            assertTrue(e.getMessage().contains("feature name '" + f.get(0).asText() + "' occurs twice, at positions 0 and 1"),
                    kind + ": " + e.getMessage());
            ObjectNode c = (ObjectNode) JSON.readTree(ModelFormat.toBytes(artifact(kind, Scheme.INT8)));
            ((com.fasterxml.jackson.databind.node.ArrayNode) c.get("classes")).set(1, c.get("classes").get(0));
            e = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(c)));
            assertTrue(e.getMessage().contains("class name"), kind + ": " + e.getMessage());
        }
    }
}
