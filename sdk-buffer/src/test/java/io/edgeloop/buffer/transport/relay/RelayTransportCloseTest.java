package io.edgeloop.buffer.transport.relay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RelayTransportCloseTest {
    @Test
    @DisplayName("close unblocks a send that waits for the gateway's HELLO, long before connect-timeout")
    void closeUnblocksConnectingSend() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        AtomicInteger hellos = new AtomicInteger();
        try (ServerSocket mute = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            // A peer that accepts, reads the device's HELLO and never answers it.
            Thread peer = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = mute.accept();
                        held.add(s);
                        if (s.getInputStream().read(new byte[256]) > 0) {
                            hellos.incrementAndGet();
                        }
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            }, "mute-gateway");
            peer.setDaemon(true);
            peer.start();
            Transport t = new RelayTransportProvider().create(ComponentConfig.of(Map.of(
                    "uri", "relay://127.0.0.1:" + mute.getLocalPort(), "connect-timeout", "120s")));
            Batch b = Batch.of(List.of(new Envelope(new IdempotencyKey("d", "s", 1, 1), 0, 0, new byte[] {1})));
            CompletableFuture<Throwable> blocked = new CompletableFuture<>();
            Thread sender = new Thread(() -> {
                try {
                    t.send(b);
                    blocked.complete(null);
                } catch (Throwable x) {
                    blocked.complete(x);
                }
            }, "blocked-send");
            sender.setDaemon(true);
            sender.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (hellos.get() == 0) {
                assertTrue(System.nanoTime() < deadline, "the device's HELLO never reached the peer");
                Thread.sleep(5);
            }
            assertFalse(blocked.isDone(), "the send must be waiting for the gateway's HELLO");
            t.close();
            // Without close reaching the connecting socket, the send would wait out the 120 s connect-timeout.
            Throwable x = blocked.get(60, TimeUnit.SECONDS);
            assertTrue(x instanceof TransportException && ((TransportException) x).isRetryable(), String.valueOf(x));
            assertTrue(x.getMessage().contains("closed while connecting"), x.getMessage());
            assertThrows(IllegalStateException.class, () -> t.send(b));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
