package io.edgeloop.cli.buffer;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.ChildCli;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libraries' log lines stay off stderr unless {@code --verbose}, in the commands that run a forwarder. Each
 * case runs in a child JVM: slf4j-simple fixes its levels when the JVM's first logger is created, so only a fresh
 * JVM shows what a user sees. Each also runs with {@code --verbose}, which must show the line: without that, a
 * logger that printed nothing for another reason would pass.
 */
class LibraryLogsQuietTest {
    @TempDir
    Path tmp;

    private static String[] args(boolean verbose, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (verbose) {
            all.add("--verbose");
        }
        return all.toArray(new String[0]);
    }

    @Test
    @DisplayName("'buffer gateway' keeps the forwarder's retry lines quiet unless --verbose")
    void gatewayIsQuietUnlessVerbose() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        for (boolean verbose : new boolean[] {false, true}) {
            // records already in the gateway's own buffer: its forwarder sends them upstream at once, to a closed
            // port, and retries ("send failed (...), retrying in N ms" at INFO) until the run ends
            Path gw = tmp.resolve("gw-" + verbose);
            assertEquals(0, run("buffer", "append", "--dir", gw.toString(), "--count", "3", "--device", "gateway")
                    .code());
            String out = ChildCli.runOk(Map.of(), args(verbose, "buffer", "gateway", "--dir", gw.toString(),
                    "--listen", "127.0.0.1:0", "--to", "http://127.0.0.1:" + closed + "/ingest", "--duration", "2",
                    "--flush-timeout", "1"));
            assertTrue(out.contains("forwarded 0 upstream; the rest stays in"), out);
            assertEquals(verbose, out.contains("INFO io.edgeloop.buffer.forward.Forwarder"), out);
        }
    }

    @Test
    @DisplayName("'buffer drain' prints a refused batch once, as its own notice, not also as the forwarder's WARN")
    void drainSplitIsNotLoggedTwice() throws Exception {
        Path dev = tmp.resolve("dev");
        assertEquals(0, run("buffer", "append", "--dir", dev.toString(), "--count", "8", "--size", "10").code());
        // the first batch is refused as too large (413, not retryable): the forwarder splits it and the halves pass
        try (ScriptedReceiver receiver = ScriptedReceiver.start(n -> n == 0 ? 413 : 200)) {
            for (boolean verbose : new boolean[] {false, true}) {
                receiver.restart();
                String out = ChildCli.runOk(Map.of(), args(verbose, "buffer", "drain", "--dir", dev.toString(),
                        "--to", receiver.uri(), "--batch", "8", "--cursor", "c-" + verbose));
                assertTrue(out.contains("drained 8 records"), out);
                assertEquals(verbose, out.contains("WARN io.edgeloop.buffer.forward.Forwarder"), out);
                assertFalse(!verbose && out.contains("INFO "), out);
            }
        }
    }
}
