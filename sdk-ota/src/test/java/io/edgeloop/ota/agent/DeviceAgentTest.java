package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceAgentTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 21);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    static byte[] bundle(long seq, long epoch, int modelSeed) {
        return Fixtures.draft("har", seq, epoch, modelSeed, TargetProfile.AVR8, M3).sign(K);
    }

    static void assertServes(DeviceAgent a, int modelSeed) {
        GoldenVectors g = Fixtures.golden(modelSeed, 8);
        for (int i = 0; i < g.size(); i++) {
            assertArrayEquals(g.output(i), a.predict(g.input(i)));
        }
    }

    @Test
    @DisplayName("installs into slot A, then B, serving each model bit-exactly and surviving a restart")
    void installsAndPersists(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        List<AgentStatus> reports = new ArrayList<>();
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).listener(reports::add).open();
        assertThrows(IllegalStateException.class, () -> a.predict(new int[3]));
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(1, 0, 10)).outcome());
        assertServes(a, 10);
        InstallReport r = a.install(bundle(2, 0, 11));
        assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
        assertServes(a, 11);
        assertEquals(2, reports.size());
        assertEquals(Optional.of("har 1.2.0"), reports.get(1).activeModel());
        DeviceAgent again = open(s, TRUST, M3);
        assertServes(again, 11);
        assertEquals(2, again.status().activeSequence());
        assertTrue(again.activeSlotVerifies());
        assertEquals(InstallOutcome.REFUSED, again.install(bundle(2, 0, 11)).outcome(), "replay after restart");
    }

    @Test
    @DisplayName("refuses a model whose golden vectors the device's runtime does not reproduce, keeping its model")
    void goldenMismatchOnDevice(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        DeviceAgent broken = AgentTestSupport.faulty(AgentTestSupport.agent(s, TRUST, M3)).open();
        // the faulty runtime cannot even verify the installed slot: it has no verified model to serve
        assertFalse(broken.activeSlotVerifies());
        DeviceAgent ok = open(s, TRUST, M3);
        assertServes(ok, 10);
        InstallReport r = AgentTestSupport.faulty(AgentTestSupport.agent(new MemoryDeviceStorage(), TRUST, M3)).open()
                .install(bundle(2, 0, 11));
        assertEquals(InstallOutcome.REFUSED, r.outcome());
        assertEquals(Optional.of(Check.GOLDEN_VECTORS), r.check());
    }

    @Test
    @DisplayName("rolls back automatically when the health check fails after the switch")
    void healthRollback(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> Optional.of("latency 40 ms > 10 ms"))
                .open();
        InstallReport r = a.install(bundle(2, 0, 11));
        assertEquals(InstallOutcome.ROLLED_BACK, r.outcome());
        assertEquals(Optional.of(Check.HEALTH), r.check());
        assertServes(a, 10);
        assertServes(open(s, TRUST, M3), 10);
        assertEquals(InstallOutcome.REFUSED, a.install(bundle(2, 0, 11)).outcome(), "a failed sequence is not retried");
        assertEquals(InstallOutcome.INSTALLED, open(s, TRUST, M3).install(bundle(3, 0, 12)).outcome());
    }

    @Test
    @DisplayName("treats a health check that throws as a failed check: rolls back, reports, and installs again later")
    void throwingHealthCheckRollsBack(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        List<AgentStatus> reports = new ArrayList<>();
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).listener(reports::add).healthCheck(m -> {
            throw new IllegalStateException("latency probe crashed");
        }).open();
        InstallReport r = a.install(bundle(2, 0, 11));
        assertEquals(InstallOutcome.ROLLED_BACK, r.outcome(), r.message());
        assertEquals(Optional.of(Check.HEALTH), r.check());
        assertTrue(r.message().contains("latency probe crashed"), r.message());
        assertEquals(1, reports.size(), "the listener hears of the rollback");
        assertEquals(Optional.of(InstallOutcome.ROLLED_BACK), reports.get(0).lastOutcome());
        assertServes(a, 10);
        assertEquals("{\"active\":\"a\",\"trial\":false}",
                java.nio.file.Files.readString(dir.resolve("boot.json")), "boot.json is no longer on trial");
        InstallReport again = a.install(bundle(3, 0, 12));
        assertEquals(InstallOutcome.ROLLED_BACK, again.outcome(), "the next install goes through the same path");
        assertServes(a, 10);
        DeviceAgent healthy = open(s, TRUST, M3);
        assertServes(healthy, 10);
        assertEquals(InstallOutcome.INSTALLED, healthy.install(bundle(4, 0, 13)).outcome());
        assertServes(healthy, 13);
    }

    @Test
    @DisplayName("commits the security epoch only on confirm, so rollback within an epoch works and older epochs are refused after")
    void epochCommittedOnConfirm(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        DeviceAgent failing = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> Optional.of("bad")).open();
        assertEquals(InstallOutcome.ROLLED_BACK, failing.install(bundle(2, 1, 11)).outcome());
        assertEquals(0, failing.status().committedEpoch(), "epoch 1 not committed by a rolled-back install");
        DeviceAgent a = open(s, TRUST, M3);
        assertServes(a, 10);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 12)).outcome());
        assertEquals(1, a.status().committedEpoch());
        InstallReport old = a.install(bundle(4, 0, 13));
        assertEquals(Optional.of(Check.SECURITY_EPOCH), old.check());
    }

    @Test
    @DisplayName("falls back to the other slot when the active slot is corrupted in storage")
    void corruptedActiveSlot() throws Exception {
        MemoryDeviceStorage s = new MemoryDeviceStorage();
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        open(s, TRUST, M3).install(bundle(2, 0, 11));
        s.corrupt("slot-b/artifact", 5);
        DeviceAgent a = open(s, TRUST, M3);
        assertServes(a, 10);
        assertTrue(a.activeSlotVerifies());
    }

    @Test
    @DisplayName("reports shadow agreement of a candidate with the active model without installing it")
    void shadow() throws Exception {
        MemoryDeviceStorage s = new MemoryDeviceStorage();
        DeviceAgent a = open(s, TRUST, M3);
        a.install(bundle(1, 0, 10));
        List<int[]> inputs = new ArrayList<>();
        GoldenVectors g = Fixtures.golden(77, 8);
        for (int i = 0; i < g.size(); i++) {
            inputs.add(g.input(i));
        }
        ShadowReport same = a.shadow(bundle(2, 0, 10), inputs);
        assertEquals(1.0, same.agreement());
        ShadowReport diff = a.shadow(bundle(2, 0, 11), inputs);
        assertEquals(8, diff.samples());
        assertEquals(1, a.status().activeSequence(), "shadow installs nothing");
    }

    @Test
    @DisplayName("rotates its trust root only when old and new thresholds sign, persists it, and then trusts the new key")
    void trustRotation(@TempDir Path dir) throws Exception {
        SigningKey next = Fixtures.key(KeyAlgorithm.P256, 22);
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = open(s, TRUST, M3);
        a.install(bundle(1, 0, 10));
        TrustRoot v2 = TRUST.toBuilder().version(2).removeKey(K.keyId()).revoke(K.keyId()).key(next.publicKey())
                .threshold(1).build();
        assertThrows(io.edgeloop.ota.trust.TrustException.class, () -> a.rotateTrust(v2.signedBy(next)),
                "the new key alone cannot take over");
        a.rotateTrust(v2.signedBy(K, next));
        assertEquals(Optional.of(Check.REVOKED_KEY), a.install(bundle(2, 0, 11)).check());
        byte[] byNext = Fixtures.draft("har", 3, 0, 12, M3).sign(next);
        DeviceAgent restarted = open(s, TRUST, M3);
        assertEquals(2, restarted.trust().version(), "the rotated root survives a restart");
        assertEquals(InstallOutcome.INSTALLED, restarted.install(byNext).outcome());
        assertServes(restarted, 12);
    }

    @Test
    @DisplayName("a new device's poll of an empty channel says there is no publication, not 'above sequence -1'")
    void newDeviceNoUpdateWording(@TempDir Path dir) throws Exception {
        DeviceAgent a = AgentTestSupport.agent(new FileDeviceStorage(dir.resolve("state")), TRUST, M3)
                .staging(dir.resolve("staging")).open();
        try (io.edgeloop.api.deploy.Deployer d = new io.edgeloop.ota.deploy.DirectoryDeployerProvider().create(
                io.edgeloop.api.config.ComponentConfig.of(java.util.Map.of("root", dir.resolve("ch").toString())))) {
            InstallReport r = a.poll(d, "beta");
            assertEquals(InstallOutcome.NO_UPDATE, r.outcome());
            assertEquals("no publication of har on beta", r.message());
        }
    }
}
