package io.edgeloop.examples.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records the transport refuses as never acceptable (and the gateway therefore skips) are lost to the consumers:
 * the report counts them in {@code lost}, not only in {@code rejectedByTransport}. Real device buffers, a real
 * local KRaft broker and the kafka source; only the measured drain's transport is wrapped to refuse one record.
 */
class IngestBenchRefusalTest {
    /** Refuses, as never acceptable, every batch holding one given record; passes everything else on. */
    private static final class RefusingTransport implements Transport {
        private final Transport delegate;
        private final String device;
        private final long sequence;

        RefusingTransport(Transport delegate, String device, long sequence) {
            this.delegate = delegate;
            this.device = device;
            this.sequence = sequence;
        }

        private boolean poisoned(Batch batch) {
            for (Envelope e : batch.envelopes()) {
                if (e.key().deviceId().equals(device) && e.key().sequence() == sequence) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void send(Batch batch) throws TransportException {
            if (poisoned(batch)) {
                throw new TransportException("record too large (test)", false);
            }
            delegate.send(batch);
        }

        @Override
        public CompletableFuture<Void> sendAsync(Batch batch) {
            if (poisoned(batch)) {
                return CompletableFuture.failedFuture(new TransportException("record too large (test)", false));
            }
            return delegate.sendAsync(batch);
        }

        @Override
        public void close() throws TransportException {
            delegate.close();
        }
    }

    @Test
    @DisplayName("counts a record the transport refused and the gateway skipped as lost")
    void refusedRecordsAreLost(@TempDir Path work) throws Exception {
        int devices = 12;
        int records = 30;
        IngestBench.Settings s = new IngestBench.Settings(devices, records, null, 2, 8, 1, 2, 10, false, false, false,
                work, 7, 0, 1);
        List<String> progress = new ArrayList<>();
        Map<String, Object> report = IngestBench.run(s, progress::add,
                t -> new RefusingTransport(t, DeviceBuffers.deviceId(5), 4));
        long total = (long) devices * records;
        assertEquals(1L, report.get("rejectedByTransport"), report.toString());
        assertEquals(total - 1, report.get("sent"), report.toString());
        assertEquals(total - 1, report.get("received"), report.toString());
        assertEquals(1L, report.get("lost"), "the refused record never reached a consumer: " + report);
        assertEquals(total, report.get("buffered"), report.toString());
        assertEquals(0L, report.get("duplicates"), report.toString());
        assertEquals(0L, report.get("orderViolations"), report.toString());
        assertTrue(progress.stream().anyMatch(l -> l.contains("1 records refused by the transport and skipped")),
                progress.toString());
    }
}
