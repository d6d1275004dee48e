package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for {@link SensorSource} implementations. {@link #config()} must point at a source that
 * will deliver at least {@link #minimumRecords()} records within {@link #drainTimeout()}.
 *
 * <p>Delivery is checked as the {@link SensorSource} contract states it: records polled but not committed are
 * delivered again by a new source created from the same configuration, committed ones are not. So two sources
 * created from one {@link #config()} result must share their position (the same position file, consumer group or
 * device), while each {@link #config()} call should start from a fresh position.
 *
 * <p>Every {@code poll} runs under a preemptive time limit (its timeout plus {@link #pollSlack()}), so a source
 * that ignores its timeout or hangs fails the kit instead of hanging it.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class SensorSourceContractTest extends ProviderContractTest<SensorSourceProvider> {
    /**
     * Returns a configuration for a source with data ready, at a fresh position; sources created from the same
     * returned configuration share their committed position.
     *
     * @return the configuration
     */
    protected abstract ComponentConfig config();

    /**
     * Returns how much longer than its timeout one {@code poll} may take (connecting, a group rebalance).
     *
     * @return the slack
     */
    protected Duration pollSlack() {
        return Duration.ofSeconds(10);
    }

    /**
     * @return how many records the configured source delivers at least
     */
    protected int minimumRecords() {
        return 10;
    }

    /**
     * @return how long draining {@link #minimumRecords()} may take
     */
    protected Duration drainTimeout() {
        return Duration.ofSeconds(30);
    }

    @Override
    protected final Class<SensorSourceProvider> providerType() {
        return SensorSourceProvider.class;
    }

    private List<SensorRecord> poll(SensorSource s, int max, Duration timeout) {
        Duration limit = timeout.plus(pollSlack());
        return assertTimeoutPreemptively(limit, () -> s.poll(max, timeout),
                () -> "poll(" + max + ", " + timeout + ") did not return within " + limit);
    }

    private SensorSource create(ComponentConfig c) {
        return assertTimeoutPreemptively(pollSlack(), () -> provider().create(c),
                () -> "provider().create() did not return within " + pollSlack());
    }

    private void close(SensorSource s) {
        assertTimeoutPreemptively(pollSlack(), s::close, () -> "close() did not return within " + pollSlack());
    }

    private List<SensorRecord> drain(SensorSource s, int want) {
        List<SensorRecord> all = new ArrayList<>();
        long deadline = System.nanoTime() + drainTimeout().toNanos();
        while (all.size() < want && System.nanoTime() < deadline && !s.isExhausted()) {
            all.addAll(poll(s, Math.max(1, want - all.size()), Duration.ofMillis(200)));
        }
        return all;
    }

    /** Identity of a record for redelivery checks: device, stream and sequence. */
    private static String id(SensorRecord r) {
        return r.deviceId() + "/" + r.stream() + "#" + r.sequence();
    }

    private static Set<String> ids(List<SensorRecord> rs) {
        Set<String> out = new LinkedHashSet<>();
        for (SensorRecord r : rs) {
            out.add(id(r));
        }
        return out;
    }

    /** Reading. */
    @Nested
    @DisplayName("when polled")
    class Polling {
        @Test
        @DisplayName("delivers well-formed records")
        void deliversRecords() throws Exception {
            SensorSource s = create(config());
            try {
                List<SensorRecord> got = drain(s, minimumRecords());
                assertTrue(got.size() >= minimumRecords(), "expected at least " + minimumRecords() + " records, got "
                        + got.size());
                for (SensorRecord r : got) {
                    assertFalse(r.deviceId().isBlank());
                    assertFalse(r.stream().isBlank());
                }
            } finally {
                close(s);
            }
        }

        @Test
        @DisplayName("never returns more than maxRecords")
        void respectsMaxRecords() throws Exception {
            SensorSource s = create(config());
            try {
                for (int i = 0; i < 5; i++) {
                    assertTrue(poll(s, 3, Duration.ofMillis(500)).size() <= 3);
                }
            } finally {
                close(s);
            }
        }

        @Test
        @DisplayName("returns within its timeout, also with a zero timeout")
        void honoursPollTimeout() throws Exception {
            SensorSource s = create(config());
            try {
                for (int i = 0; i < 3; i++) {
                    poll(s, 1, Duration.ZERO);
                }
                drain(s, minimumRecords()); // for a finite source of minimumRecords(), this polls past its end
                poll(s, 5, Duration.ofMillis(300));
                poll(s, 5, Duration.ZERO);
            } finally {
                close(s);
            }
        }
    }

    /** At-least-once delivery across restarts. */
    @Nested
    @DisplayName("across a restart with the same configuration")
    class Restart {
        @Test
        @DisplayName("redelivers records that were polled but not committed")
        void redeliversUncommittedAfterRestart() throws Exception {
            ComponentConfig c = config();
            Set<String> first;
            SensorSource s1 = create(c);
            try {
                first = ids(drain(s1, Math.min(5, minimumRecords())));
                assertFalse(first.isEmpty(), "the source delivered no record to test redelivery with");
            } finally {
                close(s1); // a crash before commit(): nothing was processed
            }
            SensorSource s2 = create(c);
            try {
                Set<String> again = new LinkedHashSet<>();
                long deadline = System.nanoTime() + drainTimeout().toNanos();
                while (!again.containsAll(first) && System.nanoTime() < deadline && !s2.isExhausted()) {
                    again.addAll(ids(poll(s2, 100, Duration.ofMillis(200))));
                }
                Set<String> lost = new LinkedHashSet<>(first);
                lost.removeAll(again);
                assertTrue(lost.isEmpty(), "records polled but never committed were not redelivered after a restart "
                        + "(at-most-once, the contract is at-least-once): " + lost);
            } finally {
                close(s2);
            }
        }

        @Test
        @DisplayName("does not redeliver records that were committed")
        void doesNotRedeliverCommitted() throws Exception {
            ComponentConfig c = config();
            Set<String> committed;
            SensorSource s1 = create(c);
            try {
                committed = ids(drain(s1, Math.min(5, minimumRecords())));
                assertFalse(committed.isEmpty(), "the source delivered no record to test commit with");
                assertTimeoutPreemptively(pollSlack(), s1::commit, () -> "commit() did not return within "
                        + pollSlack());
            } finally {
                close(s1);
            }
            SensorSource s2 = create(c);
            try {
                List<SensorRecord> next = drain(s2, minimumRecords());
                Set<String> again = ids(next);
                again.retainAll(committed);
                assertTrue(again.isEmpty(), "committed records were delivered again after a restart: " + again);
            } finally {
                close(s2);
            }
        }
    }

    /** Lifecycle. */
    @Nested
    @DisplayName("over its lifecycle")
    class Lifecycle {
        @Test
        @DisplayName("closes idempotently")
        void closeIsIdempotent() throws Exception {
            SensorSource s = create(config());
            poll(s, 1, Duration.ofMillis(100));
            close(s);
            assertDoesNotThrow(() -> close(s));
        }

        @Test
        @DisplayName("refuses to poll after close with IllegalStateException")
        void pollAfterCloseFails() throws Exception {
            SensorSource s = create(config());
            close(s);
            assertThrows(IllegalStateException.class, () -> poll(s, 1, Duration.ofMillis(10)));
        }
    }
}
