package io.edgeloop.ota.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.ota.json.CanonicalJson;
import java.util.Arrays;
import java.util.Optional;

/**
 * Integer inputs with the exact outputs the training machine computed for them. A device runs them through its
 * own runtime and must reproduce every output bit for bit before it may switch to the model.
 *
 * <p>Thread-safe: immutable (arrays are copied in and out).
 */
public final class GoldenVectors {
    private final int[][] inputs;
    private final int[][] outputs;

    /**
     * @param inputs  the input vectors
     * @param outputs the expected output vectors, one per input
     * @throws IllegalArgumentException when the counts differ or there are none
     */
    public GoldenVectors(int[][] inputs, int[][] outputs) {
        if (inputs.length == 0 || inputs.length != outputs.length) {
            throw new IllegalArgumentException("golden vectors need at least one input and one output per input, got "
                    + inputs.length + " inputs and " + outputs.length + " outputs");
        }
        this.inputs = deepCopy(inputs);
        this.outputs = deepCopy(outputs);
    }

    private static int[][] deepCopy(int[][] a) {
        int[][] c = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    /** @return the number of vectors */
    public int size() {
        return inputs.length;
    }

    /**
     * @param i the index
     * @return a copy of input {@code i}
     */
    public int[] input(int i) {
        return inputs[i].clone();
    }

    /**
     * @param i the index
     * @return a copy of expected output {@code i}
     */
    public int[] output(int i) {
        return outputs[i].clone();
    }

    /**
     * Runs every vector through a model.
     *
     * @param model the model as the device runs it
     * @return a description of the first mismatch, or empty when every output is bit-exact
     */
    public Optional<String> firstMismatch(IntegerModel model) {
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].length != model.inputSize() || outputs[i].length != model.outputSize()) {
                return Optional.of("vector " + i + " has " + inputs[i].length + " inputs / " + outputs[i].length
                        + " outputs but the model takes " + model.inputSize() + " / " + model.outputSize());
            }
            int[] got;
            try {
                got = model.predict(inputs[i].clone());
            } catch (RuntimeException e) {
                return Optional.of("vector " + i + " failed: " + e.getMessage());
            }
            if (!Arrays.equals(got, outputs[i])) {
                return Optional.of("vector " + i + " computed " + Arrays.toString(abbrev(got)) + " but the bundle expects "
                        + Arrays.toString(abbrev(outputs[i])));
            }
        }
        return Optional.empty();
    }

    private static int[] abbrev(int[] a) {
        return a.length <= 8 ? a : Arrays.copyOf(a, 8);
    }

    /** @return {@code {"inputs": [[...]], "outputs": [[...]]}} */
    public ObjectNode toJson() {
        ObjectNode o = CanonicalJson.object();
        o.set("inputs", matrix(inputs));
        o.set("outputs", matrix(outputs));
        return o;
    }

    private static ArrayNode matrix(int[][] m) {
        ArrayNode a = CanonicalJson.mapper().createArrayNode();
        for (int[] row : m) {
            ArrayNode r = a.addArray();
            for (int v : row) {
                r.add(v);
            }
        }
        return a;
    }

    /**
     * Reads the JSON form (also the {@code golden.json} file of a quantized model directory).
     *
     * @param n the node
     * @return the vectors
     * @throws IllegalArgumentException when malformed
     */
    public static GoldenVectors fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("golden vectors must be an object with 'inputs' and 'outputs'");
        }
        return new GoldenVectors(readMatrix(n.get("inputs"), "inputs"), readMatrix(n.get("outputs"), "outputs"));
    }

    private static int[][] readMatrix(JsonNode n, String what) {
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException("golden '" + what + "' must be an array of integer arrays");
        }
        int[][] m = new int[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            JsonNode row = n.get(i);
            if (!row.isArray()) {
                throw new IllegalArgumentException("golden '" + what + "'[" + i + "] must be an array");
            }
            m[i] = new int[row.size()];
            for (int j = 0; j < row.size(); j++) {
                JsonNode v = row.get(j);
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    throw new IllegalArgumentException("golden '" + what + "'[" + i + "][" + j + "] must be a 32-bit integer");
                }
                m[i][j] = v.intValue();
            }
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoldenVectors && Arrays.deepEquals(((GoldenVectors) o).inputs, inputs)
                && Arrays.deepEquals(((GoldenVectors) o).outputs, outputs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(inputs) + Arrays.deepHashCode(outputs);
    }
}
