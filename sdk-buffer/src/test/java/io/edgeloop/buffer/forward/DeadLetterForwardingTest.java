package io.edgeloop.buffer.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.buffer.relay.DeadLetterDirectory;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HTTP receiver that refuses one record as never acceptable (422) among good ones, drained by a forwarder with
 * a {@link DeadLetterDirectory}. Before, the forwarder skipped the refused record, logged and counted it, and it was
 * gone once its segment was reclaimed: kept nowhere.
 */
class DeadLetterForwardingTest {
    private static final int RECORDS = 20;
    private static final long POISON = 7;

    @TempDir
    Path tmp;

    private HttpServer receiver;
    /** What the receiver accepted, by key. */
    private final Map<IdempotencyKey, Envelope> accepted = new ConcurrentHashMap<>();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/in", ex -> {
            List<Envelope> batch = BatchCodec.of(Compression.NONE).decode(ex.getRequestBody().readAllBytes())
                    .envelopes();
            boolean poisoned = batch.stream().anyMatch(e -> e.key().sequence() == POISON);
            if (!poisoned) {
                batch.forEach(e -> accepted.put(e.key(), e));
            }
            ex.sendResponseHeaders(poisoned ? 422 : 204, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private Path fill() throws IOException {
        Path dir = tmp.resolve("dev");
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.always())
                .open()) {
            for (int i = 1; i <= RECORDS; i++) {
                b.append("t", ("reading " + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        return dir;
    }

    private Forwarder forwarder(DurableBuffer b, String cursor, DeadLetterDirectory deadLetters) throws IOException {
        TransportProvider p = ProviderLoader.of(TransportProvider.class).select("http");
        return Forwarder.builder().source(b, cursor).deadLetters(deadLetters)
                .transport(p, ComponentConfig.builder().put("uri", "http://127.0.0.1:"
                        + receiver.getAddress().getPort() + "/in").build())
                .batching(5, 1 << 20, Duration.ZERO).backoff(Duration.ofMillis(5), Duration.ofMillis(20), 0, 7)
                .build();
    }

    private static long files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    @DisplayName("every good record arrives, the refused one is kept byte for byte in the dead-letter directory and "
            + "named in one ERROR line, and a restart writes nothing twice")
    void refusedRecordIsKeptAndTheRestArrives() throws Exception {
        Path dir = fill();
        DeadLetterDirectory deadLetters = DeadLetterDirectory.beside(dir);
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        ForwarderStats stats;
        byte[] poisonPayload;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").open()) {
            poisonPayload = b.reader().next(RECORDS, Long.MAX_VALUE).get((int) POISON - 1).toEnvelope()
                    .payloadBytes();
            try (Forwarder f = forwarder(b, "up", deadLetters)) {
                assertTrue(f.drainAvailable(Duration.ofSeconds(60)), () -> "drained: " + f.stats());
                stats = f.stats();
            }
            assertEquals(0, b.metrics().bytesUnacknowledged(), "nothing pending: " + b.metrics());
        } finally {
            System.setErr(before);
        }
        assertEquals(RECORDS - 1, accepted.size(), "every good record arrives: " + accepted.keySet());
        assertEquals(1, stats.recordsRejected(), stats.toString());
        assertEquals(1, stats.recordsDeadLettered(), stats.toString());

        DropDirectoryReader.Result kept = new DropDirectoryReader().read(deadLetters.directory());
        assertEquals(List.of(), kept.problems());
        assertEquals(1, kept.envelopes().size(), kept.envelopes().toString());
        Envelope poison = kept.envelopes().get(0);
        assertEquals(new IdempotencyKey("dev", "t", poison.key().epoch(), POISON), poison.key());
        assertArrayEquals(poisonPayload, poison.payloadBytes(), "byte-identical payload");
        assertArrayEquals("reading 7".getBytes(StandardCharsets.UTF_8), poison.payloadBytes());

        List<String> errors = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("ERROR"))
                .toList();
        assertEquals(1, errors.size(), "one ERROR for the record: " + captured);
        Path file;
        try (Stream<Path> s = Files.list(deadLetters.directory())) {
            file = s.findFirst().orElseThrow();
        }
        assertTrue(errors.get(0).contains(poison.key().toString()) && errors.get(0).contains(file.toString()),
                "names the record and its file: " + errors.get(0));
        byte[] written = Files.readAllBytes(file);

        // a forwarder of a restart that lost the commit (a new cursor from the start: the same skip decided again,
        // by a new process's directory that remembers nothing) finds the copy and writes nothing
        accepted.clear();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").open();
                Forwarder f = forwarder(b, "again", DeadLetterDirectory.beside(dir))) {
            assertTrue(f.drainAvailable(Duration.ofSeconds(60)), () -> "drained: " + f.stats());
            assertEquals(1, f.stats().recordsDeadLettered(), f.stats().toString());
        }
        assertEquals(RECORDS - 1, accepted.size());
        assertEquals(1, files(deadLetters.directory()), "no second copy");
        assertArrayEquals(written, Files.readAllBytes(file), "the copy is unchanged");
    }

    @Test
    @DisplayName("a dead-letter directory that cannot be written holds the refused record in the buffer, and it is "
            + "kept once the directory can be made")
    void unwritableDeadLetterDirectoryHoldsTheRecord() throws Exception {
        Path dir = fill();
        DeadLetterDirectory deadLetters = DeadLetterDirectory.beside(dir);
        Files.writeString(deadLetters.directory(), "a file where the dead-letter directory would go");
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").open()) {
            try (Forwarder f = forwarder(b, "up", deadLetters)) {
                // never done while the directory cannot be made: the refused record is not skipped
                assertFalse(f.drainAvailable(Duration.ofSeconds(2)), () -> "drained: " + f.stats());
                ForwarderStats s = f.stats();
                assertEquals(0, s.recordsRejected(), s.toString());
                assertEquals(0, s.recordsDeadLettered(), s.toString());
                assertTrue(s.lastError().orElse("").contains("cannot be kept in dead-letter directory "
                        + deadLetters.directory()), s.toString());
            }
            // the records before it, and the probe that was accepted (sent again later; dropped as a duplicate)
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 8L), accepted.keySet().stream()
                    .map(IdempotencyKey::sequence).sorted().toList());
            // the record is still unacknowledged in the buffer: the next forwarder on the cursor gets it again
            Files.delete(deadLetters.directory());
            try (Forwarder f = forwarder(b, "up", deadLetters)) {
                assertTrue(f.drainAvailable(Duration.ofSeconds(60)), () -> "drained: " + f.stats());
                assertEquals(1, f.stats().recordsDeadLettered(), f.stats().toString());
            }
            assertEquals(0, b.metrics().bytesUnacknowledged(), "nothing pending: " + b.metrics());
        }
        assertEquals(RECORDS - 1, accepted.size());
        DropDirectoryReader.Result kept = new DropDirectoryReader().read(deadLetters.directory());
        assertEquals(List.of(POISON), kept.envelopes().stream().map(e -> e.key().sequence()).toList());
    }

    @Test
    @DisplayName("without a dead-letter sink the refused record is skipped and kept nowhere, as documented")
    void withoutSinkTheRecordIsSkipped() throws Exception {
        Path dir = fill();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").open();
                Forwarder f = Forwarder.builder().source(b, "up")
                        .transport(ProviderLoader.of(TransportProvider.class).select("http"), ComponentConfig
                                .builder().put("uri", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/in")
                                .build())
                        .batching(5, 1 << 20, Duration.ZERO).backoff(Duration.ofMillis(5), Duration.ofMillis(20), 0, 7)
                        .build()) {
            assertTrue(f.drainAvailable(Duration.ofSeconds(60)), () -> "drained: " + f.stats());
            assertEquals(1, f.stats().recordsRejected(), f.stats().toString());
            assertEquals(0, f.stats().recordsDeadLettered(), f.stats().toString());
        }
        assertEquals(RECORDS - 1, accepted.size());
        assertFalse(Files.exists(DeadLetterDirectory.beside(dir).directory()));
    }
}
