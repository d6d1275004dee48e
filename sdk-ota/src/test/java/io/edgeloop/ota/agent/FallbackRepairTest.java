package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static io.edgeloop.ota.agent.CorruptStateTest.K;
import static io.edgeloop.ota.agent.CorruptStateTest.TRUST;
import static io.edgeloop.ota.agent.CorruptStateTest.bundle;
import static io.edgeloop.ota.agent.CorruptStateTest.twoModels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.BundleArchive;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.deploy.DirectoryDeployerProvider;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A device that fell back to its older slot because the slot holding its confirmed model was damaged: it
 * reinstalls its confirmed sequence only as the signed manifest it confirmed (whose digest counters.json keeps),
 * verified as any install and attempted once; any other bundle at that sequence is refused, and a higher sequence
 * installs as always. It says at every start and poll which of these applies.
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

    /** The SHA-256 of a bundle's manifest.json. */
    static String manifestSha(byte[] bundle) throws Exception {
        return Sha256.hex(BundleArchive.read(new ByteArrayInputStream(bundle), BundleLimits.DEFAULT).entries()
                .get("manifest.json"));
    }

    static JsonNode counters(DeviceStorage s) throws Exception {
        return CanonicalJson.parse(s.read("counters.json").orElseThrow()).path("models").path("har");
    }

    /** An agent over {@code s} that polls, staging its downloads under {@code dir}. */
    static DeviceAgent polling(DeviceStorage s, Path dir) throws Exception {
        return AgentTestSupport.agent(s, TRUST, M3).staging(dir.resolve("staging")).open();
    }

    /** Rotates the device's trust to version 2, which revokes K (that signed both slots) for a new key, returned. */
    static SigningKey rotateRevokingK(DeviceStorage s) throws Exception {
        SigningKey k2 = Fixtures.key(KeyAlgorithm.ED25519, 72);
        TrustRoot v2 = TRUST.toBuilder().version(2).removeKey(K.keyId()).key(k2.publicKey()).revoke(K.keyId())
                .build().signedBy(K, k2);
        open(s, TRUST, M3).rotateTrust(v2);
        return k2;
    }

    static Deployer directory(Path root) {
        return new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root", root.toString())));
    }

    @Test
    @DisplayName("a poll reinstalls the confirmed sequence when its very bundle is republished, then takes the next "
            + "sequence as usual and stores its manifest's digest")
    void pollRepairsWithTheConfirmedBundle(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        String sha2 = manifestSha(bundle(2, 1, 20));
        assertEquals(sha2, counters(s).path("confirmedManifest").path("sha256").asText(), "stored at the commit");
        assertEquals(1, counters(s).path("confirmedManifest").path("securityEpoch").asLong());
        DeviceAgent a = polling(s, dir);
        assertEquals(1, a.status().activeSequence());
        String note = "; the device runs sequence 1, below its confirmed sequence 2 (the slot that held it was lost "
                + "or damaged: a fallback, not a rollback); the device reinstalls sequence 2 (manifest " + sha2
                + ") when offered, once, or accepts sequence 3 or higher";
        assertTrue(a.status().lastMessage().endsWith(note.substring("; the device ".length())),
                a.status().lastMessage());
        try (Deployer d = directory(dir.resolve("channels"))) {
            d.publish(Files.write(dir.resolve("b1.bundle"), bundle(1, 1, 10)), "stable");
            InstallReport none = a.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, none.outcome());
            assertEquals("no publication of har above sequence 2 on stable" + note, none.message());

            // the confirmed bundle republished; before, C was refused at every poll until a new sequence came
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 20)), "stable");
            InstallReport r = a.poll(d, "stable");
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
            assertTrue(r.message().endsWith("(sequence 2) into slot b (a repair: the device ran sequence 1 after the "
                    + "slot holding it was lost or damaged)"), r.message());
            assertEquals(2, a.status().activeSequence());
            DeviceAgentTest.assertServes(a, 20);
            assertTrue(counters(s).path("repairAttempted").isMissingNode(), "a confirmed repair ends its record");
            assertEquals(InstallOutcome.NO_UPDATE, a.poll(d, "stable").outcome(), "repaired: nothing to do");
        }
        AgentStatus restarted = open(s, TRUST, M3).status();
        assertEquals(2, restarted.activeSequence());
        assertFalse(restarted.lastMessage().contains("below its confirmed"), restarted.lastMessage());
        assertEquals(Optional.empty(), restarted.slotProblem());

        DeviceAgent b = open(s, TRUST, M3);
        byte[] three = bundle(3, 1, 30);
        assertEquals(InstallOutcome.INSTALLED, b.install(three).outcome());
        JsonNode c = counters(s);
        assertEquals(3, c.path("confirmedSequence").asLong());
        assertEquals(3, c.path("confirmedManifest").path("sequence").asLong());
        assertEquals(manifestSha(three), c.path("confirmedManifest").path("sha256").asText());
        assertTrue(c.path("repairAttempted").isMissingNode(), "the repair of 2 is no longer kept: " + c);
    }

    @Test
    @DisplayName("the confirmed manifest re-signed (another signature set, the same manifest) is a repair too")
    void resignedBundleRepairs(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        SigningKey extra = Fixtures.key(KeyAlgorithm.ED25519, 72);
        byte[] resigned = Fixtures.draft("har", 2, 1, 20, M3).sign(K, extra);
        assertNotEquals(Sha256.hex(bundle(2, 1, 20)), Sha256.hex(resigned), "another bundle file");
        assertEquals(manifestSha(bundle(2, 1, 20)), manifestSha(resigned), "the same manifest");
        InstallReport r = open(s, TRUST, M3).install(resigned);
        assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
        DeviceAgentTest.assertServes(open(s, TRUST, M3), 20);
    }

    @Test
    @DisplayName("a repair is verified under the trust root in use: a signer revoked since is refused, and the same "
            + "manifest re-signed by the new key repairs")
    void repairIsVerifiedUnderTheCurrentRoot(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        SigningKey k2 = rotateRevokingK(s);
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(-1, a.status().activeSequence(), "slot a, signed by the revoked key, is no fallback either");
        InstallReport byRevoked = a.install(bundle(2, 1, 20));
        assertEquals(InstallOutcome.REFUSED, byRevoked.outcome(), byRevoked.message());
        assertEquals(Optional.of(Check.REVOKED_KEY), byRevoked.check(), byRevoked.message());
        InstallReport resigned = a.install(Fixtures.draft("har", 2, 1, 20, M3).sign(k2));
        assertEquals(InstallOutcome.INSTALLED, resigned.outcome(), resigned.message());
        DeviceAgentTest.assertServes(a, 20);
    }

    @Test
    @DisplayName("a repair candidate refused for a signer the trust root did not list is fetched again after a "
            + "rotation that adds the signer, and repairs")
    void rotationForgetsATrustRefusal(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent a = polling(s, dir);
        SigningKey k3 = Fixtures.key(KeyAlgorithm.ED25519, 73);
        try (Deployer d = directory(dir.resolve("channels"))) {
            d.publish(Files.write(dir.resolve("b2k3.bundle"), Fixtures.draft("har", 2, 1, 20, M3).sign(k3)), "stable");
            InstallReport first = a.poll(d, "stable");
            assertEquals(Optional.of(Check.UNKNOWN_KEY), first.check(), first.message());
            InstallReport again = a.poll(d, "stable");
            assertTrue(again.message().contains("refused before and is not fetched again"), again.message());
            a.rotateTrust(TRUST.toBuilder().version(2).key(k3.publicKey()).build().signedBy(K, k3));
            // before: still "refused before and is not fetched again" until another publication replaced it
            InstallReport afterRotation = a.poll(d, "stable");
            assertEquals(InstallOutcome.INSTALLED, afterRotation.outcome(), afterRotation.message());
            assertEquals(2, a.status().activeSequence());
            assertTrue(s.read("refused.json").isEmpty(), "the refusal under the old root is forgotten on disk too");
        }
    }

    @Test
    @DisplayName("the confirmed manifest repairs though it expired since (the digest pins what the device confirmed); "
            + "another build at that sequence is still a rollback and any other expired bundle is still refused")
    void expiredConfirmedManifestRepairs(@TempDir Path dir) throws Exception {
        // fixture bundles expire after 30 days (`bundle create`: 90), so every device confirmed longer ago than that
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        Clock later = Clock.fixed(Fixtures.NOW.plus(Duration.ofDays(31)), ZoneOffset.UTC);
        DeviceAgent a = AgentTestSupport.agent(s, TRUST, M3).clock(later).staging(dir.resolve("staging")).open();
        assertTrue(a.status().lastMessage().contains("the device reinstalls sequence 2"), a.status().lastMessage());
        byte[] other = bundle(2, 1, 21);
        InstallReport otherBuild = a.install(other);
        assertEquals(Optional.of(Check.ROLLBACK), otherBuild.check(), "the digest is checked before the expiry");
        assertTrue(otherBuild.message().contains("this bundle's manifest is " + manifestSha(other)),
                otherBuild.message());
        Fixtures.Draft reissued = Fixtures.draft("har", 2, 1, 20, M3);
        reissued.manifest.expiresAt(Fixtures.NOW.plus(Duration.ofDays(120)));
        assertEquals(Optional.of(Check.ROLLBACK), a.install(reissued.sign(K)).check(), "a re-issue is another manifest");
        assertEquals(Optional.of(Check.EXPIRED), a.install(bundle(3, 1, 30)).check(), "expiry holds for the rest");
        try (Deployer d = directory(dir.resolve("channels"))) {
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 20)), "stable");
            // before: refused as expired, downloaded again at every poll, while the status promised the repair
            InstallReport r = a.poll(d, "stable");
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
            assertTrue(r.message().contains("(a repair: the device ran sequence 1"), r.message());
        }
        DeviceAgentTest.assertServes(AgentTestSupport.agent(s, TRUST, M3).clock(later).open(), 20);
    }

    @Test
    @DisplayName("a poll remembers a repair candidate refused for any reason (here a signer revoked since) and does "
            + "not fetch it again; the same manifest re-signed by the new key, another publication, repairs")
    void pollRemembersAnyRefusalOfARepairCandidate(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        SigningKey k2 = rotateRevokingK(s);
        DeviceAgent a = polling(s, dir);
        try (Deployer d = directory(dir.resolve("channels"))) {
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 20)), "stable");
            InstallReport first = a.poll(d, "stable");
            assertEquals(Optional.of(Check.REVOKED_KEY), first.check(), first.message());
            InstallReport again = a.poll(d, "stable");
            assertEquals(Optional.of(Check.REVOKED_KEY), again.check(), again.message());
            // before: only a ROLLBACK of a repair candidate was remembered, anything else was fetched at every poll
            assertTrue(again.message().contains("refused before and is not fetched again"), again.message());
            assertTrue(s.read("refused.json").isPresent());
            d.publish(Files.write(dir.resolve("b2k2.bundle"), Fixtures.draft("har", 2, 1, 20, M3).sign(k2)),
                    "repair");
            InstallReport resigned = a.poll(d, "repair");
            assertEquals(InstallOutcome.INSTALLED, resigned.outcome(), resigned.message());
        }
    }

    @Test
    @DisplayName("a fallen-back device refuses another build at its confirmed sequence, one with a higher epoch, and "
            + "anything below it, and still repairs with the confirmed one")
    void otherBundlesAtTheConfirmedSequenceAreRefused(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent a = open(s, TRUST, M3);
        String sha2 = manifestSha(bundle(2, 1, 20));
        assertEquals(Optional.of(Check.ROLLBACK), a.install(bundle(1, 1, 10)).check());
        // another build at 2 with the same key, and one at 2 that would raise the committed epoch
        for (byte[] b : List.of(bundle(2, 1, 21), bundle(2, 2, 20))) {
            InstallReport r = a.install(b);
            assertEquals(InstallOutcome.REFUSED, r.outcome(), r.message());
            assertEquals(Optional.of(Check.ROLLBACK), r.check(), r.message());
            assertTrue(r.message().startsWith("rollback: sequence 2 is confirmed here as manifest " + sha2
                    + "; this bundle's manifest is " + manifestSha(b)), r.message());
        }
        assertEquals(1, a.status().activeSequence());
        assertEquals(1, counters(s).path("confirmedEpoch").asLong(), "the committed epoch stays");
        assertTrue(counters(s).path("repairAttempted").isMissingNode(), "a refusal is no attempt");
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(2, 1, 20)).outcome());
        DeviceAgentTest.assertServes(a, 20);
    }

    @Test
    @DisplayName("a poll fetches another build at the confirmed sequence once, refuses it, and does not fetch it again")
    void pollRefusesAnotherBuildOnce(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent a = polling(s, dir);
        try (Deployer d = directory(dir.resolve("channels"))) {
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 21)), "stable");
            InstallReport r = a.poll(d, "stable");
            assertEquals(Optional.of(Check.ROLLBACK), r.check(), r.message());
            assertTrue(r.message().contains("is confirmed here as manifest"), r.message());
            InstallReport again = a.poll(d, "stable");
            assertEquals(Optional.of(Check.ROLLBACK), again.check(), again.message());
            assertTrue(again.message().contains("refused before and is not fetched again"), again.message());
            assertEquals(1, a.status().activeSequence());
        }
    }

    @Test
    @DisplayName("a device whose counters.json holds no manifest digest (an earlier SDK) does not repair and says why")
    void oldCountersCannotRepair(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        // as the SDK before the digest wrote it (it wrote no copy either)
        s.delete("counters.copy.json");
        s.writeAtomic("counters.json", ("{\"formatVersion\":\"2.0\",\"models\":{\"har\":{\"confirmedEpoch\":1,"
                + "\"confirmedSequence\":2,\"highestAttempted\":2}}}").getBytes(StandardCharsets.UTF_8));
        DeviceAgent a = polling(s, dir);
        assertEquals(1, a.status().activeSequence());
        String why = "runs sequence 1, below its confirmed sequence 2 (the slot that held it was lost or damaged: a "
                + "fallback, not a rollback); it cannot reinstall sequence 2: no digest of its manifest is stored";
        assertTrue(a.status().lastMessage().contains(why), a.status().lastMessage());
        assertTrue(a.status().lastMessage().endsWith("the device accepts sequence 3 or higher"),
                a.status().lastMessage());
        InstallReport r = a.install(bundle(2, 1, 20));
        assertEquals(Optional.of(Check.ROLLBACK), r.check(), r.message());
        // before: "sequence 2 is below the device's minimum 3 (rollback or replay)", while status said why
        assertEquals("rollback: sequence 2 is confirmed here and its slot was lost, but the device does not "
                + "reinstall it: no digest of its manifest is stored (counters.json written before the SDK stored "
                + "one, or rebuilt after damage, while the slot that held it was already lost), so nothing proves "
                + "that a bundle offered at that sequence is the one it confirmed; it accepts sequence 3 or higher",
                r.message());
        try (Deployer d = directory(dir.resolve("channels"))) {
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 20)), "stable");
            InstallReport none = a.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, none.outcome());
            assertTrue(none.message().contains(why), none.message());
        }
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
        assertEquals(3, counters(s).path("confirmedManifest").path("sequence").asLong());
    }

    @Test
    @DisplayName("old counters without the digest learn it at start from the confirmed slot while that still verifies")
    void oldCountersLearnTheDigestFromAnIntactSlot(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir.resolve("state"));
        s.delete("counters.copy.json");
        s.writeAtomic("counters.json", ("{\"formatVersion\":\"2.0\",\"models\":{\"har\":{\"confirmedEpoch\":1,"
                + "\"confirmedSequence\":2,\"highestAttempted\":2}}}").getBytes(StandardCharsets.UTF_8));
        open(s, TRUST, M3);
        assertEquals(manifestSha(bundle(2, 1, 20)), counters(s).path("confirmedManifest").path("sha256").asText());
        byte[] art = s.read("slot-b/artifact").orElseThrow();
        art[art.length / 2] ^= 0x01;
        s.writeAtomic("slot-b/artifact", art);
        assertEquals(InstallOutcome.INSTALLED, open(s, TRUST, M3).install(bundle(2, 1, 20)).outcome());
    }

    @ParameterizedTest(name = "crash after {0}")
    @EnumSource(InstallStep.class)
    @DisplayName("a power cut during the repair: once its attempt is recorded, no later start reinstalls it again")
    void crashDuringRepairIsNotRetried(InstallStep step, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3).crashInjector(CrashInjector.at(step)).open();
        assertThrows(CrashInjector.SimulatedCrash.class, () -> crashing.install(bundle(2, 1, 20)));
        for (int boot = 0; boot < 3; boot++) {
            DeviceAgent rebooted = polling(s, dir);
            assertTrue(rebooted.activeSlotVerifies());
            if (step.compareTo(InstallStep.CONFIRMED) >= 0) {
                assertEquals(2, rebooted.status().activeSequence(), "the repair was confirmed before the cut");
                DeviceAgentTest.assertServes(rebooted, 20);
                continue;
            }
            assertEquals(1, rebooted.status().activeSequence());
            DeviceAgentTest.assertServes(rebooted, 10);
            if (step == InstallStep.VERIFIED) {
                // nothing written yet: not an attempt, as for any install
                assertTrue(rebooted.status().lastMessage().contains("reinstalls sequence 2"),
                        rebooted.status().lastMessage());
                return;
            }
            assertTrue(rebooted.status().lastMessage().contains("it cannot reinstall sequence 2: its reinstall "
                    + "(manifest " + manifestSha(bundle(2, 1, 20)) + ") was attempted once already"),
                    rebooted.status().lastMessage());
            try (Deployer d = directory(dir.resolve("channels"))) {
                d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 20)), "stable");
                InstallReport poll = rebooted.poll(d, "stable");
                // 4c57921d: each boot's poll reinstalled 2 (three boots, three attempts)
                assertEquals(InstallOutcome.NO_UPDATE, poll.outcome(), poll.message());
            }
            assertEquals(Optional.of(Check.ROLLBACK), rebooted.install(bundle(2, 1, 20)).check());
        }
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
        DeviceAgentTest.assertServes(a, 30);
    }

    @Test
    @DisplayName("a confirmed repair ends its record: when the slot is lost again the device repairs again, once, "
            + "whether counters.json survived in between or not")
    void successfulRepairDoesNotBlockALaterOne(@TempDir Path dir) throws Exception {
        for (boolean damageCounters : new boolean[] {false, true}) {
            FileDeviceStorage s = fellBack(dir.resolve("c" + damageCounters));
            assertEquals(InstallOutcome.INSTALLED, open(s, TRUST, M3).install(bundle(2, 1, 20)).outcome());
            if (damageCounters) {
                s.writeAtomic("counters.json", "{garbage".getBytes(StandardCharsets.UTF_8));
                open(s, TRUST, M3); // rebuilt from the slots: confirmed 2 learnt from the repaired slot
            }
            byte[] art = s.read("slot-b/artifact").orElseThrow();
            art[art.length / 2] ^= 0x01;
            s.writeAtomic("slot-b/artifact", art);
            DeviceAgent again = open(s, TRUST, M3);
            assertTrue(again.status().lastMessage().contains("the device reinstalls sequence 2"),
                    again.status().lastMessage());
            // before: refused as "attempted once already" with intact counters, installed with damaged ones
            InstallReport r = again.install(bundle(2, 1, 20));
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), "counters damaged: " + damageCounters + ": "
                    + r.message());
            DeviceAgentTest.assertServes(again, 20);
        }
    }

    @Test
    @DisplayName("a damaged repairAttempted is logged once: it is written back as the attempt of any manifest at "
            + "that sequence, which reads back as valid, and still blocks the repair with its reason")
    void damagedRepairRecordIsWarnedOnce(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        ObjectNode c = (ObjectNode) CanonicalJson.parse(s.read("counters.json").orElseThrow());
        ((ObjectNode) c.path("models").path("har")).putObject("repairAttempted").put("sequence", 2)
                .put("sha256", "not a digest");
        s.writeAtomic("counters.json", CanonicalJson.bytes(c));
        String damaged = "the repairAttempted of har in counters.json is damaged";
        assertTrue(RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3)).contains(damaged));
        assertEquals("any", counters(s).path("repairAttempted").path("sha256").asText());
        // before: written back as "unknown" (when at all), damaged again, so the WARN came at every start
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertFalse(log.contains(damaged), log);
        DeviceAgent a = open(s, TRUST, M3);
        assertTrue(a.status().lastMessage().contains("it cannot reinstall sequence 2: its reinstall"),
                a.status().lastMessage());
        InstallReport r = a.install(bundle(2, 1, 20));
        assertEquals(Optional.of(Check.ROLLBACK), r.check(), r.message());
        assertTrue(r.message().contains("was attempted once already"), r.message());
    }

    @Test
    @DisplayName("a damaged confirmedManifest is logged once: it is dropped when counters.json is written back, and "
            + "the device says it cannot repair because no digest is stored")
    void damagedConfirmedManifestIsWarnedOnce(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        ObjectNode c = (ObjectNode) CanonicalJson.parse(s.read("counters.json").orElseThrow());
        ((ObjectNode) c.path("models").path("har").path("confirmedManifest")).put("sha256", "not a digest");
        s.writeAtomic("counters.json", CanonicalJson.bytes(c));
        s.writeAtomic("counters.copy.json", CanonicalJson.bytes(c)); // both damaged (CountersCopyTest: one)
        String damaged = "the confirmedManifest of har in counters.json is damaged";
        assertTrue(RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3)).contains(damaged));
        assertTrue(counters(s).path("confirmedManifest").isMissingNode(), counters(s).toString());
        assertEquals(2, counters(s).path("confirmedSequence").asLong(), "the counters themselves are kept");
        // before: the damaged field stayed in counters.json (nothing rewrote it), so the WARN came at every start
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertFalse(log.contains(damaged), log);
        DeviceAgent a = open(s, TRUST, M3);
        assertTrue(a.status().lastMessage().contains("it cannot reinstall sequence 2: no digest of its manifest is "
                + "stored"), a.status().lastMessage());
        InstallReport r = a.install(bundle(2, 1, 20));
        assertEquals(Optional.of(Check.ROLLBACK), r.check(), r.message());
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
    }

    @Test
    @DisplayName("a damaged confirmedManifest beside an intact confirmed slot is replaced by the slot's identity")
    void damagedConfirmedManifestIsRelearnedFromAnIntactSlot(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir.resolve("state"));
        String sha = counters(s).path("confirmedManifest").path("sha256").asText();
        ObjectNode c = (ObjectNode) CanonicalJson.parse(s.read("counters.json").orElseThrow());
        ((ObjectNode) c.path("models").path("har").path("confirmedManifest")).put("sequence", "two");
        s.writeAtomic("counters.json", CanonicalJson.bytes(c));
        open(s, TRUST, M3);
        assertEquals(sha, counters(s).path("confirmedManifest").path("sha256").asText());
        assertEquals(2, counters(s).path("confirmedManifest").path("sequence").asLong());
    }

    @Test
    @DisplayName("a repair that fails its health check is rolled back to the older model, said, and not retried")
    void failedHealthCheckIsNotRetried(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        DeviceAgent sick = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> Optional.of("sensor offline"))
                .open();
        InstallReport r = sick.install(bundle(2, 1, 20));
        assertEquals(InstallOutcome.ROLLED_BACK, r.outcome(), r.message());
        assertEquals("health: sensor offline; rolled back; the repair of sequence 2 failed and is not attempted "
                + "again: the device runs sequence 1 and accepts sequence 3 or higher", r.message());
        assertEquals(1, sick.status().activeSequence());
        DeviceAgentTest.assertServes(sick, 10);
        assertEquals(Optional.of(Check.ROLLBACK), sick.install(bundle(2, 1, 20)).check());

        DeviceAgent healthy = open(s, TRUST, M3);
        assertEquals(1, healthy.status().activeSequence());
        assertTrue(healthy.status().lastMessage().contains("was attempted once already"),
                healthy.status().lastMessage());
        InstallReport blocked = healthy.install(bundle(2, 1, 20));
        assertEquals(Optional.of(Check.ROLLBACK), blocked.check());
        assertTrue(blocked.message().contains("the device does not reinstall it: its reinstall (manifest "
                + manifestSha(bundle(2, 1, 20)) + ") was attempted once already"), blocked.message());
        assertEquals(InstallOutcome.INSTALLED, healthy.install(bundle(3, 1, 30)).outcome());
    }

    @Test
    @DisplayName("a device that lost both slots says so at start and at polls, and repairs with its confirmed bundle")
    void noModelLeftIsSaidAndRepaired(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir.resolve("state"));
        byte[] art = s.read("slot-a/artifact").orElseThrow();
        art[art.length / 2] ^= 0x01;
        s.writeAtomic("slot-a/artifact", art);
        DeviceAgent a = polling(s, dir);
        assertEquals(-1, a.status().activeSequence());
        String note = "runs no model, though it confirmed sequence 2 (the slot that held it was lost or damaged); "
                + "the device reinstalls sequence 2 (manifest " + manifestSha(bundle(2, 1, 20)) + ") when offered, "
                + "once, or accepts sequence 3 or higher";
        assertTrue(a.status().lastMessage().endsWith(note), a.status().lastMessage());
        try (Deployer d = directory(dir.resolve("channels"))) {
            d.publish(Files.write(dir.resolve("b1.bundle"), bundle(1, 1, 10)), "stable");
            InstallReport none = a.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, none.outcome());
            assertEquals("no publication of har above sequence 2 on stable; the device " + note, none.message());
            d.publish(Files.write(dir.resolve("b2.bundle"), bundle(2, 1, 20)), "stable");
            InstallReport r = a.poll(d, "stable");
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
            assertTrue(r.message().contains("(a repair: the device ran no model"), r.message());
        }
        DeviceAgent restarted = open(s, TRUST, M3);
        assertEquals(2, restarted.status().activeSequence());
        assertFalse(restarted.status().lastMessage().contains("runs no model"));
    }
}
