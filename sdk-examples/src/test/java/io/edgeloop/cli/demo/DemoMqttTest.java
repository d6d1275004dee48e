package io.edgeloop.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("edgeloop demo --mqtt")
class DemoMqttTest {
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    @Test
    @DisplayName("forwards through a real mosquitto broker and still loses nothing")
    void forwardsThroughBroker(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(MOSQUITTO), "mosquitto is needed: install it with scripts/install-test-deps.sh");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        Process broker = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        try {
            waitForPort(port, broker, dir);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), "demo", "--out",
                    dir.resolve("out").toString(), "--devices", "3", "--seed", "3", "--mqtt", "127.0.0.1:" + port);
            assertEquals(0, code, out + "\n" + err);
            JsonNode summary = new ObjectMapper().readTree(Files.readString(dir.resolve("out/summary.json")));
            assertFalse(summary.has("skipped"), summary.toString());
            assertEquals(0, summary.get("recordsLost").asLong());
            assertEquals(summary.get("recordsSent").asLong(), summary.get("recordsIngested").asLong());
            assertTrue(Files.readString(dir.resolve("out/report.html")).contains("mqtt://127.0.0.1:" + port));
        } finally {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void waitForPort(int port, Process broker, Path dir) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            assertTrue(broker.isAlive(), () -> "mosquitto exited: " + readQuietly(dir.resolve("mosquitto.log")));
            try {
                new Socket("127.0.0.1", port).close();
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("mosquitto did not listen on port " + port + " within 60 s");
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
