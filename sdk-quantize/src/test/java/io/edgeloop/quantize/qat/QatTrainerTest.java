package io.edgeloop.quantize.qat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.FeatureScaling;
import io.edgeloop.quantize.ir.Head;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.scheme.WeightScales;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class QatTrainerTest {
    private static double accuracy(IntModel m, CsvData d) {
        double[][] x = d.rowsInOrder(m.featureNames());
        int ok = 0;
        for (int i = 0; i < x.length; i++) {
            ok += m.classNames().get(m.predictClass(m.input().quantize(x[i]))).equals(d.labels().get(i)) ? 1 : 0;
        }
        return 100.0 * ok / x.length;
    }

    private static double accuracy(NetworkModel m, CsvData d) {
        double[][] x = d.rowsInOrder(m.featureNames());
        int ok = 0;
        for (int i = 0; i < x.length; i++) {
            ok += m.classNames().get(m.predictClass(x[i])).equals(d.labels().get(i)) ? 1 : 0;
        }
        return 100.0 * ok / x.length;
    }

    @Test
    @DisplayName("fine-tuning recovers the int8 budget that plain min-max post-training quantization misses on room occupancy")
    void recoversInt8Budget() throws Exception {
        CsvData[] room = Datasets.room();
        NetworkModel fm = (NetworkModel) new TribuoImporter().fromModel(TribuoTraining.train(room[0], "logistic", 7));
        double[][] train = room[0].rowsInOrder(fm.featureNames());
        double flt = accuracy(fm, room[1]);
        // Plain TFLite-style PTQ (per-channel, no bias correction) is the case QAT exists for.
        ModelQuantizer plain = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX, WeightScales.PER_CHANNEL, false);
        double ptq = accuracy(plain.quantize(fm, train), room[1]);
        double[] y = new double[train.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = fm.classNames().indexOf(room[0].labels().get(i));
        }
        NetworkModel tuned = new QatTrainer(Scheme.INT8, 2, 1e-4, 5).fineTune(fm, train, y);
        double qat = accuracy(plain.quantize(tuned, train), room[1]);
        System.out.printf("room logistic: float %.3f%%, int8 PTQ min-max %.3f%%, int8 QAT + min-max %.3f%% (tuned float %.3f%%)%n",
                flt, ptq, qat, accuracy(tuned, room[1]));
        assertTrue(flt - ptq > 0.5, "the case needs QAT: PTQ " + ptq + " vs float " + flt);
        assertTrue(Math.abs(flt - qat) <= 0.5, "QAT " + qat + " vs float " + flt);
    }

    @Test
    @DisplayName("fine-tuning a one-output logistic head keeps a separable problem separated")
    void fineTunesOneOutputLogisticHeads() {
        java.util.Random r = new java.util.Random(1);
        double[][] x = new double[2000][2];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = r.nextGaussian();
            x[i][1] = r.nextGaussian();
            y[i] = x[i][0] + x[i][1] > 0 ? 1 : 0;
        }
        NetworkModel m = new NetworkModel(java.util.List.of("a", "b"), java.util.List.of("0", "1"),
                FeatureScaling.identity(2), java.util.List.of(new DenseLayer(new double[][] {{1.0, 1.0}},
                        new double[] {0.0}, Activation.NONE)), Head.LOGISTIC);
        NetworkModel tuned = new QatTrainer(Scheme.INT8, 2, 0.01, 1).fineTune(m, x, y);
        IntModel q = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(tuned, x);
        int okFloat = 0;
        int okInt = 0;
        for (int i = 0; i < x.length; i++) {
            okFloat += tuned.predictClass(x[i]) == (int) y[i] ? 1 : 0;
            okInt += q.predictClass(q.input().quantize(x[i])) == (int) y[i] ? 1 : 0;
        }
        assertTrue(okFloat >= 0.99 * x.length, "tuned float accuracy " + 100.0 * okFloat / x.length + " %");
        assertTrue(okInt >= 0.99 * x.length, "tuned int8 accuracy " + 100.0 * okInt / x.length + " %");
    }

    /** 2 features, y = [a + 0.3 b > 0], and {@code outliers} rows with a = 1e4 (class 1) among the first rows. */
    private static double[][] twoFeatures(int n, int outliers, double[] y) {
        java.util.Random r = new java.util.Random(3);
        double[][] x = new double[n][2];
        for (int i = 0; i < n; i++) {
            x[i][0] = i < outliers ? 1e4 : r.nextGaussian();
            x[i][1] = r.nextGaussian();
            y[i] = x[i][0] + 0.3 * x[i][1] > 0 ? 1 : 0;
        }
        return x;
    }

    private static NetworkModel weakStart() {
        return new NetworkModel(java.util.List.of("a", "b"), java.util.List.of("0", "1"),
                FeatureScaling.identity(2), java.util.List.of(new DenseLayer(new double[][] {{0.05, -0.05}},
                        new double[] {0.0}, Activation.NONE)), Head.LOGISTIC);
    }

    private static double intAccuracy(IntModel q, double[][] x, double[] y, int from) {
        int ok = 0;
        for (int i = from; i < x.length; i++) {
            ok += q.predictClass(q.input().quantize(x[i])) == (int) y[i] ? 1 : 0;
        }
        return 100.0 * ok / (x.length - from);
    }

    @Test
    @DisplayName("tunes for the input ranges of the calibration it is given; auto tunes for min-max")
    void tunesForTheGivenCalibration() {
        double[] y = new double[20000];
        double[][] x = twoFeatures(y.length, 1, y); // percentile ranges clip the one outlier, min-max keeps it
        NetworkModel minMax = new QatTrainer(Scheme.INT8, 2, 5e-5, 1).fineTune(weakStart(), x, y);
        NetworkModel auto = new QatTrainer(Scheme.INT8, 2, 5e-5, 1, Calibration.AUTO).fineTune(weakStart(), x, y);
        NetworkModel pct = new QatTrainer(Scheme.INT8, 2, 5e-5, 1, Calibration.PERCENTILE).fineTune(weakStart(), x, y);
        assertTrue(java.util.Arrays.deepEquals(minMax.layers().get(0).weights(), auto.layers().get(0).weights()),
                "auto tunes for min-max");
        ModelQuantizer pq = new ModelQuantizer(Scheme.INT8, Calibration.PERCENTILE);
        double tunedForPercentile = intAccuracy(pq.quantize(pct, x), x, y, 1);
        double tunedForMinMax = intAccuracy(pq.quantize(minMax, x), x, y, 1);
        // tuned with a invisible, the min-max model barely uses it; the percentile-tuned one learns it
        assertTrue(tunedForPercentile >= 97, "percentile-tuned int8 accuracy " + tunedForPercentile);
        assertTrue(tunedForMinMax < tunedForPercentile - 10, "min-max-tuned, percentile-quantized " + tunedForMinMax);
    }
}
