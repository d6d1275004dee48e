package io.edgeloop.buffer.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.Payloads;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.buffer.transport.http.HttpTransportProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarder's two loops ({@code start()} and {@code drainAvailable}) and {@code close()}: one loop at a time per
 * forwarder, close stops a drain running on the caller's thread (even on a transport the caller passed in), and
 * close of an idle forwarder does not sit out the idle poll. Real buffer, real HTTP transport, a real ingest server
 * or a real TCP server that accepts and never answers.
 */
class ForwarderLifecycleTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lifecycle-test-drain");
        t.setDaemon(true);
        return t;
    });
    private ServerSocket silent;
    private final List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void silentServer() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept()); // read nothing, answer nothing
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        }, "silent-http-server");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void cleanUp() throws Exception {
        pool.shutdownNow();
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
        silent.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    private DurableBuffer buffer(int records) throws IOException {
        DurableBuffer b = DurableBuffer.builder().directory(dir.resolve("buf")).deviceId("dev")
                .durability(Durability.groupCommit(Duration.ofMillis(2), 1 << 20)).open();
        toClose.add(b);
        for (int i = 1; i <= records; i++) {
            b.appendAsync("s", 0, Payloads.of(i, 40));
        }
        b.flush();
        return b;
    }

    private ComponentConfig silentConfig() {
        return ComponentConfig.builder().put("uri", "http://127.0.0.1:" + silent.getLocalPort() + "/ingest")
                .put("request-timeout", "5m").build();
    }

    private static void await(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    @DisplayName("drainAvailable on a started forwarder is refused with a clear IllegalStateException")
    void drainRefusedWhileStarted() throws Exception {
        DurableBuffer b = buffer(300);
        IngestServer server = IngestServer.builder().start();
        toClose.add(server);
        Forwarder f = Forwarder.builder().source(b, "up").transport(new HttpTransportProvider(),
                ComponentConfig.builder().put("uri", server.uri().toString()).build())
                .batching(10, 1 << 20, Duration.ofMillis(1)).build();
        toClose.add(f);
        f.start();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> f.drainAvailable(Duration.ofSeconds(30)));
        assertTrue(e.getMessage().contains("started"), e.getMessage());
        await(() -> server.distinct() == 300, "the started loop alone delivers everything");
        assertTrue(f.stats().lastError().isEmpty(), "the started loop saw no failure: " + f.stats());
    }

    @Test
    @DisplayName("start() while drainAvailable runs is refused, and a second concurrent drain too")
    void startRefusedWhileDraining() throws Exception {
        DurableBuffer b = buffer(10);
        Forwarder f = Forwarder.builder().source(b, "up").transport(new HttpTransportProvider(), silentConfig())
                .shutdownGrace(Duration.ofMillis(200)).build();
        toClose.add(f);
        Future<Boolean> drain = pool.submit(() -> f.drainAvailable(Duration.ofMinutes(5)));
        await(() -> !accepted.isEmpty(), "the drain's send to reach the silent server");
        IllegalStateException e = assertThrows(IllegalStateException.class, f::start);
        assertTrue(e.getMessage().contains("drainAvailable"), e.getMessage());
        IllegalStateException e2 = assertThrows(IllegalStateException.class,
                () -> f.drainAvailable(Duration.ofSeconds(1)));
        assertTrue(e2.getMessage().contains("drainAvailable"), e2.getMessage());
        f.close();
        assertFalse(drain.get(10, TimeUnit.SECONDS), "the drain ends, unfinished, when closed");
    }

    @Test
    @DisplayName("close() stops a drainAvailable running on another thread with a transport the caller passed in")
    void closeStopsDrainOnCallersTransport() throws Exception {
        DurableBuffer b = buffer(10);
        Transport mine = new HttpTransportProvider().create(silentConfig());
        toClose.add(mine);
        Duration grace = Duration.ofMillis(300);
        Forwarder f = Forwarder.builder().source(b, "up").transport(mine).shutdownGrace(grace).build();
        Future<Boolean> drain = pool.submit(() -> f.drainAvailable(Duration.ofMinutes(5)));
        await(() -> !accepted.isEmpty(), "the drain's send to reach the silent server");
        long t0 = System.nanoTime();
        f.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // before the fix close returned at once and the drain ran on against the silent server
        assertFalse(drain.get(5, TimeUnit.SECONDS), "drainAvailable returns false (not everything sent) once closed");
        assertTrue(drain.isDone());
        assertTrue(closeMillis >= grace.toMillis() - 50, "close waits the grace for the in-flight send first, took "
                + closeMillis + " ms");
        Cursor c = b.cursor("up");
        assertEquals(0, c.committedPosition(), "the abandoned batch was not committed; its records stay");
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    @DisplayName("close() leaves a drain alone that finishes within the grace, and the drain thread's interrupt flag")
    void closeWaitsForADrainThatFinishes() throws Exception {
        DurableBuffer b = buffer(3000);
        IngestServer server = IngestServer.builder().start();
        toClose.add(server);
        Forwarder f = Forwarder.builder().source(b, "up").transport(new HttpTransportProvider(),
                ComponentConfig.builder().put("uri", server.uri().toString()).build())
                .batching(50, 1 << 20, Duration.ofMillis(1)).shutdownGrace(Duration.ofSeconds(20)).build();
        Future<String> drain = pool.submit(() -> f.drainAvailable(Duration.ofMinutes(1)) + " interrupted="
                + Thread.currentThread().isInterrupted());
        await(() -> server.distinct() > 0, "the drain to start delivering");
        f.close();
        String r = drain.get(30, TimeUnit.SECONDS);
        assertTrue(r.endsWith("interrupted=false"), "a drain that ended by itself is not interrupted: " + r);
    }

    @Test
    @DisplayName("close() of an idle started forwarder returns well within the idle poll")
    void closeOfIdleForwarderIsPrompt() throws Exception {
        DurableBuffer b = buffer(5);
        IngestServer server = IngestServer.builder().start();
        toClose.add(server);
        Duration idlePoll = Duration.ofSeconds(20);
        for (int i = 0; i < 3; i++) {
            Forwarder f = Forwarder.builder().source(b, "up").transport(new HttpTransportProvider(),
                    ComponentConfig.builder().put("uri", server.uri().toString()).build()).idlePoll(idlePoll)
                    .shutdownGrace(Duration.ofSeconds(30)).build().start();
            await(() -> server.distinct() == 5, "the records at the receiver");
            Thread.sleep(100); // let the loop reach its idle wait for new records
            long t0 = System.nanoTime();
            f.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // before the fix: a whole idle poll (the review measured 997 ms with the default 1 s)
            assertTrue(millis < 5_000, "close of an idle forwarder took " + millis + " ms (idle poll " + idlePoll
                    + ")");
        }
    }
}
