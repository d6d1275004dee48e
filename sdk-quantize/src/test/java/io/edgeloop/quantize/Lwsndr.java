package io.edgeloop.quantize;

import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.scheme.TreeInputScales;
import io.edgeloop.quantize.scheme.TreeThresholds;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * The LWSNDR single-hop set ({@code ../shared/datasets/lwsndr-single-hop}, 4 TelosB motes, humidity and temperature
 * every 5 s, label 1 = an introduced event) as a per-reading feature table, a set the quantizer was not designed on.
 *
 * <p>Features, per mote in reading order: the reading itself ({@code humidity} in %, {@code temperature} in °C) and
 * its change over the last 1, 6 and 12 readings of the same mote (5 s, 30 s and one minute). The events are steam
 * bursts near a mote: both values jump within seconds, which the short changes see, and the level tells a humid
 * steam plume from a slow change of the weather. A mote's first readings lack history: their change is taken from
 * its first reading, as a mote would after boot. Changes are computed on the readings' hundredths (the files'
 * resolution) so each is an exact two-decimal value, as integer arithmetic on the mote would give.
 *
 * <p>Split by device, fixed before any model was trained: motes 1 (indoor, 117 events) and 3 (outdoor, none) train,
 * motes 2 (indoor, none) and 4 (outdoor, 32 events) test. Each side has an indoor and an outdoor mote and one mote
 * with events, so the calibration rows cover both environments' ranges and the test side has events to find. (The
 * split 1-2 / 3-4 would train on indoor motes only and judge the model on outdoor air it never saw.)
 *
 * <p>Models: {@link TribuoTraining} {@code logistic}, {@code cart} and {@code forest} with seed 7, quantized with
 * calibration {@code auto} on the training rows (tree thresholds exact, tree input scales fitted, unless asked);
 * trained and quantized once per
 * JVM.
 *
 * <p>Thread-safe: the caches are concurrent maps; the tables are immutable.
 */
public final class Lwsndr {
    /** Feature columns, in table order. */
    public static final List<String> FEATURES = List.of("humidity", "temperature", "humidity_d1", "temperature_d1",
            "humidity_d6", "temperature_d6", "humidity_d12", "temperature_d12");
    /** Readings back that each change spans (after the two levels). */
    private static final int[] LAGS = {1, 6, 12};
    /** The label column: 1 = an introduced event. */
    public static final String LABEL = "event";
    /** The event class. */
    public static final String EVENT = "1";
    /** Motes whose rows train and calibrate. */
    public static final int[] TRAIN_MOTES = {1, 3};
    /** Motes whose rows test. */
    public static final int[] TEST_MOTES = {2, 4};
    /** The three training algorithms. */
    public static final List<String> ALGOS = List.of("logistic", "cart", "forest");
    /** The three schemes of the budgets. */
    public static final List<Scheme> SCHEMES = List.of(Scheme.INT8, Scheme.INT16, Scheme.INT32);
    private static final long SEED = 7;

    private static final Map<String, CsvData> TABLES = new ConcurrentHashMap<>();
    private static final Map<String, Model<Label>> TRIBUO = new ConcurrentHashMap<>();
    private static final Map<String, IntModel> QUANTIZED = new ConcurrentHashMap<>();

    private Lwsndr() {
    }

    /** @return the training rows (motes {@link #TRAIN_MOTES}) */
    public static CsvData train() {
        return TABLES.computeIfAbsent("train", k -> table(TRAIN_MOTES));
    }

    /** @return the test rows (motes {@link #TEST_MOTES}) */
    public static CsvData test() {
        return TABLES.computeIfAbsent("test", k -> table(TEST_MOTES));
    }

    /**
     * @param algo {@code logistic}, {@code cart} or {@code forest}
     * @return the Tribuo model trained on {@link #train()}
     */
    public static Model<Label> tribuo(String algo) {
        return TRIBUO.computeIfAbsent(algo, a -> TribuoTraining.train(train(), a, SEED));
    }

    /**
     * @param algo the algorithm
     * @return the imported float model of {@link #tribuo(String)}
     */
    public static FloatModel floatModel(String algo) {
        return new TribuoImporter().fromModel(tribuo(algo));
    }

    /**
     * @param algo   the algorithm
     * @param scheme the scheme
     * @return the model quantized with calibration {@code auto} on the training rows, tree thresholds exact
     */
    public static IntModel quantized(String algo, Scheme scheme) {
        return quantized(algo, scheme, TreeThresholds.EXACT);
    }

    /**
     * @param algo       the algorithm
     * @param scheme     the scheme
     * @param thresholds how tree thresholds are mapped (ignored by the logistic regression)
     * @return the model quantized with calibration {@code auto} on the training rows
     */
    public static IntModel quantized(String algo, Scheme scheme, TreeThresholds thresholds) {
        return quantized(algo, scheme, thresholds, TreeInputScales.FITTED);
    }

    /**
     * @param algo       the algorithm
     * @param scheme     the scheme
     * @param thresholds how tree thresholds are mapped (ignored by the logistic regression)
     * @param scales     how tree input scales are chosen (ignored by the logistic regression)
     * @return the model quantized with calibration {@code auto} on the training rows
     */
    public static IntModel quantized(String algo, Scheme scheme, TreeThresholds thresholds, TreeInputScales scales) {
        return QUANTIZED.computeIfAbsent(algo + " " + scheme.name() + " " + thresholds.id() + " " + scales.id(), k -> {
            FloatModel fm = floatModel(algo);
            return new ModelQuantizer(scheme, Calibration.AUTO).withTreeThresholds(thresholds)
                    .withTreeInputScales(scales).quantize(fm, train().rowsInOrder(fm.featureNames()));
        });
    }

    /**
     * @param motes mote ids (1 to 4)
     * @return their feature table, mote after mote, each in reading order
     */
    public static CsvData table(int... motes) {
        StringBuilder csv = new StringBuilder(String.join(",", FEATURES)).append(',').append(LABEL).append('\n');
        StringBuilder name = new StringBuilder();
        for (int mote : motes) {
            appendMote(csv, mote);
            name.append(name.length() == 0 ? "" : "+").append(mote);
        }
        // Read through CsvData as `edgeloop train` reads a file; nothing is written to disk.
        Path origin = Datasets.root().resolve("lwsndr-single-hop").resolve("features-motes-" + name);
        try {
            return CsvData.read(origin, csv.toString().getBytes(StandardCharsets.UTF_8), LABEL, Set.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path moteFile(int mote) {
        Path dir = Datasets.root().resolve("lwsndr-single-hop");
        String place = mote <= 2 ? "indoor" : "outdoor";
        return dir.resolve("singlehop_" + place + "_moteid" + mote + "_data.txt");
    }

    private static void appendMote(StringBuilder csv, int mote) {
        Path f = moteFile(mote);
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("LWSNDR mote " + mote + ": cannot read " + f, e);
        }
        List<long[]> readings = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] c = line.trim().split("\t");
            if (c.length != 5 || Integer.parseInt(c[1]) != mote || Integer.parseInt(c[0]) != readings.size() + 1) {
                throw new IllegalStateException(f + " line " + (i + 1) + " is not reading " + (readings.size() + 1)
                        + " of mote " + mote + " (reading, mote, humidity, temperature, label, tab-separated): "
                        + line);
            }
            readings.add(new long[] {hundredths(c[2]), hundredths(c[3])});
            labels.add(c[4]);
        }
        for (int i = 0; i < readings.size(); i++) {
            long[] now = readings.get(i);
            csv.append(decimal(now[0])).append(',').append(decimal(now[1]));
            for (int lag : LAGS) {
                long[] then = readings.get(Math.max(0, i - lag));
                csv.append(',').append(decimal(now[0] - then[0])).append(',').append(decimal(now[1] - then[1]));
            }
            csv.append(',').append(labels.get(i)).append('\n');
        }
    }

    private static long hundredths(String v) {
        return new BigDecimal(v).movePointRight(2).longValueExact();
    }

    private static String decimal(long hundredths) {
        return BigDecimal.valueOf(hundredths, 2).toPlainString();
    }
}
