package io.edgeloop.buffer.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttTransportTest {
    @TempDir
    Path dir;

    static Batch batch(long first, int n) {
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Envelope(new IdempotencyKey("d", "s", 1, first + i), 0, 0,
                    ("r" + (first + i)).getBytes(StandardCharsets.US_ASCII)));
        }
        return Batch.of(list);
    }

    static Transport transport(String uri, String... extra) {
        ComponentConfig.Builder b = ComponentConfig.builder().put("uri", uri);
        for (int i = 0; i < extra.length; i += 2) {
            b.put(extra[i], extra[i + 1]);
        }
        return new MqttTransportProvider().create(b.build());
    }

    @Test
    @DisplayName("fails retryably while the broker is dead and delivers again after it restarts")
    void survivesBrokerKill() throws Exception {
        // The subscriber that checks delivery connects (clean session) only after the restart, before batch 6-10
        // is sent: the check then depends neither on mosquitto having persisted a session before the SIGKILL nor on
        // a test client's reconnect timing (a persistent collector reconnecting across the kill timed out in CI).
        try (MosquittoBroker broker = MosquittoBroker.start(dir, true);
                Transport t = transport(broker.uri("t/kill"), "connect-timeout", "10s")) {
            t.send(batch(1, 5));
            broker.kill();
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(6, 5)));
            assertTrue(e.isRetryable(), e.toString());
            broker.startProcess();
            try (MqttCollector sub = new MqttCollector(broker.pahoUri(), "t/kill", false)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    try {
                        t.send(batch(6, 5));
                        break;
                    } catch (TransportException retry) {
                        assertTrue(retry.isRetryable(), retry.toString());
                        assertTrue(System.nanoTime() < deadline, "no delivery after restart: " + retry);
                        Thread.sleep(100);
                    }
                }
                sub.sync();
                Set<IdempotencyKey> keys = new HashSet<>();
                sub.envelopes().forEach(x -> keys.add(x.key()));
                // Batch 1-5 was acknowledged by the broker that was then killed, before this subscriber existed;
                // MqttBrokerKillDrainTest covers end-to-end delivery across kills.
                for (long s = 6; s <= 10; s++) {
                    assertTrue(keys.contains(new IdempotencyKey("d", "s", 1, s)), "missing " + s + "\n" + broker.log());
                }
            }
        }
    }

    @Test
    @DisplayName("reports a broker that refuses anonymous clients as retryable (no record is at fault), naming the "
            + "reason")
    void refusedConnectionIsRetryable() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(dir, false, "allow_anonymous false\n");
                Transport t = transport(broker.uri("t/auth"))) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1)));
            // CONNACK 5: the broker's settings must change, and until then the records wait in the buffer
            assertTrue(e.isRetryable(), e.toString());
            assertTrue(e.getMessage().contains("not authorized"), e.getMessage());
        }
    }

    /**
     * A peer on loopback that reads each client's CONNECT, answers CONNACK (or, with {@code answer} false, nothing)
     * and then swallows everything; it counts the CONNECTs it read and the bytes it swallowed after them, so a test
     * can wait until a send is really blocked instead of sleeping and hoping.
     */
    static final class SilentPeer implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger connects = new AtomicInteger();
        final AtomicLong swallowed = new AtomicLong();

        SilentPeer(boolean answer) throws java.io.IOException {
            server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            Thread peer = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        // The client sends nothing after CONNECT before it has the CONNACK, so this reads CONNECT.
                        if (in.read(new byte[1024]) > 0) {
                            connects.incrementAndGet();
                        }
                        if (answer) {
                            out.write(new byte[] {0x20, 2, 0, 0});
                            out.flush();
                        }
                        Thread drain = new Thread(() -> {
                            byte[] buf = new byte[4096];
                            try {
                                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                                    swallowed.addAndGet(n);
                                }
                            } catch (Exception ignored) {
                                // connection closed
                            }
                        });
                        drain.setDaemon(true);
                        drain.start();
                    } catch (Exception ignored) {
                        return;
                    }
                }
            });
            peer.setDaemon(true);
            peer.start();
        }

        String uri() {
            return "mqtt://127.0.0.1:" + server.getLocalPort() + "/t";
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    /** Starts a send on its own thread; the future holds what it threw, or null when it returned. */
    static CompletableFuture<Throwable> sendInBackground(Transport t, Batch b) {
        CompletableFuture<Throwable> result = new CompletableFuture<>();
        Thread sender = new Thread(() -> {
            try {
                t.send(b);
                result.complete(null);
            } catch (Throwable x) {
                result.complete(x);
            }
        }, "blocked-send");
        sender.setDaemon(true);
        sender.start();
        return result;
    }

    @Test
    @DisplayName("gives up retryably when a connected broker never sends PUBACK, and close unblocks a waiting send")
    void noPubackTimesOut() throws Exception {
        try (SilentPeer peer = new SilentPeer(true)) {
            try (Transport t = transport(peer.uri(), "publish-timeout", "300ms")) {
                TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1)));
                assertTrue(e.isRetryable() && e.getMessage().contains("no PUBACK"), e.getMessage());
            }
            Transport t = transport(peer.uri(), "publish-timeout", "120s");
            long before = peer.swallowed.get();
            CompletableFuture<Throwable> blocked = sendInBackground(t, batch(1, 1));
            // Closed only once the PUBLISH reached the peer, so the send is waiting for its PUBACK.
            await(() -> peer.swallowed.get() > before, "the PUBLISH at the peer");
            assertFalse(blocked.isDone(), "the send must be waiting for its PUBACK");
            t.close();
            Throwable x = blocked.get(60, TimeUnit.SECONDS);
            assertTrue(x instanceof TransportException && ((TransportException) x).isRetryable(), String.valueOf(x));
            assertThrows(IllegalStateException.class, () -> t.send(batch(2, 1)));
        }
    }

    @Test
    @DisplayName("close unblocks a send that waits for the broker's CONNACK, long before connect-timeout")
    void closeUnblocksConnectingSend() throws Exception {
        try (SilentPeer peer = new SilentPeer(false)) {
            Transport t = transport(peer.uri(), "connect-timeout", "120s");
            CompletableFuture<Throwable> blocked = sendInBackground(t, batch(1, 1));
            await(() -> peer.connects.get() == 1, "the CONNECT at the peer");
            assertFalse(blocked.isDone(), "the send must be waiting for its CONNACK");
            t.close();
            // Without close reaching the connecting socket, the send would wait out the 120 s connect-timeout.
            Throwable x = blocked.get(60, TimeUnit.SECONDS);
            assertTrue(x instanceof TransportException && ((TransportException) x).isRetryable(), String.valueOf(x));
            assertTrue(x.getMessage().contains("closed while connecting"), x.getMessage());
            assertThrows(IllegalStateException.class, () -> t.send(batch(2, 1)));
        }
    }

    @Test
    @DisplayName("rejects URIs without a topic or with wildcards, and bad keep-alive values")
    void rejectsBadConfig() {
        assertEquals("uri", assertThrows(ConfigException.class, () -> transport("mqtt://127.0.0.1:1883")).key());
        assertThrows(ConfigException.class, () -> transport("mqtt://127.0.0.1:1883/a/#"));
        assertThrows(ConfigException.class, () -> transport("http://127.0.0.1:1883/a"));
        assertEquals("keep-alive", assertThrows(ConfigException.class,
                () -> transport("mqtt://127.0.0.1/a", "keep-alive", "0s")).key());
    }
}
