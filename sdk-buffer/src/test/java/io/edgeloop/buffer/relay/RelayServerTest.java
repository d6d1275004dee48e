package io.edgeloop.buffer.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RelayServerTest {
    static Batch batch(long first, int n) {
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Envelope(new IdempotencyKey("dev", "s", 1, first + i), first + i, 3,
                    ("r" + (first + i)).getBytes(StandardCharsets.US_ASCII)));
        }
        return Batch.of(list);
    }

    static Transport relay(RelayServer s) {
        TransportProvider p = ProviderLoader.of(TransportProvider.class).select("relay");
        return p.create(ComponentConfig.of(Map.of("uri", s.uri(), "ack-timeout", "5s")));
    }

    @Test
    @DisplayName("a sink that keeps failing (a full disk) is logged as one WARN line without a stack trace, not one per batch")
    void repeatedSinkFailuresLogOneLineWithoutStackTraces() throws Exception {
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try (RelayServer s = RelayServer.builder().sink(es -> {
            throw new java.io.IOException("No space left on device");
        }).start(); Transport t = relay(s)) {
            for (int i = 0; i < 5; i++) {
                TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 3)));
                assertTrue(e.isRetryable(), e.getMessage());
            }
            assertEquals(5, s.batchesRefused());
        } finally {
            System.setErr(before);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        List<String> warns = log.lines().filter(l -> l.contains("Relay sink failed to store")).toList();
        assertFalse(warns.isEmpty(), log);
        assertTrue(warns.get(0).contains("WARN") && warns.get(0).contains("No space left on device"), log);
        assertEquals(0, log.lines().filter(l -> l.startsWith("\tat ")).count(), "no stack trace at WARN: " + log);
    }

    @Test
    @DisplayName("refuses a batch retryably when the gateway cannot store it, and takes it on the next try")
    void sinkFailureIsRetryable() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Envelope> stored = new CopyOnWriteArrayList<>();
        try (RelayServer s = RelayServer.builder().sink(es -> {
            if (calls.getAndIncrement() == 0) {
                throw new java.io.IOException("gateway disk full");
            }
            stored.addAll(es);
        }).start(); Transport t = relay(s)) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 3)));
            assertTrue(e.isRetryable());
            assertTrue(e.getMessage().contains("gateway disk full"), e.getMessage());
            assertEquals(Duration.ofSeconds(1), e.retryAfter().orElseThrow());
            t.send(batch(1, 3));
            assertEquals(batch(1, 3).envelopes(), stored);
            assertEquals(1, s.batchesAcknowledged());
            assertEquals(1, s.batchesRefused());
        }
    }

    @Test
    @DisplayName("answers a peer that does not speak the relay protocol with an ERROR and closes")
    void rejectsForeignPeer() throws Exception {
        try (RelayServer s = RelayServer.builder().sink(es -> { }).start();
                Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            OutputStream out = sock.getOutputStream();
            // A HELLO frame naming protocol version 2.
            RelayFrames.write(out, new RelayFrames.Frame(RelayFrames.HELLO,
                    ByteBuffer.allocate(6).putInt(RelayFrames.MAGIC).put((byte) 2).put((byte) 0).array()));
            DataInputStream in = new DataInputStream(new BufferedInputStream(sock.getInputStream()));
            RelayFrames.Frame f = RelayFrames.read(in, 1 << 16);
            assertEquals(RelayFrames.ERROR, f.type());
            RelayFrames.Error e = RelayFrames.error(f);
            assertFalse(e.retryable());
            assertTrue(e.message().contains("version 2.0"), e.message());
            assertEquals(-1, in.read(), "the gateway closes the connection");
        }
    }

    @Test
    @DisplayName("drops a connection whose frame was corrupted on the link, and the device's retry succeeds")
    void corruptFrameDropsConnection() throws Exception {
        List<Envelope> stored = new CopyOnWriteArrayList<>();
        try (RelayServer s = RelayServer.builder().sink(stored::addAll).start();
                Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            OutputStream out = sock.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(sock.getInputStream()));
            RelayFrames.write(out, RelayFrames.hello());
            RelayFrames.checkHello(RelayFrames.read(in, 1 << 16));
            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
            RelayFrames.write(frame, RelayFrames.batch(1, BatchCodec.of(Compression.NONE).encode(batch(1, 2))));
            byte[] bytes = frame.toByteArray();
            bytes[bytes.length / 2] ^= 0x10;
            out.write(bytes);
            out.flush();
            assertEquals(-1, in.read(), "a corrupt frame ends the connection without an ACK");
            assertTrue(stored.isEmpty());
            try (Transport t = relay(s)) {
                t.send(batch(1, 2));
            }
            assertEquals(2, stored.size());
        }
    }

    @Test
    @DisplayName("refuses a malformed batch inside a valid frame as not retryable and keeps the connection")
    void malformedBatchNotRetryable() throws Exception {
        try (RelayServer s = RelayServer.builder().sink(es -> { }).start();
                Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            OutputStream out = sock.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(sock.getInputStream()));
            RelayFrames.write(out, RelayFrames.hello());
            RelayFrames.checkHello(RelayFrames.read(in, 1 << 16));
            RelayFrames.write(out, RelayFrames.batch(7, "garbage".getBytes(StandardCharsets.US_ASCII)));
            RelayFrames.Error e = RelayFrames.error(RelayFrames.read(in, 1 << 16));
            assertEquals(7, e.batchId());
            assertFalse(e.retryable());
            RelayFrames.write(out, RelayFrames.batch(8, BatchCodec.of(Compression.NONE).encode(batch(1, 1))));
            RelayFrames.Frame ack = RelayFrames.read(in, 1 << 16);
            assertEquals(RelayFrames.ACK, ack.type());
            assertEquals(8, ByteBuffer.wrap(ack.body()).getLong());
        }
    }

    @Test
    @DisplayName("answers a batch of a newer major version with a retryable ERROR, not as malformed")
    void newerBatchFormatIsRetryable() throws Exception {
        try (RelayServer s = RelayServer.builder().sink(es -> { }).start();
                Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            OutputStream out = sock.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(sock.getInputStream()));
            RelayFrames.write(out, RelayFrames.hello());
            RelayFrames.checkHello(RelayFrames.read(in, 1 << 16));
            byte[] encoded = BatchCodec.of(Compression.NONE).encode(batch(1, 2));
            encoded[4] = 2;
            RelayFrames.write(out, RelayFrames.batch(9, encoded));
            RelayFrames.Error e = RelayFrames.error(RelayFrames.read(in, 1 << 16));
            assertEquals(9, e.batchId());
            assertTrue(e.retryable(), e.message());
            assertTrue(e.message().contains("version 2"), e.message());
        }
    }

    @Test
    @DisplayName("round-trips a relayed envelope through a gateway record and unwraps batches for upstream")
    void wrapsAndUnwraps() throws Exception {
        Envelope e = batch(5, 1).envelopes().get(0);
        assertEquals(e, RelayedEnvelopes.unwrap(RelayedEnvelopes.wrap(e)));
        List<Envelope> upstream = new ArrayList<>();
        Transport sink = new Transport() {
            @Override
            public void send(Batch b) {
                upstream.addAll(b.envelopes());
            }

            @Override
            public void close() {
            }
        };
        Envelope gatewayRecord = new Envelope(new IdempotencyKey("gw", "relay", 0, 1), 9, 3, RelayedEnvelopes.wrap(e));
        RelayedEnvelopes.unwrapping(sink).send(Batch.of(List.of(gatewayRecord)));
        assertEquals(List.of(e), upstream);
        Envelope bogus = new Envelope(new IdempotencyKey("gw", "relay", 0, 2), 9, 3, new byte[] {1, 2});
        TransportException x = assertThrows(TransportException.class,
                () -> RelayedEnvelopes.unwrapping(sink).send(Batch.of(List.of(bogus))));
        assertFalse(x.isRetryable());
    }
}
