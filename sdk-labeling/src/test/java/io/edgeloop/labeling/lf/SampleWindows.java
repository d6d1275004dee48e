package io.edgeloop.labeling.lf;

import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.window.WindowSpec;
import io.edgeloop.labeling.window.Windower;
import java.util.ArrayList;
import java.util.List;

/** Occupancy-like windows for labeller tests. Thread-safe: static methods only. */
final class SampleWindows {
    private SampleWindows() {
    }

    static Window window(int index, double light, double co2Start, double co2Step, boolean nan, QualityFlag flag) {
        List<SensorRecord> rs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            SensorRecord.Builder b = SensorRecord.builder().deviceId("room-1").stream("air")
                    .timestampMillis(60_000L * (index * 10 + i)).sequence(index * 10 + i)
                    .channel("light", nan && i == 3 ? Double.NaN : light + (i % 2))
                    .channel("co2", co2Start + co2Step * i);
            if (flag != null && i == 5) {
                b.flag(flag);
            }
            rs.add(b.build());
        }
        return Windower.window("room-1", "air", index, rs, WindowSpec.bySamples(10).build());
    }

    static List<Window> good() {
        List<Window> ws = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean occupied = i % 3 == 0;
            ws.add(window(i, occupied ? 450 + i : 5 + i % 4, 500 + 7 * i, occupied ? 4 : -1, false, null));
        }
        return ws;
    }

    static List<Window> bad() {
        return List.of(window(0, 450, 600, 3, true, null), window(1, 450, 600, 3, false, QualityFlag.SATURATED),
                window(2, 450, 600, 3, false, QualityFlag.OFFLINE), window(3, Double.NaN, 600, 3, true, null));
    }
}
