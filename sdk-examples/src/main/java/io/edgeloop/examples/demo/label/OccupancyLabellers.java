package io.edgeloop.examples.demo.label;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.examples.customlabeller.Co2RiseLabeller;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;
import java.util.List;

/**
 * The labelling functions a building engineer would write for office occupancy (class 1 occupied, 0 empty),
 * written with sdk-labeling's fluent {@link Lf} library, plus the example {@link Co2RiseLabeller}: lights on or
 * off, the lights on for most of the window, CO2 high or near the outdoor level, CO2 rising with the lights on,
 * CO2 falling, and the humidity ratio rising (people breathe out water). None reads the occupancy column; each
 * abstains when a feature it needs is missing.
 *
 * <p>Thread-safe: the labellers are immutable pure functions.
 */
public final class OccupancyLabellers {
    private OccupancyLabellers() {
    }

    /** @return the labelling functions, in a fixed order (the label matrix's columns) */
    public static List<Labeller> all() {
        return List.of(
                Lf.named("light-on").when(Conditions.feature("Light.mean").above(300)).vote(1),
                Lf.named("dark").when(Conditions.feature("Light.max").below(50)).vote(0),
                Lf.named("light-sustained").when(Conditions.sustained("Light", true, 250, 4)).vote(1),
                Lf.named("co2-high").when(Conditions.feature("CO2.mean").above(900)).vote(1),
                Lf.named("co2-outdoor").when(Conditions.feature("CO2.mean").below(480)).vote(0),
                new Co2RiseLabeller("CO2", "Light", 8, 250),
                Lf.named("co2-falling").when(Conditions.feature("CO2.slope").below(-0.03)).vote(0),
                Lf.named("humidity-ratio-rising").when(Conditions.feature("HumidityRatio.slope").above(2e-7)).vote(1));
    }
}
