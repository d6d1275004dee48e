package io.edgeloop.labeling.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WindowerTest {
    static SensorRecord rec(String dev, long t, double co2) {
        return SensorRecord.builder().deviceId(dev).stream("air").timestampMillis(t).sequence(t / 1000)
                .channel("co2", co2).channel("light", 10.0).build();
    }

    private static List<Window> feed(Windower w, List<SensorRecord> rs) {
        List<Window> out = new ArrayList<>();
        for (SensorRecord r : rs) {
            out.addAll(w.add(r));
        }
        return out;
    }

    @Test
    @DisplayName("tumbling count windows compute the standard features")
    void tumblingCount() {
        List<SensorRecord> rs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rs.add(rec("d1", i * 1000L, 400 + 10 * i));
        }
        List<Window> ws = feed(new Windower(WindowSpec.bySamples(5).build()), rs);
        assertEquals(2, ws.size());
        Window w = ws.get(0);
        assertEquals(420.0, w.feature("co2.mean").getAsDouble(), 1e-9);
        assertEquals(400.0, w.feature("co2.min").getAsDouble());
        assertEquals(440.0, w.feature("co2.max").getAsDouble());
        assertEquals(40.0, w.feature("co2.range").getAsDouble());
        assertEquals(10.0, w.feature("co2.slope").getAsDouble(), 1e-9, "10 ppm per second");
        assertEquals(Math.sqrt(200), w.feature("co2.std").getAsDouble(), 1e-9);
        assertEquals(200.0, w.feature("co2.energy").getAsDouble(), 1e-9);
        assertEquals(0.0, w.feature("light.std").getAsDouble());
        assertEquals(1, ws.get(1).index());
        assertFalse(w.hasBadData());
    }

    @Test
    @DisplayName("sliding count windows overlap by size - step")
    void slidingCount() {
        List<SensorRecord> rs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rs.add(rec("d1", i * 1000L, i));
        }
        List<Window> ws = feed(new Windower(WindowSpec.bySamples(4).step(2).build()), rs);
        assertEquals(4, ws.size());
        assertEquals(2.0, ws.get(1).values("co2")[0]);
    }

    @Test
    @DisplayName("time windows are per device, aligned, and skip gaps without emitting empty windows")
    void timeWindowsPerDevice() {
        Windower w = new Windower(WindowSpec.byMillis(10_000).build());
        List<SensorRecord> rs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rs.add(rec("a", i * 1000L, i));
            rs.add(rec("b", i * 1000L, 100 + i));
        }
        rs.add(rec("a", 100_000L, 1));
        List<Window> ws = feed(w, rs);
        ws.addAll(w.flush());
        long fromA = ws.stream().filter(x -> x.deviceId().equals("a")).count();
        assertEquals(4, fromA, "3 full windows and the flushed one");
        Window b0 = ws.stream().filter(x -> x.deviceId().equals("b")).findFirst().orElseThrow();
        assertEquals(10, b0.size());
        assertEquals(104.5, b0.feature("co2.mean").getAsDouble(), 1e-9);
        assertEquals(7, w.emptyWindows(), "windows starting at 30 s .. 90 s");
    }

    @Test
    @DisplayName("a NaN sample marks the window MISSING and makes that channel's features NaN, never averaged")
    void nanMarksWindow() {
        List<SensorRecord> rs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rs.add(rec("d1", i * 1000L, i == 2 ? Double.NaN : 400));
        }
        Window w = feed(new Windower(WindowSpec.bySamples(5).build()), rs).get(0);
        assertTrue(w.hasBadData());
        assertTrue(w.flags().contains(QualityFlag.MISSING));
        assertTrue(w.feature("co2.mean").isEmpty());
        assertTrue(Double.isNaN(w.features().get("co2.mean")));
        assertEquals(10.0, w.feature("light.mean").getAsDouble());
    }

    @Test
    @DisplayName("a record missing a channel contributes NaN; a flagged record flags the window")
    void missingChannelAndFlags() {
        List<SensorRecord> rs = new ArrayList<>();
        rs.add(rec("d1", 0, 400));
        rs.add(SensorRecord.builder().deviceId("d1").stream("air").timestampMillis(1000).channel("light", 5.0)
                .flag(QualityFlag.SATURATED).build());
        Window w = feed(new Windower(WindowSpec.bySamples(2).build()), rs).get(0);
        assertEquals(1, w.missingCount("co2"));
        assertTrue(w.flags().contains(QualityFlag.SATURATED));
    }

    @Test
    @DisplayName("a flushed time window is final: a later record in its interval is late, the next interval opens")
    void flushClosesTheTimeWindow() {
        // rev-s8-label item 9: after flush, a record at 200 opened a second window for [0, 1000).
        Windower w = new Windower(WindowSpec.byMillis(1000).build());
        List<Window> out = new ArrayList<>(feed(w, List.of(rec("d", 0, 1), rec("d", 100, 1))));
        out.addAll(w.flush());
        assertEquals(1, out.size());
        out.addAll(feed(w, List.of(rec("d", 200, 5), rec("d", 1500, 1), rec("d", 2500, 1))));
        assertEquals(1, w.lateRecords(), "the record at 200 belongs to the flushed window");
        assertEquals(2, out.size(), "[1000, 2000) completed by the record at 2500");
        assertEquals(1500, out.get(1).startMillis(), "the window after the flushed one holds only the record at 1500");
        assertEquals(1, out.get(1).size());

        // Sliding (size 1000, step 300): the flushed window [0, 1000) closes up to the next start at or after
        // 1000, which is 1200.
        Windower s = new Windower(WindowSpec.byMillis(1000).step(300).build());
        feed(s, List.of(rec("d", 0, 1), rec("d", 100, 1)));
        assertEquals(1, s.flush().size());
        feed(s, List.of(rec("d", 1100, 1), rec("d", 1200, 1)));
        assertEquals(1, s.lateRecords());
        List<Window> rest = s.flush();
        assertEquals(1200, rest.get(0).startMillis(), "the record at 1100 is late");
        assertEquals(1, rest.get(0).size());
    }

    @Test
    @DisplayName("out-of-order records are counted as late, not merged into the wrong window")
    void lateRecords() {
        Windower w = new Windower(WindowSpec.byMillis(5000).build());
        w.add(rec("d1", 20_000, 1));
        w.add(rec("d1", 1_000, 1));
        assertEquals(1, w.lateRecords());
    }

    @Test
    @DisplayName("count windows count out-of-order records as late and leave them out, as time windows do")
    void lateRecordsInCountWindows() {
        Windower w = new Windower(WindowSpec.bySamples(3).build());
        List<SensorRecord> rs = new ArrayList<>();
        for (long t : new long[] {1000, 3000, 2000, 500, 4000, 5000}) {
            rs.add(rec("d1", t, t));
        }
        List<Window> ws = feed(w, rs);
        assertEquals(2, w.lateRecords(), "2000 and 500 arrive after 3000");
        assertEquals(1, ws.size());
        assertEquals(1000.0, ws.get(0).values("co2")[0]);
        assertEquals(3000.0, ws.get(0).values("co2")[1]);
        assertEquals(4000.0, ws.get(0).values("co2")[2]);
        List<Window> rest = w.flush();
        assertEquals(1, rest.size());
        assertEquals(5000.0, rest.get(0).values("co2")[0]);
    }

    @Test
    @DisplayName("spectral band energies split a sine's energy into the right band")
    void spectralBands() {
        List<SensorRecord> rs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            rs.add(rec("d1", i * 100L, Math.sin(2 * Math.PI * 24 * i / 64.0)));
        }
        Window w = feed(new Windower(WindowSpec.bySamples(64).spectralBands(4).build()), rs).get(0);
        assertEquals(1.0, w.feature("co2.band2").getAsDouble(), 1e-9);
        assertTrue(w.feature("co2.zero_crossings").getAsDouble() > 40);
    }

    @Test
    @DisplayName("rejects a step larger than the window")
    void rejectsBadSpec() {
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.bySamples(5).step(6).build());
    }

    @Test
    @DisplayName("an infinite sample marks the window as bad data (OUT_OF_RANGE) and gives NaN features for its channel")
    void infiniteSampleIsBadData() {
        for (double inf : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            List<Window> ws = feed(new Windower(WindowSpec.bySamples(3).build()),
                    List.of(rec("d", 0, inf), rec("d", 1000, 4), rec("d", 2000, 5)));
            Window w = ws.get(0);
            assertTrue(w.hasBadData(), "window with " + inf);
            assertTrue(w.flags().contains(QualityFlag.OUT_OF_RANGE), w.flags().toString());
            assertTrue(Double.isNaN(w.features().get("co2.mean")));
            assertTrue(Double.isNaN(w.features().get("co2.rms")));
            assertEquals(10.0, w.features().get("light.mean"), 0.0, "the other channel is unaffected");
        }
    }

    @Test
    @DisplayName("finite samples near the double range give finite mean, std, rms and slope")
    void hugeFiniteSamplesGiveFiniteFeatures() {
        List<Window> ws = feed(new Windower(WindowSpec.bySamples(3).build()),
                List.of(rec("d", 0, 1e200), rec("d", 1000, 1e200), rec("d", 2000, 3e200)));
        Window w = ws.get(0);
        assertFalse(w.hasBadData());
        assertEquals(5e200 / 3, w.features().get("co2.mean"), 1e186);
        assertEquals(Math.sqrt(11.0 / 3) * 1e200, w.features().get("co2.rms"), 1e187);
        assertEquals(Math.sqrt(8.0 / 9) * 1e200, w.features().get("co2.std"), 1e187);
        assertEquals(1e200, w.features().get("co2.slope"), 1e187);
        ws = feed(new Windower(WindowSpec.bySamples(2).build()), List.of(rec("e", 0, -1.5e308), rec("e", 1000, -1.5e308)));
        assertEquals(1.5e308, ws.get(0).features().get("co2.rms"), 1e294);
        assertEquals(-1.5e308, ws.get(0).features().get("co2.mean"), 1e294);
    }
}
