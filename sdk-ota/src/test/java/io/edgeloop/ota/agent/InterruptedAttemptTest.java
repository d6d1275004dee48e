package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static io.edgeloop.ota.agent.CrashRecoveryTest.TRUST;
import static io.edgeloop.ota.agent.CrashRecoveryTest.M3;
import static io.edgeloop.ota.agent.CrashRecoveryTest.assertServes;
import static io.edgeloop.ota.agent.CrashRecoveryTest.bundle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.deploy.DirectoryDeployerProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A power cut after the attempt was recorded and before the confirm burns the sequence (anti-rollback counts
 * attempts, as documented). After the restart the status says so, and a retry of that sequence is refused naming
 * the interrupted attempt, not an attack (review s8 item 5: the status said "no install yet" and the retry was
 * refused as "rollback or replay"). Real files; the power cut is the {@link CrashInjector} the crash tests use.
 */
class InterruptedAttemptTest {
    @ParameterizedTest(name = "power cut after {0}")
    @EnumSource(value = InstallStep.class, names = {"ATTEMPT_RECORDED", "SLOT_INVALIDATED", "ARTIFACT_PARTIAL",
        "ARTIFACT_WRITTEN", "SLOT_WRITTEN", "GOLDEN_PASSED", "SWITCHED", "HEALTHY"})
    @DisplayName("after a power cut between the recorded attempt and the confirm, the status and the retry's refusal "
            + "name the interrupted attempt and the sequence that will be accepted")
    void statusAndRefusalNameTheInterruptedAttempt(InstallStep step, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        open(s, TRUST, M3).install(bundle(14, 10));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3).crashInjector(CrashInjector.at(step)).open();
        assertThrows(CrashInjector.SimulatedCrash.class, () -> crashing.install(bundle(15, 11)));

        DeviceAgent rebooted = open(s, TRUST, M3);
        AgentStatus st = rebooted.status();
        assertEquals(14, st.activeSequence());
        assertServes(rebooted, 10);
        String said = st.lastMessage();
        assertFalse(said.equals("no install yet"), said);
        assertTrue(said.contains("sequence 15 was attempted") && said.contains("restart")
                && said.contains("sequence 16 or higher"), said);

        InstallReport retry = rebooted.install(bundle(15, 11));
        assertEquals(InstallOutcome.REFUSED, retry.outcome());
        assertEquals(Optional.of(Check.ROLLBACK), retry.check(), "the documented counts-attempts rule still holds");
        String why = retry.message();
        assertFalse(why.contains("rollback or replay"), why);
        assertTrue(why.contains("sequence 15 was attempted on this device") && why.contains("not confirmed")
                && why.contains("16 or higher") && why.contains("new sequence"), why);
        assertEquals(why, rebooted.status().lastMessage());

        assertEquals(InstallOutcome.INSTALLED, rebooted.install(bundle(16, 11)).outcome());
        assertServes(rebooted, 11);
        assertEquals("installed har 1.16.0 (sequence 16) into slot b", rebooted.status().lastMessage());
    }

    @Test
    @DisplayName("a fresh device whose first install was cut off says so and accepts the next sequence")
    void firstInstallInterrupted(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3)
                .crashInjector(CrashInjector.at(InstallStep.ATTEMPT_RECORDED)).open();
        assertThrows(CrashInjector.SimulatedCrash.class, () -> crashing.install(bundle(11, 10)));
        DeviceAgent rebooted = open(s, TRUST, M3);
        assertEquals(-1, rebooted.status().activeSequence());
        String said = rebooted.status().lastMessage();
        assertTrue(said.contains("sequence 11 was attempted") && said.contains("12 or higher"), said);
        assertTrue(rebooted.install(bundle(11, 10)).message().contains("sequence 11 was attempted on this device"));
        assertEquals(InstallOutcome.INSTALLED, rebooted.install(bundle(12, 10)).outcome());
    }

    @Test
    @DisplayName("an older sequence than the confirmed one is still refused as a rollback or replay")
    void olderThanConfirmedIsStillARollback(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        DeviceAgent a = open(s, TRUST, M3);
        a.install(bundle(14, 10));
        InstallReport r = a.install(bundle(13, 11));
        assertEquals(Optional.of(Check.ROLLBACK), r.check());
        assertTrue(r.message().contains("rollback or replay"), r.message());
        assertEquals("no install yet", open(s, TRUST, M3).status().lastMessage(), "nothing was left unconfirmed");
    }

    @Test
    @DisplayName("a poll that finds the interrupted sequence still published says it was attempted, then installs the "
            + "next one")
    void pollNamesTheInterruptedAttempt(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        open(s, TRUST, M3).install(bundle(14, 10));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3)
                .crashInjector(CrashInjector.at(InstallStep.ARTIFACT_WRITTEN)).open();
        assertThrows(CrashInjector.SimulatedCrash.class, () -> crashing.install(bundle(15, 11)));
        DeviceAgent rebooted = AgentTestSupport.agent(s, TRUST, M3).staging(dir.resolve("staging")).open();
        try (Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                dir.resolve("channels").toString())))) {
            Path b15 = Files.write(dir.resolve("b15.bundle"), bundle(15, 11));
            d.publish(b15, "stable");
            InstallReport r = rebooted.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, r.outcome());
            assertTrue(r.message().contains("sequence 15 there was attempted on this device and not confirmed"),
                    r.message());
            d.publish(Files.write(dir.resolve("b16.bundle"), bundle(16, 11)), "stable");
            assertEquals(InstallOutcome.INSTALLED, rebooted.poll(d, "stable").outcome());
            assertServes(rebooted, 11);
        }
    }
}
