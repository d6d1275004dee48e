package io.edgeloop.quantize.bench;

import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Throughput of the Java integer runtime against Tribuo's float {@code predict} on the same model and rows, in
 * one run, side by side. The integer side includes quantizing each raw row; the Tribuo side gets its
 * {@link Example}s prebuilt (the baseline's best case).
 *
 * <p>Thread-safe: stateless; runs single-threaded.
 */
public final class QuantizeBenchmark {
    private QuantizeBenchmark() {
    }

    /**
     * A synthetic labelled table: 5 features of different scales, 2 classes, seeded.
     *
     * @param rows how many rows
     * @param seed the seed
     * @return the table
     */
    public static CsvData synthetic(int rows, long seed) {
        Random r = new Random(seed);
        StringBuilder csv = new StringBuilder("a,b,c,d,e,label\n");
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian() * 2 + 20;
            double b = r.nextGaussian() * 5 + 30;
            double c = Math.abs(r.nextGaussian()) * 400;
            double d = r.nextGaussian() * 100 + 600;
            double e = r.nextGaussian() * 0.001 + 0.004;
            double z = 0.8 * (a - 20) + 0.01 * (c - 300) + 0.02 * (d - 600) + 500 * (e - 0.004) + r.nextGaussian();
            csv.append(a).append(',').append(b).append(',').append(c).append(',').append(d).append(',').append(e)
                    .append(',').append(z > 0 ? "yes" : "no").append('\n');
        }
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("edgeloop-bench", ".csv");
            try {
                java.nio.file.Files.writeString(f, csv);
                return CsvData.read(f, "label", java.util.Set.of());
            } finally {
                java.nio.file.Files.deleteIfExists(f);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Trains {@code algo} on {@code data}, quantizes it with {@code scheme} and measures both runtimes.
     *
     * @param data          labelled rows (train and benchmark input)
     * @param algo          {@code logistic}, {@code cart} or {@code forest}
     * @param scheme        the scheme
     * @param millisPerSide measuring time per side (after an equal warm-up)
     * @return the figures
     */
    public static Map<String, Object> run(CsvData data, String algo, Scheme scheme, long millisPerSide) {
        Model<Label> tm = TribuoTraining.train(data, algo, 1);
        FloatModel fm = new TribuoImporter().fromModel(tm);
        double[][] rows = data.rowsInOrder(fm.featureNames());
        IntModel im = new ModelQuantizer(scheme, Calibration.MIN_MAX).quantize(fm, rows);
        String[] names = data.features().toArray(new String[0]);
        List<Example<Label>> examples = new ArrayList<>();
        double[][] raw = data.rows();
        for (double[] x : raw) {
            examples.add(TribuoTraining.example(names, x, null));
        }
        measureTribuo(tm, examples, millisPerSide);
        double tribuo = measureTribuo(tm, examples, millisPerSide);
        measureInt(im, rows, millisPerSide);
        double integer = measureInt(im, rows, millisPerSide);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", algo);
        r.put("scheme", scheme.name());
        r.put("rows", rows.length);
        r.put("tribuoFloatPredictionsPerSecond", Math.round(tribuo));
        r.put("javaIntegerPredictionsPerSecond", Math.round(integer));
        r.put("ratio", Math.round(integer / tribuo * 100) / 100.0);
        return r;
    }

    private static double measureTribuo(Model<Label> m, List<Example<Label>> ex, long millis) {
        long end = System.nanoTime() + Math.multiplyExact(millis, 1_000_000L);
        long count = 0;
        long sink = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            for (Example<Label> e : ex) {
                sink += m.predict(e).getOutput().getLabel().length();
            }
            count += ex.size();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (sink == Long.MIN_VALUE) {
            throw new IllegalStateException("unreachable");
        }
        return count / secs;
    }

    private static double measureInt(IntModel m, double[][] rows, long millis) {
        long end = System.nanoTime() + Math.multiplyExact(millis, 1_000_000L);
        long count = 0;
        long sink = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            for (double[] x : rows) {
                sink += m.predictClass(m.input().quantize(x));
            }
            count += rows.length;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (sink == Long.MIN_VALUE) {
            throw new IllegalStateException("unreachable");
        }
        return count / secs;
    }
}
