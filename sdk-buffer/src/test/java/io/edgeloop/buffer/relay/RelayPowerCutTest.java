package io.edgeloop.buffer.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.wire.BatchFormatException;
import io.edgeloop.tck.powercut.MemoryTempDir;
import io.edgeloop.tck.powercut.PowerCutFileSystem;
import io.edgeloop.tck.powercut.PowerCutFileSystem.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Power cuts at the relay gateway: a {@link RelayServer} whose {@link BufferRelaySink} appends to a gateway
 * {@link DurableBuffer} on a {@link PowerCutFileSystem}, fed by the real {@code relay} transport over loopback
 * (new batches and re-sends of earlier ones, as a device re-sends after a lost acknowledgement). The power is cut at
 * a seeded operation of the gateway's file system; each durable view ({@link Variant}) is opened as the restarted
 * gateway's buffer on the real file system and read whole. The promises, from {@link RelayServer}'s javadoc ("answers
 * ACK only after the sink returned, that is once the envelopes are durable at the gateway") and
 * {@link BufferRelaySink}'s ("returns once all of them are durable under that buffer's durability policy"):
 * <ol>
 *   <li><b>acknowledged</b>: every envelope of every batch whose {@code send} returned is in the gateway's buffer
 *       after the cut (durability {@code always} and group commit: both sync before the sink returns);</li>
 *   <li><b>opens</b>: the gateway's buffer opens on every view;</li>
 *   <li><b>nothing invented</b>: every relayed record unwraps to an envelope some send was given.</li>
 * </ol>
 */
class RelayPowerCutTest {
    private static final int STEPS = 30;
    /** Cut points per durability; {@code -Dpowercut.cuts=N} runs more. */
    private static final int CUTS = Integer.getInteger("powercut.cuts", 25);

    @TempDir(factory = MemoryTempDir.class)
    Path tmp;

    private static Durability durability(String id) {
        return id.equals("always") ? Durability.always() : Durability.groupCommit(Duration.ofMillis(2), 1 << 20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "group"})
    @DisplayName("after a power cut at the gateway, every envelope it acknowledged is in its buffer")
    void acknowledgedEnvelopesSurviveEveryCut(String durability) throws Exception {
        Trial dry = new Trial(durability, 1, Long.MAX_VALUE, tmp.resolve("dry-" + durability));
        dry.run();
        long operations = dry.fs.operations();
        Random cuts = new Random(durability.hashCode() * 7919L + Long.getLong("powercut.seed", 1));
        int midRun = 0;
        int checked = 0;
        for (int i = 0; i < CUTS; i++) {
            long seed = cuts.nextLong();
            Trial t = new Trial(durability, seed, 1 + (long) (cuts.nextDouble() * operations),
                    tmp.resolve(durability + "-cut-" + i));
            t.run();
            t.fs.cut();
            for (Variant v : Variant.values()) {
                Path out = t.where.resolve("after-" + v);
                t.fs.materialize(out, v, seed);
                checked += t.check(out.resolve("gw"), v.toString());
            }
            midRun += t.cutMidRun ? 1 : 0;
        }
        assertTrue(midRun >= CUTS / 2, "cuts inside the workload: " + midRun + " of " + CUTS);
        assertTrue(checked > 0, "acknowledged envelopes looked for: " + checked);
    }

    /** A relay workload against a gateway on a power-cut file system, and the checks after the cut. */
    private static final class Trial {
        final String durability;
        final long seed;
        final Path where;
        final PowerCutFileSystem fs;
        final Set<String> acknowledged = new HashSet<>();
        final Set<String> given = new HashSet<>();
        final List<String> log = new ArrayList<>();
        boolean cutMidRun;

        Trial(String durability, long seed, long cutAt, Path where) throws IOException {
            this.durability = durability;
            this.seed = seed;
            this.where = where;
            Files.createDirectories(where.resolve("live"));
            this.fs = PowerCutFileSystem.wrap(where.resolve("live")).realSyncs(false);
            fs.cutAt(cutAt);
        }

        void run() throws Exception {
            Random r = new Random(seed);
            DurableBuffer buffer;
            try {
                buffer = DurableBuffer.builder().directory(fs.root().resolve("gw")).deviceId("gateway-1")
                        .durability(durability(durability)).open();
            } catch (IOException e) {
                assertTrue(fs.isCut(), "only the cut fails: " + e + " " + fs.recentOperations());
                cutMidRun = true;
                return;
            }
            try (RelayServer server = RelayServer.builder().sink(new BufferRelaySink(buffer)).start();
                    Transport relay = ProviderLoader.of(TransportProvider.class).select("relay").create(
                            ComponentConfig.of(Map.of("uri", server.uri(), "ack-timeout", "10s")))) {
                List<Batch> earlier = new ArrayList<>();
                long next = 1;
                for (int step = 0; step < STEPS; step++) {
                    Batch b;
                    if (r.nextDouble() < 0.2 && !earlier.isEmpty()) {
                        b = earlier.get(r.nextInt(earlier.size())); // a re-send after a lost acknowledgement
                    } else {
                        int n = 1 + r.nextInt(20);
                        b = batch(next, n, r);
                        next += n;
                    }
                    earlier.add(b);
                    b.envelopes().forEach(e -> given.add(content(e)));
                    log.add("send " + b.envelopes().get(0).key().sequence() + "+" + b.size());
                    try {
                        relay.send(b);
                    } catch (TransportException e) {
                        assertTrue(fs.isCut(), "only the cut fails a send: " + e + " " + fs.recentOperations());
                        cutMidRun = true;
                        break;
                    }
                    b.envelopes().forEach(e -> acknowledged.add(content(e)));
                }
            } finally {
                try {
                    buffer.close();
                } catch (IOException e) {
                    assertTrue(fs.isCut(), "only the cut fails close: " + e);
                }
            }
        }

        private static Batch batch(long first, int n, Random r) {
            List<Envelope> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] payload = ("r" + (first + i) + "-" + "x".repeat(r.nextInt(300)))
                        .getBytes(StandardCharsets.US_ASCII);
                list.add(new Envelope(new IdempotencyKey("dev", "s", 1, first + i), 1_700_000_000_000L + first + i,
                        r.nextInt(4), payload));
            }
            return Batch.of(list);
        }

        private static String content(Envelope e) {
            return e.key() + "@" + e.timestampMillis() + "/" + e.priority() + ":"
                    + new String(e.payloadBytes(), StandardCharsets.US_ASCII);
        }

        /** Opens a view's gateway buffer, reads it whole; returns how many acknowledged envelopes it looked for. */
        int check(Path gw, String view) throws IOException {
            String where = " [" + view + ", " + durability + ", seed " + seed + ", cut after operation "
                    + fs.operations() + "; last operations " + fs.recentOperations() + "; workload " + log + "]";
            Set<String> stored = new HashSet<>();
            if (Files.exists(gw)) {
                try (DurableBuffer b = DurableBuffer.builder().directory(gw).deviceId("gateway-1").open()) {
                    Cursor c = b.cursor("check");
                    for (List<BufferedRecord> rs = c.poll(500, 1 << 22); !rs.isEmpty(); rs = c.poll(500, 1 << 22)) {
                        for (BufferedRecord rec : rs) {
                            try {
                                stored.add(content(RelayedEnvelopes.unwrap(rec.payloadBytes())));
                            } catch (BatchFormatException e) {
                                throw new AssertionError("a relayed record does not unwrap: " + e.getMessage()
                                        + where, e);
                            }
                        }
                        c.commit(rs.get(rs.size() - 1));
                    }
                } catch (IOException e) {
                    throw new AssertionError("the gateway's buffer does not open after the cut: " + e + where, e);
                }
            }
            for (String s : stored) {
                assertTrue(given.contains(s), "the gateway holds an envelope no send was given: " + s + where);
            }
            for (String a : acknowledged) {
                assertTrue(stored.contains(a), "an acknowledged envelope is gone (RelayServer: ACK only once the "
                        + "envelopes are durable at the gateway): " + a.substring(0, Math.min(60, a.length()))
                        + where);
            }
            return acknowledged.size();
        }
    }
}
