package io.edgeloop.labeling.train;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;
import io.edgeloop.labeling.window.WindowSpec;
import io.edgeloop.labeling.window.Windower;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The UCI occupancy-detection files as windows: one device per file, sliding windows of 5 one-minute samples
 * (step 1), each window's gold label the occupancy of its last minute. Thread-safe: static methods only.
 */
final class Occupancy {
    static final List<String> FEATURES = List.of("Temperature.last", "Humidity.last", "Light.last", "CO2.last",
            "HumidityRatio.last", "CO2.slope", "Light.mean");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Occupancy() {
    }

    /** Windows and their gold labels. */
    record Data(List<Window> windows, int[] gold) {
    }

    static Data read(String file) throws IOException {
        Path p = TestData.datasets().resolve("occupancy-detection-uci").resolve(file);
        List<String> lines = Files.readAllLines(p);
        String[] header = lines.get(0).replace("\"", "").split(",");
        Windower w = new Windower(WindowSpec.bySamples(5).step(1).build());
        List<Window> windows = new ArrayList<>();
        List<Integer> occupancy = new ArrayList<>();
        List<Integer> gold = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).replace("\"", "").split(",");
            // Data rows carry a leading row id the header does not name.
            long t = LocalDateTime.parse(f[1], TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
            SensorRecord.Builder b = SensorRecord.builder().deviceId(file).stream("room").timestampMillis(t)
                    .sequence(i);
            for (int c = 1; c < header.length - 1; c++) {
                b.channel(header[c], Double.parseDouble(f[c + 1]));
            }
            occupancy.add(Integer.parseInt(f[f.length - 1]));
            for (Window x : w.add(b.build())) {
                windows.add(x);
                gold.add(occupancy.get(occupancy.size() - 1));
            }
        }
        return new Data(windows, gold.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Labelling functions a building engineer would write: light, CO2 level and slope, humidity ratio. */
    static List<Labeller> lfs() {
        return List.of(
                Lf.named("light_on").when(Conditions.feature("Light.last").above(300)).vote(1),
                Lf.named("dark").when(Conditions.feature("Light.max").below(50)).vote(0),
                Lf.named("light_sustained").when(Conditions.sustained("Light", true, 250, 4)).vote(1),
                Lf.named("co2_high").when(Conditions.feature("CO2.last").above(900)).vote(1),
                Lf.named("co2_low").when(Conditions.feature("CO2.last").below(480)).vote(0),
                Lf.named("co2_rising").when(Conditions.feature("CO2.slope").above(0.08)).vote(1),
                Lf.named("co2_falling").when(Conditions.feature("CO2.slope").below(-0.03)).vote(0),
                Lf.named("humidity_ratio_rising").when(Conditions.feature("HumidityRatio.slope").above(2e-7)).vote(1),
                Lf.named("lit_and_breathing").when(Conditions.feature("Light.last").above(200)
                        .and(Conditions.feature("CO2.slope").above(0))).vote(1));
    }
}
