package io.edgeloop.quantize.provider;

import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.runtime.ScratchDirectory;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import io.edgeloop.tck.QuantizerContractTest;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Nested;

class QuantizerContractTests {
    private static Path modelFile;
    private static double[][] calibration;
    private static java.util.List<String> columns;

    static synchronized QuantizationRequest request(TargetProfile target) throws Exception {
        if (modelFile == null) {
            CsvData train = Datasets.occupancyTrain();
            // shared by every test of the run: the scratch directory's shutdown hook deletes it when the JVM ends
            Path dir = ScratchDirectory.createTemp("edgeloop-contract").path();
            modelFile = dir.resolve("occupancy.model");
            TribuoTraining.train(train, "logistic", 1).serializeToFile(modelFile);
            calibration = train.rows();
            columns = train.features(); // the CSV's order; the model's inputs are sorted by name
        }
        return QuantizationRequest.builder().modelFile(modelFile).calibration(columns, calibration).target(target)
                .build();
    }

    static int[][] inputs(QuantizedModel m, int count, long seed) {
        Random r = new Random(seed);
        int bits = m.scheme().equals("int8") ? 8 : 16;
        int[][] out = new int[count][m.inputSize()];
        for (int[] v : out) {
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextInt(1 << bits) - (1 << (bits - 1));
            }
        }
        return out;
    }

    @Nested
    class Int8 extends QuantizerContractTest {
        @Override
        protected QuantizerProvider provider() {
            return new Int8QuantizerProvider();
        }

        @Override
        protected QuantizationRequest request() throws Exception {
            return QuantizerContractTests.request(TargetProfile.AVR8);
        }

        @Override
        protected int[][] validInputs(QuantizedModel model, int count, long seed) {
            return inputs(model, count, seed);
        }
    }

    @Nested
    class Int16 extends QuantizerContractTest {
        @Override
        protected QuantizerProvider provider() {
            return new Int16QuantizerProvider();
        }

        @Override
        protected QuantizationRequest request() throws Exception {
            return QuantizerContractTests.request(TargetProfile.CORTEX_M0);
        }

        @Override
        protected int[][] validInputs(QuantizedModel model, int count, long seed) {
            return inputs(model, count, seed);
        }
    }

    @Nested
    class Int32 extends QuantizerContractTest {
        @Override
        protected QuantizerProvider provider() {
            return new Int32QuantizerProvider();
        }

        @Override
        protected QuantizationRequest request() throws Exception {
            return QuantizerContractTests.request(TargetProfile.CORTEX_M3);
        }

        @Override
        protected int[][] validInputs(QuantizedModel model, int count, long seed) {
            return inputs(model, count, seed);
        }
    }
}
