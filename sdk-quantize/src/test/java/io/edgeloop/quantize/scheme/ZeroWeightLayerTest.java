package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.FeatureScaling;
import io.edgeloop.quantize.ir.Head;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityTarget;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntNetwork;
import io.edgeloop.quantize.runtime.ModelFormat;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A layer whose weights are all zero (a pruned or constant head) outputs its bias: it quantizes in every scheme
 * and weight-scale mode, the integer model reproduces the bias, and the generated C agrees with the Java runtime.
 */
class ZeroWeightLayerTest {
    private static final double[][] ROWS = TestModels.wideRows(3, 400, 11);

    private static double[][] zeros(int rows, int cols) {
        return new double[rows][cols];
    }

    private static List<NetworkModel> models() {
        return List.of(
                // The reviewer's zerow.onnx: Gemm of zeros (no bias), softmax.
                new NetworkModel(TestModels.names(3), List.of("a", "b"), FeatureScaling.identity(3),
                        List.of(new DenseLayer(zeros(2, 3), new double[2], Activation.NONE)), Head.SOFTMAX),
                // A constant regression head: the output is the bias.
                new NetworkModel(TestModels.names(3), List.of(), FeatureScaling.identity(3),
                        List.of(new DenseLayer(zeros(2, 3), new double[] {1.75, -0.4}, Activation.NONE)), Head.IDENTITY),
                // A pruned hidden layer: ReLU of its bias feeds a normal 3-class layer.
                new NetworkModel(TestModels.names(3), List.of("a", "b", "c"), FeatureScaling.identity(3),
                        List.of(new DenseLayer(zeros(2, 3), new double[] {0.5, 2}, Activation.RELU),
                                new DenseLayer(new double[][] {{1, -1}, {-0.5, 0.25}, {0.3, 0.1}},
                                        new double[] {0.1, 0.2, -0.3}, Activation.NONE)),
                        Head.SOFTMAX));
    }

    @Test
    @DisplayName("a layer of zero weights quantizes in every scheme and outputs its bias, bit-exact in C")
    void zeroWeightLayerOutputsItsBias() throws Exception {
        // 36 independent cases, each compiled with gcc and run on the host: two at a time.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> cases = new ArrayList<>();
            for (NetworkModel fm : models()) {
                for (Scheme s : new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.of("int16", "int8"), Scheme.INT32}) {
                    for (WeightScales ws : new WeightScales[] {WeightScales.PER_CHANNEL, WeightScales.PER_TENSOR,
                        WeightScales.AUTO}) {
                        cases.add(pool.submit(() -> {
                            check(fm, s, ws);
                            return null;
                        }));
                    }
                }
            }
            for (Future<?> f : cases) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw (Exception) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void check(NetworkModel fm, Scheme s, WeightScales ws) throws IOException {
        String what = fm.layers().size() + " layers, " + fm.classNames() + " " + s.name() + "/" + s.weightBits() + " "
                + ws.id();
        IntModel im = new ModelQuantizer(s, Calibration.AUTO, ws).quantize(fm, ROWS);
        // Round trip through model.json: the reader accepts it.
        QuantizedArtifact a = new QuantizedArtifact(im, io.edgeloop.api.target.TargetProfile.JVM, "auto",
                io.edgeloop.api.provenance.Provenance.capture("quantized-model", getClass()).build());
        IntNetwork back = (IntNetwork) ModelFormat.fromBytes(ModelFormat.toBytes(a)).model();
        for (double[] row : ROWS) {
            int[] out = back.predict(back.input().quantize(row));
            double[] f = fm.scores(row);
            if (fm.classNames().isEmpty()) {
                for (int o = 0; o < out.length; o++) {
                    assertEquals(f[o], back.dequantizeOutput(o, out[o]), Math.abs(f[o]) * 1e-3 + 1e-6,
                            what + " output " + o);
                }
            } else {
                assertEquals(fm.predictClass(row), back.predictClass(back.input().quantize(row)), what);
            }
        }
        assertEquals(0, new ParityHarness().run(back, ParityTarget.HOST, 300, 2).mismatches(), what);
    }
}
