package io.edgeloop.cli.buffer;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.cli.ChildCli;
import io.edgeloop.cli.InProcessCli.Result;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code buffer drain} stopped by SIGINT (Ctrl-C) or SIGTERM says how far it got; the rest drains next time. */
class BufferDrainSignalTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("a drain stopped by SIGINT or SIGTERM prints what was acknowledged and that the rest stays")
    void printsSummaryOnSignal() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            Path dev = tmp.resolve("dev-" + signal);
            assertEquals(0, run("buffer", "append", "--dir", dev.toString(), "--count", "20").code());
            // acknowledges the first batch, then answers 503 (retryable) to everything: the drain keeps retrying
            ScriptedReceiver receiver = ScriptedReceiver.start(n -> n == 0 ? 200 : 503);
            String uri = receiver.uri();
            Process p = new ProcessBuilder(ChildCli.signallable("buffer", "drain", "--dir", dev.toString(), "--to",
                    uri, "--batch", "5", "--timeout", "600")).start();
            try {
                // its notice of the 503 comes after the first batch was acknowledged (one batch in flight)
                BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                        StandardCharsets.UTF_8));
                String line = err.readLine();
                assertTrue(line != null && line.startsWith("edgeloop: retrying until ") && line.contains("503"),
                        "SIG" + signal + ", child said: " + line);
                assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not stop on SIG" + signal);
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals("stopped by a signal: drained 5 records in 1 batches to " + uri + "; the rest stays in "
                        + dev + " for the next drain", out.strip(), "SIG" + signal);
            } finally {
                p.destroyForcibly();
                receiver.close();
            }
            // the acknowledged batch was committed: the next drain sends the other 15 only
            try (IngestServer ingest = IngestServer.builder().start()) {
                Result next = run("buffer", "drain", "--dir", dev.toString(), "--to", ingest.uri().toString());
                assertEquals(0, next.code(), next.err());
                assertTrue(next.out().startsWith("drained 15 records"), "SIG" + signal + ": " + next.out());
            }
        }
    }
}
