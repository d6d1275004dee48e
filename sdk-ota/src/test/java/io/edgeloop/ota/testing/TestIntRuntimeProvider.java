package io.edgeloop.ota.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;

/**
 * Test-only runtime ({@code test-int}, version 1.2.0): a linear integer model stored as
 * {@code {"format":"test-linear","w":[[...]],"b":[...]}}; output j = sum_i w[j][i]*x[i] + b[j].
 * The config key {@code fault} = true makes it add 1 to the first output (a device with a broken runtime).
 */
public final class TestIntRuntimeProvider implements ModelRuntimeProvider {
    /** The provider name. */
    public static final String NAME = "test-int";
    /** The runtime version. */
    public static final String VERSION = "1.2.0";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelRuntime create(ComponentConfig config) {
        boolean fault = config.getBoolean("fault", false);
        return new ModelRuntime() {
            @Override
            public String version() {
                return VERSION;
            }

            @Override
            public IntegerModel load(byte[] artifact) throws IOException {
                JsonNode n = CanonicalJson.parse(artifact);
                if (!"test-linear".equals(n.path("format").asText())) {
                    throw new IOException("not a test-linear model");
                }
                JsonNode w = n.get("w");
                JsonNode b = n.get("b");
                int out = w.size();
                int in = w.get(0).size();
                int[][] wm = new int[out][in];
                int[] bv = new int[out];
                for (int j = 0; j < out; j++) {
                    for (int i = 0; i < in; i++) {
                        wm[j][i] = w.get(j).get(i).intValue();
                    }
                    bv[j] = b.get(j).intValue();
                }
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
                            throw new IllegalArgumentException("wrong array length");
                        }
                        for (int j = 0; j < out; j++) {
                            int s = bv[j];
                            for (int i = 0; i < in; i++) {
                                s += wm[j][i] * input[i];
                            }
                            output[j] = s + (fault && j == 0 ? 1 : 0);
                        }
                    }
                };
            }
        };
    }
}
