package io.edgeloop.ota.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;

/**
 * The simulator's device runtime ({@code edgeloop-sim} 1.0.0): integer linear models stored as
 * {@code {"format":"edgeloop-sim-linear","variant":...,"w":[[...]],"b":[...]}}. A defective instance keeps its
 * accumulator in 16 bits, as a device with a buggy runtime might: models whose sums leave the 16-bit range then
 * compute different outputs, which the golden vectors catch.
 *
 * <p>Thread-safe: immutable.
 */
public final class SimulatedRuntime implements ModelRuntime {
    /** The runtime name artifacts refer to. */
    public static final String NAME = "edgeloop-sim";
    private final boolean defective;

    /**
     * @param defective true for a runtime with a 16-bit accumulator bug
     */
    public SimulatedRuntime(boolean defective) {
        this.defective = defective;
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    /**
     * Encodes a model.
     *
     * @param variant the variant it is built for
     * @param w       weights [outputs][inputs]
     * @param b       biases [outputs]
     * @return the artifact bytes
     */
    public static byte[] encode(String variant, int[][] w, int[] b) {
        ObjectNode o = CanonicalJson.object();
        o.put("format", "edgeloop-sim-linear");
        o.put("variant", variant);
        ArrayNode wa = o.putArray("w");
        for (int[] row : w) {
            ArrayNode r = wa.addArray();
            for (int v : row) {
                r.add(v);
            }
        }
        ArrayNode ba = o.putArray("b");
        for (int v : b) {
            ba.add(v);
        }
        return CanonicalJson.bytes(o);
    }

    @Override
    public IntegerModel load(byte[] artifact) throws IOException {
        JsonNode n = CanonicalJson.parse(artifact);
        if (!"edgeloop-sim-linear".equals(n.path("format").asText())) {
            throw new IOException("not an edgeloop-sim-linear model");
        }
        JsonNode w = n.get("w");
        JsonNode b = n.get("b");
        if (w == null || b == null || w.size() == 0 || w.size() != b.size()) {
            throw new IOException("malformed edgeloop-sim-linear model");
        }
        int out = w.size();
        int in = w.get(0).size();
        int[][] wm = new int[out][in];
        int[] bv = new int[out];
        for (int j = 0; j < out; j++) {
            if (w.get(j).size() != in) {
                throw new IOException("ragged weight matrix");
            }
            for (int i = 0; i < in; i++) {
                wm[j][i] = w.get(j).get(i).intValue();
            }
            bv[j] = b.get(j).intValue();
        }
        boolean bug = defective;
        return new IntegerModel() {
            @Override
            public int inputSize() {
                return in;
            }

            @Override
            public int outputSize() {
                return out;
            }

            @Override
            public void predict(int[] input, int[] output) {
                if (input.length != in || output.length != out) {
                    throw new IllegalArgumentException("expected " + in + " inputs and " + out + " outputs");
                }
                for (int j = 0; j < out; j++) {
                    int acc = bv[j];
                    for (int i = 0; i < in; i++) {
                        acc += wm[j][i] * input[i];
                        if (bug) {
                            acc = (short) acc;
                        }
                    }
                    output[j] = acc;
                }
            }
        };
    }
}
