package io.edgeloop.buffer.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.buffer.receiver.IngestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway buffer holding records that are not relayed envelopes (appended straight into it) between and after
 * relayed ones, drained by a real forwarder through {@link RelayedEnvelopes#unwrapping(Transport, DeadLetterDirectory)}
 * over HTTP to a real {@link IngestServer}. Before, such a record failed its batch as not retryable: while it was the
 * last record the forwarder kept it and logged an ERROR per retry (nothing after it could pass until a device
 * relayed more), and once a later record was accepted it was skipped, kept nowhere.
 */
class NotRelayedRecordTest {
    @TempDir
    Path tmp;

    /** Device envelopes 1..n of device {@code sensor-3}, payload {@code "reading <seq>"}. */
    private static Envelope device(long seq) {
        return new Envelope(new IdempotencyKey("sensor-3", "t", 7, seq), 1000 + seq, 0,
                ("reading " + seq).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Fills the gateway buffer: relayed 1-3, a raw record, relayed 4-6, a raw record last.
     *
     * @return the raw records' keys and payloads in the gateway buffer
     */
    private List<Envelope> fill(Path gw) throws Exception {
        List<Envelope> raw = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(gw).deviceId("gateway")
                .durability(Durability.always()).open()) {
            for (long s = 1; s <= 6; s++) {
                b.append(BufferRelaySink.DEFAULT_STREAM, RelayedEnvelopes.wrap(device(s)));
                if (s == 3 || s == 6) {
                    byte[] p = ("appended by hand " + s).getBytes(StandardCharsets.UTF_8);
                    raw.add(new Envelope(b.append("default", p).key(), 0, 0, p));
                }
            }
        }
        return raw;
    }

    private static Transport http(IngestServer ingest) {
        return ProviderLoader.of(TransportProvider.class).select("http")
                .create(ComponentConfig.of(Map.of("uri", ingest.uri().toString())));
    }

    @Test
    @DisplayName("every relayed record arrives upstream, each record that is not one is kept in the dead-letter "
            + "directory and logged once, and nothing stays pending")
    void recordsThatAreNotRelayedAreKeptAndTheRestForwarded() throws Exception {
        Path gw = tmp.resolve("gw");
        List<Envelope> raw = fill(gw);
        DeadLetterDirectory deadLetters = DeadLetterDirectory.beside(gw);
        assertEquals(tmp.resolve("gw.dead-letter").toAbsolutePath(), deadLetters.directory());
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        ForwarderStats stats;
        try (IngestServer ingest = IngestServer.builder().start();
                DurableBuffer b = DurableBuffer.builder().directory(gw).deviceId("gateway").open();
                Transport up = RelayedEnvelopes.unwrapping(http(ingest), deadLetters)) {
            // batches of 2, so a record that is not relayed shares a batch with relayed ones
            try (Forwarder f = Forwarder.builder().source(b, "upstream").transport(up)
                    .batching(2, 1 << 20, Duration.ZERO)
                    .backoff(Duration.ofMillis(5), Duration.ofMillis(50), 0.5, 1).build()) {
                // before: false after 60 s, the raw record last in the buffer kept and retried
                assertTrue(f.drainAvailable(Duration.ofSeconds(60)), () -> "drained: " + f.stats());
                stats = f.stats();
            }
            assertEquals(6, ingest.distinct(), "every relayed record arrives: " + ingest.accepted());
            for (Envelope e : ingest.accepted()) {
                assertEquals(device(e.key().sequence()), e, "the device's envelope, under its own key");
            }
            assertEquals(0, b.metrics().bytesUnacknowledged(), "nothing pending: " + b.metrics());
        } finally {
            System.setErr(before);
        }
        assertEquals(0, stats.recordsRejected(), "nothing skipped: " + stats);
        assertEquals(2, deadLetters.recordsKept());
        DropDirectoryReader.Result kept = new DropDirectoryReader().read(deadLetters.directory());
        assertEquals(List.of(), kept.problems());
        assertEquals(raw.stream().map(Envelope::key).toList(), kept.envelopes().stream().map(Envelope::key).toList());
        for (int i = 0; i < raw.size(); i++) {
            assertArrayEquals(raw.get(i).payloadBytes(), kept.envelopes().get(i).payloadBytes());
        }
        List<String> errors = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("ERROR"))
                .toList();
        assertEquals(2, errors.size(), "one ERROR per record that is not relayed: " + errors);
        for (int i = 0; i < raw.size(); i++) {
            assertTrue(errors.get(i).contains("Gateway record " + raw.get(i).key() + " is not a relayed envelope")
                    && errors.get(i).contains(deadLetters.directory().toString()), errors.get(i));
        }
        // a gateway restarted before its commit was stored keeps them again: their copies are found, no new file
        try (IngestServer ingest = IngestServer.builder().start();
                DurableBuffer b = DurableBuffer.builder().directory(gw).deviceId("gateway").open();
                Transport up = RelayedEnvelopes.unwrapping(http(ingest), DeadLetterDirectory.beside(gw));
                Forwarder f = Forwarder.builder().source(b, "again").transport(up).build()) {
            assertTrue(f.drainAvailable(Duration.ofSeconds(60)), () -> "drained: " + f.stats());
        }
        try (java.util.stream.Stream<Path> files = Files.list(deadLetters.directory())) {
            assertEquals(2, files.count());
        }
    }

    @Test
    @DisplayName("a record that is not relayed and cannot be kept holds its batch back, retryably: nothing is lost, "
            + "and it is kept once the dead-letter directory can be made")
    void recordThatCannotBeKeptStaysInTheBuffer() throws Exception {
        Path gw = tmp.resolve("gw");
        List<Envelope> raw = fill(gw);
        Path blocker = tmp.resolve("gw.dead-letter");
        Files.writeString(blocker, "a file where the dead-letter directory would go");
        DeadLetterDirectory deadLetters = DeadLetterDirectory.beside(gw);
        try (IngestServer ingest = IngestServer.builder().start();
                DurableBuffer b = DurableBuffer.builder().directory(gw).deviceId("gateway").open();
                Transport up = RelayedEnvelopes.unwrapping(http(ingest), deadLetters)) {
            try (Forwarder f = Forwarder.builder().source(b, "upstream").transport(up)
                    .batching(500, 1 << 20, Duration.ZERO)
                    .backoff(Duration.ofMillis(5), Duration.ofMillis(50), 0.5, 1).build()) {
                assertFalse(f.drainAvailable(Duration.ofMillis(300)), () -> "not drained: " + f.stats());
                ForwarderStats s = f.stats();
                assertEquals(0, s.recordsRejected(), "nothing skipped: " + s);
                assertTrue(s.lastError().orElse("").contains("cannot be kept"), s.toString());
                assertTrue(b.metrics().bytesUnacknowledged() > 0, "the records stay in the buffer");
                Files.delete(blocker);
                assertTrue(f.drainAvailable(Duration.ofSeconds(60)), () -> "drained: " + f.stats());
            }
            assertEquals(6, ingest.distinct(), "every relayed record arrives: " + ingest.accepted());
        }
        assertEquals(raw.stream().map(Envelope::key).toList(), new DropDirectoryReader().read(deadLetters.directory())
                .envelopes().stream().map(Envelope::key).toList());
    }
}
