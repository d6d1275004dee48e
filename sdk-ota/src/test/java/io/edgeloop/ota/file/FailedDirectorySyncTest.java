package io.edgeloop.ota.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.BundleWriter;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.UpdateServer;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.KeyPairFiles;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import io.edgeloop.tck.powercut.MemoryTempDir;
import io.edgeloop.tck.powercut.PowerCutFileSystem;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writers outside the device's state (the update server's channel store, bundle create, trust files, keygen)
 * each report a file written, so a failed sync of its directory after the rename must fail the write: until
 * 2026-12-03 they synced through {@link AtomicFiles#syncDirectory}, which ignores the failure, and returned as done
 * what a power cut then took back. Each test cuts the power exactly at that directory sync (found by running the
 * same deterministic workload on a file system of its own first, as {@code OtaPowerCutFindingsTest} does) and reads
 * what {@link PowerCutFileSystem}'s strict view keeps.
 */
class FailedDirectorySyncTest {
    private static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 71);
    private static final TrustRoot TRUST = Fixtures.trust(1, K);
    private static final Clock NOW = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);

    @TempDir(factory = MemoryTempDir.class)
    Path tmp;

    /** Steps on the file system under test; {@code root} is its root, a path of that file system. */
    @FunctionalInterface
    interface Workload {
        void run(Path root) throws Exception;
    }

    /** A run cut at the directory sync after a move; {@code after} holds what the strict view kept. */
    private record Cut(PowerCutFileSystem fs, Path live, IOException thrown, Path after) {
    }

    /**
     * Runs {@code setup} then {@code write} on a file system of their own to find the sync of the directory that
     * follows {@code write}'s last move (rename or link) of a file named {@code name}, then runs them again with the
     * power cut at exactly that sync, which {@code write} must throw.
     */
    private Cut cutAtSyncAfterMove(Workload setup, Workload write, String name) throws Exception {
        return cutAtSyncAfterMove(tmp, setup, write, name);
    }

    /** {@link #cutAtSyncAfterMove(Workload, Workload, String)} with its directories under {@code base}. */
    private Cut cutAtSyncAfterMove(Path base, Workload setup, Workload write, String name) throws Exception {
        PowerCutFileSystem dry = PowerCutFileSystem.wrap(Files.createDirectories(base.resolve("dry")))
                .realSyncs(false);
        setup.run(dry.root());
        write.run(dry.root());
        List<String> ops = dry.recentOperations();
        long sync = -1;
        for (int i = ops.size() - 1; i >= 0 && sync < 0; i--) {
            String op = ops.get(i);
            if ((op.contains(" rename ") || op.contains(" link ")) && (op.endsWith("-> " + name)
                    || op.endsWith("/" + name))) {
                for (int j = i + 1; j < ops.size() && sync < 0; j++) {
                    if (ops.get(j).contains(" fsync ")) { // the directory's, opened after the move
                        assertFalse(ops.get(j).endsWith(".tmp"), "the move is followed by its directory's sync: "
                                + ops);
                        sync = Long.parseLong(ops.get(j).substring(0, ops.get(j).indexOf(' ')));
                    }
                }
            }
        }
        assertTrue(sync > 0, "no move to " + name + " among the last operations: " + ops);

        Path live = Files.createDirectories(base.resolve("live"));
        PowerCutFileSystem fs = PowerCutFileSystem.wrap(live).realSyncs(false);
        setup.run(fs.root());
        fs.cutAt(sync);
        IOException thrown = assertThrows(IOException.class, () -> write.run(fs.root()),
                "the write returned although its directory sync failed: a power cut takes it back");
        assertTrue(fs.isCut(), thrown.toString());
        Path after = base.resolve("after");
        fs.materialize(after, PowerCutFileSystem.Variant.STRICT, 0);
        return new Cut(fs, live, thrown, after);
    }

    private static BundleVerifier verifier() {
        return new BundleVerifier(TRUST, BundleLimits.DEFAULT, NOW);
    }

    private Path bundleFile(long sequence) throws IOException {
        Path f = tmp.resolve("har-" + sequence + ".bundle");
        Files.write(f, Fixtures.draft("har", sequence, 0, (int) sequence, TargetProfile.JVM).sign(K));
        return f;
    }

    @Test
    @DisplayName("a publish whose channel directory sync fails after latest.json's rename throws, saying it did not"
            + " complete; publishing the same bundle again completes it")
    void publishWhoseSyncFailsThrows() throws Exception {
        Path one = bundleFile(1);
        Path two = bundleFile(2);
        Cut c = cutAtSyncAfterMove(
                root -> new ChannelStore(root.resolve("srv"), verifier()).publish(one, "stable"),
                root -> new ChannelStore(root.resolve("srv"), verifier()).publish(two, "stable"),
                "latest.json");
        assertTrue(c.thrown().getMessage().contains("publishing har sequence 2 on channel stable did not complete"),
                c.thrown().getMessage());
        ChannelStore restarted = new ChannelStore(c.after().resolve("srv"), verifier());
        assertEquals(1, restarted.latest("stable").orElseThrow().sequence(), "what a power cut leaves");
        assertEquals(Sha256.hex(Files.readAllBytes(two)), restarted.publish(two, "stable").sha256());
        assertEquals(2, restarted.latest("stable").orElseThrow().sequence());
    }

    @Test
    @DisplayName("the update server answers 500 to a publish whose channel directory sync fails, not the publication")
    void serverAnswers500WhenThePublishSyncFails() throws Exception {
        byte[] two = Files.readAllBytes(bundleFile(2));
        Path one = bundleFile(1);
        HttpClient client = HttpClient.newHttpClient();
        // The cut is found by operation number in a dry run; how the server's reads split the upload (and so how
        // many writes store it) can differ between two runs on a loaded machine, which moves the sync to another
        // number. A run whose cut missed the sync is tried again (at most 5 times); the old code never answers
        // "did not complete", so it fails every attempt.
        List<String> missed = new java.util.ArrayList<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
            try {
                Cut c = cutAtSyncAfterMove(tmp.resolve("attempt-" + attempt),
                        root -> new ChannelStore(root.resolve("srv"), verifier()).publish(one, "stable"),
                        root -> {
                            try (UpdateServer s = new UpdateServer(new ChannelStore(root.resolve("srv"), verifier()),
                                    new InetSocketAddress("127.0.0.1", 0), 1 << 24)) {
                                answer.set(client.send(HttpRequest.newBuilder(URI.create(s.url() + "/channels/stable"))
                                        .PUT(HttpRequest.BodyPublishers.ofByteArray(two)).build(),
                                        HttpResponse.BodyHandlers.ofString()));
                            }
                            if (answer.get().statusCode() != 200) {
                                throw new IOException(answer.get().statusCode() + " " + answer.get().body());
                            }
                        },
                        "latest.json");
                assertEquals(500, answer.get().statusCode(), answer.get().body());
                assertTrue(answer.get().body().contains("did not complete"), answer.get().body());
                assertEquals(1, new ChannelStore(c.after().resolve("srv"), verifier()).latest("stable")
                        .orElseThrow().sequence());
                return;
            } catch (AssertionError e) {
                missed.add(e.getMessage());
            }
        }
        throw new AssertionError("no attempt's cut met the sync after latest.json's rename with a 500 'did not "
                + "complete': " + missed);
    }

    @Test
    @DisplayName("a bundle write whose directory sync fails throws; the strict view still holds the old bundle")
    void bundleWriteWhoseSyncFailsThrows() throws Exception {
        Fixtures.Draft v1 = Fixtures.draft("har", 1, 0, 1, TargetProfile.JVM);
        Fixtures.Draft v2 = Fixtures.draft("har", 2, 0, 2, TargetProfile.JVM);
        Cut c = cutAtSyncAfterMove(
                root -> BundleWriter.write(v1.build(), v1.artifacts, List.of(K), false, root.resolve("har.bundle")),
                root -> BundleWriter.write(v2.build(), v2.artifacts, List.of(K), false, root.resolve("har.bundle")),
                "har.bundle");
        assertArrayEquals(v1.sign(K), Files.readAllBytes(c.after().resolve("har.bundle")),
                "what a power cut leaves: the bundle reported written is gone");
    }

    @Test
    @DisplayName("a trust file write whose directory sync fails throws; the strict view still holds the old file")
    void trustWriteWhoseSyncFailsThrows() throws Exception {
        TrustRoot v2 = TRUST.toBuilder().version(TRUST.version() + 1).build();
        Cut c = cutAtSyncAfterMove(root -> TRUST.write(root.resolve("trust.json")),
                root -> v2.write(root.resolve("trust.json")), "trust.json");
        assertArrayEquals(TRUST.toBytes(), Files.readAllBytes(c.after().resolve("trust.json")),
                "what a power cut leaves: the trust file reported written is the old one");
    }

    @Test
    @DisplayName("a keygen whose sync after public.pem fails throws naming the key, keeps both files, and a keygen"
            + " after the power cut completes the pair from private.pem")
    void keygenWhosePublicSyncFailsKeepsThePair() throws Exception {
        SigningKey k = Fixtures.key(KeyAlgorithm.ED25519, 5);
        Cut c = cutAtSyncAfterMove(root -> {
        }, root -> k.writePemPair(root.resolve("keys")), "public.pem");
        assertTrue(c.thrown().getMessage().contains("key id " + k.keyId())
                && c.thrown().getMessage().contains("Both files are kept"), c.thrown().getMessage());
        // private.pem is not deleted once its public half is placed (the real files, as the process left them)
        assertTrue(Files.isRegularFile(c.live().resolve("keys/private.pem")));
        assertTrue(Files.isRegularFile(c.live().resolve("keys/public.pem")));
        // private.pem was synced before public.pem was placed: the power cut can take only public.pem back
        Path keys = c.after().resolve("keys");
        assertTrue(Files.isRegularFile(keys.resolve("private.pem")), "private.pem survives");
        assertFalse(Files.exists(keys.resolve("public.pem")), "what a power cut leaves: public.pem was not durable");
        KeyPairFiles.Outcome o = KeyPairFiles.writeOrComplete(keys, KeyAlgorithm.ED25519, new SecureRandom());
        assertTrue(o.completed(), "the retry completes the pair, no new key");
        assertEquals(k.keyId(), o.key().keyId());
        assertEquals(k.keyId(), KeyPairFiles.readSigningKey(keys.resolve("private.pem")).keyId());
    }

    @Test
    @DisplayName("a keygen whose sync after private.pem fails throws before public.pem is placed; after the power cut"
            + " a keygen writes a new pair")
    void keygenWhosePrivateSyncFailsLeavesNoPair() throws Exception {
        SigningKey k = Fixtures.key(KeyAlgorithm.ED25519, 6);
        Cut c = cutAtSyncAfterMove(root -> {
        }, root -> k.writePemPair(root.resolve("keys")), "private.pem");
        assertTrue(c.thrown().getMessage().contains("neither file was written"), c.thrown().getMessage());
        Path keys = c.after().resolve("keys");
        assertFalse(Files.exists(keys.resolve("private.pem")));
        assertFalse(Files.exists(keys.resolve("public.pem")), "never a public half without its private key");
        KeyPairFiles.Outcome o = KeyPairFiles.writeOrComplete(keys, KeyAlgorithm.ED25519, new SecureRandom());
        assertFalse(o.completed());
        assertEquals(o.key().keyId(), KeyPairFiles.readSigningKey(keys.resolve("private.pem")).keyId());
    }
}
