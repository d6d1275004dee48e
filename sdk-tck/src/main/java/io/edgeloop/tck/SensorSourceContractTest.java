package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for {@link SensorSource} implementations. {@link #config()} must point at a source that
 * will deliver at least {@link #minimumRecords()} records within {@link #drainTimeout()}.
 */
public abstract class SensorSourceContractTest extends ProviderContractTest<SensorSourceProvider> {
    /**
     * @return a configuration for a source with data ready
     */
    protected abstract ComponentConfig config();

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

    private List<SensorRecord> drain(SensorSource s, int want) throws Exception {
        List<SensorRecord> all = new ArrayList<>();
        long deadline = System.nanoTime() + drainTimeout().toNanos();
        while (all.size() < want && System.nanoTime() < deadline && !s.isExhausted()) {
            all.addAll(s.poll(Math.max(1, want - all.size()), Duration.ofMillis(200)));
        }
        return all;
    }

    /** Reading. */
    @Nested
    @DisplayName("when polled")
    class Polling {
        @Test
        @DisplayName("delivers well-formed records")
        void deliversRecords() throws Exception {
            try (SensorSource s = provider().create(config())) {
                List<SensorRecord> got = drain(s, minimumRecords());
                assertTrue(got.size() >= minimumRecords(), "expected at least " + minimumRecords() + " records, got "
                        + got.size());
                for (SensorRecord r : got) {
                    assertFalse(r.deviceId().isBlank());
                    assertFalse(r.stream().isBlank());
                }
            }
        }

        @Test
        @DisplayName("never returns more than maxRecords")
        void respectsMaxRecords() throws Exception {
            try (SensorSource s = provider().create(config())) {
                for (int i = 0; i < 5; i++) {
                    assertTrue(s.poll(3, Duration.ofMillis(500)).size() <= 3);
                }
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
            SensorSource s = provider().create(config());
            s.poll(1, Duration.ofMillis(100));
            s.close();
            assertDoesNotThrow(s::close);
        }

        @Test
        @DisplayName("refuses to poll after close with IllegalStateException")
        void pollAfterCloseFails() throws Exception {
            SensorSource s = provider().create(config());
            s.close();
            assertThrows(IllegalStateException.class, () -> s.poll(1, Duration.ofMillis(10)));
        }
    }
}
