package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A device runs one model: validly signed bundles of other models are refused, counters are kept per model. */
class ModelBindingTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 51);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    static byte[] bundle(String name, long seq, int seed) {
        return Fixtures.draft(name, seq, 0, seed, M3).sign(K);
    }

    @Test
    @DisplayName("refuses another model's validly signed bundle at a higher sequence and still takes its own next one")
    void refusesModelSubstitution() throws Exception {
        MemoryDeviceStorage s = new MemoryDeviceStorage();
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle("har", 3, 10)).outcome());
        InstallReport r = a.install(bundle("door-sensor", 40, 11));
        assertEquals(InstallOutcome.REFUSED, r.outcome(), r.message());
        assertEquals(Optional.of(Check.MODEL_NAME), r.check());
        assertTrue(r.message().contains("door-sensor") && r.message().contains("har"), r.message());
        DeviceAgentTest.assertServes(a, 10);
        assertEquals(3, a.status().activeSequence());
        InstallReport next = a.install(bundle("har", 4, 12));
        assertEquals(InstallOutcome.INSTALLED, next.outcome(), "the substitute did not raise the counters: "
                + next.message());
        DeviceAgentTest.assertServes(open(s, TRUST, M3), 12);
        assertEquals(Check.MODEL_NAME, assertThrows(io.edgeloop.ota.bundle.BundleVerificationException.class,
                () -> a.shadow(bundle("door-sensor", 41, 11), java.util.List.of())).check(), "shadow runs too");
    }

    @Test
    @DisplayName("needs a model name to open")
    void modelIsRequired() {
        DeviceAgent.Builder b = DeviceAgent.builder().deviceId("d").target(M3).trust(TRUST)
                .storage(new MemoryDeviceStorage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::open);
        assertTrue(e.getMessage().contains("model"), e.getMessage());
    }

    @Test
    @DisplayName("keeps counters per model: re-provisioned to another model, the old model's counters stay and the "
            + "old model's slot is not served")
    void countersPerModel() throws Exception {
        MemoryDeviceStorage s = new MemoryDeviceStorage();
        open(s, TRUST, M3).install(bundle("har", 7, 10));
        DeviceAgent door = DeviceAgent.builder().deviceId("dev-1").model("door-sensor").target(M3).trust(TRUST)
                .storage(s).clock(AgentTestSupport.CLOCK).open();
        assertFalse(door.activeManifest().isPresent(), "a slot of another model is never served");
        assertEquals(InstallOutcome.INSTALLED, door.install(bundle("door-sensor", 1, 20)).outcome(),
                "the new model starts from its own counters");
        var counters = CanonicalJson.parse(s.read("counters.json").orElseThrow());
        assertEquals(7, counters.path("models").path("har").path("confirmedSequence").asLong());
        assertEquals(1, counters.path("models").path("door-sensor").path("confirmedSequence").asLong());
        DeviceAgent har = open(s, TRUST, M3);
        assertEquals(Optional.of(Check.ROLLBACK), har.install(bundle("har", 7, 10)).check(),
                "har's counters survived the other model");
    }

    @Test
    @DisplayName("reads a 1.x counters.json (one unversioned set) as the counters of the device's model")
    void migratesLegacyCounters() throws Exception {
        MemoryDeviceStorage s = new MemoryDeviceStorage();
        open(s, TRUST, M3).install(bundle("har", 2, 10));
        s.writeAtomic("counters.json", "{\"confirmedEpoch\":0,\"confirmedSequence\":9,\"highestAttempted\":9}"
                .getBytes(StandardCharsets.UTF_8));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(Optional.of(Check.ROLLBACK), a.install(bundle("har", 9, 11)).check());
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle("har", 10, 11)).outcome());
        var counters = CanonicalJson.parse(s.read("counters.json").orElseThrow());
        assertEquals("2.1", counters.path("formatVersion").asText());
        assertEquals(10, counters.path("models").path("har").path("confirmedSequence").asLong());
    }

    @Test
    @DisplayName("gives 1.x counters to the model in the active slot when the device is configured for a new model "
            + "at the same time")
    void migratesLegacyCountersToTheRunningModel() throws Exception {
        MemoryDeviceStorage s = new MemoryDeviceStorage();
        open(s, TRUST, M3).install(bundle("har", 9, 10));
        // as an SDK before model binding left it: unversioned counters, slot records without model or trust version
        s.writeAtomic("counters.json", "{\"confirmedEpoch\":0,\"confirmedSequence\":9,\"highestAttempted\":9}"
                .getBytes(StandardCharsets.UTF_8));
        s.writeAtomic("slot-a/slot.json", "{\"path\":\"artifacts/cortex-m3/model.json\"}"
                .getBytes(StandardCharsets.UTF_8));
        DeviceAgent door = DeviceAgent.builder().deviceId("dev-1").model("door-sensor").target(M3).trust(TRUST)
                .storage(s).clock(AgentTestSupport.CLOCK).open();
        InstallReport r = door.install(bundle("door-sensor", 1, 20));
        assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
        var counters = CanonicalJson.parse(s.read("counters.json").orElseThrow());
        assertEquals(9, counters.path("models").path("har").path("confirmedSequence").asLong(), counters.toString());
        assertEquals(9, counters.path("models").path("har").path("highestAttempted").asLong(), counters.toString());
        assertEquals(1, counters.path("models").path("door-sensor").path("confirmedSequence").asLong());
        assertEquals(Optional.of(Check.ROLLBACK), open(s, TRUST, M3).install(bundle("har", 9, 11)).check(),
                "har keeps its migrated counters");
    }

    @Test
    @DisplayName("refuses to start on a counters.json of an unknown major version rather than lower its counters")
    void unknownCountersVersion() throws Exception {
        MemoryDeviceStorage s = new MemoryDeviceStorage();
        s.writeAtomic("counters.json", "{\"formatVersion\":\"3.0\",\"models\":{}}".getBytes(StandardCharsets.UTF_8));
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> open(s, TRUST, M3));
        assertTrue(e.getMessage().contains("3.0"), e.getMessage());
    }

    @Test
    @DisplayName("does not even fetch another model's publication when polling a channel")
    void pollIgnoresOtherModels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (io.edgeloop.api.deploy.Deployer d = io.edgeloop.api.spi.ProviderLoader
                .of(io.edgeloop.api.deploy.DeployerProvider.class).select("directory")
                .create(io.edgeloop.api.config.ComponentConfig.of(java.util.Map.of("root", dir.resolve("pub").toString())))) {
            java.nio.file.Path b = dir.resolve("door.bundle");
            java.nio.file.Files.write(b, bundle("door-sensor", 40, 11));
            d.publish(b, "stable");
            java.nio.file.Path staging = dir.resolve("staging");
            DeviceAgent a = AgentTestSupport.agent(new MemoryDeviceStorage(), TRUST, M3).staging(staging).open();
            InstallReport r = a.poll(d, "stable");
            assertEquals(InstallOutcome.NO_UPDATE, r.outcome(), r.message());
            assertFalse(java.nio.file.Files.exists(staging), "nothing was fetched");
            java.nio.file.Files.write(b, bundle("har", 1, 10));
            // a channel carries one model (OneModelPerChannelTest): har goes on a channel of its own
            d.publish(b, "har-stable");
            assertEquals(InstallOutcome.INSTALLED, a.poll(d, "har-stable").outcome());
        }
    }
}
