package io.edgeloop.labeling.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.edgeloop.labeling.window.WindowerBadDataTest.feed;
import static io.edgeloop.labeling.window.WindowerBadDataTest.x;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.lf.Condition;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;
import io.edgeloop.labeling.train.FeatureTable;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A window whose samples span no time (one sample, or several with one timestamp) has no slope: NaN, read as "no
 * value" by conditions (UNKNOWN) and by end-model tables (incomplete row), never 0, which claimed a flat signal.
 */
@DisplayName("Windows that span no time")
class ZeroTimeSpanTest {
    @Test
    @DisplayName("three readings with one timestamp: slope is NaN, the other features are defined, no quality flag")
    void sameTimestampHasNoSlope() {
        // Three distinct readings (sequence numbers and values differ) stamped in the same millisecond: the
        // windower keeps all three; a rise from 400 to 800 in no time has no rate per second.
        List<Window> ws = feed(new Windower(WindowSpec.bySamples(3).build()), x(5000, 1, 400), x(5000, 2, 600),
                x(5000, 3, 800));
        assertEquals(1, ws.size());
        Window w = ws.get(0);
        assertTrue(Double.isNaN(w.features().get("x.slope")), "slope over no time: " + w.features());
        assertTrue(w.feature("x.slope").isEmpty());
        assertEquals(600.0, w.feature("x.mean").getAsDouble(), 1e-9);
        assertEquals(400.0, w.feature("x.range").getAsDouble());
        assertFalse(w.hasBadData(), "the readings are sound: " + w.flags());
    }

    @Test
    @DisplayName("a single-sample window (count or time) has no slope")
    void singleSampleHasNoSlope() {
        Window c = feed(new Windower(WindowSpec.bySamples(1).build()), x(1000, 1, 3)).get(0);
        assertTrue(c.feature("x.slope").isEmpty(), c.features().toString());
        assertEquals(3.0, c.feature("x.mean").getAsDouble());
        assertEquals(0.0, c.feature("x.std").getAsDouble());
        Windower t = new Windower(WindowSpec.byMillis(1000).build());
        List<Window> tw = feed(t, x(100, 1, 3), x(2500, 2, 4));
        assertEquals(1, tw.size(), "the first time window closes");
        assertTrue(tw.get(0).feature("x.slope").isEmpty(), tw.get(0).features().toString());
    }

    @Test
    @DisplayName("a shared timestamp inside a window that spans time still gives the least-squares slope")
    void sharedTimestampWithSpan() {
        // t = 0, 0, 1 s; x = 1, 3, 5: least squares gives 3 per second.
        Window w = feed(new Windower(WindowSpec.bySamples(3).build()), x(0, 1, 1), x(0, 2, 3), x(1000, 3, 5)).get(0);
        assertEquals(3.0, w.feature("x.slope").getAsDouble(), 1e-12);
    }

    @Test
    @DisplayName("a rule on the slope abstains, and an end-model table marks the row incomplete, as for rate over no time")
    void consumersReadNoValue() {
        Window w = feed(new Windower(WindowSpec.bySamples(3).build()), x(5000, 1, 400), x(5000, 2, 400),
                x(5000, 3, 400)).get(0);
        Condition flat = Conditions.feature("x.slope").below(0.01);
        assertEquals(Condition.UNKNOWN, flat.test(w), "a constant burst in one millisecond is not evidence of 'flat'");
        assertEquals(Condition.UNKNOWN, Conditions.rate("x").below(0.01).test(w));
        Labeller lf = Lf.named("flat").when(flat).vote(0);
        assertEquals(io.edgeloop.api.label.Label.ABSTAIN, lf.label(w), "it used to vote 0 on a slope of 0");
        FeatureTable t = FeatureTable.of(List.of(w), List.of("x.mean", "x.slope"));
        assertFalse(t.complete(0), "no training row or prediction from an undefined slope");
        assertTrue(FeatureTable.of(List.of(w), List.of("x.mean")).complete(0));
    }
}
