package io.edgeloop.buffer.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.transport.relay.RelayTransportProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection slots of a relay gateway are not held for good: by devices that said HELLO and went silent (lost
 * power), nor by healthy forwarders with nothing to send.
 */
class RelayIdleConnectionTest {
    @TempDir
    Path dir;

    private static DurableBuffer device(Path dir, String id) throws Exception {
        return DurableBuffer.builder().directory(dir).deviceId(id).durability(Durability.always()).open();
    }

    private static Forwarder forwarder(DurableBuffer b, RelayServer server, String idle) throws Exception {
        return Forwarder.builder().source(b, "gw").transport(new RelayTransportProvider(), ComponentConfig.builder()
                .put("uri", server.uri()).put("idle-timeout", idle).build())
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5, 1).idlePoll(Duration.ofMillis(50))
                .build();
    }

    private static void await(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    @DisplayName("16 silent connections (HELLO, then nothing) are closed after the idle timeout and a 17th device"
            + " gets through")
    void silentConnectionsAreClosed() throws Exception {
        List<Socket> silent = new ArrayList<>();
        try (DurableBuffer gw = device(dir.resolve("gw"), "gw");
                RelayServer server = RelayServer.builder().sink(new BufferRelaySink(gw)).maxConnections(16)
                        .idleTimeout(Duration.ofMillis(800)).start()) {
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                OutputStream out = s.getOutputStream();
                RelayFrames.write(out, RelayFrames.hello());
                InputStream in = s.getInputStream();
                assertEquals(RelayFrames.HELLO, RelayFrames.read(new java.io.DataInputStream(in), 64).type());
                silent.add(s);
            }
            try (DurableBuffer dev = device(dir.resolve("dev"), "dev17")) {
                for (int i = 0; i < 10; i++) {
                    dev.append("s", new byte[50]);
                }
                try (Forwarder f = forwarder(dev, server, "30s")) {
                    assertTrue(f.drainAvailable(Duration.ofSeconds(30)), "the 17th device is locked out: " + f.stats());
                }
                assertEquals(10, server.envelopesStored());
            }
            // the silent peers were closed by the gateway: they read end of stream
            for (Socket s : silent) {
                s.setSoTimeout(10_000);
                assertEquals(-1, s.getInputStream().read(), "the gateway must close a silent connection");
            }
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    @Test
    @DisplayName("17 devices with running forwarders and a limit of 16 all get through: idle devices let go of"
            + " their connection")
    void seventeenForwardersShareSixteenSlots() throws Exception {
        int devices = 17;
        List<DurableBuffer> bufs = new ArrayList<>();
        List<Forwarder> fws = new ArrayList<>();
        try (DurableBuffer gw = device(dir.resolve("gw"), "gw");
                RelayServer server = RelayServer.builder().sink(new BufferRelaySink(gw)).maxConnections(16)
                        .start()) {
            try {
                for (int i = 0; i < devices; i++) {
                    DurableBuffer b = device(dir.resolve("dev" + i), "dev" + i);
                    bufs.add(b);
                    b.append("s", ("first from dev" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    fws.add(forwarder(b, server, "300ms").start());
                }
                await(() -> server.envelopesStored() == devices, "a record from each of " + devices + " devices");
                // and they keep working: a second round from every device
                for (DurableBuffer b : bufs) {
                    b.append("s", "second".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                await(() -> server.envelopesStored() == 2L * devices, "the second round");
            } finally {
                for (Forwarder f : fws) {
                    f.close();
                }
                for (DurableBuffer b : bufs) {
                    b.close();
                }
            }
        }
    }
}
