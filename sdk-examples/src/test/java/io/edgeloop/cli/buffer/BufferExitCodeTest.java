package io.edgeloop.cli.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.InProcessCli;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffer group's exit codes follow README's rule (2: picocli cannot parse the command line; 1: a value refused
 * after parsing, and every other failure), and a port in use is named once.
 */
class BufferExitCodeTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("values refused after parsing exit 1 in every buffer command: drain --timeout/--batch, gateway and"
            + " ingest --duration; an unparsable value exits 2")
    void refusedValuesExitOne() {
        String dir = tmp.resolve("b").toString();
        assertEquals(0, InProcessCli.run("buffer", "append", "--dir", dir, "--count", "3").code());
        String drop = tmp.toUri().toString();
        for (String[] args : new String[][] {
            {"buffer", "drain", "--dir", dir, "--to", drop, "--timeout", "0"},
            {"buffer", "drain", "--dir", dir, "--to", drop, "--timeout", "-5"},
            {"buffer", "drain", "--dir", dir, "--to", drop, "--batch", "0"},
            {"buffer", "gateway", "--dir", tmp.resolve("g").toString(), "--to", "http://127.0.0.1:1/x", "--duration",
                "-1"},
            {"buffer", "ingest", "--port", "0", "--duration", "-1"},
        }) {
            InProcessCli.Result r = InProcessCli.run(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("edgeloop: "), r.err());
        }
        InProcessCli.Result parse = InProcessCli.run("buffer", "drain", "--dir", dir, "--to", drop, "--timeout", "soon");
        assertEquals(2, parse.code(), parse.err());
    }

    @Test
    @DisplayName("a port in use names the address once, for ingest and gateway")
    void portInUseIsNamedOnce() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            InProcessCli.Result ingest = InProcessCli.run("buffer", "ingest", "--port", Integer.toString(port), "--count", "1");
            InProcessCli.Result gateway = InProcessCli.run("buffer", "gateway", "--dir", tmp.resolve("g").toString(), "--listen",
                    "127.0.0.1:" + port, "--to", "http://127.0.0.1:1/x");
            for (InProcessCli.Result r : new InProcessCli.Result[] {ingest, gateway}) {
                assertEquals(1, r.code(), r.err());
                assertTrue(r.err().contains("127.0.0.1:" + port), r.err());
                assertEquals(1, r.err().split(Integer.toString(port), -1).length - 1, "named once: " + r.err());
                assertTrue(r.err().contains("Address already in use"), r.err());
            }
        }
    }
}
