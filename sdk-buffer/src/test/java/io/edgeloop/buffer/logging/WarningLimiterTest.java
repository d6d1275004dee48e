package io.edgeloop.buffer.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The WARN rate limit shared by RelayServer and DurableBuffer, on a fake clock. */
class WarningLimiterTest {
    @Test
    @DisplayName("warns the first time, then at most once per period, counting what went to DEBUG in between")
    void warnsOncePerPeriodWithTheCountSince() {
        AtomicLong now = new AtomicLong(1_000);
        WarningLimiter l = new WarningLimiter(Duration.ofSeconds(30), now::get);
        assertEquals(0, l.tryWarn());
        for (int i = 0; i < 5; i++) {
            now.addAndGet(Duration.ofSeconds(5).toNanos());
            assertEquals(-1, l.tryWarn());
        }
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertEquals(-1, l.tryWarn(), "29 s after the warning");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(6, l.tryWarn(), "30 s after: a warning with the 6 since");
        assertEquals(-1, l.tryWarn());
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertEquals(1, l.tryWarn());
        assertTrue(l.suffix(6).contains("6 more since the last warning; further ones for 30 s at DEBUG"),
                l.suffix(6));
        assertEquals(" (further ones for 30 s at DEBUG)", l.suffix(0));
    }

    @Test
    @DisplayName("a clock starting at any value, negative included, still warns the first time")
    void firstOccurrenceWarnsWhateverTheClock() {
        assertEquals(0, new WarningLimiter(Duration.ofSeconds(30), () -> Long.MIN_VALUE + 5).tryWarn());
        assertEquals(0, new WarningLimiter(Duration.ofSeconds(30), () -> 0).tryWarn());
    }

    @Test
    @DisplayName("refuses a period that is not positive")
    void refusesNonPositivePeriod() {
        assertThrows(IllegalArgumentException.class, () -> new WarningLimiter(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new WarningLimiter(Duration.ofSeconds(-1)));
    }
}
