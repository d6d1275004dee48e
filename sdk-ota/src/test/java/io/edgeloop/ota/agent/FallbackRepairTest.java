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
import io.edgeloop.ota.json.CanonicalJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that fell back to its older slot because the slot holding its confirmed model was damaged: it refuses
 * its confirmed sequence again (nothing stored proves a bundle offered at that sequence is the one it confirmed),
 * accepts only a higher one, and says it runs below its confirmed sequence at every poll until then.
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
    @DisplayName("a poll refuses the confirmed sequence the damaged slot held, installs a higher one, and says the "
            + "fallback until then")
    void pollTakesOnlyAHigherSequence(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).staging(dir.resolve("staging")).open();
        assertEquals(1, a.status().activeSequence());
        String note = "; the device runs sequence 1, below its confirmed sequence 2 (the slot that held it was lost "
                + "or damaged: a fallback, not a rollback); the device accepts sequence 3 or higher";
        try (Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                dir.resolve("channels").toString())))) {
            d.publish(Files.write(dir.resolve("b1.bundle"), bundle(1, 1, 10)), "stable");
            InstallReport none = a.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, none.outcome());
            assertEquals("no publication of har above sequence 2 on stable" + note, none.message());
            assertEquals(none.message(), a.status().lastMessage());

            // sequence 2 with other bytes (seed 21): 4c57921d installed any validly signed bundle at 2 as a "repair"
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 21)), "stable");
            InstallReport two = a.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, two.outcome(), two.message());
            assertEquals("no publication of har above sequence 2 on stable" + note, two.message());
            assertEquals(1, a.status().activeSequence());
            DeviceAgentTest.assertServes(a, 10);

            d.publish(Files.write(dir.resolve("b3.bundle"), bundle(3, 1, 30)), "stable");
            InstallReport r = a.poll(d, "stable");
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
            assertEquals(3, a.status().activeSequence());
            DeviceAgentTest.assertServes(a, 30);
        }
        AgentStatus restarted = open(s, TRUST, M3).status();
        assertEquals(3, restarted.activeSequence());
        assertFalse(restarted.lastMessage().contains("below its confirmed"), restarted.lastMessage());
        assertEquals(Optional.empty(), restarted.slotProblem());
    }

    @Test
    @DisplayName("a fallen-back device refuses its confirmed sequence, whatever its bytes or epoch, and anything "
            + "below it")
    void confirmedSequenceStaysRefused(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(Optional.of(Check.ROLLBACK), a.install(bundle(1, 1, 10)).check());
        // the very bundle it confirmed, another build at 2, and one at 2 that would raise the committed epoch
        for (byte[] b : List.of(bundle(2, 1, 20), bundle(2, 1, 21), bundle(2, 2, 20))) {
            InstallReport r = a.install(b);
            assertEquals(InstallOutcome.REFUSED, r.outcome(), r.message());
            assertEquals(Optional.of(Check.ROLLBACK), r.check(), r.message());
        }
        assertEquals(1, a.status().activeSequence());
        assertEquals(1, CanonicalJson.parse(s.read("counters.json").orElseThrow()).path("models").path("har")
                .path("confirmedEpoch").asLong(), "the committed epoch stays");
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
    }

    @Test
    @DisplayName("a device that lost both slots says at start and at every poll that it runs no model though it "
            + "confirmed one, and which sequence it accepts")
    void noModelLeftIsSaid(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        byte[] art = s.read("slot-a/artifact").orElseThrow();
        art[art.length / 2] ^= 0x01;
        s.writeAtomic("slot-a/artifact", art);
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).staging(dir.resolve("staging")).open();
        assertEquals(-1, a.status().activeSequence());
        String note = "runs no model, though it confirmed sequence 2 (the slot that held it was lost or damaged); "
                + "the device accepts sequence 3 or higher";
        // it said nothing of the kind: the note was for a device running an older model only
        assertTrue(a.status().lastMessage().endsWith(note), a.status().lastMessage());
        try (Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                dir.resolve("channels").toString())))) {
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 20)), "stable");
            InstallReport none = a.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, none.outcome());
            assertEquals("no publication of har above sequence 2 on stable; the device " + note, none.message());
            d.publish(Files.write(dir.resolve("b3.bundle"), bundle(3, 1, 30)), "stable");
            assertEquals(InstallOutcome.INSTALLED, a.poll(d, "stable").outcome());
        }
        assertFalse(open(s, TRUST, M3).status().lastMessage().contains("runs no model"));
    }
}
