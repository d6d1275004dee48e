package io.edgeloop.labeling.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Records the Windower cannot place are not lost silently: an outside team's newest-first source lost 38 of 40
 * records to {@code Windower(bySamples(5))} with nothing logged. The slf4j-simple binding (test scope) writes to
 * {@code System.err}, which each test captures; a fake clock drives the rate limit.
 */
class WindowerLateWarningTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private static SensorRecord rec(String device, long seq, long t) {
        return SensorRecord.builder().deviceId(device).stream("temp").sequence(seq).timestampMillis(t)
                .channel("temp", 20 + seq).build();
    }

    /** Runs the action and returns the WARN lines it logged. */
    private static List<String> warnings(Runnable action) {
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(before);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("WARN"))
                .collect(Collectors.toList());
    }

    @Test
    @DisplayName("a stream delivered newest first: the first late record is a WARN naming device, stream, both "
            + "sequence numbers and the gap; the rest of the period is counted into the next WARN")
    void warnsOnceAPeriodWithTheCount() {
        Windower w = new Windower(WindowSpec.bySamples(5).build(), nanos::get);
        List<Window> windows = new ArrayList<>();
        List<String> first = warnings(() -> {
            for (String device : new String[] {"dev-b", "dev-a"}) {
                for (long seq = 20; seq >= 1; seq--) {
                    windows.addAll(w.add(rec(device, seq, 1_700_000_000_000L + seq * 1000)));
                }
            }
            windows.addAll(w.flush());
        });
        assertEquals(38, w.lateRecords(), "each device's first record is used, its 19 older ones are late");
        assertEquals(2, windows.size());
        assertEquals(2, first.size(), "the first late record, then flush()'s count of the rest: " + first);
        String line = first.get(0);
        assertTrue(line.contains("record #19 @1700000019000 of device 'dev-b' stream 'temp' is 1000 ms older than the "
                + "stream's previous record #20 @1700000020000: counted late"), line);
        assertTrue(line.contains("1 late so far") && line.contains("the source delivered it out of order"), line);
        assertTrue(line.contains("further ones for 30 s at DEBUG"), line);
        // the other 37 went to DEBUG; flush() says how many at WARN (before, only a later WARN that may never come)
        assertTrue(first.get(1).contains("37 more late records were counted and not used since the last warning "
                + "(38 late so far"), first.get(1));

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(29));
        assertEquals(List.of(), warnings(() -> w.add(rec("dev-a", 5, 1)))); // still within the period
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        List<String> next = warnings(() -> w.add(rec("dev-a", 6, 2)));
        assertEquals(1, next.size(), next.toString());
        assertTrue(next.get(0).contains("40 late so far") && next.get(0).contains("(1 more since the last warning"),
                next.get(0));
        assertEquals(40, w.lateRecords());
    }

    @Test
    @DisplayName("a burst of late records that stops within the period reaches WARN at the next record placed after "
            + "the period, once")
    void aBurstThatStopsIsCountedAtWarn() {
        Windower w = new Windower(WindowSpec.bySamples(5).build(), nanos::get);
        w.add(rec("d", 100, 100_000));
        List<String> burst = warnings(() -> {
            for (long seq = 1; seq <= 1000; seq++) {
                w.add(rec("d", seq, seq)); // all older than record 100: late
            }
        });
        assertEquals(1, burst.size(), "the first late record only, the rest at DEBUG: " + burst);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertEquals(List.of(), warnings(() -> w.add(rec("d", 101, 100_001))), "within the period: nothing yet");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(25));
        List<String> after = warnings(() -> {
            w.add(rec("d", 102, 100_002));
            w.add(rec("d", 103, 100_003));
        });
        assertEquals(1, after.size(), after.toString());
        assertTrue(after.get(0).contains("999 more late records were counted and not used since the last warning "
                + "(1000 late so far"), after.get(0));
        assertEquals(List.of(), warnings(w::flush), "nothing pending: flush() says nothing");
    }

    @Test
    @DisplayName("a record numbered after the previous one but older is a clock that stepped back, and says so")
    void namesAClockStepBack() {
        Windower w = new Windower(WindowSpec.bySamples(5).build(), nanos::get);
        w.add(rec("d", 1, 10_000));
        w.add(rec("d", 2, 11_000));
        List<String> logged = warnings(() -> w.add(rec("d", 3, 4_000)));
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).contains("record #3 @4000 of device 'd' stream 'temp' is 7000 ms older")
                && logged.get(0).contains("the device's clock stepped back"), logged.get(0));
        assertEquals(1, w.lateRecords());
    }

    @Test
    @DisplayName("a time-window record inside an interval flush() already emitted is named as such")
    void namesAFlushedWindow() {
        Windower w = new Windower(WindowSpec.byMillis(1000).build(), nanos::get);
        w.add(rec("d", 1, 100));
        assertEquals(1, w.flush().size());
        List<String> logged = warnings(() -> w.add(rec("d", 2, 200)));
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).contains("is 800 ms older than the start of the stream's open window, 1000 (previous record #1 @100)")
                && logged.get(0).contains("already emitted by flush()"), logged.get(0));
    }
}
