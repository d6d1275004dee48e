package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.runtime.IntLayer;
import io.edgeloop.quantize.runtime.IntNetwork;
import io.edgeloop.quantize.runtime.ModelFormat;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** AdaRound-style rounding directions for linear int8 models ({@link AdaptiveRounding}). */
class AdaptiveRoundingTest {
    private static double agreement(IntNetwork m, NetworkModel f, double[][] rows) {
        int ok = 0;
        for (double[] r : rows) {
            ok += m.predictClass(m.input().quantize(r)) == f.predictClass(r) ? 1 : 0;
        }
        return 100.0 * ok / rows.length;
    }

    @Test
    @DisplayName("rounds each weight down or up, never further, and agrees with the float model at least as well as nearest rounding")
    void staysWithinOneStepAndNeverAgreesLess() {
        int improved = 0;
        for (int k : new int[] {2, 3, 5}) {
            for (long seed = 1; seed <= 4; seed++) {
                double[][] rows = TestModels.wideRows(24, 3000, seed);
                NetworkModel fm = TestModels.logistic(24, k, rows, seed);
                IntNetwork near = (IntNetwork) new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX,
                        WeightScales.PER_CHANNEL, true, false).quantize(fm, rows);
                IntNetwork ada = (IntNetwork) new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX,
                        WeightScales.PER_CHANNEL, true, true).quantize(fm, rows);
                IntLayer a = ada.layers().get(0);
                IntLayer b = near.layers().get(0);
                for (int o = 0; o < a.outputs(); o++) {
                    for (int i = 0; i < a.inputs(); i++) {
                        assertTrue(Math.abs(a.weight(o, i) - b.weight(o, i)) <= 1, "weight moved more than one step");
                        assertTrue(Math.abs(a.weight(o, i)) <= 127, "int8 weight " + a.weight(o, i));
                    }
                }
                double ag = agreement(ada, fm, rows);
                double nr = agreement(near, fm, rows);
                assertTrue(ag >= nr, k + " classes seed " + seed + ": adaptive " + ag + " < nearest " + nr);
                improved += ag > nr ? 1 : 0;
            }
        }
        assertTrue(improved > 0, "adaptive rounding never raised agreement on the calibration rows");
    }

    @Test
    @DisplayName("is deterministic: the same inputs give byte-identical models")
    void isDeterministic() {
        double[][] rows = TestModels.wideRows(24, 2000, 9);
        NetworkModel fm = TestModels.logistic(24, 2, rows, 9);
        byte[][] bytes = new byte[2][];
        for (int k = 0; k < 2; k++) {
            IntNetwork m = (IntNetwork) new ModelQuantizer(Scheme.INT8, Calibration.AUTO, WeightScales.AUTO, true, true)
                    .quantize(fm, rows);
            bytes[k] = ModelFormat.toBytes(new QuantizedArtifact(m, io.edgeloop.api.target.TargetProfile.AVR8, "auto",
                    io.edgeloop.api.provenance.Provenance.capture("quantized-model", AdaptiveRoundingTest.class)
                            .createdAt(java.time.Instant.EPOCH).build()));
        }
        assertEquals(new String(bytes[0], java.nio.charset.StandardCharsets.UTF_8),
                new String(bytes[1], java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("recovers the int8 budget that plain post-training quantization misses on room occupancy")
    void recoversPlainPtqOnRoomOccupancy() throws Exception {
        io.edgeloop.quantize.train.CsvData[] room = io.edgeloop.quantize.Datasets.room();
        NetworkModel fm = (NetworkModel) new io.edgeloop.quantize.importer.TribuoImporter()
                .fromModel(io.edgeloop.quantize.train.TribuoTraining.train(room[0], "logistic", 7));
        double[][] train = room[0].rowsInOrder(fm.featureNames());
        double[][] test = room[1].rowsInOrder(fm.featureNames());
        double[] acc = new double[3];
        // Plain TFLite-style PTQ (per-channel, min-max, no bias correction), nearest vs adaptive rounding.
        for (int k = 0; k < 2; k++) {
            IntNetwork m = (IntNetwork) new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX, WeightScales.PER_CHANNEL,
                    false, k == 1).quantize(fm, train);
            int ok = 0;
            for (int i = 0; i < test.length; i++) {
                ok += m.classNames().get(m.predictClass(m.input().quantize(test[i]))).equals(room[1].labels().get(i)) ? 1 : 0;
            }
            acc[k] = 100.0 * ok / test.length;
        }
        int ok = 0;
        for (int i = 0; i < test.length; i++) {
            ok += fm.classNames().get(fm.predictClass(test[i])).equals(room[1].labels().get(i)) ? 1 : 0;
        }
        acc[2] = 100.0 * ok / test.length;
        System.out.printf("room logistic int8 plain PTQ: float %.3f%%, nearest %.3f%%, adaptive %.3f%%%n", acc[2], acc[0],
                acc[1]);
        assertTrue(acc[2] - acc[0] > 0.5, "nearest rounding is the case: " + acc[0] + " vs float " + acc[2]);
        assertTrue(Math.abs(acc[2] - acc[1]) <= 0.5, "adaptive " + acc[1] + " vs float " + acc[2]);
    }
}
