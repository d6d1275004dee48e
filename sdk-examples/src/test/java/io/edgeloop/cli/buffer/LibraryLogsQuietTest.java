package io.edgeloop.cli.buffer;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.ChildCli;
import io.edgeloop.cli.InProcessCli.Result;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    @DisplayName("'buffer gateway' keeps the forwarder's retry lines quiet unless --verbose, and names the failure once")
    void gatewayIsQuietUnlessVerbose() throws Exception {
        int closed;
        int listen;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket l = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
            listen = l.getLocalPort();
        }
        Path dev = tmp.resolve("dev");
        assertEquals(0, run("buffer", "append", "--dir", dev.toString(), "--count", "3").code());
        String upstream = "http://127.0.0.1:" + closed + "/ingest";
        for (boolean verbose : new boolean[] {false, true}) {
            // a device drains to the gateway, whose forwarder then sends upstream to a closed port and retries
            // ("send failed (...), retrying in N ms" at INFO each time); --duration only bounds a broken run
            Process p = new ProcessBuilder(ChildCli.signallable(args(verbose, "buffer", "gateway", "--dir",
                    tmp.resolve("gw-" + verbose).toString(), "--listen", "127.0.0.1:" + listen, "--to", upstream,
                    "--duration", "120", "--flush-timeout", "1"))).redirectErrorStream(true).start();
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                StringBuilder out = new StringBuilder(r.readLine()).append('\n');
                assertTrue(out.toString().startsWith("listening "), out.toString());
                Result d = run("buffer", "drain", "--dir", dev.toString(), "--to", "relay://127.0.0.1:" + listen,
                        "--cursor", "c-" + verbose);
                assertEquals(0, d.code(), d.err());
                String notice = "edgeloop: forwarding upstream failed, retrying: Cannot connect to " + upstream
                        + ": Connection refused";
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    out.append(line).append('\n');
                    if (line.equals(notice)) {
                        break;
                    }
                }
                assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    out.append(line).append('\n');
                }
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), out.toString());
                String all = out.toString();
                assertTrue(all.contains("relayed 3 records") && all.contains("forwarded 0 upstream; the rest stays in"),
                        all);
                assertEquals(verbose, all.contains("INFO io.edgeloop.buffer.forward.Forwarder"), all);
                // without the INFO lines the gateway says itself why nothing goes upstream, once
                assertEquals(1, all.split(java.util.regex.Pattern.quote(notice + "\n"), -1).length - 1, all);
            } finally {
                p.destroyForcibly();
            }
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
