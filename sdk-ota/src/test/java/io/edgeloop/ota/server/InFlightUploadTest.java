package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server starting on a store root deletes the uploads killed servers left. With liveness judged by pid alone, a
 * server started while another one in a different PID namespace was still streaming an upload into the same root
 * (a blue-green switch of two containers on one store volume) took that upload for a dead server's and deleted it,
 * and the publish then failed (review s14). The streaming server holds its upload's lock from creation to the
 * end of the publish, so the new server leaves it alone. A real child JVM serves, its temporary files named by a
 * pid that is dead here, as a server of another namespace names them.
 */
class InFlightUploadTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 65);

    static List<Path> temporaryFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    @DisplayName("a server started on the store while another server (another PID namespace) streams an upload "
            + "leaves that upload alone, and the upload is published")
    void secondServerLeavesAnUploadInFlight(@TempDir Path dir) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long foreign = gone.pid();
        Path root = dir.resolve("store");
        byte[] bundle = Fixtures.opaqueBundle("har", 9, 200_000, 1, K);
        int half = bundle.length / 2;
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServingChild.class.getName(), root.toString(),
                String.valueOf(foreign)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)); Socket upload = new Socket()) {
            String url = out.readLine();
            assertNotNull(url, "the serving child ended before it served");
            upload.connect(new InetSocketAddress("127.0.0.1", URI.create(url).getPort()), 10_000);
            OutputStream o = upload.getOutputStream();
            o.write(("PUT /channels/stable HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + bundle.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.write(bundle, 0, half);
            o.flush();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (temporaryFiles(root).isEmpty() || Files.size(temporaryFiles(root).get(0)) < half) {
                assertTrue(child.isAlive(), "the serving child ended");
                assertTrue(System.nanoTime() < deadline, "the server never wrote half the upload");
                Thread.sleep(20);
            }
            Path inFlight = temporaryFiles(root).get(0);
            assertTrue(inFlight.getFileName().toString().startsWith(".upload." + foreign + "."), inFlight.toString());
            assertFalse(ProcessHandle.of(foreign).isPresent(), "the name's pid must be dead here");

            new UpdateServer(ChannelStore.withoutVerification(root), new InetSocketAddress("127.0.0.1", 0), 1 << 24).close();
            // old code: the starting server deleted it (its pid is dead here), and the publish failed with 500
            assertTrue(Files.exists(inFlight), "the upload in flight is kept");

            o.write(bundle, half, bundle.length - half);
            o.flush();
            BufferedReader reply = new BufferedReader(new InputStreamReader(upload.getInputStream(),
                    StandardCharsets.US_ASCII));
            String status = reply.readLine();
            StringBuilder rest = new StringBuilder();
            for (String l = reply.readLine(); l != null; l = reply.readLine()) {
                rest.append(l).append('\n');
            }
            assertEquals("HTTP/1.1 200 OK", status, rest.toString());
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        assertEquals(9, ChannelStore.withoutVerification(root).latest("stable").orElseThrow().sequence());
        assertEquals(List.of(), temporaryFiles(root), "the publish leaves no temporary file");
    }
}
