package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An update server given the devices' trust root verifies every upload before it moves a channel (review s16
 * newcomer finding: a bundle signed outside the trust root at sequence 2^63-1 froze the channel for good), and a
 * channel frozen that way by an unverified publication can be withdrawn back to its last trusted one.
 */
class UntrustedPublicationTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 71);
    static final SigningKey K2 = Fixtures.key(KeyAlgorithm.ED25519, 72);
    static final SigningKey EVIL = Fixtures.key(KeyAlgorithm.ED25519, 666);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final Clock NOW = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);
    /** Once per run, so that the same arguments give the same bytes. */
    static final java.time.Instant EXPIRES = java.time.Instant.now().plusSeconds(30L * 86400);
    final HttpClient client = HttpClient.newHttpClient();

    static ChannelStore trustingStore(Path root, TrustRoot trust) throws Exception {
        return new ChannelStore(root, new BundleVerifier(trust, BundleLimits.DEFAULT, NOW));
    }

    static Deployer http(UpdateServer s) {
        return ProviderLoader.of(DeployerProvider.class).select("http")
                .create(ComponentConfig.of(Map.of("url", s.url())));
    }

    static Path write(Path dir, String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    static byte[] har(long sequence, SigningKey... signers) {
        Fixtures.Draft d = Fixtures.draft("har", sequence, 0, (int) (sequence % 1000), TargetProfile.JVM);
        d.manifest.version("1." + sequence % 1000 + ".0"); // a semantic version at any sequence
        // valid at the fixed clock and today: the directory deployer verifies with the system clock
        d.manifest.expiresAt(EXPIRES);
        return d.sign(signers);
    }

    /** Every file under {@code root} by its relative path, with its SHA-256: what "unchanged" means. */
    static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                m.put(root.relativize(f).toString(), Files.isRegularFile(f) ? Sha256.hex(Files.readAllBytes(f)) : "dir");
            }
        }
        return m;
    }

    DeviceAgent device(Path dir) throws Exception {
        return DeviceAgent.builder().deviceId("gw-1").model("har").target(TargetProfile.JVM).trust(TRUST)
                .storage(new FileDeviceStorage(dir.resolve("dev/state"))).staging(dir.resolve("dev/staging"))
                .clock(NOW).open();
    }

    @Test
    @DisplayName("a bundle signed outside the trust root at sequence 2^63-1 is refused with 422 naming unknown-key; "
            + "the channel is unchanged, and a correctly signed later bundle is published and installed by a device")
    void wrongKeyAtMaximumSequenceDoesNotFreezeTheChannel(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("srv");
        try (UpdateServer s = new UpdateServer(trustingStore(root, TRUST), new InetSocketAddress("127.0.0.1", 0),
                1 << 26); Deployer d = http(s)) {
            assertEquals(7, d.publish(write(dir, "har-7.bundle", har(7, K)), "stable").sequence());
            Map<String, String> before = snapshot(root);
            byte[] evil = har(Long.MAX_VALUE, EVIL);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(s.url() + "/channels/stable"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(evil)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(422, r.statusCode(), r.body());
            JsonNode body = CanonicalJson.parse(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("unknown-key", body.path("check").asText(), r.body());
            assertTrue(body.path("error").asText().contains("trust root"), r.body());
            // through the http deployer as a publisher sees it
            DeploymentException e = assertThrows(DeploymentException.class,
                    () -> d.publish(write(dir, "evil-max.bundle", evil), "stable"));
            assertTrue(e.getMessage().contains("HTTP 422") && e.getMessage().contains("unknown-key"), e.getMessage());
            assertEquals(before, snapshot(root), "a refused upload changes nothing in the store");
            assertEquals(7, d.latest("stable").orElseThrow().sequence());

            assertEquals(8, d.publish(write(dir, "har-8.bundle", har(8, K)), "stable").sequence());
            DeviceAgent agent = device(dir);
            assertEquals(InstallOutcome.INSTALLED, agent.poll(d, "stable").outcome());
            assertEquals(8, agent.status().activeSequence());
        }
    }

    @Test
    @DisplayName("every check devices apply that does not depend on the device is applied to uploads: below the "
            + "threshold, expired, an artifact changed after signing; each refused with its check, nothing changed")
    void refusesWhatDevicesWouldRefuse(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("srv");
        byte[] expired;
        {
            var draft = Fixtures.draft("har", 20, 0, 3, TargetProfile.JVM);
            draft.manifest.expiresAt(Fixtures.NOW.minusSeconds(1));
            expired = draft.sign(K, K2);
        }
        Map<String, byte[]> cases = new java.util.LinkedHashMap<>();
        cases.put(Check.THRESHOLD.id(), har(19, K));
        cases.put(Check.EXPIRED.id(), expired);
        cases.put(Check.DIGEST.id(), tamper(har(21, K, K2)));
        try (UpdateServer s = new UpdateServer(trustingStore(root, Fixtures.trust(2, K, K2)),
                new InetSocketAddress("127.0.0.1", 0), 1 << 26); Deployer d = http(s)) {
            assertEquals(5, d.publish(write(dir, "har-5.bundle", har(5, K, K2)), "stable").sequence());
            Map<String, String> before = snapshot(root);
            for (Map.Entry<String, byte[]> c : cases.entrySet()) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(s.url() + "/channels/stable"))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(c.getValue())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(422, r.statusCode(), c.getKey() + ": " + r.body());
                assertTrue(r.body().contains("\"check\":\"" + c.getKey() + "\""), r.body());
                assertEquals(before, snapshot(root), c.getKey());
            }
            assertEquals(6, d.publish(write(dir, "har-6.bundle", har(6, K, K2)), "stable").sequence());
        }
    }

    @Test
    @DisplayName("the directory deployer given the trust file refuses a wrong-key bundle naming the check, the "
            + "channel unchanged; an unreadable trust file is an error naming it, not an unverified publish")
    void directoryDeployerVerifiesWithItsTrustFile(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        Path trustFile = dir.resolve("trust.json");
        TRUST.write(trustFile);
        try (Deployer d = ProviderLoader.of(DeployerProvider.class).select("directory").create(ComponentConfig.of(
                Map.of("root", root.toString(), "trust", trustFile.toString())))) {
            assertEquals(7, d.publish(write(dir, "har-7.bundle", har(7, K)), "stable").sequence());
            Map<String, String> before = snapshot(root);
            DeploymentException e = assertThrows(DeploymentException.class,
                    () -> d.publish(write(dir, "evil-max.bundle", har(Long.MAX_VALUE, EVIL)), "stable"));
            assertTrue(e.getMessage().contains("unknown-key"), e.getMessage());
            assertEquals(before, snapshot(root));
        }
        try (Deployer d = ProviderLoader.of(DeployerProvider.class).select("directory").create(ComponentConfig.of(
                Map.of("root", root.toString(), "trust", dir.resolve("missing.json").toString())))) {
            DeploymentException e = assertThrows(DeploymentException.class,
                    () -> d.publish(dir.resolve("har-7.bundle"), "stable"));
            assertTrue(e.getMessage().contains("missing.json"), e.getMessage());
        }
    }

    @Test
    @DisplayName("the directory deployer refuses a trust file edited after signing (a key added), as devices refuse "
            + "to adopt it: a bundle signed by the added key does not move the channel")
    void directoryDeployerRefusesATrustFileEditedAfterSigning(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        TrustRoot v2 = TRUST.toBuilder().version(2).build().signedBy(K);
        Path good = dir.resolve("trust-v2.json");
        v2.write(good);
        // the same file with EVIL's key added to what K signed: no device adopts it (not signed over its content)
        com.fasterxml.jackson.databind.node.ObjectNode edited =
                (com.fasterxml.jackson.databind.node.ObjectNode) CanonicalJson.parse(v2.toBytes());
        edited.set("signed", CanonicalJson.parse(v2.toBuilder().key(EVIL.publicKey()).build().toBytes()).get("signed"));
        Path trustFile = Files.write(dir.resolve("trust-edited.json"), CanonicalJson.bytes(edited));
        try (Deployer d = ProviderLoader.of(DeployerProvider.class).select("directory").create(ComponentConfig.of(
                Map.of("root", root.toString(), "trust", good.toString())))) {
            assertEquals(7, d.publish(write(dir, "har-7.bundle", har(7, K)), "stable").sequence());
        }
        Map<String, String> before = snapshot(root);
        try (Deployer d = ProviderLoader.of(DeployerProvider.class).select("directory").create(ComponentConfig.of(
                Map.of("root", root.toString(), "trust", trustFile.toString())))) {
            // old code: published, the channel frozen at 2^63-1 by a bundle every device refuses (unknown-key)
            DeploymentException e = assertThrows(DeploymentException.class,
                    () -> d.publish(write(dir, "evil-max.bundle", har(Long.MAX_VALUE, EVIL)), "stable"));
            assertTrue(e.getMessage().contains(trustFile.toString())
                    && e.getMessage().contains("not signed by its own threshold"), e.getMessage());
        }
        assertEquals(before, snapshot(root), "nothing published");
    }

    /** The bundle with one byte of its artifact changed, re-packed with its original (now wrong) manifest. */
    static byte[] tamper(byte[] bundle) throws Exception {
        List<Fixtures.Raw> out = new java.util.ArrayList<>();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.io.ByteArrayInputStream(bundle))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] b = in.readAllBytes();
                if (e.getName().startsWith("artifacts/")) {
                    b[b.length / 2] ^= 1;
                }
                out.add(Fixtures.Raw.file(e.getName(), b));
            }
        }
        return Fixtures.rawTar(out);
    }

    @Test
    @DisplayName("a channel frozen at 2^63-1 by an unverified publication is withdrawn back to its last trusted "
            + "publication; correct publications and installs resume; a trusted publication cannot be withdrawn")
    void withdrawsAFrozenChannel(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("srv");
        // the freeze, as a server without a trust root (or an SDK before 2026-12-02) allowed it
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(root), new InetSocketAddress("127.0.0.1", 0),
                1 << 26); Deployer d = http(s)) {
            d.publish(write(dir, "har-7.bundle", har(7, K)), "stable");
            d.publish(write(dir, "evil-max.bundle", har(Long.MAX_VALUE, EVIL)), "stable");
            DeploymentException frozen = assertThrows(DeploymentException.class,
                    () -> d.publish(write(dir, "har-8.bundle", har(8, K)), "stable"));
            assertTrue(frozen.getMessage().contains("HTTP 409"), frozen.getMessage());
            // no higher sequence exists: the refusal names the way out instead of "publish a higher sequence"
            assertTrue(frozen.getMessage().contains("channel stable already has har sequence " + Long.MAX_VALUE
                    + "; the uploaded body has sequence 8: the channel is frozen at the highest sequence there is; if "
                    + "its devices refuse that publication, take it off with ChannelStore.withdraw (edgeloop bundle "
                    + "withdraw)"), frozen.getMessage());
        }
        String evilSha = Sha256.hex(har(Long.MAX_VALUE, EVIL));
        assertThrows(IllegalStateException.class, () -> ChannelStore.withoutVerification(root).withdraw("stable"));

        Withdrawal w = trustingStore(root, TRUST).withdraw("stable");
        assertEquals(Long.MAX_VALUE, w.withdrawn().sequence());
        assertEquals(Check.UNKNOWN_KEY, w.refusedBy());
        assertEquals(7, w.restored().orElseThrow().sequence());
        assertEquals(root.resolve("withdrawn/stable/" + evilSha + ".bundle"), w.movedTo());
        assertTrue(Files.isRegularFile(w.movedTo()), "the withdrawn bundle is kept for inspection");
        assertFalse(Files.exists(root.resolve("channels/stable/" + evilSha + ".bundle")), "and no longer served");
        String names = Files.readString(root.resolve("channels/stable/names.json"));
        assertTrue(names.contains("\"sequence\":7"), names);

        try (UpdateServer s = new UpdateServer(trustingStore(root, TRUST), new InetSocketAddress("127.0.0.1", 0),
                1 << 26); Deployer d = http(s)) {
            assertEquals(7, d.latest("stable").orElseThrow().sequence());
            DeviceAgent agent = device(dir);
            assertEquals(InstallOutcome.INSTALLED, agent.poll(d, "stable").outcome());
            assertEquals(7, agent.status().activeSequence());
            // the floor is 7: the device's installed sequence is never offered lower as new
            DeploymentException old = assertThrows(DeploymentException.class,
                    () -> d.publish(write(dir, "har-6.bundle", har(6, K)), "stable"));
            assertTrue(old.getMessage().contains("HTTP 409"), old.getMessage());
            assertEquals(8, d.publish(dir.resolve("har-8.bundle"), "stable").sequence());
            assertEquals(InstallOutcome.INSTALLED, agent.poll(d, "stable").outcome());
            assertEquals(8, agent.status().activeSequence());
        }
        Map<String, String> before = snapshot(root);
        WithdrawalRefusedException refused = assertThrows(WithdrawalRefusedException.class,
                () -> trustingStore(root, TRUST).withdraw("stable"));
        assertTrue(refused.getMessage().contains("devices may have installed it"), refused.getMessage());
        assertEquals(before, snapshot(root), "a refused withdrawal changes nothing");
    }

    @Test
    @DisplayName("a store built with its devices' archive limits refuses, as size-limit, a correctly signed bundle "
            + "those devices refuse; the channel is not published")
    void appliesTheVerifiersArchiveLimits(@TempDir Path dir) throws Exception {
        // a small gateway: 64 bytes per entry, 256 in all
        BundleVerifier devices = new BundleVerifier(TRUST, new BundleLimits(256, 64, 256, 4 << 20, 64 << 10, 200),
                NOW);
        byte[] bundle = har(5, K);
        BundleVerificationException device = assertThrows(BundleVerificationException.class,
                () -> devices.verify(bundle, VerificationPolicy.builder().build()));
        assertEquals(Check.SIZE_LIMIT, device.check(), "what a device holding these limits does");
        Path root = dir.resolve("srv");
        ChannelStore store = new ChannelStore(root, devices);
        PublicationRefusedException e = assertThrows(PublicationRefusedException.class,
                () -> store.publish(write(dir, "har-5.bundle", bundle), "stable"));
        assertEquals(Optional.of(Check.SIZE_LIMIT), e.check(), e.getMessage());
        assertTrue(e.getMessage().contains("archive limits"), e.getMessage());
        assertTrue(store.latest("stable").isEmpty());
        assertFalse(Files.exists(root.resolve("channels/stable/names.json")), "no floor was raised");
        // the same store with the default limits publishes it: the limits, not the bundle, refused it
        assertEquals(5, trustingStore(root, TRUST).publish(dir.resolve("har-5.bundle"), "stable").sequence());
    }

    @Test
    @DisplayName("withdrawing with a trust file that accepts none of the channel's bundles (another fleet's) is "
            + "refused and changes nothing; a channel whose bad bundle is the only one is withdrawn to nothing only "
            + "when that is confirmed")
    void wrongTrustFileDoesNotEmptyAHealthyChannel(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("srv");
        ChannelStore store = trustingStore(root, TRUST);
        store.publish(write(dir, "har-7.bundle", har(7, K)), "stable");
        store.publish(write(dir, "har-8.bundle", har(8, K)), "stable");
        Map<String, String> before = snapshot(root);
        ChannelStore foreign = trustingStore(root, Fixtures.trust(1, EVIL));
        WithdrawalRefusedException refused = assertThrows(WithdrawalRefusedException.class,
                () -> foreign.withdraw("stable"));
        assertTrue(refused.getMessage().contains("accepts none of the 2 bundles of har stored on channel stable")
                && refused.getMessage().contains("is it the devices' trust file?"), refused.getMessage());
        assertEquals(before, snapshot(root), "a refused withdrawal changes nothing");
        assertEquals(8, store.latest("stable").orElseThrow().sequence());

        // the real freeze with nothing trusted behind it: the bad bundle is the only one ever stored
        ChannelStore.withoutVerification(root).publish(write(dir, "evil-max.bundle", har(Long.MAX_VALUE, EVIL)), "beta");
        Map<String, String> frozen = snapshot(root);
        WithdrawalRefusedException only = assertThrows(WithdrawalRefusedException.class,
                () -> store.withdraw("beta"));
        assertTrue(only.getMessage().contains("accepts none of the 1 bundle of har")
                && only.getMessage().contains("--leave-empty"), only.getMessage());
        assertEquals(frozen, snapshot(root));
        Withdrawal w = store.withdraw("beta", true);
        assertEquals(Long.MAX_VALUE, w.withdrawn().sequence());
        assertTrue(w.restored().isEmpty());
        assertTrue(store.latest("beta").isEmpty());
        assertEquals(7, store.publish(dir.resolve("har-7.bundle"), "beta").sequence(), "the channel moves again");
    }
}
