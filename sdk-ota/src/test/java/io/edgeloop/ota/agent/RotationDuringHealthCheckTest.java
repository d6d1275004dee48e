package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static io.edgeloop.ota.agent.DeviceAgentTest.assertServes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trust rotation that lands while a trial's health check runs (outside the agent's lock): the confirm verifies
 * the trial slot again under the root now in use, and rolls back when that root does not accept it (the
 * reviewer's RotateDuringHealth probe: a revoked signer's bundle was confirmed and committed). Real files, real
 * Ed25519/P-256 signatures, a health check that blocks on a latch.
 */
class RotationDuringHealthCheckTest {
    static final SigningKey K1 = Fixtures.key(KeyAlgorithm.ED25519, 81);
    static final SigningKey K2 = Fixtures.key(KeyAlgorithm.P256, 82);
    static final SigningKey K3 = Fixtures.key(KeyAlgorithm.ED25519, 83);
    /** v1: K1, K2 and K3, any two. */
    static final TrustRoot V1 = Fixtures.trust(2, K1, K2, K3);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    /** A health check that, once armed, waits in the check until released. */
    static final class BlockingCheck implements HealthCheck {
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch inside = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Optional<String> check(io.edgeloop.api.runtime.IntegerModel model) {
            if (armed.getAndSet(false)) {
                inside.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Optional.empty();
        }
    }

    /** v{version}: v1 with {@code revoked} removed and revoked, threshold 2, signed by v1's K1+K3 and its own. */
    static TrustRoot revoking(SigningKey revoked) {
        return V1.toBuilder().version(2).removeKey(revoked.keyId()).revoke(revoked.keyId()).build()
                .signedBy(K1, K3);
    }

    /** Installs sequence 7 (K1+K3), then 8 signed by {@code signers8} with a rotation to {@code next} mid-check. */
    static InstallReport installWithRotationDuringCheck(DeviceAgent a, BlockingCheck check, TrustRoot next,
            SigningKey... signers8) throws Exception {
        assertEquals(InstallOutcome.INSTALLED, a.install(Fixtures.draft("har", 7, 0, 10, M3).sign(K1, K3)).outcome());
        check.armed.set(true);
        byte[] b8 = Fixtures.draft("har", 8, 0, 11, M3).sign(signers8);
        CompletableFuture<InstallReport> install = CompletableFuture.supplyAsync(() -> {
            try {
                return a.install(b8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(check.inside.await(10, TimeUnit.SECONDS), "the install reached its health check");
        a.rotateTrust(next); // the health check runs outside the lock: the rotation goes through now
        assertEquals(2, a.trust().version());
        check.release.countDown();
        return install.get(20, TimeUnit.SECONDS);
    }

    static JsonNode json(Path file) throws IOException {
        return CanonicalJson.parse(Files.readAllBytes(file));
    }

    @Test
    @DisplayName("rolls back a trial whose signer a rotation during its health check revoked, keeps the confirmed "
            + "model and says why, also after a restart")
    void revokedDuringHealthCheckRollsBack(@TempDir Path dir) throws Exception {
        BlockingCheck check = new BlockingCheck();
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = AgentTestSupport.agent(s, V1, M3).healthCheck(check).open();
        InstallReport r = installWithRotationDuringCheck(a, check, revoking(K2), K1, K2);

        assertEquals(InstallOutcome.ROLLED_BACK, r.outcome(), r.message());
        assertEquals(Optional.of(Check.REVOKED_KEY), r.check(), r.message());
        assertTrue(r.message().contains("trust version 2") && r.message().contains("health check")
                && r.message().contains("rolled back"), r.message());
        AgentStatus st = a.status();
        assertEquals(7, st.activeSequence());
        assertEquals(Optional.of(InstallOutcome.ROLLED_BACK), st.lastOutcome());
        assertEquals(r.message(), st.lastMessage());
        assertEquals(Optional.empty(), st.slotProblem(), "the confirmed model (K1+K3) verifies under v2");
        assertTrue(a.activeSlotVerifies());
        assertServes(a, 10);
        JsonNode counters = json(dir.resolve("counters.json")).path("models").path("har");
        assertEquals(7, counters.path("confirmedSequence").asLong(), counters.toString());
        assertEquals(8, counters.path("highestAttempted").asLong(), "the attempt counts, as documented");
        assertFalse(json(dir.resolve("boot.json")).path("trial").asBoolean(), "the boot record left the trial");

        DeviceAgent rebooted = open(s, V1, M3);
        assertEquals(2, rebooted.trust().version());
        assertEquals(7, rebooted.status().activeSequence());
        assertEquals(Optional.empty(), rebooted.status().slotProblem());
        assertServes(rebooted, 10);
        // the same model signed by keys v2 trusts installs under a new sequence
        assertEquals(InstallOutcome.INSTALLED,
                rebooted.install(Fixtures.draft("har", 9, 0, 11, M3).sign(K1, K3)).outcome());
        assertServes(rebooted, 11);
    }

    @Test
    @DisplayName("confirms a trial the rotated root still accepts and records that root as the one that accepted it")
    void rotationThatStillAcceptsConfirms(@TempDir Path dir) throws Exception {
        BlockingCheck check = new BlockingCheck();
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = AgentTestSupport.agent(s, V1, M3).healthCheck(check).open();
        InstallReport r = installWithRotationDuringCheck(a, check, revoking(K2), K1, K3);

        assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
        assertEquals(8, a.status().activeSequence());
        assertEquals(Optional.empty(), a.status().slotProblem());
        assertTrue(a.activeSlotVerifies());
        assertServes(a, 11);
        String slot = json(dir.resolve("boot.json")).path("active").asText();
        assertEquals(2, json(dir.resolve("slot-" + slot + "/slot.json")).path("trustVersion").asLong());
        DeviceAgent rebooted = open(s, V1, M3);
        assertEquals(8, rebooted.status().activeSequence());
        assertServes(rebooted, 11);
    }

    @Test
    @DisplayName("rolls back the reviewer's case (both models signed by the revoked key): no confirm, and the "
            + "running model's problem is reported as for any rotation")
    void reviewerCaseBothModelsSignedByRevokedKey(@TempDir Path dir) throws Exception {
        TrustRoot v1 = Fixtures.trust(2, K1, K2);
        // v2: K1 and K3, K2 revoked, threshold 2 (the reviewer's t2.json)
        TrustRoot v2 = v1.toBuilder().version(2).removeKey(K2.keyId()).key(K3.publicKey()).revoke(K2.keyId())
                .build().signedBy(K1, K2, K3);
        BlockingCheck check = new BlockingCheck();
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = AgentTestSupport.agent(s, v1, M3).healthCheck(check).open();
        assertEquals(InstallOutcome.INSTALLED, a.install(Fixtures.draft("har", 7, 0, 10, M3).sign(K1, K2)).outcome());
        check.armed.set(true);
        byte[] b8 = Fixtures.draft("har", 8, 0, 11, M3).sign(K1, K2);
        CompletableFuture<InstallReport> install = CompletableFuture.supplyAsync(() -> {
            try {
                return a.install(b8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(check.inside.await(10, TimeUnit.SECONDS));
        a.rotateTrust(v2);
        check.release.countDown();
        InstallReport r = install.get(20, TimeUnit.SECONDS);

        assertEquals(InstallOutcome.ROLLED_BACK, r.outcome(), r.message());
        assertEquals(Optional.of(Check.REVOKED_KEY), r.check(), r.message());
        JsonNode counters = json(dir.resolve("counters.json")).path("models").path("har");
        assertEquals(7, counters.path("confirmedSequence").asLong(), counters.toString());
        assertEquals(7, a.status().activeSequence());
        assertFalse(a.activeSlotVerifies());
        String why = a.status().slotProblem().orElseThrow();
        assertTrue(why.contains("until the next restart"), why);
        assertServes(a, 10); // keeps running until the restart, as after any rotation that revokes its signer
        DeviceAgent rebooted = open(s, v1, M3);
        assertFalse(rebooted.activeManifest().isPresent(), "a revoked signer's model is not served after a restart");
        assertTrue(rebooted.status().slotProblem().orElseThrow().contains("no model runs"));
    }
}
