package io.edgeloop.ota.tck;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;

/**
 * The model runtime the registry kit builds its bundles for ({@code tck-linear}, version 1.0.0): a bundle is
 * checked by running its model against its golden vectors before it is signed, so the kit needs a runtime it can
 * make models for without a quantizer. A model is {@code {"format":"tck-linear","rows":[[b, w1, w2, ...], ...]}}:
 * output j = {@code rows[j][0] + sum_i rows[j][i + 1] * x[i]} in 32-bit integer arithmetic. Registered in this jar's
 * {@code META-INF/services}, so it is on the test class path of every build that uses the kit, and nowhere else.
 *
 * <p>Thread-safe: stateless; the runtimes and models it creates are immutable.
 */
public final class TckLinearRuntimeProvider implements ModelRuntimeProvider {
    /** The provider name, {@code tck-linear}. */
    public static final String NAME = "tck-linear";
    /** The runtime version. */
    public static final String VERSION = "1.0.0";

    /** For {@link java.util.ServiceLoader}. */
    public TckLinearRuntimeProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelRuntime create(ComponentConfig config) {
        config.requireKnownKeys(NAME + " runtime", java.util.Set.of());
        return new ModelRuntime() {
            @Override
            public String version() {
                return VERSION;
            }

            @Override
            public IntegerModel load(byte[] artifact) throws IOException {
                return Linear.parse(artifact);
            }
        };
    }

    /** A parsed {@code tck-linear} model. */
    private record Linear(int[][] rows) implements IntegerModel {
        static Linear parse(byte[] artifact) throws IOException {
            JsonNode n = CanonicalJson.parse(artifact);
            JsonNode rows = n.path("rows");
            if (!NAME.equals(n.path("format").asText()) || !rows.isArray() || rows.isEmpty()) {
                throw new IOException("not a " + NAME + " model");
            }
            int width = rows.get(0).size();
            int[][] r = new int[rows.size()][width];
            for (int j = 0; j < r.length; j++) {
                if (rows.get(j).size() != width || width < 2) {
                    throw new IOException("a " + NAME + " model needs rows of one length, at least 2");
                }
                for (int i = 0; i < width; i++) {
                    r[j][i] = rows.get(j).get(i).intValue();
                }
            }
            return new Linear(r);
        }

        static int[] apply(int[][] rows, int[] x) {
            int[] y = new int[rows.length];
            for (int j = 0; j < rows.length; j++) {
                int acc = rows[j][0];
                for (int i = 0; i < x.length; i++) {
                    acc += rows[j][i + 1] * x[i];
                }
                y[j] = acc;
            }
            return y;
        }

        @Override
        public int inputSize() {
            return rows[0].length - 1;
        }

        @Override
        public int outputSize() {
            return rows.length;
        }

        @Override
        public void predict(int[] input, int[] output) {
            if (input.length != inputSize() || output.length != outputSize()) {
                throw new IllegalArgumentException("expected " + inputSize() + " inputs and " + outputSize()
                        + " outputs, got " + input.length + " and " + output.length);
            }
            System.arraycopy(apply(rows, input), 0, output, 0, output.length);
        }
    }

    /**
     * Runs a model on inputs (for writing golden vectors).
     *
     * @param rows the model's rows
     * @param x    one input vector
     * @return the outputs
     */
    static int[] predict(int[][] rows, int[] x) {
        return Linear.apply(rows, x);
    }
}
