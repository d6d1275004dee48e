package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The channel store on real files: what it refuses, how it repairs, and concurrent publishers. */
class ChannelStoreTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 61);

    static Path bundle(Path dir, String name, long sequence, int seed) throws IOException {
        Path f = dir.resolve(name + "-" + sequence + "-" + seed + ".bundle");
        Files.write(f, Fixtures.opaqueBundle(name, sequence, 2000, seed, K));
        return f;
    }

    @Test
    @DisplayName("refuses an unreadable bundle and a sequence not above the name's latest, keeping the latest")
    void refusesUnreadableAndStale(@TempDir Path dir) throws Exception {
        ChannelStore s = ChannelStore.withoutVerification(dir.resolve("store"));
        Path junk = dir.resolve("junk.bundle");
        Files.writeString(junk, "not a bundle");
        PublicationRefusedException e = assertThrows(PublicationRefusedException.class, () -> s.publish(junk, "stable"));
        assertEquals(PublicationRefusedException.Reason.UNREADABLE, e.reason());
        assertTrue(e.getMessage().contains("junk.bundle") || e.getMessage().contains("not a readable bundle"),
                e.getMessage());
        assertTrue(s.latest("stable").isEmpty(), "nothing published");

        Publication nine = s.publish(bundle(dir, "har", 9, 1), "stable");
        for (Path stale : List.of(bundle(dir, "har", 7, 2), bundle(dir, "har", 9, 3))) {
            PublicationRefusedException x = assertThrows(PublicationRefusedException.class,
                    () -> s.publish(stale, "stable"));
            assertEquals(PublicationRefusedException.Reason.NOT_NEWER, x.reason());
            assertTrue(x.getMessage().contains("har") && x.getMessage().contains("9"), x.getMessage());
            assertEquals(nine, s.latest("stable").orElseThrow(), "the latest is kept");
        }
        assertEquals(nine, s.publish(bundle(dir, "har", 9, 1), "stable"), "the same bundle again is idempotent");
        // A channel carries one model (OneModelPerChannelTest): another model is refused and the har line is kept.
        assertEquals(PublicationRefusedException.Reason.OTHER_MODEL, assertThrows(PublicationRefusedException.class,
                () -> s.publish(bundle(dir, "door", 1, 4), "stable")).reason());
        assertThrows(PublicationRefusedException.class, () -> s.publish(bundle(dir, "har", 8, 5), "stable"));
        assertEquals(10, s.publish(bundle(dir, "har", 10, 6), "stable").sequence());
        try (Stream<Path> l = Files.list(s.root().resolve("channels/stable"))) {
            assertTrue(l.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    @DisplayName("publishing a bundle again repairs its stored copy when that was damaged")
    void republishRepairsDamagedCopy(@TempDir Path dir) throws Exception {
        ChannelStore s = ChannelStore.withoutVerification(dir.resolve("store"));
        Path b = bundle(dir, "har", 9, 1);
        Publication p = s.publish(b, "stable");
        Path stored = s.file("stable", p.sha256()).orElseThrow();
        // What a power cut after an unsynced write and a durable rename can leave.
        Files.write(stored, new byte[0]);
        s.publish(b, "stable");
        assertEquals(Files.size(b), Files.size(stored));
        assertEquals(Sha256.hex(b), Sha256.hex(stored));
        // Same length, wrong bytes.
        byte[] bad = Files.readAllBytes(b);
        bad[bad.length / 2] ^= 1;
        Files.write(stored, bad);
        s.publish(b, "stable");
        assertEquals(Sha256.hex(b), Sha256.hex(stored));
    }

    @Test
    @DisplayName("two stores on one directory publishing at once never tear latest.json (unique temporary names)")
    void concurrentStoresNeverTearLatest(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        ChannelStore a = ChannelStore.withoutVerification(root);
        ChannelStore b = ChannelStore.withoutVerification(root);
        Path bundle = bundle(dir, "har", 5, 1);
        a.publish(bundle, "stable");
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<?> reader = pool.submit(() -> {
                Path latest = root.resolve("channels/stable/latest.json");
                while (!done.get()) {
                    try {
                        byte[] x = Files.readAllBytes(latest);
                        ChannelStore.fromJson(CanonicalJson.parse(x));
                    } catch (IOException | RuntimeException e) {
                        torn.compareAndSet(null, e.toString());
                    }
                }
            });
            List<Future<?>> writers = new ArrayList<>();
            for (ChannelStore s : List.of(a, b, a, b)) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        s.publish(bundle, "stable");
                    }
                    return null;
                }));
            }
            for (Future<?> w : writers) {
                w.get(60, TimeUnit.SECONDS);
            }
            done.set(true);
            reader.get(10, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertEquals(null, torn.get(), "a reader saw a torn or missing latest.json");
        assertEquals(5, a.latest("stable").orElseThrow().sequence());
        String json = Files.readString(root.resolve("channels/stable/latest.json"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"sequence\":5"), json);
    }
}
