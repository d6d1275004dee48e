package io.edgeloop.labeling.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link DeviceBaseline}: each reading minus the median of its device's readings lag to lag + span earlier. */
class DeviceBaselineTest {
    private static DeviceBaseline.Builder x(int lag, int span) {
        return DeviceBaseline.builder().channels(List.of("x")).lag(lag).span(span);
    }

    private static SensorRecord rec(String device, long t, double v, QualityFlag... flags) {
        SensorRecord.Builder b = SensorRecord.builder().deviceId(device).stream("s").timestampMillis(t).sequence(t)
                .channel("x", v);
        for (QualityFlag f : flags) {
            b.flag(f);
        }
        return b.build();
    }

    /** Feeds one device's values, one record per millisecond, and returns their {@code xExcess}. */
    private static double[] excess(DeviceBaseline b, double... values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = b.apply(rec("d", i, values[i])).value("xExcess");
        }
        return out;
    }

    @Test
    @DisplayName("an odd span gives the middle reading; the first readings get the warm-up baseline")
    void exactMediansOddSpanWithWarmUp() {
        // lag 2, span 3, warm-up min(2, 3) = 2. Baselines by position: 0 itself; 1 {5}; 2-4 {5, 1} (warm-up, 3);
        // 5 {5, 1, 9}; 6 {1, 9, 2}; 7 {9, 2, 8}; 8 {2, 8, 3}; 9 {8, 3, 7}; 10 {3, 7, 100}.
        DeviceBaseline b = x(2, 3).build();
        assertEquals(2, b.warmUp());
        assertArrayEquals(new double[] {0, -4, 6, -1, 5, -2, 5, 92, 1, -1, -7},
                excess(b, 5, 1, 9, 2, 8, 3, 7, 100, 4, 6, 0));
    }

    @Test
    @DisplayName("an even span gives the mean of the middle two readings")
    void exactMediansEvenSpan() {
        // lag 1, span 4, warm-up 1. Baselines: 0 itself; 1-2 {5}; 3 {5, 1}: 3; 4 {5, 1, 9}: 5; 5 {5, 1, 9, 2}: 3.5;
        // 6 {1, 9, 2, 8}: 5; 7 {9, 2, 8, 3}: 5.5; 8 {2, 8, 3, 7}: 5.
        assertArrayEquals(new double[] {0, -4, 4, -1, 3, -0.5, 2, 94.5, -1},
                excess(x(1, 4).build(), 5, 1, 9, 2, 8, 3, 7, 100, 4));
    }

    @Test
    @DisplayName("without a warm-up a reading with no reading lag back gets NaN, the first one too")
    void noWarmUpGivesNaNUntilLagReadingsLieBack() {
        // lag 2, span 3: positions 0-2 have nothing 2 back; 3 {5}; 4 {5, 1}; 5 {5, 1, 9}.
        assertArrayEquals(new double[] {Double.NaN, Double.NaN, Double.NaN, -3, 5, -2},
                excess(x(2, 3).warmUp(0).build(), 5, 1, 9, 2, 8, 3));
    }

    @Test
    @DisplayName("NaN, infinite, absent and flagged readings never enter a baseline, their own excess is NaN,"
            + " and a baseline without a good reading is NaN, not 0")
    void badReadingsStayOutOfBaselines() {
        DeviceBaseline b = x(1, 3).build();
        List<SensorRecord> out = new ArrayList<>();
        Consumer<SensorRecord> in = r -> out.add(b.apply(r));
        in.accept(rec("d", 0, 10));
        in.accept(rec("d", 1, Double.NaN));
        in.accept(rec("d", 2, 1000, QualityFlag.SATURATED));
        in.accept(rec("d", 3, Double.POSITIVE_INFINITY));
        in.accept(rec("d", 4, 20)); // positions 0-2: only 10 is a reading (with the saturated 1000 it would be 505)
        in.accept(SensorRecord.builder().deviceId("d").stream("s").timestampMillis(5).channel("y", 1).build());
        in.accept(rec("d", 6, 40)); // positions 2-4: only 20
        in.accept(rec("d", 7, 50, QualityFlag.OFFLINE));
        in.accept(rec("d", 8, 60, QualityFlag.OUT_OF_RANGE));
        in.accept(rec("d", 9, Double.NaN));
        in.accept(rec("d", 10, 70)); // positions 6-8: only 40
        in.accept(rec("d", 11, 80)); // positions 7-9: none is a reading
        double[] excess = out.stream().mapToDouble(r -> r.value("xExcess")).toArray();
        assertArrayEquals(new double[] {0, Double.NaN, Double.NaN, Double.NaN, 10, Double.NaN, 20, Double.NaN,
            Double.NaN, Double.NaN, 30, Double.NaN}, excess, Arrays.toString(excess));
        assertEquals(1000, out.get(2).value("x"), "the raw reading is passed on as it came");
        assertTrue(out.get(2).flags().contains(QualityFlag.SATURATED));
        assertTrue(out.get(11).flags().contains(QualityFlag.MISSING), "a NaN excess is a missing value");
        assertFalse(out.get(4).flags().contains(QualityFlag.MISSING));

        // A bad first reading leaves the next ones without a baseline until a good one lies in range.
        DeviceBaseline c = x(1, 3).build();
        List<Double> e = new ArrayList<>();
        e.add(c.apply(rec("d", 0, 5, QualityFlag.OFFLINE)).value("xExcess"));
        for (int t = 1; t <= 3; t++) {
            e.add(c.apply(rec("d", t, 4 + t)).value("xExcess"));
        }
        assertEquals(List.of(Double.NaN, Double.NaN, Double.NaN, 2.0), e);
    }

    @Test
    @DisplayName("interleaved devices and streams keep separate baselines")
    void interleavedDevicesKeepSeparateBaselines() {
        double[] a = {50, 51, 49, 50, 60, 62, 50, 51};
        double[] z = {0, 1, -1, 0, 0, 30, 1, 0};
        double[] aAlone = excess(x(2, 3).build(), a);
        double[] zAlone = excess(x(2, 3).build(), z);
        DeviceBaseline b = x(2, 3).build();
        double[] aMixed = new double[a.length];
        double[] zMixed = new double[z.length];
        double[] otherStream = new double[z.length];
        for (int i = 0; i < a.length; i++) {
            aMixed[i] = b.apply(rec("a", i, a[i])).value("xExcess");
            zMixed[i] = b.apply(rec("z", i, z[i])).value("xExcess");
            otherStream[i] = b.apply(rec("a", i, z[i]).toBuilder().stream("t").build()).value("xExcess");
        }
        assertArrayEquals(aAlone, aMixed);
        assertArrayEquals(zAlone, zMixed);
        assertArrayEquals(zAlone, otherStream, "device a's stream t is a history of its own");
        assertEquals(12, aAlone[5], "device a at 62 against its usual 50");
        assertEquals(30, zAlone[5], "device z at 30 against its usual 0");
    }

    @Test
    @DisplayName("the history per device and stream never exceeds lag + span readings")
    void historyIsBounded() {
        DeviceBaseline b = x(3, 5).build();
        assertEquals(0, b.heldReadings("d", "s"));
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            b.apply(rec("d", i, random.nextGaussian()));
            assertEquals(Math.min(i + 1, 8), b.heldReadings("d", "s"), "after reading " + i);
        }
        assertEquals(0, b.heldReadings("other", "s"));
        assertEquals(0, b.heldReadings("d", "other"));
        // the number of devices is the caller's to bound: a device taken out of service is forgotten
        b.apply(rec("e", 0, 1.0));
        assertEquals(2, b.trackedStreams());
        assertTrue(b.forget("d", "s"));
        assertFalse(b.forget("d", "s"));
        assertEquals(1, b.trackedStreams());
        assertEquals(0, b.heldReadings("d", "s"));
        assertEquals(0.0, b.apply(rec("d", 20_000, 42.0)).value("xExcess"), "starts afresh: its own first reading");
    }

    @Test
    @DisplayName("a redelivery is returned as the first time and a late record gets NaN; neither enters the history,"
            + " and the Windower after it counts them too")
    void lateAndDuplicateRecordsFollowTheWindower() {
        DeviceBaseline b = x(1, 2).build();
        Windower w = new Windower(WindowSpec.bySamples(2).build());
        List<Window> windows = new ArrayList<>();
        SensorRecord first = rec("d", 1000, 10);
        SensorRecord second = rec("d", 2000, 20);
        windows.addAll(w.add(b.apply(first)));
        SensorRecord out = b.apply(second);
        windows.addAll(w.add(out));
        assertEquals(10, out.value("xExcess"));

        SensorRecord again = b.apply(second);
        assertEquals(out, again, "a redelivery comes out as it did the first time");
        windows.addAll(w.add(again));
        assertEquals(1, b.duplicateRecords());
        assertEquals(1, w.duplicateRecords(), "so the Windower drops it as a duplicate");

        SensorRecord late = b.apply(rec("d", 1500, 1000));
        assertTrue(Double.isNaN(late.value("xExcess")));
        windows.addAll(w.add(late));
        assertEquals(1, b.lateRecords());
        assertEquals(1, w.lateRecords());
        assertEquals(2, b.heldReadings("d", "s"));

        // With the late 1000 as position 2 this baseline would be {10, 20}: 15. It is position 2's: {10}.
        SensorRecord third = b.apply(rec("d", 3000, 30));
        assertEquals(20, third.value("xExcess"));
        // Same timestamp, another sequence number: a reading of its own (position 3, baseline {10, 20}).
        SensorRecord sameTime = b.apply(rec("d", 3000, 40).toBuilder().sequence(7).build());
        assertEquals(25, sameTime.value("xExcess"));
        assertEquals(1, b.lateRecords());
        assertEquals(1, b.duplicateRecords());
        windows.addAll(w.add(third));
        windows.addAll(w.add(sameTime));
        assertEquals(2, windows.size());
        assertEquals(List.of("x", "xExcess"), windows.get(1).channels());
        assertEquals(22.5, windows.get(1).feature("xExcess.mean").getAsDouble());
    }

    @Test
    @DisplayName("the derived channel's name takes the configured suffix and follows the record's own channels")
    void derivedNamesTakeTheSuffix() {
        DeviceBaseline b = DeviceBaseline.builder().channels(List.of("Humidity", "Temperature")).lag(0).span(2)
                .suffix("AboveUsual").build();
        assertEquals(List.of("HumidityAboveUsual", "TemperatureAboveUsual"), b.derivedChannels());
        SensorRecord r = b.apply(SensorRecord.builder().deviceId("d").channel("Temperature", 20)
                .channel("Humidity", 50).channel("Light", 3).build());
        assertEquals(List.of("Temperature", "Humidity", "Light", "HumidityAboveUsual", "TemperatureAboveUsual"),
                List.copyOf(r.channels().keySet()));
    }

    @Test
    @DisplayName("a record already carrying a derived channel is refused before anything changes")
    void recordWithDerivedChannelIsRefused() {
        DeviceBaseline b = x(1, 2).build();
        SensorRecord twice = b.apply(rec("d", 0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.apply(twice));
        assertEquals("record d/s #0 already has channel 'xExcess', which DeviceBaseline derives; choose another"
                + " suffix than 'Excess'", e.getMessage());
        assertEquals(1, b.heldReadings("d", "s"));
        assertEquals(0, b.duplicateRecords() + b.lateRecords());
    }

    @Test
    @DisplayName("bad settings are refused with a message naming the setting, the value and what is allowed")
    void badSettingsRefused() {
        assertRefused(DeviceBaseline.builder().lag(1).span(1),
                "DeviceBaseline needs at least one channel, e.g. channels(List.of(\"Humidity\"))");
        assertRefused(DeviceBaseline.builder().channels(List.of("x")).span(1),
                "DeviceBaseline lag must be set to a reading count >= 0, got none");
        assertRefused(x(-2, 1), "DeviceBaseline lag must be set to a reading count >= 0, got -2");
        assertRefused(DeviceBaseline.builder().channels(List.of("x")).lag(1),
                "DeviceBaseline span must be set to a reading count >= 1, got none");
        assertRefused(x(1, 0), "DeviceBaseline span must be set to a reading count >= 1, got 0");
        assertRefused(x(1, 1_000_000), "DeviceBaseline lag + span must be at most 1000000 readings (the history kept"
                + " per device, stream and channel), got 1 + 1000000");
        assertRefused(x(Integer.MAX_VALUE, Integer.MAX_VALUE), "DeviceBaseline lag + span must be at most 1000000"
                + " readings (the history kept per device, stream and channel), got 2147483647 + 2147483647");
        assertRefused(x(5, 3).warmUp(4), "DeviceBaseline warmUp must be in [0, span=3] readings, got 4");
        assertRefused(x(5, 3).warmUp(-3), "DeviceBaseline warmUp must be in [0, span=3] readings, got -3");
        assertRefused(x(1, 1).suffix(""),
                "DeviceBaseline suffix must not be empty: a derived channel would replace its channel");
        assertRefused(x(1, 1).channels(List.of("a", " ")), "DeviceBaseline channels must not be blank, got [a,  ]");
        assertRefused(x(1, 1).channels(List.of("a", "b", "a")),
                "DeviceBaseline channel 'a' is listed twice in [a, b, a]");
        assertRefused(x(1, 1).channels(List.of("a", "aExcess")), "DeviceBaseline derived channel 'aExcess' (of 'a')"
                + " is also a configured channel; choose another suffix than 'Excess'");
        assertThrows(NullPointerException.class, () -> DeviceBaseline.builder().channels(null));
        assertThrows(NullPointerException.class, () -> DeviceBaseline.builder().suffix(null));
        assertEquals(3, x(5, 3).build().warmUp(), "the default warm-up is min(lag, span)");
        assertEquals(0, x(0, 3).build().warmUp());
    }

    private static void assertRefused(DeviceBaseline.Builder b, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, b::build).getMessage());
    }

    @Test
    @DisplayName("streamed excess equals the batch definition on random series with bad readings")
    void streamedEqualsBatchDefinition() {
        Random random = new Random(20261203);
        for (int trial = 0; trial < 300; trial++) {
            int lag = random.nextInt(6);
            int span = 1 + random.nextInt(6);
            int warmUp = random.nextInt(span + 1);
            double[] v = new double[random.nextInt(40)];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextInt(8) == 0 ? Double.NaN : random.nextInt(20);
            }
            double[] streamed = excess(x(lag, span).warmUp(warmUp).build(), v);
            assertArrayEquals(batch(v, lag, span, warmUp), streamed,
                    "lag " + lag + " span " + span + " warmUp " + warmUp + " on " + Arrays.toString(v));
        }
    }

    /** The definition over a whole series (as LWSNDR's test helper computed it, with NaN readings left out). */
    private static double[] batch(double[] v, int lag, int span, int warmUp) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            if (i == 0 && warmUp > 0) {
                out[i] = v[0] - v[0];
                continue;
            }
            int hi = Math.max(i - lag, Math.min(i, warmUp));
            int lo = Math.max(0, i - lag - span);
            double[] in = Arrays.stream(Arrays.copyOfRange(v, lo, hi)).filter(d -> !Double.isNaN(d))
                    .sorted().toArray();
            int m = in.length / 2;
            double median = in.length == 0 ? Double.NaN
                    : in.length % 2 == 1 ? in[m] : (in[m - 1] + in[m]) / 2;
            out[i] = v[i] - median;
        }
        return out;
    }
}
