package io.edgeloop.labeling.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.lf.Condition;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;
import io.edgeloop.labeling.lf.SensorHealthLabeller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * rev-s6-label items 2, 3, 4, 7, 11 and the minor ones: extreme timestamps, flagged and infinite samples, redelivered
 * records, channels absent from a window, NaN thresholds.
 */
class WindowerBadDataTest {
    static SensorRecord x(long t, long seq, double v, QualityFlag... flags) {
        SensorRecord.Builder b = SensorRecord.builder().deviceId("d").stream("s").timestampMillis(t).sequence(seq)
                .channel("x", v);
        for (QualityFlag f : flags) {
            b.flag(f);
        }
        return b.build();
    }

    static List<Window> feed(Windower w, SensorRecord... rs) {
        List<Window> out = new ArrayList<>();
        for (SensorRecord r : rs) {
            out.addAll(w.add(r));
        }
        return out;
    }

    @Test
    @DisplayName("timestamps at and near Long.MAX_VALUE / MIN_VALUE never hang and are windowed or counted")
    void extremeTimestamps() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Windower w = new Windower(WindowSpec.byMillis(1000).build());
            assertEquals(List.of(), w.add(x(Long.MAX_VALUE, 1, 1)), "used to loop forever");
            assertEquals(1, w.flush().size());

            Windower w2 = new Windower(WindowSpec.byMillis(1000).build());
            List<Window> out = feed(w2, x(1000, 1, 1), x(1500, 2, 2), x(Long.MAX_VALUE - 10, 3, 3));
            assertEquals(1, out.size(), "the window [1000, 2000) completes");
            assertEquals(2, out.get(0).size());
            assertTrue(w2.emptyWindows() > 1_000_000_000_000L, "the gap is counted, not walked: "
                    + w2.emptyWindows());
            List<Window> last = w2.flush();
            assertEquals(1, last.size());
            assertEquals(Long.MAX_VALUE - 10, last.get(0).startMillis());

            // A window below Long.MIN_VALUE cannot be represented: counted, not taken for late.
            Windower w3 = new Windower(WindowSpec.byMillis(1000).step(100).build());
            assertEquals(List.of(), w3.add(x(Long.MIN_VALUE, 1, 1)));
            assertEquals(1, w3.outOfRangeRecords());
            assertEquals(0, w3.lateRecords());
            // Within range: Long.MIN_VALUE + 1000 is on its own window, then MAX completes it.
            long t0 = Long.MIN_VALUE - Math.floorMod(Long.MIN_VALUE, 100L) + 100;
            assertEquals(List.of(), w3.add(x(t0, 2, 5)));
            List<Window> far = w3.add(x(Long.MAX_VALUE, 3, 6));
            assertFalse(far.isEmpty(), "MAX completes the windows holding MIN + 100");
            assertEquals(5.0, far.get(0).feature("x.mean").getAsDouble());
            assertEquals(0, w3.lateRecords());

            // Count windows: MIN and MAX are ordinary timestamps.
            Windower c = new Windower(WindowSpec.bySamples(2).build());
            List<Window> cw = feed(c, x(Long.MIN_VALUE, 1, 1), x(Long.MAX_VALUE, 2, 3));
            assertEquals(1, cw.size());
            assertEquals(0, c.lateRecords());
            assertTrue(Double.isFinite(cw.get(0).feature("x.slope").getAsDouble()));
        });
    }

    @Test
    @DisplayName("a SATURATED/OFFLINE/OUT_OF_RANGE record is not a reading: its samples are NaN, features NaN, "
            + "rules abstain")
    void flaggedSamplesAreNotAveraged() {
        for (QualityFlag f : new QualityFlag[] {QualityFlag.SATURATED, QualityFlag.OFFLINE,
            QualityFlag.OUT_OF_RANGE}) {
            Windower w = new Windower(WindowSpec.bySamples(2).build());
            List<Window> out = feed(w, x(0, 1, 0, f), x(1000, 2, 100));
            Window win = out.get(0);
            assertTrue(win.hasBadData());
            assertTrue(win.flags().contains(f));
            assertTrue(Double.isNaN(win.values("x")[0]), "the flagged sample is blanked");
            assertEquals(100.0, win.values("x")[1]);
            assertTrue(win.feature("x.mean").isEmpty(), f + ": x.mean was 50, averaged with the flagged 0");
            Condition mean = Conditions.feature("x.mean").above(0.1);
            Condition rate = Conditions.rate("x").above(0.1);
            assertEquals(Condition.UNKNOWN, mean.test(win));
            assertEquals(Condition.UNKNOWN, rate.test(win), "rate from a flagged endpoint");
            assertEquals(Label.ABSTAIN, Lf.named("high").classes(2).when(mean).vote(1).label(win));
        }
        // INTERPOLATED is a reading (estimated): kept, window marked.
        Window interp = feed(new Windower(WindowSpec.bySamples(2).build()), x(0, 1, 0, QualityFlag.INTERPOLATED),
                x(1000, 2, 100)).get(0);
        assertEquals(50.0, interp.feature("x.mean").getAsDouble());
        assertTrue(interp.hasBadData());
    }

    @Test
    @DisplayName("rate and sustained do not vote on infinite samples")
    void infiniteSamples() {
        Window w = feed(new Windower(WindowSpec.bySamples(3).build()), x(0, 1, 1), x(1000, 2, 2),
                x(2000, 3, Double.POSITIVE_INFINITY)).get(0);
        assertTrue(w.flags().contains(QualityFlag.OUT_OF_RANGE));
        assertEquals(Condition.UNKNOWN, Conditions.rate("x").above(0.1).test(w), "rate was +Infinity");
        assertEquals(Condition.UNKNOWN, Conditions.sustained("x", true, 2.5, 1).test(w),
                "Infinity counted as a sample above 2.5");
        assertEquals(Condition.TRUE, Conditions.sustained("x", true, 1.5, 1).test(w), "a finite run still counts");
        Window neg = feed(new Windower(WindowSpec.bySamples(2).build()), x(0, 1, Double.NEGATIVE_INFINITY),
                x(1000, 2, 2)).get(0);
        assertEquals(Condition.UNKNOWN, Conditions.rate("x").below(0).test(neg));
        assertEquals(Condition.UNKNOWN, Conditions.sustained("x", false, 0, 1).test(neg));
    }

    @Test
    @DisplayName("a redelivered record (equal to the last: timestamp, sequence, values) is dropped and counted")
    void redeliveryIsDroppedAndCounted() {
        long m = 60_000;
        // x = 0,0,100,100 at 0..3 min; t=2 and t=3 redelivered; then 0s.
        SensorRecord[] in = {x(0, 1, 0), x(m, 2, 0), x(2 * m, 3, 100), x(3 * m, 4, 100), x(2 * m, 3, 100),
            x(3 * m, 4, 100), x(4 * m, 5, 0), x(5 * m, 6, 0), x(6 * m, 7, 0), x(7 * m, 8, 0)};
        Windower count = new Windower(WindowSpec.bySamples(5).build());
        List<Window> cw = feed(count, in);
        assertEquals(40.0, cw.get(0).feature("x.mean").getAsDouble(), "was 60: the t=3 copy counted twice");
        assertEquals(1, count.duplicateRecords());
        assertEquals(1, count.lateRecords(), "the older t=2 copy is late");
        Windower time = new Windower(WindowSpec.byMillis(5 * m).build());
        List<Window> tw = feed(time, in);
        assertEquals(5, tw.get(0).size());
        assertEquals(40.0, tw.get(0).feature("x.mean").getAsDouble(), "was 50 over 6 samples");
        assertEquals(1, time.duplicateRecords());
        // Same timestamp, another sequence or another value: a reading of its own, kept.
        Windower other = new Windower(WindowSpec.bySamples(3).build());
        assertEquals(1, feed(other, x(0, 1, 1), x(0, 2, 1), x(0, 2, 3)).size());
        assertEquals(0, other.duplicateRecords());
    }

    @Test
    @DisplayName("a channel the stream has shown that is absent from a whole window is all NaN and marks it MISSING")
    void absentChannelMarksTheWindow() {
        Windower w = new Windower(WindowSpec.bySamples(2).build());
        List<Window> out = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            SensorRecord.Builder b = SensorRecord.builder().deviceId("d").stream("s").timestampMillis(t).sequence(t)
                    .channel("x", 1);
            if (t < 2) {
                b.channel("h", 40 + t);
            }
            out.addAll(w.add(b.build()));
        }
        assertEquals(List.of("x", "h"), out.get(0).channels());
        assertFalse(out.get(0).hasBadData());
        Window second = out.get(1);
        assertEquals(List.of("x", "h"), second.channels(), "h was left out");
        assertEquals(Set.of(QualityFlag.MISSING), second.flags());
        assertEquals(2, second.missingCount("h"));
        assertTrue(second.feature("h.mean").isEmpty());
        assertEquals(1.0, second.feature("x.mean").getAsDouble());
        // Another stream has its own channels.
        List<Window> o = feed(w, SensorRecord.builder().deviceId("d").stream("t").timestampMillis(0).channel("y", 1)
                .build(), SensorRecord.builder().deviceId("d").stream("t").timestampMillis(1).channel("y", 2).build());
        assertEquals(List.of("y"), o.get(0).channels());
        assertFalse(o.get(0).hasBadData());
    }

    @Test
    @DisplayName("a NaN threshold and a negative flat-line length are refused")
    void nanThresholdsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Conditions.feature("x.mean").above(Double.NaN));
        assertTrue(e.getMessage().contains("x.mean") && e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conditions.feature("x.mean").below(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Conditions.rate("x").above(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Conditions.sustained("x", true, Double.NaN, 1));
        Labeller r = Lf.named("r").classes(2).when(Conditions.feature("x.mean").above(0)).vote(1);
        e = assertThrows(IllegalArgumentException.class, () -> new SensorHealthLabeller(r, List.of("x"), 0, 1, -1));
        assertTrue(e.getMessage().contains("minSamplesForFlatline"), e.getMessage());
    }
}
