package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.agent.AgentStatus;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
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
 * An update server that stops sending in the middle of a body (but keeps the connection open) neither stops the
 * device's inference nor holds a poll forever: the HTTP deployer gives up after {@code timeout} without data and
 * keeps the partial download for the next poll to resume.
 */
class StalledServerTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 91);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    /** Generous for a loaded CI machine, short enough to keep the test at a few seconds. */
    static final String TIMEOUT = "3s";

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stalled-server-test");
        t.setDaemon(true); // a regression that hangs must fail the test, not the JVM's exit
        return t;
    });

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static DeviceAgent agent(Path dir) throws Exception {
        return DeviceAgent.builder().deviceId("gw").model("har").target(TargetProfile.JVM).trust(TRUST)
                .storage(new FileDeviceStorage(dir.resolve("state"))).staging(dir.resolve("staging"))
                .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
    }

    @Test
    @DisplayName("the device keeps predicting and reporting while a poll's download is stalled, then resumes it")
    void pollDoesNotBlockInference(@TempDir Path dir) throws Exception {
        byte[] next = Fixtures.draft("har", 2, 0, 6, TargetProfile.JVM).sign(K);
        String sha = Sha256.hex(next);
        // a timeout far longer than the stall: the test ends the stall itself, so no timing decides the outcome
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 2, sha, next.length, next,
                ScriptedHttpServer.Mode.STALL_FIRST_DOWNLOAD, 0);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url(),
                        "timeout", "60s")))) {
            DeviceAgent agent = agent(dir);
            assertEquals(InstallOutcome.INSTALLED, agent.install(Fixtures.draft("har", 1, 0, 5, TargetProfile.JVM)
                    .sign(K)).outcome());
            Future<InstallReport> polling = pool.submit(() -> agent.poll(d, "stable"));
            assertTrue(server.stalled.await(30, TimeUnit.SECONDS), "the server stalls the download");
            GoldenVectors g = Fixtures.golden(5, 8);
            Future<int[]> predicted = pool.submit(() -> agent.predict(g.input(0)));
            Future<AgentStatus> status = pool.submit(agent::status);
            // before the fix both waited for the download, which the server holds until released below
            assertArrayEquals(g.output(0), predicted.get(20, TimeUnit.SECONDS));
            assertEquals(1, status.get(20, TimeUnit.SECONDS).activeSequence());
            assertFalse(polling.isDone(), "the download is still stalled while the device serves");
            server.release.countDown(); // the server hangs up mid-body
            ExecutionException e = assertThrows(ExecutionException.class, () -> polling.get(60, TimeUnit.SECONDS));
            assertInstanceOf(DeploymentException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("fetch again to resume"), e.getCause().getMessage());
            Path partial = dir.resolve("staging").resolve("download-" + sha + ".bundle");
            assertEquals(server.sentBeforeStall, Files.size(partial), "the partial download is kept");
            assertEquals(InstallOutcome.INSTALLED, agent.poll(d, "stable").outcome());
            assertEquals(List.of("Range: bytes=" + server.sentBeforeStall + "-"), server.ranges);
            assertEquals(2, agent.status().activeSequence());
            assertArrayEquals(Fixtures.golden(6, 8).output(0), agent.predict(Fixtures.golden(6, 8).input(0)));
        }
    }

    @Test
    @DisplayName("a fetch whose body stops arriving fails after the timeout, keeps the partial file, and resumes")
    void fetchIdleTimeoutKeepsPartial(@TempDir Path dir) throws Exception {
        byte[] bundle = new byte[200_000];
        new java.util.Random(3).nextBytes(bundle);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 2, Sha256.hex(bundle), bundle.length, bundle,
                ScriptedHttpServer.Mode.STALL_FIRST_DOWNLOAD, 0);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url(),
                        "timeout", TIMEOUT)))) {
            Publication p = d.latest("stable").orElseThrow();
            Path dst = dir.resolve("download.bundle");
            Future<?> fetching = pool.submit(() -> {
                d.fetch(p, dst);
                return null;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> fetching.get(60, TimeUnit.SECONDS));
            assertInstanceOf(DeploymentException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("no data for 3 s") && e.getCause().getMessage()
                    .contains("fetch again to resume"), e.getCause().getMessage());
            assertEquals(server.sentBeforeStall, Files.size(dst));
            d.fetch(p, dst);
            assertArrayEquals(bundle, Files.readAllBytes(dst));
        }
    }

    @Test
    @DisplayName("polling a server whose answer stops mid-body fails after the timeout instead of hanging")
    void latestIsBounded(@TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 2, 0, 6, TargetProfile.JVM).sign(K);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 2, Sha256.hex(bundle), bundle.length, bundle,
                ScriptedHttpServer.Mode.STALL_LATEST, 0);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url(),
                        "timeout", TIMEOUT)))) {
            Future<?> polling = pool.submit(() -> d.latest("stable"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> polling.get(60, TimeUnit.SECONDS));
            assertInstanceOf(DeploymentException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("no data for 3 s"), e.getCause().getMessage());
            assertTrue(server.clientHungUp.await(30, TimeUnit.SECONDS), "the stalled connection is closed");
            DeviceAgent agent = agent(dir);
            Future<InstallReport> agentPoll = pool.submit(() -> agent.poll(d, "stable"));
            ExecutionException ae = assertThrows(ExecutionException.class, () -> agentPoll.get(60, TimeUnit.SECONDS));
            assertInstanceOf(DeploymentException.class, ae.getCause());
        }
    }
}
