package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an update server says when it starts (review s18, newcomer): served with another fleet's trust file, a store
 * started in silence, then refused the fleet's own publish (422 unknown-key) while a bundle of the foreign key moved
 * the channel; and a server on an unverified store advised Java calls even to a command-line user.
 */
@DisplayName("UpdateServer start-up warnings")
class StartupTrustCheckTest {
    static final SigningKey FLEET = Fixtures.key(KeyAlgorithm.ED25519, 81);
    static final SigningKey OTHER = Fixtures.key(KeyAlgorithm.ED25519, 82);

    /** Starts and closes a server on {@code store}; returns what it logged meanwhile (slf4j-simple, on stderr). */
    static String startupLog(ChannelStore store) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (UpdateServer s = new UpdateServer(store, new InetSocketAddress("127.0.0.1", 0), 1 << 24)) {
            assertTrue(s.url().startsWith("http://127.0.0.1:"), s.url()); // started: its start-up checks are done
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        return log;
    }

    /** A store whose channel {@code stable} publishes har 5 and {@code beta} har 6, both signed by the fleet. */
    static Path fleetStore(Path dir) throws Exception {
        Path root = dir.resolve("srv");
        ChannelStore store = UntrustedPublicationTest.trustingStore(root, Fixtures.trust(1, FLEET));
        store.publish(UntrustedPublicationTest.write(dir, "har-5.bundle", UntrustedPublicationTest.har(5, FLEET)),
                "stable");
        store.publish(UntrustedPublicationTest.write(dir, "har-6.bundle", UntrustedPublicationTest.har(6, FLEET)),
                "beta");
        Files.createDirectories(root.resolve("channels/empty"));
        return root;
    }

    @Test
    @DisplayName("served with a trust root that refuses a channel's latest bundle, the server still starts and logs "
            + "one WARN per such channel naming the model, the sequence, the check and the likely cause")
    void warnsPerChannelWhoseLatestTheTrustRootRefuses(@TempDir Path dir) throws Exception {
        Path root = fleetStore(dir);
        TrustRoot other = Fixtures.trust(1, OTHER);
        String log = startupLog(UntrustedPublicationTest.trustingStore(root, other));
        List<String> warns = log.lines().filter(l -> l.contains("WARN")).toList();
        assertEquals(2, warns.size(), log);
        assertTrue(warns.get(0).contains("channel beta's latest publication (har sequence 6) does not verify under "
                + "the store's trust root (version 1, 1 of 1 keys): unknown-key: "), warns.get(0));
        assertTrue(warns.get(1).contains("channel stable's latest publication (har sequence 5)"), warns.get(1));
        for (String w : warns) {
            assertTrue(w.contains("is this the fleet's trust file?"), w);
        }
    }

    @Test
    @DisplayName("served with the trust root that signed every channel's latest, the server logs no warning")
    void quietWithTheFleetsTrustRoot(@TempDir Path dir) throws Exception {
        Path root = fleetStore(dir);
        String log = startupLog(UntrustedPublicationTest.trustingStore(root, Fixtures.trust(1, FLEET)));
        assertFalse(log.contains("WARN"), log);
    }

    @Test
    @DisplayName("a latest publication whose stored bundle is gone is named at start")
    void warnsWhenTheLatestBundleIsMissing(@TempDir Path dir) throws Exception {
        Path root = fleetStore(dir);
        try (var s = Files.list(root.resolve("channels/stable"))) {
            for (Path f : (Iterable<Path>) s::iterator) {
                if (f.toString().endsWith(".bundle")) {
                    Files.delete(f);
                }
            }
        }
        String log = startupLog(UntrustedPublicationTest.trustingStore(root, Fixtures.trust(1, FLEET)));
        assertTrue(log.contains("channel stable's latest publication (har sequence 5) has no stored bundle"), log);
        assertFalse(log.contains("channel beta"), log);
    }

    @Test
    @DisplayName("the WARN of a server on an unverified store ends with the remedy its maker gave, else the Java calls")
    void unverifiedStoreWarningNamesTheGivenRemedy(@TempDir Path dir) throws Exception {
        String cli = startupLog(ChannelStore.withoutVerification(dir.resolve("a"), "pass --trust TRUST.json"));
        assertTrue(cli.contains("has no trust root") && cli.contains("freeze it; pass --trust TRUST.json"), cli);
        assertFalse(cli.contains("ChannelStore") || cli.contains("BundleVerifier"), cli);
        String java = startupLog(ChannelStore.withoutVerification(dir.resolve("b")));
        assertTrue(java.contains("new ChannelStore(root, new BundleVerifier(TrustRoot.read(file)))"), java);
    }
}
