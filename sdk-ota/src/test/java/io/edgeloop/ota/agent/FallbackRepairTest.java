package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static io.edgeloop.ota.agent.CorruptStateTest.TRUST;
import static io.edgeloop.ota.agent.CorruptStateTest.bundle;
import static io.edgeloop.ota.agent.CorruptStateTest.twoModels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.deploy.DirectoryDeployerProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that fell back to its older slot because the slot holding its confirmed model was damaged: it reinstalls
 * the confirmed sequence from the channel (a repair, not a rollback), still refuses anything below it, and says it
 * runs below its confirmed sequence at every poll until repaired.
 */
class FallbackRepairTest {
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    /** Slot a: sequence 1 (seed 10); slot b: sequence 2 (seed 20, confirmed), then a byte of its artifact flipped. */
    static FileDeviceStorage fellBack(Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        byte[] art = s.read("slot-b/artifact").orElseThrow();
        art[art.length / 2] ^= 0x01;
        s.writeAtomic("slot-b/artifact", art);
        return s;
    }

    @Test
    @DisplayName("a poll reinstalls the confirmed sequence the damaged slot held, and says the fallback until then")
    void pollRepairsFromTheConfirmedSequence(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).staging(dir.resolve("staging")).open();
        assertEquals(1, a.status().activeSequence());
        try (Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                dir.resolve("channels").toString())))) {
            d.publish(Files.write(dir.resolve("b1.bundle"), bundle(1, 1, 10)), "stable");
            InstallReport none = a.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, none.outcome());
            // it said only "no publication of har above sequence 2 on stable": the fallback was gone from lastMessage
            assertEquals("no publication of har above sequence 2 on stable; the device runs sequence 1, below its "
                    + "confirmed sequence 2 (the slot that held it was lost or damaged: a fallback, not a rollback); "
                    + "the device reinstalls sequence 2 (a repair) or accepts 3 or higher", none.message());
            assertEquals(none.message(), a.status().lastMessage());

            // the bundle the device lost: it polled NO_UPDATE forever, refusing it as a rollback
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 20)), "stable");
            InstallReport r = a.poll(d, "stable");
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
            assertTrue(r.message().endsWith("(a repair: the device ran sequence 1 after the slot holding it was lost "
                    + "or damaged)"), r.message());
            assertEquals(2, a.status().activeSequence());
            DeviceAgentTest.assertServes(a, 20);
        }
        AgentStatus restarted = open(s, TRUST, M3).status();
        assertEquals(2, restarted.activeSequence());
        assertFalse(restarted.lastMessage().contains("below its confirmed"), restarted.lastMessage());
        assertEquals(Optional.empty(), restarted.slotProblem());
    }

    @Test
    @DisplayName("a fallen-back device still refuses anything below its confirmed sequence, and the repair only once "
            + "it is repaired")
    void repairIsNoRollback(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent a = open(s, TRUST, M3);
        InstallReport older = a.install(bundle(1, 1, 10));
        assertEquals(InstallOutcome.REFUSED, older.outcome());
        assertEquals(Optional.of(Check.ROLLBACK), older.check());
        // an older security epoch is refused as for any install, even at the repair sequence
        assertEquals(Optional.of(Check.SECURITY_EPOCH), a.install(bundle(2, 0, 20)).check());

        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(2, 1, 20)).outcome());
        InstallReport again = a.install(bundle(2, 1, 20));
        assertEquals(Optional.of(Check.ROLLBACK), again.check(), "running its confirmed sequence: a replay");
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
    }
}
