package io.edgeloop.buffer.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Stalled and trickling clients on real sockets must not block other senders (review s7 threads item 5: two
 * clients that sent 3 of 100 announced body bytes blocked every other POST for good, the server had two workers
 * and no deadline).
 */
class IngestServerStallTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Opens a connection and sends {@code head} (then nothing more). */
    private Socket stall(IngestServer server, String head) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        sockets.add(s);
        OutputStream o = s.getOutputStream();
        o.write(head.getBytes(StandardCharsets.US_ASCII));
        o.flush();
        return s;
    }

    private static String midBody(IngestServer server) {
        return "POST " + server.uri().getPath() + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + IngestServer.CONTENT_TYPE
                + "\r\nContent-Length: 100\r\n\r\nabc";
    }

    /** A well-formed batch POST with its own 10 s limit; returns the status. */
    private static int post(URI uri, long first) throws Exception {
        byte[] body = BatchCodec.of(Compression.NONE).encode(IngestServerTest.batch(first, 3));
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", IngestServer.CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    @Test
    @DisplayName("with the defaults, two clients stalled mid-body do not hold up a normal POST")
    void defaultsServeBesideTwoStalledClients() throws Exception {
        try (IngestServer server = IngestServer.builder().start()) {
            stall(server, midBody(server));
            stall(server, midBody(server));
            Thread.sleep(300); // both are on workers, blocked reading their bodies
            // before the fix: no answer at all (the review's client gave up after 20 s)
            assertEquals(200, post(server.uri(), 1));
            assertEquals(3, server.distinct());
        }
    }

    @Test
    @DisplayName("the watchdog frees workers held by clients stalled mid-body or mid-headers, and ends them")
    void watchdogFreesStalledWorkers() throws Exception {
        try (IngestServer server = IngestServer.builder().limits(2, Duration.ofMillis(500), 1024).start()) {
            Socket body = stall(server, midBody(server));
            Socket headers = stall(server, "POST " + server.uri().getPath() + " HTTP/1.1\r\nHost: x\r\n");
            Thread.sleep(100);
            long t0 = System.nanoTime();
            // both workers are taken: this one is served once the watchdog closed a stalled request
            assertEquals(200, post(server.uri(), 1));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis < 5_000, "served after " + millis + " ms");
            assertEquals(3, server.distinct());
            // the stalled connections are closed by the server (EOF), not left open
            for (Socket s : List.of(body, headers)) {
                s.setSoTimeout(5_000);
                InputStream in = s.getInputStream();
                int first = assertEofOrReset(in);
                assertEquals(-1, first, "a stalled connection gets no answer, only closed");
            }
            assertTrue(server.abandonedRequests() >= 2, "abandoned " + server.abandonedRequests());
            assertEquals(200, post(server.uri(), 10), "the server still serves afterwards");
        }
    }

    /** Reads until EOF; a reset counts as closed too. */
    private static int assertEofOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (java.net.SocketException e) {
            return -1;
        }
    }

    @Test
    @DisplayName("a body trickled below the minimum rate is cut off after the slack")
    void trickleIsCutOff() throws Exception {
        try (IngestServer server = IngestServer.builder().limits(2, Duration.ofMillis(500), 1000).start()) {
            Socket s = stall(server, "POST " + server.uri().getPath() + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + "100000\r\n\r\n");
            OutputStream o = s.getOutputStream();
            long t0 = System.nanoTime();
            // 10 bytes every 100 ms is 100 bytes/s, a tenth of the minimum: cut within ~0.5 s + a few ticks
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    o.write(new byte[10]);
                    o.flush();
                    Thread.sleep(100);
                }
                throw new AssertionError("still sending after 10 s");
            });
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis < 5_000, "cut after " + millis + " ms (" + e + ")");
            assertEquals(1, server.abandonedRequests());
        }
    }

    @Test
    @DisplayName("limits are checked with a message naming the value")
    void limitsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IngestServer.builder().limits(0, Duration.ofSeconds(1), 1));
        assertTrue(e.getMessage().contains("maxThreads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IngestServer.builder().limits(1, Duration.ZERO, 1));
        assertTrue(e.getMessage().contains("requestTimeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> IngestServer.builder().limits(1, Duration.ofSeconds(1), 0));
        assertTrue(e.getMessage().contains("minBytesPerSecond"), e.getMessage());
    }
}
