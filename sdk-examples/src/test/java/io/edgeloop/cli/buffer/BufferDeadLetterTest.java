package io.edgeloop.cli.buffer;

import static io.edgeloop.cli.InProcessCli.run;
import static io.edgeloop.cli.buffer.GatewayNotRelayedRecordTest.device;
import static io.edgeloop.cli.buffer.GatewayNotRelayedRecordTest.freePort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.buffer.relay.RelayedEnvelopes;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import io.edgeloop.cli.ChildCli;
import io.edgeloop.cli.InProcessCli.Result;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code buffer drain} and {@code buffer gateway} keep a record the receiver refuses as never acceptable (422) in
 * {@code <dir>.dead-letter} and say so in their summaries. Before, both skipped it ("refused by the receiver and
 * skipped") and it was gone once its segment was reclaimed. Also: a gateway whose {@code file:} upstream does not
 * exist said nothing on stderr for its whole run.
 */
class BufferDeadLetterTest {
    @TempDir
    Path tmp;

    /** Appends 3 records with the CLI and returns the payload of the second, the one the receiver refuses. */
    private byte[] threeRecords(Path dev) throws Exception {
        assertEquals(0, run("buffer", "append", "--dir", dev.toString(), "--count", "3").code());
        try (DurableBuffer b = DurableBuffer.builder().directory(dev).createIfMissing(false).open()) {
            return b.reader().next(3, Long.MAX_VALUE).get(1).toEnvelope().payloadBytes();
        }
    }

    @Test
    @DisplayName("'buffer drain' keeps the refused record in <dir>.dead-letter, byte for byte, and its summary says "
            + "how many and where")
    void drainKeepsTheRefusedRecord() throws Exception {
        Path dev = tmp.resolve("dev");
        byte[] refused = threeRecords(dev);
        // --batch 1: the 2nd request (record 2) is refused, the 3rd (record 3 alone, the probe) accepted
        try (ScriptedReceiver receiver = ScriptedReceiver.start(n -> n == 1 ? 422 : 204)) {
            Result r = run("buffer", "drain", "--dir", dev.toString(), "--to", receiver.uri(), "--batch", "1");
            assertEquals(0, r.code(), r.err());
            Path deadLetters = tmp.resolve("dev.dead-letter").toAbsolutePath();
            assertTrue(r.out().contains("drained 2 records in 2 batches to " + receiver.uri() + " (1 record refused"
                    + " by the receiver as never acceptable, kept in " + deadLetters + ")"), r.out());
            DropDirectoryReader.Result kept = new DropDirectoryReader().read(deadLetters);
            assertEquals(List.of(), kept.problems());
            assertEquals(1, kept.envelopes().size());
            assertEquals(2, kept.envelopes().get(0).key().sequence());
            assertArrayEquals(refused, kept.envelopes().get(0).payloadBytes());
        }
    }

    @Test
    @DisplayName("'buffer drain --dead-letter none' skips the refused record as before and says it is kept nowhere")
    void drainWithoutDeadLetters() throws Exception {
        Path dev = tmp.resolve("dev");
        threeRecords(dev);
        try (ScriptedReceiver receiver = ScriptedReceiver.start(n -> n == 1 ? 422 : 204)) {
            Result r = run("buffer", "drain", "--dir", dev.toString(), "--to", receiver.uri(), "--batch", "1",
                    "--dead-letter", "none");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("(1 record refused by the receiver as never acceptable, skipped and kept"
                    + " nowhere (--dead-letter none))"), r.out());
            assertFalse(Files.exists(tmp.resolve("dev.dead-letter")));
        }
    }

    @Test
    @DisplayName("'buffer drain --dead-letter DIR' keeps refused records there; a DIR inside the buffer is refused "
            + "before anything is sent")
    void drainDeadLetterOption() throws Exception {
        Path dev = tmp.resolve("dev");
        threeRecords(dev);
        try (ScriptedReceiver receiver = ScriptedReceiver.start(n -> n == 1 ? 422 : 204)) {
            Result bad = run("buffer", "drain", "--dir", dev.toString(), "--to", receiver.uri(), "--dead-letter",
                    dev.resolve("dl").toString());
            assertEquals(1, bad.code(), bad.err());
            assertTrue(bad.err().contains("--dead-letter " + dev.resolve("dl") + " lies inside the buffer directory"),
                    bad.err());
            Path elsewhere = tmp.resolve("kept");
            Result r = run("buffer", "drain", "--dir", dev.toString(), "--to", receiver.uri(), "--batch", "1",
                    "--dead-letter", elsewhere.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("kept in " + elsewhere.toAbsolutePath()), r.out());
            assertEquals(1, new DropDirectoryReader().read(elsewhere).envelopes().size());
            assertFalse(Files.exists(tmp.resolve("dev.dead-letter")));
        }
    }

    @Test
    @DisplayName("'buffer gateway' keeps a record the upstream refuses in <dir>.dead-letter, as a relayed envelope, "
            + "forwards the rest and says so in its summary")
    void gatewayKeepsTheRefusedRecord() throws Exception {
        Path gw = tmp.resolve("gw");
        try (DurableBuffer b = DurableBuffer.builder().directory(gw).deviceId("gateway").open()) {
            for (long s = 1; s <= 5; s++) {
                b.append("relay", RelayedEnvelopes.wrap(device(s)));
            }
        }
        Set<Long> accepted = ConcurrentHashMap.newKeySet();
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/in", ex -> {
            List<Envelope> batch = BatchCodec.of(Compression.NONE).decode(ex.getRequestBody().readAllBytes())
                    .envelopes();
            boolean poisoned = batch.stream().anyMatch(e -> e.key().sequence() == 3);
            if (!poisoned) {
                batch.forEach(e -> accepted.add(e.key().sequence()));
            }
            ex.sendResponseHeaders(poisoned ? 422 : 204, -1);
            ex.close();
        });
        upstream.start();
        try {
            String output = ChildCli.runOk(Map.of(), "buffer", "gateway", "--dir", gw.toString(), "--listen",
                    "127.0.0.1:" + freePort(), "--to", "http://127.0.0.1:" + upstream.getAddress().getPort() + "/in",
                    "--compression", "none", "--duration", "1", "--flush-timeout", "60");
            assertEquals(Set.of(1L, 2L, 4L, 5L), accepted, output);
            Path deadLetters = tmp.resolve("gw.dead-letter").toAbsolutePath();
            assertTrue(output.contains("(1 record refused by the upstream as never acceptable, kept in " + deadLetters
                    + ")"), output);
            assertFalse(output.contains("the rest stays"), output);
            DropDirectoryReader.Result kept = new DropDirectoryReader().read(deadLetters);
            assertEquals(List.of(), kept.problems());
            assertEquals(1, kept.envelopes().size());
            assertEquals(device(3), RelayedEnvelopes.unwrap(kept.envelopes().get(0).payloadBytes()));
        } finally {
            upstream.stop(0);
        }
    }

    @Test
    @DisplayName("'buffer gateway' whose file: upstream does not exist says why on stderr once, not only 'the rest "
            + "stays' at the end")
    void gatewayExplainsAnUnreachableUpstreamOnce() throws Exception {
        Path gw = tmp.resolve("gw");
        try (DurableBuffer b = DurableBuffer.builder().directory(gw).deviceId("gateway").open()) {
            b.append("relay", RelayedEnvelopes.wrap(device(1)));
        }
        Path missing = tmp.resolve("not-mounted");
        String output = ChildCli.runOk(Map.of(), "buffer", "gateway", "--dir", gw.toString(), "--listen",
                "127.0.0.1:" + freePort(), "--to", missing.toUri().toString(), "--duration", "3",
                "--flush-timeout", "1");
        List<String> notices = output.lines().filter(l -> l.contains("upstream unreachable")).toList();
        // before: no line at all (nothing was sent, so no send failed)
        assertEquals(1, notices.size(), output);
        assertTrue(notices.get(0).startsWith("edgeloop: upstream unreachable, waiting: Drop directory ")
                && notices.get(0).contains("not-mounted") && notices.get(0).contains("does not exist"), output);
        assertTrue(output.contains("the rest stays in " + gw), output);
    }
}
