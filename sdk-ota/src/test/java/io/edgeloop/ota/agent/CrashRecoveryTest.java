package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** A power cut at every step of an install, on real files: after restart the device serves a verified model. */
class CrashRecoveryTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.P256, 31);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    static byte[] bundle(long seq, int seed) {
        return Fixtures.draft("har", seq, seq, seed, M3).sign(K);
    }

    static void assertServes(DeviceAgent a, int seed) {
        GoldenVectors g = Fixtures.golden(seed, 8);
        for (int i = 0; i < g.size(); i++) {
            assertArrayEquals(g.output(i), a.predict(g.input(i)));
        }
    }

    @ParameterizedTest(name = "crash after {0}")
    @EnumSource(InstallStep.class)
    @DisplayName("a crash at any step leaves a working, verified model, and the next install succeeds")
    void crashAnywhere(InstallStep step, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        open(s, TRUST, M3).install(bundle(1, 10));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3).crashInjector(CrashInjector.at(step)).open();
        assertThrows(CrashInjector.SimulatedCrash.class, () -> crashing.install(bundle(2, 11)));

        DeviceAgent rebooted = open(s, TRUST, M3);
        assertTrue(rebooted.activeSlotVerifies(), "active slot verifies after a crash at " + step);
        boolean confirmed = step.compareTo(InstallStep.CONFIRMED) >= 0;
        assertServes(rebooted, confirmed ? 11 : 10);
        assertEquals(confirmed ? 2 : 1, rebooted.status().activeSequence());
        assertEquals(confirmed ? 2 : 1, rebooted.status().committedEpoch(), "epoch committed only when confirmed");

        assertEquals(InstallOutcome.INSTALLED, rebooted.install(bundle(3, 12)).outcome());
        assertServes(open(s, TRUST, M3), 12);
    }

    @ParameterizedTest(name = "first install, crash after {0}")
    @EnumSource(InstallStep.class)
    @DisplayName("a crash during the very first install leaves either no model or the new one, never a broken one")
    void crashFirstInstall(InstallStep step, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3).crashInjector(CrashInjector.at(step)).open();
        assertThrows(CrashInjector.SimulatedCrash.class, () -> crashing.install(bundle(1, 10)));
        DeviceAgent rebooted = open(s, TRUST, M3);
        if (step.compareTo(InstallStep.CONFIRMED) >= 0) {
            assertServes(rebooted, 10);
        } else {
            assertEquals(-1, rebooted.status().activeSequence());
        }
        assertEquals(InstallOutcome.INSTALLED, rebooted.install(bundle(2, 11)).outcome());
        assertServes(rebooted, 11);
    }

    @ParameterizedTest(name = "overwriting the previous model, crash after {0}")
    @EnumSource(InstallStep.class)
    @DisplayName("a crash while overwriting the slot of the previous model leaves the active one, and a later loss of "
            + "the active slot falls back only to a model that was confirmed")
    void crashOverwritingPrevious(InstallStep step, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        DeviceAgent first = open(s, TRUST, M3);
        first.install(Fixtures.draft("har", 1, 0, 10, M3).sign(K)); // slot a
        first.install(Fixtures.draft("har", 2, 0, 11, M3).sign(K)); // slot b, a holds the previous model
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3).crashInjector(CrashInjector.at(step)).open();
        assertThrows(CrashInjector.SimulatedCrash.class,
                () -> crashing.install(Fixtures.draft("har", 3, 0, 12, M3).sign(K))); // into slot a

        boolean confirmed = step.compareTo(InstallStep.CONFIRMED) >= 0;
        DeviceAgent rebooted = open(s, TRUST, M3);
        assertTrue(rebooted.activeSlotVerifies());
        assertServes(rebooted, confirmed ? 12 : 11);

        // now the active slot is lost as well
        java.nio.file.Path art = s.root().resolve((confirmed ? "slot-a" : "slot-b") + "/artifact");
        byte[] b = java.nio.file.Files.readAllBytes(art);
        b[b.length / 2] ^= 1;
        java.nio.file.Files.write(art, b);
        DeviceAgent after = open(s, TRUST, M3);
        if (confirmed) {
            assertServes(after, 11); // the model 3 replaced, confirmed before
        } else if (step.compareTo(InstallStep.SLOT_INVALIDATED) < 0) {
            assertServes(after, 10); // slot a still held the confirmed model 1
        } else {
            assertEquals(-1, after.status().activeSequence(), "a staged, never-confirmed candidate is not adopted");
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> stepsAndFiles() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> out = new java.util.ArrayList<>();
        for (InstallStep step : InstallStep.values()) {
            for (String file : java.util.List.of("boot.json", "counters.json", "slot-a/slot.json", "slot-b/slot.json")) {
                out.add(org.junit.jupiter.params.provider.Arguments.of(step, file));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "crash after {0}, then {1} unreadable")
    @org.junit.jupiter.params.provider.MethodSource("stepsAndFiles")
    @DisplayName("a crash followed by an unreadable state file still starts, serves only a confirmed model, and updates")
    void crashThenCorruptMetadata(InstallStep step, String file, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        DeviceAgent first = open(s, TRUST, M3);
        first.install(Fixtures.draft("har", 1, 0, 10, M3).sign(K));
        first.install(Fixtures.draft("har", 2, 0, 11, M3).sign(K));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3).crashInjector(CrashInjector.at(step)).open();
        assertThrows(CrashInjector.SimulatedCrash.class,
                () -> crashing.install(Fixtures.draft("har", 3, 0, 12, M3).sign(K)));
        java.nio.file.Path f = s.root().resolve(file);
        if (java.nio.file.Files.exists(f)) {
            java.nio.file.Files.writeString(f, "{\"trunc");
        }

        DeviceAgent rebooted = open(s, TRUST, M3);
        long seq = rebooted.status().activeSequence();
        boolean confirmed = step.compareTo(InstallStep.CONFIRMED) >= 0;
        assertTrue(seq == 1 || seq == 2 || (seq == 3 && confirmed) || seq == -1,
                "serves sequence " + seq + " after a crash at " + step + " and a damaged " + file);
        if (seq > 0) {
            assertTrue(rebooted.activeSlotVerifies());
            assertServes(rebooted, (int) (9 + seq));
        }
        if (file.equals("counters.json") || file.equals("boot.json")) {
            assertTrue(seq >= 2, "both slot records are intact: a confirmed model is served, got " + seq);
        }
        // 3 (slot a) was committed with its manifest's digest only at COMMITTED: damaging its slot record then makes
        // the device fall back to 2, and it reinstalls that very manifest, once (a repair); nowhere else
        boolean offered = step == InstallStep.COMMITTED && file.equals("slot-a/slot.json");
        assertEquals(offered, rebooted.status().lastMessage().contains("reinstalls sequence 3 (manifest "),
                rebooted.status().lastMessage());
        if (offered) {
            InstallReport repair = rebooted.install(Fixtures.draft("har", 3, 0, 12, M3).sign(K));
            assertEquals(InstallOutcome.INSTALLED, repair.outcome(), repair.message());
            assertTrue(repair.message().contains("(a repair: the device ran sequence 2"), repair.message());
            assertServes(rebooted, 12);
        } else if (!file.equals("counters.json") && step.compareTo(InstallStep.ATTEMPT_RECORDED) >= 0) {
            assertEquals(java.util.Optional.of(io.edgeloop.ota.bundle.Check.ROLLBACK),
                    rebooted.install(Fixtures.draft("har", 3, 0, 12, M3).sign(K)).check(),
                    "sequence 3 was attempted: not accepted again");
        }
        InstallReport r = rebooted.install(Fixtures.draft("har", 4, 0, 13, M3).sign(K));
        assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
        assertServes(open(s, TRUST, M3), 13);
    }
}
