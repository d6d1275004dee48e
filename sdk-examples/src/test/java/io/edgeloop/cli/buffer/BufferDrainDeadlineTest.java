package io.edgeloop.cli.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.cli.Edgeloop;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code buffer drain --timeout} bounds the whole drain, also when the receiver accepts the connection and never
 * answers: the drain used to check its deadline only between sends, so one send ran to the transport's own timeout
 * (35 s for {@code --timeout 5} over HTTP, whose request timeout is 30 s; 11 s over MQTT and the relay, whose
 * connect timeouts are 10 s). The records stay in the buffer and a later drain delivers them all.
 */
class BufferDrainDeadlineTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err, long millis) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Accepts every connection and never reads or writes: a receiver that hangs. */
    private static final class Silent implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> held = new CopyOnWriteArrayList<>();
        final Thread acceptor;

        Silent() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(server.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-receiver");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://127.0.0.1:%d/ingest", "mqtt://127.0.0.1:%d/edgeloop", "relay://127.0.0.1:%d"})
    @DisplayName("drain --timeout 2 to a receiver that accepts and never answers ends within the timeout and its "
            + "grace (2 s each here), exit 1, names the abandoned send, and loses nothing")
    void deadlineStopsASendThatGetsNoAnswer(String uri) throws Exception {
        Path dir = tmp.resolve("buf");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "40", "--size", "16").code());
        Result r;
        try (Silent silent = new Silent()) {
            r = run("buffer", "drain", "--dir", dir.toString(), "--to", String.format(uri, silent.port()), "--timeout",
                    "2");
            assertTrue(!silent.held.isEmpty(), "the drain connected to the silent receiver");
        }
        assertEquals(1, r.code(), r.out() + r.err());
        // 2 s deadline + 0.2 s + at most 2 s grace for the send in flight; the transports' own timeouts are >= 10 s
        assertTrue(r.millis() < 8_000, "drain --timeout 2 took " + r.millis() + " ms: " + r.err());
        assertTrue(r.err().contains("Drained only 0 records") && r.err().contains("nothing acknowledged for 2 s")
                && r.err().contains("The rest stays in the buffer"), r.err());
        assertTrue(r.err().contains("the drain was stopped then (a send still waiting for its answer gets at most 2 s"
                + " more)"), r.err());
        try (IngestServer server = IngestServer.builder().start()) {
            Result ok = run("buffer", "drain", "--dir", dir.toString(), "--to", server.uri().toString());
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().startsWith("drained 40 records"), ok.out());
        }
    }

    /** An HTTP receiver on loopback that reads each batch, waits, and answers 200; counts what it acknowledged. */
    private static final class Slow implements AutoCloseable {
        final com.sun.net.httpserver.HttpServer server;
        final java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newCachedThreadPool();

        Slow(long answerAfterMillis) throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/ingest", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    Thread.sleep(answerAfterMillis);
                    batches.incrementAndGet();
                    exchange.sendResponseHeaders(200, -1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.setExecutor(workers);
            server.start();
        }

        String uri() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/ingest";
        }

        @Override
        public void close() {
            server.stop(0);
            workers.shutdownNow(); // HttpServer.stop leaves a caller's executor running
        }
    }

    @Test
    @DisplayName("drain --timeout 2 to a slow receiver that acknowledges a batch every 0.2 s runs until the buffer is "
            + "empty (20 batches, about 4 s): --timeout bounds the time without progress, not the whole drain")
    void progressKeepsTheDrainGoing() throws Exception {
        Path dir = tmp.resolve("slow");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "100", "--size", "16").code());
        try (Slow slow = new Slow(200)) {
            Result r = run("buffer", "drain", "--dir", dir.toString(), "--to", slow.uri(), "--timeout", "2",
                    "--batch", "5");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().startsWith("drained 100 records in 20 batches"), r.out());
            assertEquals(20, slow.batches.get());
            assertTrue(r.millis() > 2_000, "the drain outlived --timeout 2 while it made progress: " + r.millis());
        }
    }

    @Test
    @DisplayName("a send still running at the deadline and answered within the grace period is committed, and a drain "
            + "it emptied exits 0 (answer after 4.5 s; --timeout 3: stopped at 3.2 s, grace until 6.2 s)")
    void sendAnsweredWithinTheGraceCounts() throws Exception {
        Path dir = tmp.resolve("late");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "10", "--size", "16").code());
        try (Slow slow = new Slow(4_500)) {
            Result r = run("buffer", "drain", "--dir", dir.toString(), "--to", slow.uri(), "--timeout", "3",
                    "--batch", "100");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().startsWith("drained 10 records in 1 batches"), r.out());
        }
        Path drop = tmp.resolve("drop");
        Files.createDirectories(drop);
        Result again = run("buffer", "drain", "--dir", dir.toString(), "--to", drop.toUri().toString());
        assertTrue(again.out().startsWith("drained 0 records"), "the late answer was committed: " + again.out());
    }

    @Test
    @DisplayName("drain keeps the libraries' INFO lines off stderr unless --verbose (a real process: slf4j-simple "
            + "reads its level once per JVM, when the first logger is created)")
    void quietUnlessVerbose() throws Exception {
        Path dir = tmp.resolve("quiet");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "5", "--size", "8").code());
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String missing = "http://127.0.0.1:" + closed + "/ingest"; // connection refused: the Forwarder retries
        String quiet = stderrOf(tmp.resolve("quiet.err"), "buffer", "drain", "--dir", dir.toString(), "--to", missing,
                "--timeout", "2");
        assertTrue(quiet.contains("edgeloop: retrying until") && !quiet.contains(" INFO "), quiet);
        String verbose = stderrOf(tmp.resolve("verbose.err"), "buffer", "drain", "--dir", dir.toString(), "--to",
                missing, "--timeout", "2", "--verbose");
        assertTrue(verbose.contains(" INFO io.edgeloop.buffer.forward.Forwarder"),
                "the Forwarder does log its retries at INFO (so the quiet run proves something): " + verbose);
    }

    private static String stderrOf(Path err, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Edgeloop.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "drain did not finish");
        assertEquals(1, p.exitValue(), Files.readString(err));
        return Files.readString(err);
    }
}
