package io.edgeloop.buffer.transport.http;

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
import io.edgeloop.buffer.receiver.IngestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HttpTransportTest {
    IngestServer server;

    @BeforeEach
    void start() throws Exception {
        server = IngestServer.builder().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Batch batch(long first, int n) {
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Envelope(new IdempotencyKey("d", "s", 1, first + i), 0, 0,
                    ("r" + (first + i)).getBytes(StandardCharsets.US_ASCII)));
        }
        return Batch.of(list);
    }

    /** A plain JDK server on a loopback port answering {@code /in} with {@code handler}, started. */
    static com.sun.net.httpserver.HttpServer rawServer(com.sun.net.httpserver.HttpHandler handler)
            throws java.io.IOException {
        com.sun.net.httpserver.HttpServer raw = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        raw.createContext("/in", handler);
        raw.start();
        return raw;
    }

    static String rawUri(com.sun.net.httpserver.HttpServer raw) {
        return "http://127.0.0.1:" + raw.getAddress().getPort() + "/in";
    }

    Transport transport(String... extra) {
        ComponentConfig.Builder b = ComponentConfig.builder().put("uri", server.uri());
        for (int i = 0; i < extra.length; i += 2) {
            b.put(extra[i], extra[i + 1]);
        }
        return new HttpTransportProvider().create(b.build());
    }

    @Test
    @DisplayName("turns 503 with Retry-After seconds into a retryable exception carrying the wait")
    void honours503RetryAfterSeconds() throws Exception {
        server.failNext(1, 503, "7");
        try (Transport t = transport()) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 2)));
            assertTrue(e.isRetryable());
            assertEquals(Optional.of(Duration.ofSeconds(7)), e.retryAfter());
            t.send(batch(1, 2));
        }
        assertEquals(2, server.distinct());
        assertEquals(1, server.rejected());
    }

    @Test
    @DisplayName("turns 429 with an HTTP-date Retry-After into the remaining wait")
    void honours429RetryAfterDate() throws Exception {
        server.failNext(1, 429, "Wed, 21 Oct 2065 07:28:00 GMT");
        try (Transport t = transport()) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1)));
            assertTrue(e.isRetryable());
            assertTrue(e.retryAfter().orElseThrow().toDays() > 365, e.retryAfter().toString());
        }
        Clock at = Clock.fixed(Instant.parse("2015-10-21T07:27:00Z"), ZoneOffset.UTC);
        assertEquals(Optional.of(Duration.ofMinutes(1)),
                HttpTransport.retryAfter(Optional.of("Wed, 21 Oct 2015 07:28:00 GMT"), at));
        assertEquals(Optional.of(Duration.ZERO),
                HttpTransport.retryAfter(Optional.of("Wed, 21 Oct 2015 07:00:00 GMT"), at));
        assertEquals(Optional.empty(), HttpTransport.retryAfter(Optional.of("soon"), at));
        assertEquals(Optional.empty(), HttpTransport.retryAfter(Optional.empty(), at));
    }

    @Test
    @DisplayName("treats only 400, 413 and 422 as refusing the batch; endpoint refusals (401, 403, 404, 405, 5xx) "
            + "are retryable")
    void classifiesStatuses() throws Exception {
        try (Transport t = transport()) {
            for (int status : new int[] {400, 413, 422}) {
                server.failNext(1, status, null);
                TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1)));
                assertFalse(e.isRetryable(), e.getMessage());
                assertTrue(e.getMessage().contains(Integer.toString(status)), e.getMessage());
            }
            for (int status : new int[] {401, 403, 404, 405, 408, 409, 415, 500, 502}) {
                server.failNext(1, status, null);
                TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1)));
                assertTrue(e.isRetryable(), e.getMessage());
            }
        }
        assertEquals(0, server.distinct());
    }

    @Test
    @DisplayName("refuses zero or negative timeouts at configuration, naming the key")
    void refusesNonPositiveTimeouts() {
        for (String key : List.of("request-timeout", "connect-timeout")) {
            for (String value : List.of("0s", "0ms", "-5s")) {
                io.edgeloop.api.config.ConfigException e = assertThrows(io.edgeloop.api.config.ConfigException.class,
                        () -> new HttpTransportProvider().create(ComponentConfig.of(Map.of(
                                "uri", "http://127.0.0.1:9/ingest", key, value))));
                assertEquals(key, e.key());
                assertTrue(e.getMessage().contains("positive") || value.startsWith("-"), e.getMessage());
            }
        }
    }

    @Test
    @DisplayName("names why it cannot connect (a closed port: Connection refused), not just the exception's class")
    void namesWhyItCannotConnect() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String uri = "http://127.0.0.1:" + closed + "/ingest";
        try (Transport t = new HttpTransportProvider().create(ComponentConfig.of(Map.of("uri", uri)))) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1)));
            assertTrue(e.isRetryable());
            // was "Cannot connect to URI: java.net.ConnectException": the HTTP client's exception has no message
            assertEquals("Cannot connect to " + uri + ": Connection refused", e.getMessage());
        }
        String unknown = "http://no-such-host.invalid:8080/ingest";
        try (Transport t = new HttpTransportProvider().create(ComponentConfig.of(Map.of("uri", unknown)))) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1)));
            assertEquals("Cannot connect to " + unknown + ": unknown host 'no-such-host.invalid'", e.getMessage());
        }
    }

    @Test
    @DisplayName("gives up after the request timeout when the receiver never answers, as a retryable failure")
    void timesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (Transport t = new HttpTransportProvider().create(ComponentConfig.of(Map.of(
                    "uri", "http://127.0.0.1:" + silent.getLocalPort() + "/ingest", "request-timeout", "500ms")))) {
                long start = System.nanoTime();
                TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1)));
                assertTrue(e.isRetryable());
                // Gave up after the configured 500 ms rather than the 30 s default: a bound below the default that
                // a loaded machine cannot reach (it was 10 s), not a performance figure.
                assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 20);
            }
        }
    }

    @Test
    @DisplayName("has the receiver drop re-sent envelopes by idempotency key and count them")
    void receiverDropsDuplicates() throws Exception {
        try (Transport t = transport("compression", "lz4")) {
            t.send(batch(1, 10));
            t.send(batch(5, 10));
        }
        assertEquals(14, server.distinct());
        assertEquals(20, server.received());
        assertEquals(6, server.duplicatesDropped());
        assertEquals(14, server.accepted().size());
    }

    @Test
    @DisplayName("rejects restricted or malformed extra headers when created, naming the key")
    void rejectsBadHeaders() {
        io.edgeloop.api.config.ConfigException e = assertThrows(io.edgeloop.api.config.ConfigException.class,
                () -> transport("header.Content-Length", "5"));
        assertEquals("header.Content-Length", e.key());
        assertThrows(io.edgeloop.api.config.ConfigException.class, () -> transport("header.Bad Name", "x"));
        assertThrows(io.edgeloop.api.config.ConfigException.class, () -> transport("uri", "ftp://x/y"));
    }

    @Test
    @DisplayName("sends configured extra headers and the batch content type")
    void sendsHeaders() throws Exception {
        List<String> seen = new ArrayList<>();
        com.sun.net.httpserver.HttpServer raw = rawServer(ex -> {
            seen.add(ex.getRequestHeaders().getFirst("Authorization"));
            seen.add(ex.getRequestHeaders().getFirst("Content-Type"));
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        try (Transport t = new HttpTransportProvider().create(ComponentConfig.of(Map.of("uri", rawUri(raw),
                "header.Authorization", "Bearer abc")))) {
            t.send(batch(1, 1));
        } finally {
            raw.stop(0);
        }
        assertEquals(List.of("Bearer abc", IngestServer.CONTENT_TYPE), seen);
    }

    @Test
    @DisplayName("sends each batch as one POST with its length, without Expect: 100-continue, over one connection")
    void oneRequestPerBatchOnOneConnection() throws Exception {
        // Guards against per-batch round trips a drain would pay for every batch: an Expect: 100-continue wait, a
        // chunked body, a new connection per batch.
        List<String> seen = new ArrayList<>();
        com.sun.net.httpserver.HttpServer raw = rawServer(ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            synchronized (seen) {
                seen.add(ex.getRequestMethod() + " expect=" + ex.getRequestHeaders().getFirst("Expect")
                        + " length=" + ex.getRequestHeaders().getFirst("Content-Length") + "/" + body.length
                        + " chunked=" + ex.getRequestHeaders().containsKey("Transfer-Encoding")
                        + " port=" + ex.getRemoteAddress().getPort());
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        try (Transport t = new HttpTransportProvider().create(ComponentConfig.of(Map.of("uri", rawUri(raw))))) {
            for (int i = 0; i < 3; i++) {
                t.send(batch(1 + 10L * i, 10));
            }
        } finally {
            raw.stop(0);
        }
        assertEquals(3, seen.size(), seen.toString());
        String port = seen.get(0).substring(seen.get(0).indexOf(" port="));
        for (String s : seen) {
            assertTrue(s.matches("POST expect=null length=(\\d+)/\\1 chunked=false port=\\d+"), s);
            assertTrue(s.endsWith(port), "one connection for every batch: " + seen);
        }
    }
}
