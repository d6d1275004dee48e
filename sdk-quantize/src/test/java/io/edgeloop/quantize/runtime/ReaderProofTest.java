package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.quantize.scheme.Scheme;
import java.io.IOException;
import java.math.BigInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The model.json reader refuses stored ranges and zero points that the generated C and the Java runtime cannot
 * execute identically without overflow (the reviewer's crafted files, 04-reader-proof-gaps.sh: both used to load).
 */
class ReaderProofTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode json(String kind, Scheme s) throws IOException {
        return (ObjectNode) JSON.readTree(ModelFormat.toBytes(ModelFormatTest.artifact(kind, s)));
    }

    /** Recomputes a layer's accumulator proof the way the reader does, so only the edited field is wrong. */
    private static void reprove(ObjectNode layer) {
        long inAbs = Math.max(Math.abs(layer.get("inputMin").asLong()), Math.abs(layer.get("inputMax").asLong()));
        int ni = layer.get("inputs").asInt();
        BigInteger bound = BigInteger.ZERO;
        for (int o = 0; o < layer.get("outputs").asInt(); o++) {
            BigInteger b = BigInteger.valueOf(layer.get("bias").get(o).asLong()).abs();
            for (int i = 0; i < ni; i++) {
                b = b.add(BigInteger.valueOf(Math.abs(layer.get("weights").get(o * ni + i).asLong()))
                        .multiply(BigInteger.valueOf(inAbs)));
            }
            bound = bound.max(b);
        }
        layer.put("accumulatorBound", bound.longValueExact());
        layer.put("accumulatorBits", bound.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) <= 0 ? 32 : 64);
    }

    private static String refusal(ObjectNode model) {
        IOException e = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(model)));
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    @DisplayName("a hidden layer whose output range exceeds the network's activation type is refused, naming layer and field")
    void refusesHiddenRangesWiderThanTheActivationType() throws IOException {
        Object[][] cases = {{Scheme.INT8, 1000}, {Scheme.INT16, 40_000}};
        for (Object[] c : cases) {
            ObjectNode m = json("mlp", (Scheme) c[0]);
            ObjectNode l0 = (ObjectNode) m.get("layers").get(0);
            ObjectNode l1 = (ObjectNode) m.get("layers").get(1);
            l0.put("outputMax", (Integer) c[1]);
            l1.put("inputMax", (Integer) c[1]);
            reprove(l1);
            String msg = refusal(m);
            assertTrue(msg.contains("Layer 0 outputMin/outputMax") && msg.contains(String.valueOf(c[1]))
                    && msg.contains("activation type"), msg);
        }
        // Quantizer output itself still loads (ModelFormatTest.roundTrips covers every kind and scheme).
        ModelFormat.fromBytes(JSON.writeValueAsBytes(json("mlp", Scheme.INT8)));
    }

    @Test
    @DisplayName("a zero point whose addition to the requantised value could overflow int64 is refused, naming layer and field")
    void refusesZeroPointsThatOverflowAfterRequantisation() throws IOException {
        ObjectNode m = json("linear-regression", Scheme.INT16);
        ObjectNode l = (ObjectNode) m.get("layers").get(0);
        long inAbs = Math.max(Math.abs(l.get("inputMin").asLong()), Math.abs(l.get("inputMax").asLong()));
        long s = 0;
        int ni = l.get("inputs").asInt();
        for (int i = 0; i < ni; i++) {
            s += Math.abs(l.get("weights").get(i).asLong()) * inAbs;
        }
        // Output 0 reaches -(2^63 - 6) on the extreme input; adding the zero point -32768 would wrap.
        ((ArrayNode) l.get("bias")).set(0, JSON.getNodeFactory().numberNode(-(Long.MAX_VALUE - s - 5)));
        ArrayNode mult = (ArrayNode) l.get("multiplier");
        ArrayNode shift = (ArrayNode) l.get("shift");
        for (int k = 0; k < mult.size(); k++) {
            mult.set(k, JSON.getNodeFactory().numberNode(1));
            shift.set(k, JSON.getNodeFactory().numberNode(0));
        }
        l.put("outputZeroPoint", -32768);
        l.put("outputMin", -32768);
        reprove(l);
        String msg = refusal(m);
        assertTrue(msg.contains("layer 0") && msg.contains("outputZeroPoint -32768") && msg.contains("overflows int64"),
                msg);
        // With a zero point of 0 the same layer is provably safe and loads.
        l.put("outputZeroPoint", 0);
        JsonNode ok = m;
        ModelFormat.fromBytes(JSON.writeValueAsBytes(ok));
    }

    @Test
    @DisplayName("layers wider than the C's 16-bit loop counters and trees beyond its int16 feature indices are refused")
    void refusesWidthsTheGeneratedCCannotIndex() {
        int n = 65_536;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IntLayer(n, 1, 8, new int[n],
                new long[1], Requantization.PER_TENSOR, new int[] {1}, new int[] {0}, 0, -128, 127, -128, 127, 1.0,
                "none"));
        assertTrue(e.getMessage().contains("16-bit loop counters"), e.getMessage());
        int f = 32_768;
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < f; i++) {
            names.add("f" + i);
        }
        double[] scale = new double[f];
        java.util.Arrays.fill(scale, 1.0);
        InputQuantization iq = new InputQuantization(scale, new long[f], -128, 127);
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> new IntTreeEnsemble("int8",
                names, java.util.List.of("a", "b"), iq, new int[] {0}, new int[] {-1}, new long[1], new double[1],
                new int[1], new int[1], new int[1], 1.0, null, 1.0));
        assertTrue(t.getMessage().contains("int16 feature indices"), t.getMessage());
    }
}
