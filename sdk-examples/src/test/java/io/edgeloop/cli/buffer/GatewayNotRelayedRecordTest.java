package io.edgeloop.cli.buffer;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.buffer.relay.RelayedEnvelopes;
import io.edgeloop.cli.ChildCli;
import io.edgeloop.cli.InProcessCli.Result;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records appended straight into a gateway's buffer (review of session 19: {@code buffer append --dir <the gateway's
 * --dir>} while it was stopped, then the gateway started again). Before, {@code buffer gateway} refused such a record
 * as "not a relayed envelope" (not retryable): while it was the last record the forwarder kept it and logged an ERROR
 * on every retry (8 in 30 s), its summary said "the rest stays", and once a device relayed more it skipped the record,
 * kept nowhere; {@code buffer append} accepted the gateway's directory.
 */
class GatewayNotRelayedRecordTest {
    @TempDir
    Path tmp;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Device envelopes of device {@code sensor-3}, payload {@code "reading <seq>"}. */
    static Envelope device(long seq) {
        return new Envelope(new IdempotencyKey("sensor-3", "t", 7, seq), 1000 + seq, 0,
                ("reading " + seq).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("'buffer gateway' forwards every relayed record, keeps the others in <dir>.dead-letter, logs each "
            + "once and names them in its summary")
    void recordsThatAreNotRelayedAreKeptBesideTheBuffer() throws Exception {
        Path gw = tmp.resolve("gw");
        // relayed 1-3, a raw record, relayed 4-6, a raw record last: what the gateway finds when it starts
        List<IdempotencyKey> raw = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(gw).deviceId("gateway").open()) {
            for (long s = 1; s <= 6; s++) {
                b.append("relay", RelayedEnvelopes.wrap(device(s)));
                if (s == 3 || s == 6) {
                    raw.add(b.append("default", BufferAppendCommand.payload(s, 100)).key());
                }
            }
        }
        try (IngestServer ingest = IngestServer.builder().start()) {
            // --duration 1 stops accepting devices at once; the flush then waits until everything is acknowledged
            // (before: for all 60 s, the last record never was)
            String output = ChildCli.runOk(Map.of(), "buffer", "gateway", "--dir", gw.toString(), "--listen",
                    "127.0.0.1:" + freePort(), "--to", ingest.uri().toString(), "--duration", "1",
                    "--flush-timeout", "60");
            assertEquals(6, ingest.distinct(), output);
            for (Envelope e : ingest.accepted()) {
                assertEquals(device(e.key().sequence()), e, output);
            }
            Path deadLetters = tmp.resolve("gw.dead-letter").toAbsolutePath();
            assertTrue(output.contains("forwarded 6 upstream; 2 records that are not relayed envelopes, kept in "
                    + deadLetters), output);
            assertFalse(output.contains("the rest stays"), output);
            List<String> errors = output.lines().filter(l -> l.contains("ERROR")).toList();
            assertEquals(2, errors.size(), "one ERROR per record that is not relayed: " + output);
            for (int i = 0; i < 2; i++) {
                assertTrue(errors.get(i).contains("Gateway record " + raw.get(i) + " is not a relayed envelope")
                        && errors.get(i).contains("kept in " + deadLetters), errors.get(i));
            }
            DropDirectoryReader.Result kept = new DropDirectoryReader().read(deadLetters);
            assertEquals(raw, kept.envelopes().stream().map(Envelope::key).toList(), kept.problems().toString());
            assertEquals(new String(BufferAppendCommand.payload(6, 100), StandardCharsets.US_ASCII),
                    new String(kept.envelopes().get(1).payloadBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    @DisplayName("'buffer append' and 'buffer drain' refuse a gateway's buffer directory, saying what to do instead")
    void appendRefusesAGatewaysBuffer() throws Exception {
        Path gw = tmp.resolve("gw");
        try (IngestServer ingest = IngestServer.builder().start()) {
            Result g = run("buffer", "gateway", "--dir", gw.toString(), "--listen", "127.0.0.1:" + freePort(),
                    "--to", ingest.uri().toString(), "--duration", "1", "--flush-timeout", "0");
            assertEquals(0, g.code(), g.err());
        }
        assertTrue(Files.isRegularFile(gw.resolve(GatewayMark.FILE)));
        Result a = run("buffer", "append", "--dir", gw.toString(), "--count", "3");
        assertEquals(1, a.code(), a.out());
        assertEquals("edgeloop: --dir " + gw + " is a relay gateway's buffer (it holds " + GatewayMark.FILE + "): a "
                + "record appended there is not a relayed envelope and can never be forwarded; append to a device's "
                + "buffer and drain it to the gateway with 'buffer drain --to relay://HOST:PORT'\n",
                a.err().replace("\r\n", "\n"));
        Result dump = run("buffer", "dump", "--dir", gw.toString());
        assertEquals(0, dump.code(), dump.err());
        assertEquals("", dump.out(), "nothing was appended");
        // nor does 'buffer drain' deliver its wrappers as if they were records (the review of 2026-12-03)
        Result drain = run("buffer", "drain", "--dir", gw.toString(), "--to", tmp.resolve("out").toUri().toString());
        assertEquals(1, drain.code(), drain.out());
        assertEquals("edgeloop: --dir " + gw + " is a relay gateway's buffer (it holds " + GatewayMark.FILE + "): its "
                + "records wrap the devices' records, and a drain would deliver the wrappers; forward it with 'buffer "
                + "gateway --dir " + gw + " --to URI', which unwraps them\n", drain.err().replace("\r\n", "\n"));
        assertFalse(Files.exists(tmp.resolve("out")), "nothing was delivered");
        // the gateway itself starts again on its marked directory
        try (IngestServer ingest = IngestServer.builder().start()) {
            Result again = run("buffer", "gateway", "--dir", gw.toString(), "--listen", "127.0.0.1:" + freePort(),
                    "--to", ingest.uri().toString(), "--duration", "1", "--flush-timeout", "0");
            assertEquals(0, again.code(), again.err());
        }
    }
}
