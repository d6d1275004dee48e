package io.edgeloop.examples.demo.label;

import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts each device's ingested records into tumbling windows of {@link #SAMPLES} readings (about five minutes of
 * the UCI data) and computes the features the labelling functions and the end model read, named
 * {@code <channel>.<feature>} as in sdk-labeling: {@code mean}, {@code min}, {@code max}, {@code range},
 * {@code slope} (units per minute, least squares). A channel with a missing sample gets NaN features and the
 * window is marked, never averaged over the gap.
 *
 * <p>Thread-safe: stateless.
 */
public final class OccupancyWindows {
    /** Readings per window. */
    public static final int SAMPLES = 5;
    /** The sensor channels the devices send. */
    public static final List<String> CHANNELS = List.of("Temperature", "Humidity", "Light", "CO2", "HumidityRatio");
    /** The features the end model is trained on, in input order. */
    public static final List<String> MODEL_FEATURES = List.of("Temperature.mean", "Humidity.mean", "Light.mean",
            "CO2.mean", "HumidityRatio.mean", "CO2.slope", "Light.range", "Temperature.slope");

    private OccupancyWindows() {
    }

    /**
     * Builds windows from records grouped by device (each device's records in time order).
     *
     * @param records records of any number of devices, in per-device time order
     * @return the windows, device by device in first-seen order
     */
    public static List<Window> of(List<SensorRecord> records) {
        Map<String, List<SensorRecord>> byDevice = new LinkedHashMap<>();
        for (SensorRecord r : records) {
            byDevice.computeIfAbsent(r.deviceId(), k -> new ArrayList<>()).add(r);
        }
        List<Window> out = new ArrayList<>();
        for (List<SensorRecord> rs : byDevice.values()) {
            long index = 0;
            for (int start = 0; start + SAMPLES <= rs.size(); start += SAMPLES) {
                out.add(window(rs.subList(start, start + SAMPLES), index++));
            }
        }
        return out;
    }

    private static Window window(List<SensorRecord> rs, long index) {
        int n = rs.size();
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = rs.get(i).timestampMillis();
        }
        Window.Builder b = Window.builder().deviceId(rs.get(0).deviceId()).stream(rs.get(0).stream()).index(index)
                .timestamps(ts);
        for (SensorRecord r : rs) {
            r.flags().forEach(b::flag);
        }
        for (String c : CHANNELS) {
            double[] v = new double[n];
            boolean bad = false;
            for (int i = 0; i < n; i++) {
                v[i] = rs.get(i).value(c);
                bad |= Double.isNaN(v[i]);
            }
            b.channel(c, v);
            double mean = Double.NaN;
            double min = Double.NaN;
            double max = Double.NaN;
            double slope = Double.NaN;
            if (!bad) {
                double sum = 0;
                min = Double.POSITIVE_INFINITY;
                max = Double.NEGATIVE_INFINITY;
                for (double x : v) {
                    sum += x;
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                }
                mean = sum / n;
                slope = slopePerMinute(ts, v);
            }
            b.feature(c + ".mean", mean).feature(c + ".min", min).feature(c + ".max", max)
                    .feature(c + ".range", max - min).feature(c + ".slope", slope);
        }
        return b.build();
    }

    private static double slopePerMinute(long[] ts, double[] v) {
        int n = v.length;
        double mt = 0;
        double mv = 0;
        for (int i = 0; i < n; i++) {
            mt += (ts[i] - ts[0]) / 60_000.0;
            mv += v[i];
        }
        mt /= n;
        mv /= n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            double t = (ts[i] - ts[0]) / 60_000.0 - mt;
            num += t * (v[i] - mv);
            den += t * t;
        }
        return den == 0 ? 0 : num / den;
    }

    /**
     * Returns the end model's inputs for a window.
     *
     * @param w the window
     * @return one value per {@link #MODEL_FEATURES} entry, NaN where missing
     */
    public static double[] modelInputs(Window w) {
        double[] x = new double[MODEL_FEATURES.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = w.feature(MODEL_FEATURES.get(i)).orElse(Double.NaN);
        }
        return x;
    }
}
