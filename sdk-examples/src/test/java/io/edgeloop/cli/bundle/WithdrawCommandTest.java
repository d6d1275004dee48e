package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli;
import io.edgeloop.ota.server.ChannelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeloop bundle withdraw}: the operator's way out of a channel frozen at sequence 2^63-1 by a bundle signed
 * outside the trust root (review s16 newcomer finding), with keys, trust file and bundles made by the CLI itself.
 */
@DisplayName("edgeloop bundle withdraw unfreezes a channel")
class WithdrawCommandTest {
    private InProcessCli.Result last;

    private int run(String... args) {
        last = InProcessCli.run(args);
        return last.code();
    }

    private Path create(Path dir, long sequence, String key, String out) throws Exception {
        Path b = dir.resolve(out);
        assertEquals(0, run("bundle", "create", "--model", BundleCommandTest.modelDir(dir, "avr8").toString(),
                "--name", "har", "--sequence", Long.toString(sequence), "--version", "1." + sequence % 1000 + ".0",
                "--key", dir.resolve(key + "/private.pem").toString(), "--expires", "3600", "--runtime", "edgeloop-int",
                "--runtime-versions", "*", "--out", b.toString()), last.err());
        return b;
    }

    /** A key pair in {@code dir/<name>} for each name, and a trust file of the first one's key (threshold 1). */
    private Path keys(Path dir, String trusted, String other) throws Exception {
        for (String k : new String[] {trusted, other}) {
            assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve(k).toString()), last.err());
        }
        Path trust = dir.resolve(trusted + "-trust.json");
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve(trusted + "/public.pem").toString(), "--threshold",
                "1", "--out", trust.toString()), last.err());
        return trust;
    }

    @Test
    @DisplayName("withdraws a wrong-key publication at 2^63-1 back to the last trusted one; refuses a trusted one, "
            + "a channel with nothing published and a directory that is not a store, each in one line")
    void withdrawsAFrozenChannel(@TempDir Path dir) throws Exception {
        Path trust = keys(dir, "good", "evil");
        Path h7 = create(dir, 7, "good", "har-7.bundle");
        Path evil = create(dir, Long.MAX_VALUE - 1, "evil", "evil-max.bundle");
        Path h8 = create(dir, 8, "good", "har-8.bundle");
        Path root = dir.resolve("store");
        ChannelStore unverified = ChannelStore.withoutVerification(root); // the freeze, as a store without a trust root allows it
        unverified.publish(h7, "stable");
        unverified.publish(evil, "stable");

        assertEquals(0, run("bundle", "withdraw", "--store", root.toString(), "--channel", "stable", "--trust",
                trust.toString(), "--json"), last.err());
        JsonNode r = new ObjectMapper().readTree(last.out());
        assertEquals(Long.MAX_VALUE - 1, r.path("withdrawn").path("sequence").asLong(), last.out());
        assertEquals("unknown-key", r.path("check").asText());
        assertEquals(7, r.path("latest").path("sequence").asLong());
        assertTrue(Files.isRegularFile(Path.of(r.path("movedTo").asText())), last.out());
        assertEquals(8, unverified.publish(h8, "stable").sequence(), "the channel moves again");

        assertEquals(1, run("bundle", "withdraw", "--store", root.toString(), "--channel", "stable", "--trust",
                trust.toString()));
        assertOneLine("devices may have installed it");
        assertEquals(8, unverified.latest("stable").orElseThrow().sequence(), "a refused withdrawal changes nothing");
        assertEquals(1, run("bundle", "withdraw", "--store", root.toString(), "--channel", "beta", "--trust",
                trust.toString()));
        assertOneLine("nothing is published on channel beta");
        assertEquals(1, run("bundle", "withdraw", "--store", dir.resolve("typo").toString(), "--channel", "stable",
                "--trust", trust.toString()));
        assertOneLine("is not a channel store");
        assertFalse(Files.exists(dir.resolve("typo")), "a mistyped --store is not created");
    }

    @Test
    @DisplayName("refuses, in one line and changing nothing, a trust file that accepts none of the channel's "
            + "bundles (another fleet's): before, it withdrew the trusted latest 8 and left the channel empty")
    void refusesAForeignTrustFile(@TempDir Path dir) throws Exception {
        Path foreign = keys(dir, "other", "good"); // another fleet's trust file
        Path root = dir.resolve("store");
        ChannelStore store = ChannelStore.withoutVerification(root);
        store.publish(create(dir, 7, "good", "har-7.bundle"), "stable");
        store.publish(create(dir, 8, "good", "har-8.bundle"), "stable");
        Map<String, String> before = snapshot(root);

        assertEquals(1, run("bundle", "withdraw", "--store", root.toString(), "--channel", "stable", "--trust",
                foreign.toString()));
        assertOneLine("accepts none of the 2 bundles of har stored on channel stable: is it the devices' trust file?");
        assertEquals(before, snapshot(root), "a refused withdrawal changes nothing");
        assertEquals(8, store.latest("stable").orElseThrow().sequence());
    }

    @Test
    @DisplayName("with --previous, bundles signed by a key a rotation removed count as installed: the frozen channel "
            + "goes back to 8, not 5; --previous files out of order are refused in one line")
    void previousTrustFilesCountARemovedKey(@TempDir Path dir) throws Exception {
        Path v1 = keys(dir, "a", "b"); // version 1: key a
        Path v2 = dir.resolve("v2.json");
        Path v3 = dir.resolve("v3.json");
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("a/public.pem").toString(), "--key",
                dir.resolve("b/public.pem").toString(), "--threshold", "1", "--previous", v1.toString(), "--sign",
                dir.resolve("a/private.pem").toString(), "--out", v2.toString()), last.err());
        // version 3 removes key a (lists b only), signed by both
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("b/public.pem").toString(), "--threshold", "1",
                "--previous", v2.toString(), "--sign", dir.resolve("a/private.pem").toString(), "--sign",
                dir.resolve("b/private.pem").toString(), "--out", v3.toString()), last.err());
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("evil").toString()),
                last.err());
        Path root = dir.resolve("store");
        ChannelStore store = ChannelStore.withoutVerification(root);
        store.publish(create(dir, 5, "b", "har-5.bundle"), "stable");
        store.publish(create(dir, 8, "a", "har-8.bundle"), "stable");
        store.publish(create(dir, Long.MAX_VALUE - 1, "evil", "evil-max.bundle"), "stable");
        Map<String, String> before = snapshot(root);

        assertEquals(1, run("bundle", "withdraw", "--store", root.toString(), "--channel", "stable", "--trust",
                v3.toString(), "--previous", v2.toString(), "--previous", v1.toString()));
        assertOneLine("oldest first");
        assertEquals(before, snapshot(root), "a refused withdrawal changes nothing");
        assertEquals(0, run("bundle", "withdraw", "--store", root.toString(), "--channel", "stable", "--trust",
                v3.toString(), "--previous", v1.toString(), "--previous", v2.toString(), "--json"), last.err());
        assertEquals(8, new ObjectMapper().readTree(last.out()).path("latest").path("sequence").asLong(), last.out());
    }

    private static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                m.put(root.relativize(f).toString(), Files.isRegularFile(f) ? Files.readString(f,
                        java.nio.charset.StandardCharsets.ISO_8859_1) : "dir");
            }
        }
        return m;
    }

    private void assertOneLine(String text) {
        String e = last.err().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("edgeloop: ") && e.contains(text), e);
    }
}
