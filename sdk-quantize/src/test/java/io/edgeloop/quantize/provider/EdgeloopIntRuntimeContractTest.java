package io.edgeloop.quantize.provider;

import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.ScratchDirectory;
import io.edgeloop.tck.ModelRuntimeContractTest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The sdk-tck model runtime contract for {@code edgeloop-int}, loading the model.json of an int8 logistic model
 * trained on the occupancy data. The decision rule is the device's: a one-output classifier decides by the sign of
 * the dequantized output (its zero point taken into account), otherwise the largest output.
 */
class EdgeloopIntRuntimeContractTest extends ModelRuntimeContractTest {
    private static byte[] artifact;

    @Override
    protected ModelRuntimeProvider provider() {
        return new EdgeloopIntRuntimeProvider();
    }

    @Override
    protected byte[] artifact() throws Exception {
        synchronized (EdgeloopIntRuntimeContractTest.class) {
            if (artifact == null) {
                QuantizedModel m = new Int8QuantizerProvider().create(io.edgeloop.api.config.ComponentConfig.empty())
                        .quantize(QuantizerContractTests.request(TargetProfile.AVR8));
                try (ScratchDirectory dir = ScratchDirectory.createTemp("edgeloop-runtime-contract")) {
                    m.writeTo(dir.path());
                    artifact = Files.readAllBytes(dir.path().resolve("model.json"));
                }
            }
            return artifact.clone();
        }
    }

    @Override
    protected List<int[]> inputs(IntegerModel model) {
        IntModel m = (IntModel) model;
        Random r = new Random(5);
        List<int[]> out = new ArrayList<>();
        for (int k = 0; k < 400; k++) {
            int[] in = new int[m.inputSize()];
            for (int i = 0; i < in.length; i++) {
                in[i] = m.input().min() + r.nextInt(m.input().max() - m.input().min() + 1);
            }
            out.add(in);
        }
        return out;
    }

    /**
     * The rule stated from the artifact, not from the runtime's code: model.json's last layer gives the output's zero
     * point and scale; one output decides class 1 when {@code (q - zeroPoint) * scale > 0}, several outputs the first
     * largest.
     */
    @Override
    protected int decide(IntegerModel model, int[] outputs) {
        if (outputs.length == 1) {
            try {
                com.fasterxml.jackson.databind.JsonNode layers = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(artifact()).get("layers");
                com.fasterxml.jackson.databind.JsonNode last = layers.get(layers.size() - 1);
                double real = ((long) outputs[0] - last.get("outputZeroPoint").asLong())
                        * last.get("outputScale").asDouble();
                return real > 0 ? 1 : 0;
            } catch (Exception e) {
                throw new IllegalStateException("model.json of the contract artifact", e);
            }
        }
        int best = 0;
        for (int i = 1; i < outputs.length; i++) {
            if (outputs[i] > outputs[best]) {
                best = i;
            }
        }
        return best;
    }
}
