package io.edgeloop.examples.demo.label;

import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.window.WindowSpec;
import io.edgeloop.labeling.window.Windower;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts each device's ingested records into tumbling windows of {@link #SAMPLES} readings (about five minutes of
 * the UCI data) with sdk-labeling's {@link Windower}, which computes the standard features
 * ({@code <channel>.mean}, {@code .range}, {@code .slope} per second, ...) and marks windows with missing data
 * instead of averaging over them.
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
    /** The end model's classes, by index: 0 empty, 1 occupied. */
    public static final List<String> CLASSES = List.of("empty", "occupied");

    private OccupancyWindows() {
    }

    /**
     * Builds windows from records (each device's records in time order).
     *
     * @param records records of any number of devices
     * @return the windows, in the order they completed
     */
    public static List<Window> of(List<SensorRecord> records) {
        Windower w = new Windower(WindowSpec.bySamples(SAMPLES).channels(CHANNELS).build());
        List<Window> out = new ArrayList<>();
        for (SensorRecord r : records) {
            out.addAll(w.add(r));
        }
        // A trailing partial window would mix fewer readings: left out, as a tumbling window of 5 would.
        return out;
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
