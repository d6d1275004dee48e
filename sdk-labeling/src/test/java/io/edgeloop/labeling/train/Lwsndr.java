package io.edgeloop.labeling.train;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;
import io.edgeloop.labeling.lf.SensorHealthLabeller;
import io.edgeloop.labeling.window.DeviceBaseline;
import io.edgeloop.labeling.window.WindowSpec;
import io.edgeloop.labeling.window.Windower;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The LWSNDR single-hop files (4 TelosB motes, humidity and temperature every 5 s, steam events labelled 1) as
 * windows: one device per mote, sliding windows of 12 readings (1 minute, step 1), each window's gold label the
 * label of its last reading (the reading a streaming detector decides on).
 *
 * <p>Each record carries the two raw channels and two derived ones from the SDK's {@link DeviceBaseline},
 * {@code HumidityExcess} and {@code TemperatureExcess}: the reading minus the device's own usual level, the median of
 * its readings 30 to 10 minutes earlier. That is how "above the device's usual level" becomes something a window can
 * see: the SDK's features describe one window only, and a one-minute window cannot tell a mote sitting at 60 % from
 * one that rose to it. The lag keeps an event shorter than 10 minutes out of its own baseline. A device's first
 * readings have no such history: up to reading 120 the baseline is the median of the readings before it (the first
 * reading is its own baseline, excess 0), up to reading 240 the median of the first 120.
 *
 * <p>Thread-safe: static methods only.
 */
final class Lwsndr {
    /** Indoor motes 1 and 2: where the labelling functions are designed and thresholds set. */
    static final List<Integer> TRAIN_MOTES = List.of(1, 2);
    /** Outdoor motes 3 and 4: new devices in another environment, labels used only for scoring. */
    static final List<Integer> TEST_MOTES = List.of(3, 4);
    /** One minute of readings. */
    static final int WINDOW = 12;
    /** End-model features: changes and levels relative to the device's own usual level, no absolute level. */
    static final List<String> FEATURES = List.of("Humidity.range", "Temperature.range", "Humidity.slope",
            "Temperature.slope", "HumidityExcess.mean", "TemperatureExcess.mean");
    static final List<String> CLASSES = List.of("normal", "event");
    private static final long PERIOD_MILLIS = 5_000;
    /** 10 minutes of readings between a reading and its baseline. */
    private static final int BASELINE_LAG = 120;
    /** 20 minutes of readings in a baseline. */
    private static final int BASELINE_SPAN = 240;
    private static final String HEADER = "Reading# Mote-ID Humidity Temperature Label";

    private Lwsndr() {
    }

    /**
     * Windows and their gold labels.
     *
     * @param windows the windows, in device then time order
     * @param gold    the label of each window's last reading
     */
    record Data(List<Window> windows, int[] gold) {
        int positives() {
            return Arrays.stream(gold).sum();
        }
    }

    /**
     * Reads motes into windows, one device each, in the order given.
     *
     * @param motes mote ids, 1 to 4
     * @return their windows
     */
    static Data read(List<Integer> motes) throws IOException {
        DeviceBaseline baseline = DeviceBaseline.builder().channels(List.of("Humidity", "Temperature"))
                .lag(BASELINE_LAG).span(BASELINE_SPAN).build();
        Windower w = new Windower(WindowSpec.bySamples(WINDOW).step(1).build());
        List<Window> windows = new ArrayList<>();
        List<Integer> gold = new ArrayList<>();
        for (int mote : motes) {
            Path file = file(mote);
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
                throw new IOException(file + ": expected the header '" + HEADER + "'");
            }
            int n = lines.size() - 1;
            long[] reading = new long[n];
            double[] humidity = new double[n];
            double[] temperature = new double[n];
            int[] label = new int[n];
            for (int i = 0; i < n; i++) {
                String[] f = lines.get(i + 1).split("\t");
                if (f.length != 5 || Integer.parseInt(f[1]) != mote) {
                    throw new IOException(file + " line " + (i + 2) + ": expected 5 tab-separated fields of mote "
                            + mote + ", got '" + lines.get(i + 1) + "'");
                }
                reading[i] = Long.parseLong(f[0]);
                humidity[i] = Double.parseDouble(f[2]);
                temperature[i] = Double.parseDouble(f[3]);
                label[i] = Integer.parseInt(f[4]);
            }
            for (int i = 0; i < n; i++) {
                SensorRecord r = SensorRecord.builder().deviceId("mote" + mote).stream("climate")
                        .timestampMillis(reading[i] * PERIOD_MILLIS).sequence(reading[i])
                        .channel("Humidity", humidity[i]).channel("Temperature", temperature[i]).build();
                for (Window x : w.add(baseline.apply(r))) {
                    windows.add(x);
                    gold.add(label[i]);
                }
            }
        }
        if (w.lateRecords() + w.duplicateRecords() > 0) {
            throw new IOException("motes " + motes + ": " + w.lateRecords() + " late and " + w.duplicateRecords()
                    + " duplicate readings; the files should be in reading order without repeats");
        }
        return new Data(windows, gold.stream().mapToInt(Integer::intValue).toArray());
    }

    static Path file(int mote) {
        String place = mote <= 2 ? "indoor" : "outdoor";
        return TestData.datasets().resolve("lwsndr-single-hop")
                .resolve("singlehop_" + place + "_moteid" + mote + "_data.txt");
    }

    /**
     * Labelling functions written from SOURCE.md's description (steam: humidity and temperature rise fast together,
     * values above the device's usual level) and thresholds set on the train motes only. Each is guarded by the
     * sensor-health rule: it abstains when relative humidity is at 0 or 100 % (the SHT11 saturates there, which
     * steam could reach) or temperature is outside the SHT11's -40..123.8 °C; no flat-line test, since a healthy
     * mote's humidity often repeats its reading for a whole minute.
     */
    static List<Labeller> lfs() {
        List<Labeller> rules = List.of(
                // Cross-sensor rates: both rise within the minute (3 %/min humidity, 0.3 °C/min temperature).
                Lf.named("steam_rise").when(Conditions.rate("Humidity").above(0.05)
                        .and(Conditions.rate("Temperature").above(0.005))).vote(1),
                // A humidity swing of more than 3 points in a minute; the train motes' ordinary air moves < 3.
                Lf.named("humidity_swing").when(Conditions.feature("Humidity.range").above(3.0)).vote(1),
                // Heating by more than 1 °C within the minute (a drop, an air-conditioning step, is not steam).
                Lf.named("heat_burst").when(Conditions.difference("Temperature.max", "Temperature.first")
                        .above(1.0)).vote(1),
                // Duration rule: humidity 3.5 points above the device's usual level for half a minute.
                Lf.named("humid_above_usual").when(Conditions.sustained("HumidityExcess", true, 3.5, 6)).vote(1),
                Lf.named("hot_above_usual").when(Conditions.feature("TemperatureExcess.max").above(1.5)).vote(1),
                // Normal: a quiet minute, or readings at the device's usual level.
                Lf.named("calm").when(Conditions.feature("Humidity.range").below(1.0)
                        .and(Conditions.feature("Temperature.range").below(0.3))).vote(0),
                Lf.named("at_usual_level").when(Conditions.feature("HumidityExcess.last").between(-2.0, 1.5)
                        .and(Conditions.feature("TemperatureExcess.last").below(0.5))).vote(0));
        List<Labeller> guarded = new ArrayList<>();
        for (Labeller r : rules) {
            guarded.add(new SensorHealthLabeller(new SensorHealthLabeller(r, List.of("Humidity"), 0, 100, 0),
                    List.of("Temperature"), -40, 123.8, 0));
        }
        return guarded;
    }
}
