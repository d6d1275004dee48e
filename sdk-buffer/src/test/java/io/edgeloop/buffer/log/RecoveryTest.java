package io.edgeloop.buffer.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.BufferReader;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.Payloads;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged buffer files: nothing escapes as an exception, intact frames are read, the loss is reported. */
class RecoveryTest {
    private static final int SEGMENT = 16 * 1024;

    @TempDir
    Path dir;

    private static int sizeOf(long seq) {
        return (int) (seq * 37 % 300) + 1;
    }

    /** Writes records and returns their positions by sequence. */
    private TreeMap<Long, Appended> fill(Path d, int n) throws IOException {
        TreeMap<Long, Appended> out = new TreeMap<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(d).deviceId("d").durability(Durability.none())
                .segmentBytes(SEGMENT).open()) {
            for (long i = 1; i <= n; i++) {
                Appended a = b.append("s", (int) (i % 10), Payloads.of(i, sizeOf(i)));
                out.put(i, a);
            }
        }
        return out;
    }

    private static DurableBuffer open(Path d) throws IOException {
        return DurableBuffer.builder().directory(d).deviceId("d").durability(Durability.always())
                .segmentBytes(SEGMENT).open();
    }

    private static List<BufferedRecord> readAll(DurableBuffer b) throws IOException {
        BufferReader r = b.reader();
        List<BufferedRecord> out = new ArrayList<>();
        for (List<BufferedRecord> x = r.next(50, 1 << 20); !x.isEmpty(); x = r.next(50, 1 << 20)) {
            out.addAll(x);
        }
        return out;
    }

    private static List<Path> segments(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
    }

    private static void assertIntact(List<BufferedRecord> recs) {
        long prev = 0;
        for (BufferedRecord r : recs) {
            assertTrue(r.sequence() > prev, "sequences increase");
            prev = r.sequence();
            assertArrayEquals(Payloads.of(r.sequence(), sizeOf(r.sequence())), r.payloadBytes(),
                    "record " + r.sequence() + " must be intact");
        }
    }

    @Test
    @DisplayName("a torn tail is cut off and the records before it are kept")
    void cutsTornTail() throws IOException {
        fill(dir, 100);
        Path last = segments(dir).get(segments(dir).size() - 1);
        long len = Files.size(last);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(len - 7);
        }
        try (DurableBuffer b = open(dir)) {
            List<BufferedRecord> all = readAll(b);
            assertEquals(99, all.size());
            assertIntact(all);
            LossReport lr = b.lossReport();
            assertTrue(lr.truncatedBytes() > 0, lr.toString());
            assertEquals(Loss.Kind.TORN_TAIL, lr.losses().get(0).kind());
            // record 100 was handed out (and maybe sent) before its tail was cut: its sequence is not reused
            long next = b.append("s", Payloads.of(100, sizeOf(100))).sequence();
            assertTrue(next > 100 && next <= 100 + (1 << 16), "continues above the"
                    + " reservation: " + next);
        }
        try (DurableBuffer b = open(dir)) {
            assertTrue(b.lossReport().isClean(), "the repaired log opens clean: " + b.lossReport());
            assertEquals(100, readAll(b).size());
        }
    }

    @Test
    @DisplayName("a zero-filled tail is cut off without a quarantine copy")
    void cutsZeroFilledTail() throws IOException {
        fill(dir, 100);
        Path last = segments(dir).get(segments(dir).size() - 1);
        Files.write(last, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        try (DurableBuffer b = open(dir)) {
            assertEquals(100, readAll(b).size());
            assertEquals(4096, b.lossReport().truncatedBytes());
            assertEquals("", b.lossReport().losses().get(0).quarantine());
        }
    }

    @Test
    @DisplayName("a flipped byte costs exactly the damaged record, which is quarantined")
    void skipsCorruptFrameInActiveSegment() throws IOException {
        TreeMap<Long, Appended> pos = fill(dir, 30);
        Appended victim = pos.get(15L);
        Path last = segments(dir).get(segments(dir).size() - 1);
        long base = Segment.parseBase(last.getFileName().toString()).orElseThrow();
        flip(last, victim.endPosition() - base - 2);
        try (DurableBuffer b = open(dir)) {
            List<BufferedRecord> all = readAll(b);
            assertEquals(29, all.size());
            assertIntact(all);
            assertFalse(all.stream().anyMatch(r -> r.sequence() == 15));
            LossReport lr = b.lossReport();
            assertEquals(1, lr.corruptFrames());
            assertEquals(Loss.Kind.CORRUPT_FRAME, lr.losses().get(0).kind());
            assertTrue(Files.exists(dir.resolve(lr.losses().get(0).quarantine())));
            assertEquals(1, b.metrics().corruptFramesSkipped());
        }
    }

    @Test
    @DisplayName("damage in a sealed segment is found while reading, skipped and reported")
    void skipsDamageInSealedSegment() throws IOException {
        TreeMap<Long, Appended> pos = fill(dir, 400);
        Path first = segments(dir).get(0);
        Appended victim = pos.get(10L);
        flip(first, victim.position() + 5);
        try (DurableBuffer b = open(dir)) {
            assertTrue(b.lossReport().isClean(), "sealed segments are trusted through their footers on open");
            List<BufferedRecord> all = readAll(b);
            assertEquals(399, all.size());
            assertIntact(all);
            assertEquals(1, b.lossReport().corruptFrames());
        }
    }

    @Test
    @DisplayName("a damaged identity file is rebuilt from the segments with the same epoch")
    void rebuildsIdentityFromSegments() throws IOException {
        fill(dir, 10);
        long epoch;
        try (DurableBuffer b = open(dir)) {
            epoch = b.epoch();
        }
        Files.writeString(dir.resolve(BufferIdentity.FILE), "garbage");
        try (DurableBuffer b = open(dir)) {
            assertEquals(epoch, b.epoch());
            assertEquals(Loss.Kind.IDENTITY, b.lossReport().losses().get(0).kind());
            assertEquals(11, b.append("s", new byte[1]).sequence());
        }
    }

    @Test
    @DisplayName("a damaged cursor file restarts that cursor at the oldest record: duplicates, never loss")
    void resetsDamagedCursor() throws IOException {
        fill(dir, 10);
        try (DurableBuffer b = open(dir)) {
            var c = b.cursor("up");
            List<BufferedRecord> r = c.poll(5, 1 << 20);
            c.commit(r.get(4));
        }
        Files.writeString(dir.resolve("cursors/up.cursor"), "format=1.0\nname=up\nposition=9999\ncrc32c=0\n");
        try (DurableBuffer b = open(dir)) {
            assertEquals(1, b.cursor("up").poll(1, 100).get(0).sequence());
            assertEquals(Loss.Kind.CURSOR_RESET, b.lossReport().losses().get(0).kind());
        }
    }

    @Test
    @DisplayName("a segment of an unknown major format version is refused with a clear error")
    void refusesUnknownMajorVersion() throws IOException {
        fill(dir, 3);
        Files.writeString(dir.resolve(BufferIdentity.FILE), "");
        Path seg = segments(dir).get(0);
        byte[] b = Files.readAllBytes(seg);
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(b);
        h.putShort(8, (short) 7);
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, 0, 32);
        h.putInt(32, (int) c.getValue());
        Files.write(seg, b);
        Files.delete(dir.resolve(BufferIdentity.FILE));
        try {
            open(dir).close();
            fail("must refuse format 7");
        } catch (io.edgeloop.buffer.IncompatibleFormatException e) {
            assertTrue(e.getMessage().contains("format 7." + FrameFormat.FORMAT_MINOR), e.getMessage());
        }
    }

    @Test
    @DisplayName("random flips, truncations, zero fills and overwrites (seeded): no exception, every intact frame "
            + "outside the damage is read, nothing corrupt is returned, the loss is reported")
    void survivesRandomDamage() throws IOException {
        Path pristine = dir.resolve("pristine");
        TreeMap<Long, Appended> pos = fill(pristine, 600);
        Random rnd = new Random(20261129L);
        int damagedTrials = 0;
        for (int trial = 0; trial < 150; trial++) {
            Path d = dir.resolve("t" + trial);
            copyTree(pristine, d);
            List<Path> segs = segments(d);
            Map<Long, Long> lengthByBase = new HashMap<>();
            for (Path s : segs) {
                lengthByBase.put(Segment.parseBase(s.getFileName().toString()).orElseThrow(), Files.size(s));
            }
            List<long[]> damage = new ArrayList<>();
            int kinds = 1 + rnd.nextInt(3);
            for (int k = 0; k < kinds; k++) {
                Path s = segs.get(rnd.nextInt(segs.size()));
                long base = Segment.parseBase(s.getFileName().toString()).orElseThrow();
                long len = Files.size(s);
                if (len == 0) {
                    continue;
                }
                switch (rnd.nextInt(4)) {
                    case 0: {
                        long at = (long) (rnd.nextDouble() * len);
                        flip(s, at);
                        damage.add(new long[] {base + at, base + at + 1});
                        break;
                    }
                    case 1: {
                        long at = (long) (rnd.nextDouble() * len);
                        try (RandomAccessFile f = new RandomAccessFile(s.toFile(), "rw")) {
                            f.setLength(at);
                        }
                        damage.add(new long[] {base + at, Long.MAX_VALUE});
                        break;
                    }
                    case 2: {
                        long at = (long) (rnd.nextDouble() * len);
                        try (RandomAccessFile f = new RandomAccessFile(s.toFile(), "rw")) {
                            f.seek(at);
                            f.write(new byte[(int) (len - at)]);
                        }
                        damage.add(new long[] {base + at, base + len});
                        break;
                    }
                    default: {
                        long at = (long) (rnd.nextDouble() * len);
                        int n = (int) Math.min(len - at, 1 + rnd.nextInt(200));
                        byte[] junk = new byte[n];
                        rnd.nextBytes(junk);
                        try (RandomAccessFile f = new RandomAccessFile(s.toFile(), "rw")) {
                            f.seek(at);
                            f.write(junk);
                        }
                        damage.add(new long[] {base + at, base + at + n});
                        break;
                    }
                }
            }
            List<BufferedRecord> all;
            LossReport lr;
            try (DurableBuffer b = open(d)) {
                all = readAll(b);
                lr = b.lossReport();
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("trial " + trial + " let an exception escape", e);
            }
            assertIntact(all);
            java.util.Set<Long> got = new java.util.HashSet<>();
            all.forEach(r -> got.add(r.sequence()));
            int missing = 0;
            for (Appended a : pos.values()) {
                boolean touched = false;
                for (long[] dm : damage) {
                    long segBase = segmentBaseOf(lengthByBase, a.position());
                    long end = dm[1] == Long.MAX_VALUE ? segBase + lengthByBase.get(segBase) : dm[1];
                    if (dm[0] < a.endPosition() && end > a.position() && segmentBaseOf(lengthByBase, dm[0]) == segBase) {
                        touched = true;
                    }
                }
                if (!touched) {
                    assertTrue(got.contains(a.sequence()), "trial " + trial + ": intact record " + a.sequence()
                            + " outside the damage " + describe(damage) + " must be read");
                } else if (!got.contains(a.sequence())) {
                    missing++;
                }
            }
            if (missing > 0) {
                assertFalse(lr.isClean(), "trial " + trial + ": " + missing + " damaged records must be reported");
                damagedTrials++;
            }
        }
        assertTrue(damagedTrials > 50, "most trials must actually lose records, got " + damagedTrials);
    }

    @Test
    @DisplayName("frames larger than the scanner's read window survive reopening, damage and resync (seeded)")
    void largeFramesAcrossReadWindow() throws IOException {
        Path pristine = dir.resolve("large");
        Random sizes = new Random(77);
        TreeMap<Long, Appended> pos = new TreeMap<>();
        List<Integer> len = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(pristine).deviceId("d").durability(Durability.none())
                .segmentBytes(1 << 20).open()) {
            for (long i = 1; i <= 40; i++) {
                int n = 1000 + sizes.nextInt(400_000);
                len.add(n);
                pos.put(i, b.append("s", Payloads.of(i, n)));
            }
        }
        Random rnd = new Random(78);
        for (int trial = 0; trial < 12; trial++) {
            Path d = dir.resolve("large" + trial);
            copyTree(pristine, d);
            long victim = 1 + rnd.nextInt(40);
            Appended a = pos.get(victim);
            List<Path> segs = segments(d);
            Path seg = null;
            long base = 0;
            for (Path s2 : segs) {
                long b2 = Segment.parseBase(s2.getFileName().toString()).orElseThrow();
                if (b2 <= a.position()) {
                    seg = s2;
                    base = b2;
                }
            }
            flip(seg, a.position() - base + (trial % 2 == 0 ? 3 : 100 + rnd.nextInt(len.get((int) victim - 1))));
            try (DurableBuffer b = open(d)) {
                List<BufferedRecord> all = readAll(b);
                for (BufferedRecord r : all) {
                    assertArrayEquals(Payloads.of(r.sequence(), len.get((int) r.sequence() - 1)), r.payloadBytes());
                }
                assertEquals(39, all.size(), "trial " + trial + ": only record " + victim + " is lost");
                assertFalse(all.stream().anyMatch(r -> r.sequence() == victim));
                assertFalse(b.lossReport().isClean());
            }
        }
    }

    @Test
    @DisplayName("the segment index spares opening sealed segments; without it or damaged, footers serve")
    void segmentIndexIsACacheOfFooters() throws IOException {
        fill(dir, 2000);
        int segs = segments(dir).size();
        assertTrue(segs > 20, "many segments: " + segs);
        java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
        ChannelOpener counting = counting(opens);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").segmentBytes(SEGMENT)
                .channelOpener(counting).open()) {
            assertTrue(opens.get() <= 2, "only the oldest and the newest segment are opened: " + opens.get());
            assertEquals(2001, b.append("s", Payloads.of(2001, sizeOf(2001))).sequence());
            assertEquals(2001, readAll(b).size());
        }
        byte[] idx = Files.readAllBytes(dir.resolve(SegmentIndex.FILE));
        idx[idx.length / 2] ^= 0x55;
        Files.write(dir.resolve(SegmentIndex.FILE), idx);
        opens.set(0);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").segmentBytes(SEGMENT)
                .channelOpener(counting).open()) {
            assertTrue(opens.get() > 2, "a damaged index falls back to the footers");
            assertTrue(b.lossReport().isClean(), "the index is a cache: its damage loses nothing");
            List<BufferedRecord> all = readAll(b);
            assertEquals(2001, all.size());
            assertIntact(all);
            assertEquals(2002, b.append("s", Payloads.of(2002, sizeOf(2002))).sequence());
        }
        Files.delete(dir.resolve(SegmentIndex.FILE));
        try (DurableBuffer b = open(dir)) {
            assertEquals(2002, readAll(b).size());
            assertEquals(2003, b.append("s", Payloads.of(2003, sizeOf(2003))).sequence());
        }
    }

    @Test
    @DisplayName("a torn segments.idx entry (a kill mid-append, appends after it) hides only its own segment")
    void tornIndexEntryHidesNothingAfterIt() throws IOException {
        fill(dir, 2000);
        byte[] idx = Files.readAllBytes(dir.resolve(SegmentIndex.FILE));
        List<int[]> spans = new ArrayList<>();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(idx);
        for (int at = 0; at < idx.length; ) {
            int len = bb.getInt(at + 4);
            spans.add(new int[] {at, at + 12 + len});
            at += 12 + len;
        }
        int n = spans.size();
        assertTrue(n > 20, "many indexed segments: " + n);
        assertEquals(n, SegmentIndex.read(dir).entries().size());
        assertFalse(SegmentIndex.read(dir).damaged());
        int[] victim = spans.get(n / 3);
        java.io.ByteArrayOutputStream torn = new java.io.ByteArrayOutputStream();
        torn.write(idx, 0, victim[0]);
        torn.write(idx, victim[0], 20); // the append was cut after 20 bytes; later seals appended behind it
        torn.write(idx, victim[1], idx.length - victim[1]);
        Files.write(dir.resolve(SegmentIndex.FILE), torn.toByteArray());

        SegmentIndex.Contents read = SegmentIndex.read(dir);
        assertTrue(read.damaged());
        assertEquals(n - 1, read.entries().size(), "every entry but the torn one is read");
        java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
        ChannelOpener counting = counting(opens);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").segmentBytes(SEGMENT)
                .channelOpener(counting).open()) {
            assertTrue(opens.get() <= 3, "the oldest, the newest and the torn entry's segment: " + opens.get());
            assertTrue(b.lossReport().isClean(), "the index is a cache: its damage loses nothing");
            List<BufferedRecord> all = readAll(b);
            assertEquals(2000, all.size());
            assertIntact(all);
        }
        read = SegmentIndex.read(dir);
        assertFalse(read.damaged(), "the writable open rewrote the index");
        assertEquals(n, read.entries().size());
        opens.set(0);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").segmentBytes(SEGMENT)
                .channelOpener(counting).open()) {
            assertTrue(opens.get() <= 2, "only the oldest and the newest segment again: " + opens.get());
            assertIntact(readAll(b));
        }
    }

    /** Opens channels as the buffer would, counting them. */
    private static ChannelOpener counting(java.util.concurrent.atomic.AtomicInteger opens) {
        return (p, o) -> {
            opens.incrementAndGet();
            return java.nio.channels.FileChannel.open(p, o);
        };
    }

    private static long segmentBaseOf(Map<Long, Long> lengthByBase, long position) {
        long best = -1;
        for (long b : lengthByBase.keySet()) {
            if (b <= position && b > best) {
                best = b;
            }
        }
        return best;
    }

    private static String describe(List<long[]> damage) {
        StringBuilder sb = new StringBuilder();
        for (long[] d : damage) {
            sb.append('[').append(d[0]).append(',').append(d[1]).append(')');
        }
        return sb.toString();
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int v = f.read();
            f.seek(offset);
            f.write(v ^ 0x5A);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
