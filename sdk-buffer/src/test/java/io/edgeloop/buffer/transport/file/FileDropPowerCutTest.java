package io.edgeloop.buffer.transport.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.BatchFormatException;
import io.edgeloop.buffer.wire.Compression;
import io.edgeloop.tck.powercut.MemoryTempDir;
import io.edgeloop.tck.powercut.PowerCutFileSystem;
import io.edgeloop.tck.powercut.PowerCutFileSystem.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Power cuts at seeded operations of {@link FileDropTransport} sends on a {@link PowerCutFileSystem} (the
 * transport is built on a path of it through its package-private constructor, as the provider builds it on
 * {@code Path.of(uri)}): new batches, identical re-sends (found in place, no second file), other batches under a
 * taken name (placed at {@code ~<n>}) and restarts (a new transport on the same directory). After each cut the
 * durable view ({@link Variant#STRICT}, {@link Variant#TORN}, {@link Variant#JOURNALED}) is read with the real
 * {@link DropDirectoryReader} and every file name is looked at. What the transport's javadoc promises:
 * <ol>
 *   <li><b>acknowledged</b>: "only then is the batch acknowledged": every batch whose {@code send} returned is in
 *       the drop directory, whole, under a batch name.</li>
 *   <li><b>no torn file</b>: "write to .&lt;name&gt;.tmp-&lt;pid&gt;-&lt;n&gt;, fsync, then place it under
 *       &lt;name&gt;": every file under a batch name decodes whole (the reader reports no problem), and holds a
 *       batch that some send was given.</li>
 *   <li><b>never overwritten</b>: "no acknowledged batch is ever overwritten": a name holds the batch first placed
 *       there.</li>
 * </ol>
 */
class FileDropPowerCutTest {
    private static final int STEPS = 40;
    /** Cut points per compression; {@code -Dpowercut.cuts=N} runs more. */
    private static final int CUTS = Integer.getInteger("powercut.cuts", 40);

    @TempDir(factory = MemoryTempDir.class)
    Path tmp;

    @ParameterizedTest
    @EnumSource(Compression.class)
    @DisplayName("after a power cut at any operation, every acknowledged batch is in the drop directory, whole")
    void acknowledgedBatchesSurviveEveryCut(Compression compression) throws IOException {
        Trial dry = new Trial(compression, 1, Long.MAX_VALUE, tmp.resolve("dry"));
        dry.run();
        long operations = dry.fs.operations();
        Random cuts = new Random(compression.ordinal() * 7919L + Long.getLong("powercut.seed", 1));
        int midRun = 0;
        int checked = 0;
        for (int i = 0; i < CUTS; i++) {
            long seed = cuts.nextLong();
            Trial t = new Trial(compression, seed, 1 + (long) (cuts.nextDouble() * operations),
                    tmp.resolve("cut-" + i));
            t.run();
            t.fs.cut();
            for (Variant v : Variant.values()) {
                Path out = t.where.resolve("after-" + v);
                t.fs.materialize(out, v, seed);
                checked += t.check(out.resolve("drop"), v.toString());
            }
            midRun += t.cutMidRun ? 1 : 0;
        }
        assertTrue(midRun >= CUTS / 2, "cuts inside the workload: " + midRun + " of " + CUTS);
        assertTrue(checked >= CUTS, "acknowledged batches looked for: " + checked);
    }

    /** One batch the workload sent: its envelopes as text, for comparing with what a file decodes to. */
    private record Sent(String name, String content) {
    }

    /** A workload of sends on a power-cut file system, what was acknowledged, and the checks after the cut. */
    private static final class Trial {
        final Compression compression;
        final long seed;
        final Path where;
        final PowerCutFileSystem fs;
        final BatchCodec codec;
        final List<Sent> acknowledged = new ArrayList<>();
        /** Every batch given to send, acknowledged or not: a file may hold only one of these. */
        final List<Sent> given = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        boolean cutMidRun;

        Trial(Compression compression, long seed, long cutAt, Path where) throws IOException {
            this.compression = compression;
            this.seed = seed;
            this.where = where;
            // the drop directory exists before the transport runs (it is never created: a mounted medium)
            Files.createDirectories(where.resolve("live").resolve("drop"));
            this.fs = PowerCutFileSystem.wrap(where.resolve("live")).realSyncs(false);
            fs.cutAt(cutAt);
            this.codec = BatchCodec.of(compression);
        }

        void run() throws IOException {
            Random r = new Random(seed);
            Path drop = fs.root().resolve("drop");
            FileDropTransport t = new FileDropTransport(drop, codec, true);
            List<Batch> earlier = new ArrayList<>();
            long next = 1;
            try {
                for (int step = 0; step < STEPS; step++) {
                    double d = r.nextDouble();
                    Batch b;
                    if (d < 0.1) {
                        t.close();
                        t = new FileDropTransport(drop, codec, true);
                        log.add("restart");
                        continue;
                    } else if (d < 0.25 && !earlier.isEmpty()) {
                        b = earlier.get(r.nextInt(earlier.size())); // a re-send after a lost acknowledgement
                    } else if (d < 0.35 && !earlier.isEmpty()) {
                        // another batch under the same keys (other payloads): placed beside, never over, the first
                        Batch e = earlier.get(r.nextInt(earlier.size()));
                        b = batch(e.envelopes().get(0).key().sequence(), e.size(), "again" + step + "-", r);
                    } else {
                        int n = 1 + r.nextInt(30);
                        b = batch(next, n, "r", r);
                        next += n;
                    }
                    earlier.add(b);
                    Sent s = new Sent(FileDropTransport.fileName(b.envelopes().get(0).key(),
                            b.envelopes().get(b.size() - 1).key()), content(b.envelopes()));
                    given.add(s);
                    log.add("send " + s.name() + " (" + b.size() + ")");
                    t.send(b);
                    acknowledged.add(s);
                }
            } catch (TransportException e) {
                if (!fs.isCut()) {
                    throw e;
                }
                cutMidRun = true;
            }
        }

        private static Batch batch(long first, int n, String prefix, Random r) {
            List<Envelope> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] payload = (prefix + (first + i) + "-" + "x".repeat(r.nextInt(200)))
                        .getBytes(StandardCharsets.US_ASCII);
                list.add(new Envelope(new IdempotencyKey("dev", "s", 1, first + i), 1_700_000_000_000L + first + i,
                        0, payload));
            }
            return Batch.of(list);
        }

        private static String content(List<Envelope> envelopes) {
            return envelopes.stream().map(e -> e.key() + "@" + e.timestampMillis() + "/" + e.priority() + ":"
                    + HexFormat.of().formatHex(e.payloadBytes())).collect(Collectors.joining("\n"));
        }

        /** Checks the drop directory of a view; returns how many acknowledged batches it looked for. */
        int check(Path drop, String view) throws IOException {
            String where = " [" + view + ", " + compression + ", seed " + seed + ", cut after operation "
                    + fs.operations() + "; last operations " + fs.recentOperations() + "; workload " + log + "]";
            DropDirectoryReader.Result read = new DropDirectoryReader(codec).read(drop);
            assertEquals(List.of(), read.problems(), "a file under a batch name is whole (javadoc: written to a "
                    + "temporary name, fsync, then placed under <name>)" + where);
            // file name -> its batch, for every batch file of the view
            TreeMap<String, String> files = new TreeMap<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(drop)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    if (n.startsWith(".")) {
                        continue; // a temporary file of a send the cut interrupted: ignored by every reader
                    }
                    try {
                        files.put(n, content(codec.decode(Files.readAllBytes(p)).envelopes()));
                    } catch (BatchFormatException e) {
                        throw new AssertionError(n + " is not a whole batch: " + e.getMessage() + where, e);
                    }
                }
            }
            List<String> givenContents = given.stream().map(Sent::content).toList();
            for (var f : files.entrySet()) {
                assertTrue(givenContents.contains(f.getValue()), f.getKey() + " holds a batch no send was given"
                        + where);
            }
            for (Sent s : acknowledged) {
                String base = s.name().substring(0, s.name().length() - DropDirectoryReader.SUFFIX.length());
                boolean found = files.entrySet().stream().anyMatch(f -> (f.getKey().equals(s.name())
                        || f.getKey().startsWith(base + "~")) && f.getValue().equals(s.content()));
                assertTrue(found, "acknowledged batch " + s.name() + " is in the drop directory, whole (javadoc: "
                        + "only then is the batch acknowledged; no acknowledged batch is ever overwritten); files: "
                        + files.keySet() + where);
            }
            return acknowledged.size();
        }
    }
}
