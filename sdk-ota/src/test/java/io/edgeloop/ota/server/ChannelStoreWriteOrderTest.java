package io.edgeloop.ota.server;

import static io.edgeloop.ota.server.DamagedWithdrawalTest.frozen;
import static io.edgeloop.ota.server.UntrustedPublicationTest.EXPIRES;
import static io.edgeloop.ota.server.UntrustedPublicationTest.K;
import static io.edgeloop.ota.server.UntrustedPublicationTest.TRUST;
import static io.edgeloop.ota.server.UntrustedPublicationTest.har;
import static io.edgeloop.ota.server.UntrustedPublicationTest.trustingStore;
import static io.edgeloop.ota.server.UntrustedPublicationTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publish or a withdrawal writes two files, {@code latest.json} (what devices act on) and {@code names.json} (the
 * model's floor); a failure or a kill between them must leave the change done or not done as readers and the next
 * publish see it. Before 2026-12-03 a publish wrote {@code names.json} first, so a {@code latest.json} that could not
 * be replaced (made immutable, a full disk) or a kill in between raised the floor while devices still saw the old
 * publication: a different bundle at the failed sequence was then refused {@code NOT_NEWER}, on this and every later
 * start of the store, with nothing telling the operator why.
 */
class ChannelStoreWriteOrderTest {
    private final List<Path> immutable = new ArrayList<>();

    @AfterEach
    void undo() throws Exception {
        ChannelStore.betweenWrites = f -> {
        };
        for (Path f : immutable) {
            new ProcessBuilder("chattr", "-i", f.toString()).inheritIO().start().waitFor();
        }
    }

    /** har at {@code sequence} with other bytes than {@link UntrustedPublicationTest#har} gives (another version). */
    static byte[] otherHar(long sequence) {
        Fixtures.Draft d = Fixtures.draft("har", sequence, 0, (int) (sequence % 1000), TargetProfile.JVM);
        d.manifest.version("2." + sequence % 1000 + ".0");
        d.manifest.expiresAt(EXPIRES);
        return d.sign(K);
    }

    private static ChannelStore storeWithOne(Path dir) throws Exception {
        ChannelStore store = trustingStore(dir.resolve("srv"), TRUST);
        store.publish(write(dir, "har-1.bundle", har(1, K)), "stable");
        return store;
    }

    private static Path stable(ChannelStore store) {
        return store.root().resolve("channels/stable");
    }

    /** What a failed publish of har 2 must leave: 1 latest for a new store too, and another har 2 publishable. */
    private static void assertPublishUndone(Path dir, ChannelStore store, byte[] namesBefore) throws Exception {
        Path channel = stable(store);
        assertEquals(1, store.latest("stable").orElseThrow().sequence());
        assertArrayEquals(namesBefore, Files.readAllBytes(channel.resolve("names.json")), "the floor not raised");
        ChannelStore restarted = trustingStore(store.root(), TRUST);
        assertEquals(1, restarted.latest("stable").orElseThrow().sequence(), "a restart sees the old publication");
        // before: refused, "channel stable already has har sequence 2 ... with other bytes", devices seeing 1
        byte[] other = otherHar(2);
        assertEquals(Sha256.hex(other), restarted.publish(write(dir, "other-2.bundle", other), "stable").sha256());
        assertEquals(Sha256.hex(other), restarted.latest("stable").orElseThrow().sha256());
    }

    @Test
    @DisplayName("a publish whose latest.json cannot be replaced (chattr +i) raises no floor, and another bundle at "
            + "that sequence is published once it can")
    void immutableLatestRaisesNoFloor(@TempDir Path dir) throws Exception {
        ChannelStore store = storeWithOne(dir);
        Path channel = stable(store);
        Path latest = channel.resolve("latest.json");
        byte[] names = Files.readAllBytes(channel.resolve("names.json"));
        Process p = new ProcessBuilder("sh", "-c", "exec chattr +i \"$1\"", "chattr", latest.toString())
                .redirectErrorStream(true).start(); // via sh: no chattr is exit 127, a skip
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // assumption: chattr (e2fsprogs), CAP_LINUX_IMMUTABLE and a file system with the attribute (ext4, xfs, btrfs)
        assumeTrue(p.waitFor() == 0, "needs chattr +i: " + out.strip());
        immutable.add(latest);

        IOException e = assertThrows(IOException.class,
                () -> store.publish(write(dir, "har-2.bundle", har(2, K)), "stable"));
        assertFalse(e instanceof PublicationRefusedException, e.toString());
        new ProcessBuilder("chattr", "-i", latest.toString()).inheritIO().start().waitFor();
        immutable.clear();
        assertPublishUndone(dir, store, names);
    }

    @Test
    @DisplayName("a publish whose names.json cannot be replaced (chattr +i) after latest.json moved is published, and "
            + "the next publish rewrites names.json")
    void immutableNamesAfterTheCommitPublishes(@TempDir Path dir) throws Exception {
        ChannelStore store = storeWithOne(dir);
        Path names = stable(store).resolve("names.json");
        byte[] before = Files.readAllBytes(names);
        Process p = new ProcessBuilder("sh", "-c", "exec chattr +i \"$1\"", "chattr", names.toString())
                .redirectErrorStream(true).start(); // via sh: no chattr is exit 127, a skip
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor() == 0, "needs chattr +i: " + out.strip());
        immutable.add(names);
        // before: names.json was written first, so this failed and changed nothing; now it is the commit's tail
        assertEquals(2, store.publish(write(dir, "har-2.bundle", har(2, K)), "stable").sequence());
        assertArrayEquals(before, Files.readAllBytes(names), "names.json behind latest.json");
        assertEquals(PublicationRefusedException.Reason.NOT_NEWER, assertThrows(PublicationRefusedException.class,
                () -> store.publish(write(dir, "other-2.bundle", otherHar(2)), "stable")).reason());
        new ProcessBuilder("chattr", "-i", names.toString()).inheritIO().start().waitFor();
        immutable.clear();
        store.publish(write(dir, "har-3.bundle", har(3, K)), "stable");
        assertEquals("{\"formatVersion\":\"1.0\",\"names\":{\"har\":{\"sequence\":3,\"sha256\":\""
                + Sha256.hex(har(3, K)) + "\"}}}", Files.readString(names));
    }

    @Test
    @DisplayName("a publish failing between its two writes is done for readers and the next publish: its floor holds")
    void failureAfterLatestKeepsThePublication(@TempDir Path dir) throws Exception {
        ChannelStore store = storeWithOne(dir);
        List<String> written = new ArrayList<>();
        ChannelStore.betweenWrites = f -> {
            written.add(f.getFileName().toString());
            throw new IOException("injected: " + f);
        };
        IOException e = assertThrows(IOException.class,
                () -> store.publish(write(dir, "har-2.bundle", har(2, K)), "stable"));
        assertEquals("injected: " + store.root().resolve("channels/stable/latest.json"), e.getMessage());
        assertEquals(List.of("latest.json"), written, "latest.json is the first write");
        ChannelStore.betweenWrites = f -> {
        };
        // latest.json moved (the commit), names.json still at 1: the floor is 2 all the same
        ChannelStore restarted = trustingStore(store.root(), TRUST);
        assertEquals(Sha256.hex(har(2, K)), restarted.latest("stable").orElseThrow().sha256());
        PublicationRefusedException r = assertThrows(PublicationRefusedException.class,
                () -> restarted.publish(write(dir, "other-2.bundle", otherHar(2)), "stable"));
        assertEquals(PublicationRefusedException.Reason.NOT_NEWER, r.reason());
        restarted.publish(write(dir, "har-2.bundle", har(2, K)), "stable"); // the same bytes: accepted, repairs
        assertEquals("{\"formatVersion\":\"1.0\",\"names\":{\"har\":{\"sequence\":2,\"sha256\":\""
                + Sha256.hex(har(2, K)) + "\"}}}", Files.readString(store.root().resolve("channels/stable/names.json")));
    }

    @Test
    @DisplayName("a store an older SDK's publish was killed in (names.json raised, latest.json old) is recovered: "
            + "another bundle at the raised sequence is published")
    void oldSdkKillBetweenWritesIsRecovered(@TempDir Path dir) throws Exception {
        ChannelStore store = storeWithOne(dir);
        Path channel = stable(store);
        byte[] names = Files.readAllBytes(channel.resolve("names.json"));
        // what a kill between the old order's writes left: the bundle stored, names.json raised, latest.json old
        byte[] two = har(2, K);
        Files.write(channel.resolve(Sha256.hex(two) + ".bundle"), two);
        Files.writeString(channel.resolve("names.json"), "{\"formatVersion\":\"1.0\",\"names\":{\"har\":{\"sequence\""
                + ":2,\"sha256\":\"" + Sha256.hex(two) + "\"}}}");
        ChannelStore restarted = trustingStore(store.root(), TRUST);
        assertEquals(1, restarted.latest("stable").orElseThrow().sequence());
        byte[] other = otherHar(2);
        assertNotEquals(Sha256.hex(two), Sha256.hex(other));
        // before: refused NOT_NEWER ("already has har sequence 2 ... with other bytes") on every start
        assertEquals(Sha256.hex(other), restarted.publish(write(dir, "other-2.bundle", other), "stable").sha256());
        assertEquals(2, restarted.latest("stable").orElseThrow().sequence());
        assertNotEquals(new String(names, StandardCharsets.UTF_8), Files.readString(channel.resolve("names.json")));
    }

    @Test
    @DisplayName("a publish killed between its two writes (latest.json new, names.json old) holds its floor")
    void killAfterLatestHoldsTheFloor(@TempDir Path dir) throws Exception {
        ChannelStore store = storeWithOne(dir);
        Path channel = stable(store);
        byte[] names = Files.readAllBytes(channel.resolve("names.json"));
        byte[] two = har(2, K);
        ChannelStore.betweenWrites = f -> {
            throw new IOException("stands for a kill");
        };
        assertThrows(IOException.class, () -> store.publish(write(dir, "har-2.bundle", two), "stable"));
        ChannelStore.betweenWrites = f -> {
        };
        assertArrayEquals(names, Files.readAllBytes(channel.resolve("names.json")), "as a kill leaves it");
        ChannelStore restarted = trustingStore(store.root(), TRUST);
        assertEquals(Sha256.hex(two), restarted.latest("stable").orElseThrow().sha256());
        // before (names.json was the floor): another har 2 replaced the one devices had installed
        assertEquals(PublicationRefusedException.Reason.NOT_NEWER, assertThrows(PublicationRefusedException.class,
                () -> restarted.publish(write(dir, "other-2.bundle", otherHar(2)), "stable")).reason());
        assertEquals(3, restarted.publish(write(dir, "har-3.bundle", har(3, K)), "stable").sequence());
    }

    @Test
    @DisplayName("a withdrawal failing between its two writes is undone as the next publish sees it; withdrawn again, "
            + "it is done")
    void withdrawalFailingBetweenWritesIsUndone(@TempDir Path dir) throws Exception {
        Path root = frozen(dir); // 7, 8, then 2^63-1 signed outside the trust root
        ChannelStore store = trustingStore(root, TRUST);
        List<String> written = new ArrayList<>();
        ChannelStore.betweenWrites = f -> {
            written.add(f.getFileName().toString());
            throw new IOException("injected");
        };
        assertThrows(IOException.class, () -> store.withdraw("stable"));
        assertEquals(List.of("names.json"), written, "names.json is the withdrawal's first write");
        ChannelStore.betweenWrites = f -> {
        };
        assertEquals(Long.MAX_VALUE, store.latest("stable").orElseThrow().sequence(), "devices see no change");
        // before: names.json lowered to 8 was the floor, so 9 replaced the frozen latest without the withdrawal
        assertEquals(PublicationRefusedException.Reason.NOT_NEWER, assertThrows(PublicationRefusedException.class,
                () -> store.publish(write(dir, "har-9.bundle", har(9, K)), "stable")).reason());
        assertEquals(8, store.withdraw("stable").restored().orElseThrow().sequence());
        assertEquals(9, store.publish(write(dir, "har-9.bundle", har(9, K)), "stable").sequence());
    }
}
