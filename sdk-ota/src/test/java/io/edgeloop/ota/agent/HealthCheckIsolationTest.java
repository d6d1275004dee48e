package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static io.edgeloop.ota.agent.DeviceAgentTest.TRUST;
import static io.edgeloop.ota.agent.DeviceAgentTest.assertServes;
import static io.edgeloop.ota.agent.DeviceAgentTest.bundle;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health check runs outside the agent's lock with a deadline: inference keeps serving the confirmed model while
 * it runs, and a check that hangs or throws an {@link Error} is a failed check that rolls back (review s6 items 4 and
 * 11). {@link DeviceAgent#shadow} does not hold the lock while it runs either.
 */
class HealthCheckIsolationTest {
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;
    static final String NOT_ON_TRIAL = "{\"active\":\"a\",\"trial\":false}";

    @Test
    @DisplayName("rolls back and reports ROLLED_BACK when the health check hangs past healthTimeout")
    void hangingCheckTimesOut(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        List<AgentStatus> reports = new ArrayList<>();
        CountDownLatch interrupted = new CountDownLatch(1);
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).listener(reports::add)
                .healthTimeout(Duration.ofMillis(300)).healthCheck(m -> {
                    try {
                        new CountDownLatch(1).await(); // never returns on its own
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                    return Optional.empty();
                }).open();
        InstallReport r = a.install(bundle(2, 0, 11));
        assertEquals(InstallOutcome.ROLLED_BACK, r.outcome(), r.message());
        assertEquals(Optional.of(Check.HEALTH), r.check());
        assertTrue(r.message().contains("did not finish within 300 ms"), r.message());
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the timed-out check's thread is interrupted");
        assertEquals(Optional.of(InstallOutcome.ROLLED_BACK), reports.get(reports.size() - 1).lastOutcome());
        assertServes(a, 10);
        assertEquals(NOT_ON_TRIAL, Files.readString(dir.resolve("boot.json")));
        assertServes(open(s, TRUST, M3), 10);
    }

    @Test
    @DisplayName("treats a health check that throws AssertionError or StackOverflowError as failed: rolled back, reported")
    void errorInCheckRollsBack(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        List<AgentStatus> reports = new ArrayList<>();
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).listener(reports::add).healthCheck(m -> {
            throw new AssertionError("latency probe assertion");
        }).open();
        InstallReport r = a.install(bundle(2, 0, 11));
        assertEquals(InstallOutcome.ROLLED_BACK, r.outcome(), r.message());
        assertTrue(r.message().contains("latency probe assertion"), r.message());
        assertEquals(1, reports.size());
        assertEquals(Optional.of(InstallOutcome.ROLLED_BACK), reports.get(0).lastOutcome());
        assertEquals(NOT_ON_TRIAL, Files.readString(dir.resolve("boot.json")));
        assertServes(a, 10);

        DeviceAgent deep = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> {
            throw new StackOverflowError("probe recursed");
        }).open();
        assertEquals(InstallOutcome.ROLLED_BACK, deep.install(bundle(3, 0, 12)).outcome());
        assertEquals(NOT_ON_TRIAL, Files.readString(dir.resolve("boot.json")));

        DeviceAgent oom = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> {
            throw new OutOfMemoryError("probe exhausted the heap");
        }).open();
        assertThrows(OutOfMemoryError.class, () -> oom.install(bundle(4, 0, 13)), "a VM error is not swallowed");
        assertEquals(NOT_ON_TRIAL, Files.readString(dir.resolve("boot.json")), "but the trial is rolled back first");
        assertServes(oom, 10);
    }

    @Test
    @DisplayName("keeps serving the confirmed model to predict and status from other threads while the check runs, "
            + "and lets the check itself call predict")
    void predictDuringCheckServesOldModel(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        GoldenVectors old = Fixtures.golden(10, 8);
        AtomicReference<DeviceAgent> agent = new AtomicReference<>();
        AtomicReference<String> seen = new AtomicReference<>("check did not run");
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> {
            try {
                int[] fromOther = CompletableFuture.supplyAsync(() -> agent.get().predict(old.input(0)))
                        .get(5, TimeUnit.SECONDS);
                AgentStatus st = CompletableFuture.supplyAsync(() -> agent.get().status()).get(5, TimeUnit.SECONDS);
                int[] fromCheck = agent.get().predict(old.input(1));
                assertArrayEquals(old.output(0), fromOther);
                assertArrayEquals(old.output(1), fromCheck);
                seen.set("served sequence " + st.activeSequence());
            } catch (Exception e) {
                seen.set("blocked or failed: " + e);
            }
            return Optional.empty();
        }).open();
        agent.set(a);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(2, 0, 11)).outcome());
        assertEquals("served sequence 1", seen.get(), "predict and status answered with the confirmed model");
        assertServes(a, 11);
    }

    @Test
    @DisplayName("lets predict run while shadow() compares a candidate on its inputs")
    void shadowDoesNotBlockPredict(@TempDir Path dir) throws Exception {
        DeviceAgent a = open(new FileDeviceStorage(dir), TRUST, M3);
        a.install(bundle(1, 0, 10));
        GoldenVectors g = Fixtures.golden(10, 8);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<int[]> inputs = new AbstractList<>() {
            @Override
            public int[] get(int i) {
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // shadow is mid-run until the test releases it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return g.input(i);
            }

            @Override
            public int size() {
                return g.size();
            }
        };
        CompletableFuture<ShadowReport> shadow = CompletableFuture.supplyAsync(() -> {
            try {
                return a.shadow(bundle(2, 0, 11), inputs);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(inside.await(10, TimeUnit.SECONDS), "shadow reached its inputs");
        int[] out = CompletableFuture.supplyAsync(() -> a.predict(g.input(0))).get(5, TimeUnit.SECONDS);
        assertArrayEquals(g.output(0), out);
        release.countDown();
        assertEquals(g.size(), shadow.get(10, TimeUnit.SECONDS).samples());
    }
}
