package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that trickles bytes (100 bytes every 200 ms, never idle for the timeout) no longer holds a poll for
 * hours (review s6 item 9): the http deployer's total deadline, {@code timeout + size / min-bytes-per-second}, fails
 * the download and keeps the partial file, which the next poll resumes.
 */
class SlowRetrievalTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 97);
    static final TrustRoot TRUST = Fixtures.trust(1, K);

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "slow-retrieval-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    @DisplayName("a trickling download fails at the total deadline, keeps its partial file, and the next poll resumes it")
    void tricklingServerMissesTheDeadline(@TempDir Path dir) throws Exception {
        byte[] bundle = new byte[8 * 1024];
        new Random(5).nextBytes(bundle); // at 500 bytes/s it would take 16 s; the deadline is 2 s + 8 KiB at 8 KiB/s
        String sha = Sha256.hex(bundle);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 2, sha, bundle.length, bundle,
                ScriptedHttpServer.Mode.TRICKLE, 0);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url(),
                        "timeout", "2s", "min-bytes-per-second", "8k")))) {
            DeviceAgent agent = DeviceAgent.builder().deviceId("gw").model("har").target(TargetProfile.JVM)
                    .trust(TRUST).storage(new FileDeviceStorage(dir.resolve("state"))).staging(dir.resolve("staging"))
                    .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
            long start = System.nanoTime();
            Future<InstallReport> polling = pool.submit(() -> agent.poll(d, "stable"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> polling.get(30, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(DeploymentException.class, e.getCause());
            String m = e.getCause().getMessage();
            assertTrue(m.contains("not received in time") && m.contains("minimum rate of 8192 bytes/s")
                    && m.contains("fetch again to resume"), m);
            Path partial = dir.resolve("staging").resolve("download-" + sha + ".bundle");
            long kept = Files.size(partial);
            assertTrue(kept > 0 && kept < bundle.length, "the partial file is kept: " + kept + " bytes after " + ms
                    + " ms");

            // the next poll is not blocked by the first one, resumes with Range, and fails at its own deadline
            Future<InstallReport> second = pool.submit(() -> agent.poll(d, "stable"));
            assertThrows(ExecutionException.class, () -> second.get(30, TimeUnit.SECONDS));
            assertEquals("Range: bytes=" + kept + "-", server.ranges.get(0));
            assertTrue(Files.size(partial) > kept, "the second poll added to the partial file");
        }
    }

    @Test
    @DisplayName("the total deadline is the timeout plus the size at the minimum rate, and refuses a zero rate")
    void deadlineArithmetic() {
        HttpDeployer d = new HttpDeployer(java.net.URI.create("http://127.0.0.1:1"), java.time.Duration.ofSeconds(30),
                Downloads.DEFAULT_MAX_BYTES, java.util.Optional.empty(), 1024);
        assertEquals(java.time.Duration.ofSeconds(30 + 101), d.totalFor(100 * 1024));
        assertEquals(java.time.Duration.ofSeconds(30).plusDays(365), d.totalFor(Long.MAX_VALUE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HttpDeployerProvider()
                .create(ComponentConfig.of(Map.of("url", "http://127.0.0.1:1", "min-bytes-per-second", "0"))));
        assertTrue(e.getMessage().contains("min-bytes-per-second"), e.getMessage());
    }
}
