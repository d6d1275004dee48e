package io.edgeloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.tck.Tmpfs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** I/O errors whose own message names no file or port (a full disk, a port in use) get the option that does. */
class IoErrorLocationTest {
    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    @DisplayName("keygen and trust on a full disk (a real 1 MiB tmpfs) name the --out they were writing")
    void fullDiskNamesTheOutput() throws Exception {
        Path keys = tmp.resolve("keys");
        assertEquals("0", run("bundle", "keygen", "--alg", "ed25519", "--out", keys.toString())[0]);
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("mnt"), 1 << 20, "the message format is the same without it")) {
            fs.fill("filler", 4096);
            Path keyOut = fs.path().resolve("k");
            String[] r = run("bundle", "keygen", "--alg", "ed25519", "--out", keyOut.toString());
            assertEquals("1", r[0], r[2]);
            assertTrue(r[2].contains("No space left on device") && r[2].contains("(writing --out " + keyOut + ")"),
                    r[2]);
            Path trustOut = fs.path().resolve("t.json");
            r = run("bundle", "trust", "--key", keys.resolve("public.pem").toString(), "--threshold", "1", "--out",
                    trustOut.toString());
            assertEquals("1", r[0], r[2]);
            assertTrue(r[2].contains("No space left on device") && r[2].contains("(writing --out " + trustOut + ")"),
                    r[2]);
        }
    }

    @Test
    @DisplayName("buffer ingest on a port in use names the address it could not bind, once")
    void portInUseNamesTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String[] r = run("buffer", "ingest", "--host", "127.0.0.1", "--port", String.valueOf(port), "--duration",
                    "1");
            assertEquals("1", r[0], r[2]);
            // IngestServer's BindException names the address itself, so the CLI adds no "(binding --port ...)"
            assertTrue(r[2].contains("Address already in use") && r[2].contains("127.0.0.1:" + port), r[2]);
            assertEquals(1, r[2].split(String.valueOf(port), -1).length - 1, "the port named once: " + r[2]);
        }
    }
}
