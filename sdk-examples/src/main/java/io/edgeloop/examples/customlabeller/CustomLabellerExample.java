package io.edgeloop.examples.customlabeller;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.window.Window;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Example app: a custom labelling function loaded by name and scored on real data. It replays the UCI occupancy
 * test file with {@code csv-replay}, cuts it into tumbling windows of ten readings, asks the {@code co2-rise}
 * labeller for a vote on each and compares the votes with the recorded occupancy (the majority of the window's
 * {@code Occupancy} column, which the labeller never sees).
 *
 * <p>Run: {@code java -cp sdk-examples/target/edgeloop.jar io.edgeloop.examples.customlabeller.CustomLabellerExample}.
 *
 * <p>Not thread-safe: call from one thread.
 */
public final class CustomLabellerExample {
    private CustomLabellerExample() {
    }

    /**
     * How the labeller did.
     *
     * <p>Thread-safe: immutable.
     *
     * @param windows  windows evaluated
     * @param votes    windows it voted on (did not abstain)
     * @param correct  votes equal to the recorded occupancy
     */
    public record Result(int windows, int votes, int correct) {
        /** @return the share of windows with a vote, in percent */
        public double coveragePercent() {
            return windows == 0 ? 0 : 100.0 * votes / windows;
        }

        /** @return the share of votes that were right, in percent */
        public double accuracyPercent() {
            return votes == 0 ? 0 : 100.0 * correct / votes;
        }
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws Exception when it fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the example.
     *
     * @param out where to print the result
     * @return the coverage and accuracy figures
     * @throws Exception when a step fails
     */
    public static Result run(PrintStream out) throws Exception {
        Labeller lf = ProviderLoader.of(LabellerProvider.class).select("co2-rise").create(ComponentConfig.empty());
        List<SensorRecord> records = new ArrayList<>();
        try (SensorSource s = ProviderLoader.of(SensorSourceProvider.class).select("csv-replay").create(
                ComponentConfig.builder().put("resource", "io/edgeloop/examples/data/occupancy/datatest.txt")
                        .put("device", "office-1").build())) {
            while (!s.isExhausted()) {
                records.addAll(s.poll(1000, Duration.ZERO));
            }
        }
        int windows = 0;
        int votes = 0;
        int correct = 0;
        for (Window w : tumblingWindows(records, 10, List.of("CO2", "Light"))) {
            windows++;
            int vote = lf.label(w);
            if (vote == Label.ABSTAIN) {
                continue;
            }
            votes++;
            if (vote == occupancy(records, w)) {
                correct++;
            }
        }
        Result r = new Result(windows, votes, correct);
        out.printf(java.util.Locale.ROOT, "%s on %d windows: coverage %.1f %%, accuracy %.1f %% against the recorded occupancy%n", lf,
                windows, r.coveragePercent(), r.accuracyPercent());
        return r;
    }

    /** Cuts records into consecutive windows of {@code size} readings over the given channels. */
    static List<Window> tumblingWindows(List<SensorRecord> records, int size, List<String> channels) {
        List<Window> out = new ArrayList<>();
        for (int start = 0; start + size <= records.size(); start += size) {
            long[] ts = new long[size];
            Window.Builder b = Window.builder().deviceId(records.get(start).deviceId())
                    .stream(records.get(start).stream()).index(out.size());
            for (int i = 0; i < size; i++) {
                ts[i] = records.get(start + i).timestampMillis();
            }
            b.timestamps(ts);
            for (String c : channels) {
                double[] v = new double[size];
                for (int i = 0; i < size; i++) {
                    v[i] = records.get(start + i).value(c);
                }
                b.channel(c, v);
            }
            out.add(b.build());
        }
        return out;
    }

    private static int occupancy(List<SensorRecord> records, Window w) {
        int start = (int) w.index() * w.size();
        int occupied = 0;
        for (int i = 0; i < w.size(); i++) {
            occupied += records.get(start + i).value("Occupancy") >= 0.5 ? 1 : 0;
        }
        return 2 * occupied > w.size() ? Co2RiseLabeller.OCCUPIED : Co2RiseLabeller.EMPTY;
    }
}
