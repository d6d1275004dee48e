package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persisted trust chain: verified link by link from the provisioned root at every start; planted roots are
 * ignored rather than adopted or fatal; installed models survive rotations that drop (but do not revoke) their
 * signers.
 */
class TrustChainTest {
    static final SigningKey K1 = Fixtures.key(KeyAlgorithm.ED25519, 61);
    static final SigningKey K2 = Fixtures.key(KeyAlgorithm.P256, 62);
    static final SigningKey K3 = Fixtures.key(KeyAlgorithm.ED25519, 63);
    static final SigningKey ATTACKER = Fixtures.key(KeyAlgorithm.ED25519, 66);
    static final TrustRoot V1 = Fixtures.trust(1, K1);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    static byte[] bundle(long seq, int seed, SigningKey k) {
        return Fixtures.draft("har", seq, 0, seed, M3).sign(k);
    }

    /** v{version} trusting only {@code k}, signed by {@code signers}. */
    static TrustRoot root(TrustRoot base, long version, SigningKey k, SigningKey... signers) {
        TrustRoot.Builder b = base.toBuilder().version(version);
        base.keys().keySet().forEach(b::removeKey);
        return b.key(k.publicKey()).threshold(1).build().signedBy(signers);
    }

    @Test
    @DisplayName("ignores a planted unsigned higher-version trust.json at restart: attacker-signed bundles stay refused")
    void plantedUnsignedRootIgnored(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, V1, M3).install(bundle(1, 10, K1));
        TrustRoot planted = root(V1, 3, ATTACKER); // unsigned, skips version 2
        s.writeAtomic("trust.json", planted.toBytes());
        DeviceAgent a = open(s, V1, M3);
        assertEquals(1, a.trust().version());
        InstallReport r = a.install(bundle(2, 11, ATTACKER));
        assertEquals(InstallOutcome.REFUSED, r.outcome());
        assertEquals(Optional.of(Check.UNKNOWN_KEY), r.check());
        DeviceAgentTest.assertServes(a, 10);
    }

    @Test
    @DisplayName("starts on the provisioned root when a planted version-2 root fails its check, instead of throwing")
    void plantedFailingNextRootDoesNotStopStart(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, V1, M3).install(bundle(1, 10, K1));
        s.writeAtomic("trust.json", root(V1, 2, ATTACKER, ATTACKER).toBytes());
        DeviceAgent a = open(s, V1, M3);
        assertEquals(1, a.trust().version());
        DeviceAgentTest.assertServes(a, 10);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(2, 11, K1)).outcome());
    }

    @Test
    @DisplayName("persists the whole chain, re-verifies every link at start, and falls back to the last root that verifies")
    void chainVerifiedLinkByLink(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = open(s, V1, M3);
        TrustRoot v2 = root(V1, 2, K2, K1, K2);
        TrustRoot v3 = root(v2, 3, K3, K2, K3);
        a.rotateTrust(v2);
        a.rotateTrust(v3);
        assertEquals(3, open(s, V1, M3).trust().version(), "v1 -> v2 -> v3 verifies after a restart");
        assertEquals(3, open(s, V1, M3).trustChain().size());
        assertEquals(Optional.empty(), open(s, V1, M3).status().trustDegraded());

        // an attacker appends an unsigned v4 to the stored chain: ignored, v3 stays
        var chain = (com.fasterxml.jackson.databind.node.ObjectNode) CanonicalJson.parse(
                s.read("trust-chain.json").orElseThrow());
        ((com.fasterxml.jackson.databind.node.ArrayNode) chain.get("roots")).add(
                CanonicalJson.parse(root(v3, 4, ATTACKER).toBytes()));
        s.writeAtomic("trust-chain.json", CanonicalJson.bytes(chain));
        DeviceAgent b = open(s, V1, M3);
        assertEquals(3, b.trust().version());
        assertTrue(b.status().trustDegraded().orElseThrow().contains("after version 3"),
                b.status().trustDegraded().toString());
        assertEquals(Optional.of(Check.UNKNOWN_KEY), b.install(bundle(1, 10, ATTACKER)).check());

        // v3 replaced by one v2 never signed: the chain breaks after v2, everything after it is ignored
        chain = (com.fasterxml.jackson.databind.node.ObjectNode) CanonicalJson.parse(
                s.read("trust-chain.json").orElseThrow());
        ((com.fasterxml.jackson.databind.node.ArrayNode) chain.get("roots")).set(1,
                CanonicalJson.parse(root(v2, 3, ATTACKER, ATTACKER).toBytes()));
        s.writeAtomic("trust-chain.json", CanonicalJson.bytes(chain));
        assertEquals(2, open(s, V1, M3).trust().version());

        s.writeAtomic("trust-chain.json", "{garbage".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(1, open(s, V1, M3).trust().version(), "an unreadable chain leaves the provisioned root");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "trust-chain.json replaced by a {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"directory", "dangling symbolic link"})
    @DisplayName("reports a degraded trust when trust-chain.json is a directory or a link, as for an unreadable chain, "
            + "instead of running on the provisioned root silently")
    void chainNotAFileIsReported(String entry, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = open(s, V1, M3);
        TrustRoot v2 = root(V1, 2, K2, K1, K2);
        a.rotateTrust(v2);
        Path file = s.root().resolve("trust-chain.json");
        java.nio.file.Files.delete(file);
        if (entry.equals("directory")) {
            java.nio.file.Files.createDirectory(file);
        } else {
            java.nio.file.Files.createSymbolicLink(file, dir.resolve("nowhere"));
        }
        DeviceAgent b = open(s, V1, M3);
        assertEquals(1, b.trust().version(), "the stored chain cannot be read: the provisioned root");
        String why = b.status().trustDegraded().orElse("(none)");
        // old code: read as missing, the device ran on trust version 1 and said nothing
        assertTrue(why.contains("trust-chain.json is unreadable") && why.contains(entry.equals("directory")
                ? "a directory" : "a symbolic link") && why.contains("trust version 1"), why);
        b.rotateTrust(v2); // a rotation writes the chain again, moving the entry aside
        assertEquals(Optional.empty(), b.status().trustDegraded());
        assertEquals(2, open(s, V1, M3).trust().version());
        assertTrue(java.nio.file.Files.exists(s.root().resolve("trust-chain.json.DAMAGED-1"),
                java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    @DisplayName("starts on the last root that verifies when a stored root holds a non-integer number")
    void nonIntegerStoredRootDoesNotStopStart(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = open(s, V1, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(1, 10, K1)).outcome());
        s.writeAtomic("trust-chain.json", ("{\"formatVersion\":\"1.0\",\"roots\":[{\"signed\":{\"version\":2.5}}],"
                + "\"type\":\"edgeloop-trust-chain\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        DeviceAgent b = open(s, V1, M3);
        assertEquals(1, b.trust().version());
        DeviceAgentTest.assertServes(b, 10);

        // a valid v2 followed by a damaged entry: v2 is kept, the damaged one ignored
        TrustRoot v2 = root(V1, 2, K2, K1, K2);
        b.rotateTrust(v2);
        var chain = (com.fasterxml.jackson.databind.node.ObjectNode) CanonicalJson.parse(
                s.read("trust-chain.json").orElseThrow());
        ((com.fasterxml.jackson.databind.node.ArrayNode) chain.get("roots")).add(
                CanonicalJson.parse("{\"signatures\":[],\"signed\":{\"threshold\":1.5,\"version\":3}}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        s.writeAtomic("trust-chain.json", chain.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        DeviceAgent c = open(s, V1, M3);
        assertEquals(2, c.trust().version());
        DeviceAgentTest.assertServes(c, 10);
        assertEquals(InstallOutcome.INSTALLED, c.install(bundle(2, 11, K2)).outcome());
    }

    @Test
    @DisplayName("migrates a trust.json written by earlier SDKs when the provisioned root signed it")
    void migratesLegacyTrustFile(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        s.writeAtomic("trust.json", root(V1, 2, K2, K1, K2).toBytes());
        DeviceAgent a = open(s, V1, M3);
        assertEquals(2, a.trust().version());
        assertEquals(Optional.empty(), a.status().trustDegraded());
        a.rotateTrust(root(a.trust(), 3, K3, K2, K3));
        assertEquals(3, open(s, V1, M3).trust().version());
    }

    @Test
    @DisplayName("reports a degraded trust in its status when a trust.json of earlier SDKs holds a root rotated twice, "
            + "until the device is rotated again")
    void legacyTrustAfterTwoRotationsIsReported(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, V1, M3).install(bundle(1, 10, K1));
        TrustRoot v2 = root(V1, 2, K2, K1, K2);
        TrustRoot v3 = root(v2, 3, K3, K2, K3);
        s.writeAtomic("trust.json", v3.toBytes()); // earlier SDKs kept only the latest root: v2 is gone
        java.util.List<AgentStatus> reported = new java.util.ArrayList<>();
        DeviceAgent a = AgentTestSupport.agent(s, V1, M3).listener(reported::add).open();
        assertEquals(1, a.trust().version());
        DeviceAgentTest.assertServes(a, 10);
        String why = a.status().trustDegraded().orElseThrow();
        assertTrue(why.contains("trust.json") && why.contains("re-provision"), why);
        assertEquals(Optional.of(Check.UNKNOWN_KEY), a.install(bundle(2, 11, K3)).check());
        assertEquals(Optional.of(why), reported.get(0).trustDegraded(), "listeners see it with every report");
        assertEquals(Optional.of(why), open(s, V1, M3).status().trustDegraded(), "reported after every restart");

        a.rotateTrust(v2);
        assertEquals(Optional.empty(), a.status().trustDegraded());
        DeviceAgent rotated = open(s, V1, M3);
        assertEquals(2, rotated.trust().version());
        assertEquals(Optional.empty(), rotated.status().trustDegraded());
    }

    @Test
    @DisplayName("keeps serving a model after a rotation that drops its signing key, and serves none once a root revokes it")
    void rotationDoesNotOrphanInstalledModels(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = open(s, V1, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(1, 10, K1)).outcome());
        TrustRoot v2 = root(V1, 2, K2, K1, K2); // K1 dropped, not revoked
        a.rotateTrust(v2);
        DeviceAgent rebooted = open(s, V1, M3);
        assertTrue(rebooted.activeSlotVerifies(), "the slot was accepted by v1, which is in the verified chain");
        DeviceAgentTest.assertServes(rebooted, 10);
        assertEquals(Optional.of(Check.UNKNOWN_KEY), rebooted.install(bundle(2, 11, K1)).check(),
                "new bundles need the new key");
        assertEquals(InstallOutcome.INSTALLED, rebooted.install(bundle(2, 11, K2)).outcome());
        DeviceAgentTest.assertServes(open(s, V1, M3), 11);

        // the previous slot (signed by K1 under v1) is a valid fallback until a root revokes K1 explicitly
        TrustRoot v3 = v2.toBuilder().version(3).revoke(K1.keyId()).build().signedBy(K2);
        rebooted.rotateTrust(v3);
        s.delete("slot-b/artifact"); // lose the active slot: the fallback would be K1's model
        DeviceAgent afterRevocation = open(s, V1, M3);
        assertFalse(afterRevocation.activeManifest().isPresent(), "a revoked signer's model is not served");
    }
    @Test
    @DisplayName("keeps models signed by two keys when a rotation revokes one and lowers the threshold to 1 (the reviewer's "
            + "Revoke scenario), and says why a slot is invalid when the new root does not accept it either")
    void revokingOneOfTwoSignersKeepsWhatTheCurrentRootAccepts(@TempDir Path dir) throws Exception {
        TrustRoot v1 = Fixtures.trust(2, K1, K2);
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = open(s, v1, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(Fixtures.draft("har", 8, 0, 10, M3).sign(K1, K2)).outcome());
        assertEquals(InstallOutcome.INSTALLED, a.install(Fixtures.draft("har", 9, 0, 11, M3).sign(K1, K2)).outcome());
        // v2: keys K1 and K3, K2 revoked, threshold 1; signed by v1's threshold (K1, K2) and its own (K1)
        TrustRoot v2 = v1.toBuilder().version(2).removeKey(K2.keyId()).key(K3.publicKey()).revoke(K2.keyId())
                .threshold(1).build().signedBy(K1, K2);
        a.rotateTrust(v2);
        assertTrue(a.activeSlotVerifies(), "v2 accepts the har-9 bundle (K1 is one of 1 required)");
        assertEquals(Optional.empty(), a.status().slotProblem());
        DeviceAgent rebooted = open(s, v1, M3);
        assertEquals(2, rebooted.trust().version());
        DeviceAgentTest.assertServes(rebooted, 11);
        assertEquals(9, rebooted.status().activeSequence());
        assertEquals(Optional.empty(), rebooted.status().slotProblem());

        // v3 keeps threshold 2 with K1 and K3: a K1+K2 bundle now has 1 of 2 under v1 and under v3, so it is invalid
        TrustRoot v3 = v2.toBuilder().version(3).threshold(2).build().signedBy(K1, K3);
        rebooted.rotateTrust(v3);
        assertFalse(rebooted.activeSlotVerifies());
        String running = rebooted.status().slotProblem().orElseThrow();
        assertTrue(running.contains("revokes a signer") && running.contains("until the next restart"), running);
        DeviceAgentTest.assertServes(rebooted, 11); // keeps running until restart, as documented
        DeviceAgent afterV3 = open(s, v1, M3);
        assertFalse(afterV3.activeManifest().isPresent());
        String why = afterV3.status().slotProblem().orElseThrow();
        assertTrue(why.contains("trust version 3 revokes a signer") && why.contains("no model runs"), why);
    }
}
