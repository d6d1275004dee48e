package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for {@link Transport} implementations. Extend it, point {@link #config()} at a live receiver
 * (a temporary directory, a loopback HTTP server, a broker on loopback) and let {@link #received()} return what
 * that receiver has accepted so far.
 *
 * <pre>{@code
 * class MyTransportContractTest extends TransportContractTest {
 *     protected TransportProvider provider() { return new MyTransportProvider(); }
 *     protected ComponentConfig config() { return ComponentConfig.of(Map.of("url", server.url())); }
 *     protected List<Envelope> received() { return server.envelopes(); }
 *     protected ComponentConfig unreachableConfig() { return ComponentConfig.of(Map.of("url", "http://127.0.0.1:9")); }
 * }
 * }</pre>
 */
public abstract class TransportContractTest extends ProviderContractTest<TransportProvider> {

    /**
     * Returns a configuration that reaches the live receiver.
     *
     * @return the configuration
     */
    protected abstract ComponentConfig config();

    /**
     * Returns every envelope the receiver has accepted so far, duplicates included, in arrival order.
     *
     * @return the envelopes
     * @throws Exception when the receiver cannot be read
     */
    protected abstract List<Envelope> received() throws Exception;

    /**
     * Returns a configuration whose receiver cannot be reached (a closed port, a missing directory).
     *
     * @return the configuration
     */
    protected abstract ComponentConfig unreachableConfig();

    /**
     * Returns how long one send may take in these tests.
     *
     * @return the timeout
     */
    protected Duration sendTimeout() {
        return Duration.ofSeconds(30);
    }

    /** Unique per test instance, so envelopes left in a shared receiver by earlier tests cannot mask a loss. */
    private final String run = Long.toString(System.nanoTime() ^ new Random().nextLong(), 36).replace("-", "");

    /**
     * Returns a device id unique to this test instance.
     *
     * @param device a readable device name
     * @return the unique device id
     */
    protected final String device(String device) {
        return device + "-" + run;
    }

    @Override
    protected final Class<TransportProvider> providerType() {
        return TransportProvider.class;
    }

    /**
     * Builds a batch of envelopes with distinct keys and deterministic payloads.
     *
     * @param device  the device id
     * @param first   the first sequence number
     * @param count   how many envelopes
     * @param size    payload size in bytes
     * @return the batch
     */
    protected static Batch batch(String device, long first, int count, int size) {
        List<Envelope> list = new ArrayList<>();
        Random r = new Random(first * 31 + size);
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[size];
            r.nextBytes(payload);
            byte[] tag = ("#" + (first + i)).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(tag, 0, payload, 0, Math.min(tag.length, size));
            list.add(new Envelope(new IdempotencyKey(device, "tck", 1, first + i), 1_700_000_000_000L + i, i % 10,
                    payload));
        }
        return Batch.of(list);
    }

    private Map<IdempotencyKey, Envelope> receivedByKey() throws Exception {
        Map<IdempotencyKey, Envelope> m = new HashMap<>();
        for (Envelope e : received()) {
            m.put(e.key(), e);
        }
        return m;
    }

    /** Delivery and acknowledgement. */
    @Nested
    @DisplayName("when the receiver is reachable")
    class Reachable {
        @Test
        @DisplayName("delivers every envelope of an acknowledged batch with its key and exact payload")
        void deliversAcknowledgedBatch() throws Exception {
            Batch b = batch(device("tck-device-a"), 1, 25, 100);
            try (Transport t = provider().create(config())) {
                t.send(b);
                // Checked before close(): send() returns only once the receiver has the batch.
                Map<IdempotencyKey, Envelope> got = receivedByKey();
                for (Envelope e : b.envelopes()) {
                    Envelope r = got.get(e.key());
                    assertTrue(r != null, "envelope " + e.key() + " was not received when send() returned");
                    assertArrayEquals(e.payloadBytes(), r.payloadBytes(), "payload of " + e.key());
                }
            }
        }

        @Test
        @DisplayName("delivers several batches over one transport")
        void deliversSeveralBatches() throws Exception {
            try (Transport t = provider().create(config())) {
                for (int i = 0; i < 5; i++) {
                    t.send(batch(device("tck-device-b"), 1 + i * 10L, 10, 64));
                }
                Map<IdempotencyKey, Envelope> got = receivedByKey();
                for (long s = 1; s <= 50; s++) {
                    assertTrue(got.containsKey(new IdempotencyKey(device("tck-device-b"), "tck", 1, s)),
                            "sequence " + s + " was not received when send() returned");
                }
            }
        }

        @Test
        @DisplayName("delivers a large payload intact")
        void deliversLargePayload() throws Exception {
            Batch b = batch(device("tck-device-c"), 1, 1, 200_000);
            try (Transport t = provider().create(config())) {
                t.send(b);
                Envelope r = receivedByKey().get(b.envelopes().get(0).key());
                assertTrue(r != null, "large envelope not received when send() returned");
                assertArrayEquals(b.envelopes().get(0).payloadBytes(), r.payloadBytes());
            }
        }

        @Test
        @DisplayName("keeps keys with unusual characters intact")
        void keepsUnusualKeys() throws Exception {
            IdempotencyKey key = new IdempotencyKey(device("dev/ice %1 ü"), "str/eam", 7, 42);
            Batch b = Batch.of(List.of(new Envelope(key, 1L, 5, "x".getBytes(StandardCharsets.UTF_8))));
            try (Transport t = provider().create(config())) {
                t.send(b);
                assertTrue(receivedByKey().containsKey(key), "key " + key + " not received intact");
            }
        }
    }

    /** Pipelined sends through {@link Transport#sendAsync(Batch)}. */
    @Nested
    @DisplayName("when batches are sent asynchronously")
    class Async {
        @Test
        @DisplayName("completes each future only once its batch was received, with several batches in flight")
        void sendAsyncCompletesOnAcknowledgement() throws Exception {
            List<Batch> batches = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                batches.add(batch(device("tck-device-async-" + (i % 3)), 1 + i * 20L, 20, 80));
            }
            try (Transport t = provider().create(config())) {
                List<CompletableFuture<Void>> acks = new ArrayList<>();
                for (Batch b : batches) {
                    acks.add(t.sendAsync(b));
                }
                for (CompletableFuture<Void> a : acks) {
                    assertDoesNotThrow(() -> a.get(sendTimeout().toMillis() * 4,
                            TimeUnit.MILLISECONDS));
                }
                // Checked before close(): a completed future means the receiver has the batch.
                Map<IdempotencyKey, Envelope> got = receivedByKey();
                for (Batch b : batches) {
                    for (Envelope e : b.envelopes()) {
                        Envelope r = got.get(e.key());
                        assertTrue(r != null, "envelope " + e.key() + " was not received when its sendAsync future "
                                + "completed");
                        assertArrayEquals(e.payloadBytes(), r.payloadBytes(), "payload of " + e.key());
                    }
                }
            }
        }

        @Test
        @DisplayName("fails the future (never throws) with a retryable TransportException when unreachable")
        void sendAsyncFailsWithTransportException() throws Exception {
            try (Transport t = provider().create(unreachableConfig())) {
                CompletableFuture<Void> f = assertDoesNotThrow(
                        () -> t.sendAsync(batch(device("tck-device-async-x"), 1, 2, 10)));
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> f.get(sendTimeout().toMillis() * 4, TimeUnit.MILLISECONDS));
                assertTrue(e.getCause() instanceof TransportException,
                        "the future must fail with a TransportException, got " + e.getCause());
                assertTrue(((TransportException) e.getCause()).isRetryable(), "unreachable is retryable");
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
            Transport t = provider().create(config());
            t.send(batch(device("tck-device-d"), 1, 1, 10));
            t.close();
            assertDoesNotThrow(t::close);
        }

        @Test
        @DisplayName("refuses to send after close with IllegalStateException")
        void sendAfterCloseFails() throws Exception {
            Transport t = provider().create(config());
            t.close();
            assertThrows(IllegalStateException.class, () -> t.send(batch(device("tck-device-e"), 1, 1, 10)));
        }

        @Test
        @DisplayName("does no I/O in create, so creating with an unreachable receiver succeeds")
        void createDoesNoIo() throws Exception {
            Transport t = assertDoesNotThrow(() -> provider().create(unreachableConfig()));
            t.close();
        }
    }

    /** Failure. */
    @Nested
    @DisplayName("when the receiver is unreachable")
    class Unreachable {
        @Test
        @DisplayName("throws a retryable TransportException, not an unchecked exception")
        void unreachableIsRetryableTransportException() throws Exception {
            try (Transport t = provider().create(unreachableConfig())) {
                long start = System.nanoTime();
                TransportException e = assertThrows(TransportException.class, () -> t.send(batch(device("tck-device-f"), 1, 3, 10)));
                assertTrue(e.isRetryable(), "an unreachable receiver is a retryable condition: " + e);
                assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(sendTimeout()) < 0,
                        "send must give up within " + sendTimeout());
            }
        }

        @Test
        @DisplayName("works again once a reachable transport is used after a failure")
        void recoversAfterFailure() throws Exception {
            try (Transport bad = provider().create(unreachableConfig())) {
                assertThrows(TransportException.class, () -> bad.send(batch(device("tck-device-g"), 1, 1, 10)));
            }
            try (Transport good = provider().create(config())) {
                good.send(batch(device("tck-device-g"), 2, 1, 10));
            }
            assertEquals(true, receivedByKey().containsKey(new IdempotencyKey(device("tck-device-g"), "tck", 1, 2)));
        }
    }
}
