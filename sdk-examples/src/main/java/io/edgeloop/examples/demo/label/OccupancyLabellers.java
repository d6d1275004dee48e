package io.edgeloop.examples.demo.label;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import io.edgeloop.examples.customlabeller.Co2RiseLabeller;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.ToIntFunction;

/**
 * The labelling functions a building engineer would write for office occupancy (class 1 occupied, 0 empty):
 * lights on or off, CO2 level high or near outdoor level, CO2 rising with the lights on (the example
 * {@link Co2RiseLabeller}), the humidity ratio rising (people breathe out water), and nights and weekends.
 * None reads the occupancy column. Each abstains when a feature it needs is missing.
 *
 * <p>Thread-safe: the labellers are immutable pure functions.
 */
public final class OccupancyLabellers {
    private OccupancyLabellers() {
    }

    /** @return the labelling functions, in a fixed order (the label matrix's columns) */
    public static List<Labeller> all() {
        return List.of(
                lf("light-on", w -> above(w.feature("Light.mean"), 300) ? 1 : Label.ABSTAIN),
                lf("light-off", w -> below(w.feature("Light.mean"), 60) ? 0 : Label.ABSTAIN),
                lf("co2-high", w -> above(w.feature("CO2.mean"), 900) ? 1 : Label.ABSTAIN),
                lf("co2-outdoor", w -> below(w.feature("CO2.mean"), 480) ? 0 : Label.ABSTAIN),
                new Co2RiseLabeller("CO2", "Light", 8, 250),
                lf("humidity-ratio-rising", w -> above(w.feature("HumidityRatio.slope"), 1.5e-5) ? 1 : Label.ABSTAIN),
                lf("night-or-weekend", OccupancyLabellers::offHours));
    }

    private static boolean above(OptionalDouble v, double t) {
        return v.isPresent() && v.getAsDouble() > t;
    }

    private static boolean below(OptionalDouble v, double t) {
        return v.isPresent() && v.getAsDouble() < t;
    }

    private static int offHours(Window w) {
        if (w.size() == 0) {
            return Label.ABSTAIN;
        }
        ZonedDateTime t = Instant.ofEpochMilli(w.startMillis()).atZone(ZoneOffset.UTC);
        int hour = t.getHour();
        boolean weekend = t.getDayOfWeek().getValue() >= 6;
        return weekend || hour < 7 || hour >= 20 ? 0 : Label.ABSTAIN;
    }

    private static Labeller lf(String name, ToIntFunction<Window> rule) {
        return new Labeller() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int numClasses() {
                return 2;
            }

            @Override
            public int label(Window window) {
                return rule.applyAsInt(window);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
