package io.edgeloop.examples.bench.buffer;

import com.squareup.tape2.QueueFile;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Measures durable appends per second, all in one directory (one disk) and one run: the Edgeloop buffer under
 * {@code always}, {@code group} (5 ms) and {@code none}; Square Tape 2.0.0-beta1 (its only mode, reported as
 * {@code always}); and raw {@code FileChannel} appends, one write per record, with {@code force(false)} after every
 * record ({@code always}), never ({@code none}), or every 5 ms ({@code group}), which is issue #3's baseline. The
 * raw {@code group} baseline forces on a second thread every 5 ms while the appending thread keeps writing, as
 * Edgeloop's group commit does (its sync thread waits in fdatasync while appends continue), with the same 5 ms at
 * risk. Two more raw {@code group} variants are measured and reported apart ({@link Report#extra()}): records
 * copied into a 64 KiB buffer written in one call when full or 5 ms old (as Edgeloop stages frames under group
 * commit; with no framing, checksum or bookkeeping this is a memory-copy ceiling, not a buffer), and the force
 * inline in the appending thread (appends stop while it syncs).
 *
 * <p>Each configuration appends single-threaded for a fixed time, then makes everything durable (final sync
 * included in the time). Ratios are paired: in every repetition Edgeloop and the baseline it is compared with run
 * one right after the other (in a seeded random order), the ratio is taken per repetition, and the median and
 * range of those ratios are reported ({@link PairedRatio}), because on a shared disk the sync cost drifts between
 * moments and a ratio of medians taken at different moments can flip between runs.
 *
 * <p>Not thread-safe: one benchmark at a time.
 */
public final class BufferBenchmark {
    private static final Duration GROUP = Duration.ofMillis(5);
    private static final String RAW_GROUP_INLINE = "group-inline";
    private static final String RAW_GROUP_COALESCED = "group-coalesced";
    /** The raw coalescing baseline's buffer: the size of Edgeloop's staging buffer. */
    private static final int RAW_STAGING_BYTES = 64 * 1024;

    private final Path dir;
    private final Duration runTime;
    private final int repetitions;

    /**
     * The benchmark's figures.
     *
     * <p>Thread-safe: immutable.
     *
     * @param results the configurations issue #3 names (medians and ranges over the repetitions)
     * @param extra   further baselines: raw {@code group} with its writes coalesced in a 64 KiB buffer, and with
     *                the force inline in the appending thread
     * @param ratios  Edgeloop against raw at the same cadence and against Tape, paired per repetition
     */
    public record Report(List<BenchResult> results, List<BenchResult> extra, List<PairedRatio> ratios) {
        /** Copies the lists. */
        public Report {
            results = List.copyOf(results);
            extra = List.copyOf(extra);
            ratios = List.copyOf(ratios);
        }
    }

    /**
     * @param dir         a scratch directory on the disk to measure (files are deleted afterwards)
     * @param runTime     how long each repetition appends (at least 1 ms)
     * @param repetitions repetitions per configuration (at least 1)
     */
    public BufferBenchmark(Path dir, Duration runTime, int repetitions) {
        if (runTime.toMillis() < 1) {
            throw new IllegalArgumentException("the run time must be at least 1 ms, got " + runTime);
        }
        if (repetitions < 1) {
            throw new IllegalArgumentException("repetitions must be at least 1, got " + repetitions);
        }
        this.dir = dir;
        this.runTime = runTime;
        this.repetitions = repetitions;
    }

    /**
     * Runs every configuration for each record size.
     *
     * @param recordSizes the payload sizes (each at least 1 byte)
     * @return the figures, in a stable order
     * @throws IOException when the scratch directory cannot be used
     */
    public Report run(int... recordSizes) throws IOException {
        for (int size : recordSizes) {
            if (size < 1) {
                throw new IllegalArgumentException("record sizes must be at least 1 byte, got " + size);
            }
        }
        Files.createDirectories(dir);
        // Units of configurations run back to back: each ratio's two sides are in one unit.
        List<List<String[]>> units = new ArrayList<>();
        List<String[]> configs = new ArrayList<>();
        for (int size : recordSizes) {
            String s = String.valueOf(size);
            units.add(List.of(new String[] {"edgeloop", "always", s}, new String[] {"raw", "always", s}));
            units.add(List.of(new String[] {"edgeloop", "group", s}, new String[] {"raw", "group", s},
                    new String[] {"tape", "always", s}, new String[] {"raw", RAW_GROUP_INLINE, s},
                    new String[] {"raw", RAW_GROUP_COALESCED, s}));
            units.add(List.of(new String[] {"edgeloop", "none", s}, new String[] {"raw", "none", s}));
        }
        for (List<String[]> u : units) {
            configs.addAll(u);
        }
        // warm up the JIT on every code path once, unrecorded
        for (String[] c : configs) {
            measure(c[0], c[1], Integer.parseInt(c[2]), Math.min(runTime.toNanos(), 200_000_000L));
        }
        Map<String, long[][]> runs = new LinkedHashMap<>();
        for (String[] c : configs) {
            runs.put(key(c[0], c[1], Integer.parseInt(c[2])), new long[repetitions][]);
        }
        // every repetition: the units in a seeded shuffled order, and each unit's members in a shuffled order, so
        // that neither side of a ratio always runs first (after the other's writeback)
        Random order = new Random(20261129L);
        for (int rep = 0; rep < repetitions; rep++) {
            List<List<String[]>> shuffled = new ArrayList<>(units);
            Collections.shuffle(shuffled, order);
            for (List<String[]> u : shuffled) {
                List<String[]> members = new ArrayList<>(u);
                Collections.shuffle(members, order);
                for (String[] c : members) {
                    int size = Integer.parseInt(c[2]);
                    runs.get(key(c[0], c[1], size))[rep] = measure(c[0], c[1], size, runTime.toNanos());
                }
            }
        }
        List<BenchResult> results = new ArrayList<>();
        List<BenchResult> extra = new ArrayList<>();
        List<PairedRatio> ratios = new ArrayList<>();
        for (int size : recordSizes) {
            for (String[] sp : new String[][] {{"edgeloop", "always"}, {"edgeloop", "group"}, {"edgeloop", "none"},
                    {"tape", "always"}, {"raw", "always"}, {"raw", "group"}, {"raw", "none"}}) {
                results.add(summarize(sp[0], sp[1], size, runs.get(key(sp[0], sp[1], size))));
            }
            BenchResult coalesced = summarize("raw", RAW_GROUP_COALESCED, size, runs.get(key("raw",
                    RAW_GROUP_COALESCED, size)));
            extra.add(new BenchResult("raw", "group", size, coalesced.recordsPerSec(), coalesced.mbPerSec(),
                    coalesced.syncs(), coalesced.minRecordsPerSec(), coalesced.maxRecordsPerSec(), "records copied"
                            + " into a 64 KiB buffer written when full or 5 ms old; force(false) on a second thread"
                            + " every 5 ms (a memory-copy ceiling: no framing, checksum or bookkeeping)"));
            BenchResult inline = summarize("raw", RAW_GROUP_INLINE, size, runs.get(key("raw", RAW_GROUP_INLINE,
                    size)));
            extra.add(new BenchResult("raw", "group", size, inline.recordsPerSec(), inline.mbPerSec(), inline.syncs(),
                    inline.minRecordsPerSec(), inline.maxRecordsPerSec(), "one write per record; force(false) in the"
                            + " appending thread every 5 ms (appends stop while it syncs)"));
            for (String policy : List.of("always", "group", "none")) {
                ratios.add(paired(runs, size, policy, "raw", policy, policy.equals("none") ? null : 0.8));
                if (!policy.equals("none")) {
                    ratios.add(paired(runs, size, policy, "tape", "always",
                            policy.equals("group") && size == 100 ? 50.0 : null));
                }
            }
            ratios.add(paired(runs, size, "group", "raw", RAW_GROUP_COALESCED, null));
            ratios.add(paired(runs, size, "group", "raw", RAW_GROUP_INLINE, null));
        }
        return new Report(results, extra, ratios);
    }

    private static String key(String system, String policy, int size) {
        return system + "/" + policy + "/" + size;
    }

    private static double rate(long[] run) {
        return run[0] * 1e9 / run[1];
    }

    private static BenchResult summarize(String system, String policy, int size, long[][] r) {
        long[][] sorted = r.clone();
        Arrays.sort(sorted, Comparator.comparingDouble(BufferBenchmark::rate));
        long[] m = sorted[(sorted.length - 1) / 2];
        double rps = rate(m);
        String variant = !system.equals("raw") ? "" : policy.equals("group")
                ? "one write per record; force(false) on a second thread every 5 ms while appends continue (as group"
                        + " commit)"
                : policy.equals("always") ? "one write per record; force(false) after every record"
                : "one write per record; no force";
        return new BenchResult(system, policy, size, rps, rps * size / 1e6, m[2], rate(sorted[0]),
                rate(sorted[sorted.length - 1]), variant);
    }

    private PairedRatio paired(Map<String, long[][]> runs, int size, String policy, String vsSystem,
                               String vsPolicy, Double target) {
        long[][] ours = runs.get(key("edgeloop", policy, size));
        long[][] theirs = runs.get(key(vsSystem, vsPolicy, size));
        double[] per = new double[repetitions];
        for (int rep = 0; rep < repetitions; rep++) {
            per[rep] = rate(ours[rep]) / rate(theirs[rep]);
        }
        String vs = vsSystem + " " + (vsPolicy.equals(RAW_GROUP_INLINE) ? "group (force inline)"
                : vsPolicy.equals(RAW_GROUP_COALESCED) ? "group (coalesced)" : vsPolicy);
        return new PairedRatio(size, policy, vs, per, target);
    }

    private long[] measure(String system, String policy, int size, long budget) throws IOException {
        Path d = Files.createTempDirectory(dir, system + "-" + policy + "-");
        settle();
        try {
            return once(system, policy, size, d, budget);
        } finally {
            deleteTree(d);
        }
    }

    /** Returns {records, nanos, syncs}; syncs is {@link BenchResult#NOT_COUNTED} when they cannot be counted. */
    private static long[] once(String system, String policy, int size, Path d, long budget) throws IOException {
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) 'x');
        switch (system) {
            case "edgeloop":
                return edgeloop(policy, payload, d, budget);
            case "tape":
                return tape(payload, d, budget);
            default:
                return policy.equals("group") ? rawGroup(payload, d, budget, false)
                        : policy.equals(RAW_GROUP_COALESCED) ? rawGroup(payload, d, budget, true)
                        : raw(policy, payload, d, budget);
        }
    }

    private static long[] edgeloop(String policy, byte[] payload, Path d, long budget) throws IOException {
        Durability durability = policy.equals("always") ? Durability.always()
                : policy.equals("none") ? Durability.none() : Durability.groupCommit(GROUP, 1L << 30);
        try (DurableBuffer b = DurableBuffer.builder().directory(d).deviceId("bench").durability(durability).open()) {
            long n = 0;
            long t0 = System.nanoTime();
            long end = t0 + budget;
            if (durability.mode() == Durability.Mode.GROUP) {
                while (true) {
                    for (int i = 0; i < 64; i++) {
                        b.appendAsync("bench", 0, payload);
                    }
                    n += 64;
                    if (System.nanoTime() >= end) {
                        break;
                    }
                }
            } else {
                while (true) {
                    b.append("bench", payload);
                    n++;
                    if ((n & 15) == 0 && System.nanoTime() >= end) {
                        break;
                    }
                }
            }
            b.flush();
            long t = System.nanoTime() - t0;
            return new long[] {n, t, b.metrics().syncs()};
        }
    }

    private static long[] tape(byte[] payload, Path d, long budget) throws IOException {
        try (QueueFile q = new QueueFile.Builder(d.resolve("tape.q").toFile()).build()) {
            long n = 0;
            long t0 = System.nanoTime();
            long end = t0 + budget;
            do {
                q.add(payload);
                n++;
            } while (System.nanoTime() < end);
            // Tape opens its file "rwd" (O_DSYNC): every add is at least two synchronous writes (data and header),
            // which cannot be counted from outside, so no figure is invented
            return new long[] {n, System.nanoTime() - t0, BenchResult.NOT_COUNTED};
        }
    }

    private static long[] raw(String policy, byte[] payload, Path d, long budget) throws IOException {
        try (FileChannel ch = FileChannel.open(d.resolve("raw.log"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(payload);
            long n = 0;
            long syncs = 0;
            long t0 = System.nanoTime();
            long end = t0 + budget;
            long lastSync = t0;
            long groupNanos = GROUP.toNanos();
            while (true) {
                buf.clear();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                n++;
                if (policy.equals("always")) {
                    ch.force(false);
                    syncs++;
                    if ((n & 15) == 0 && System.nanoTime() >= end) {
                        break;
                    }
                } else {
                    if ((n & 63) == 0) {
                        long now = System.nanoTime();
                        if (policy.equals(RAW_GROUP_INLINE) && now - lastSync >= groupNanos) {
                            ch.force(false);
                            syncs++;
                            lastSync = now;
                        }
                        if (now >= end) {
                            break;
                        }
                    }
                }
            }
            if (!policy.equals("none")) {
                ch.force(false);
                syncs++;
            }
            return new long[] {n, System.nanoTime() - t0, syncs};
        }
    }

    /**
     * Raw appends with group commit's cadence: a second thread sleeps 5 ms, forces, and again, while the appending
     * thread keeps writing (the same 5 ms at risk as Edgeloop's {@code group}); the final write and force are timed.
     * With {@code coalesce} the appending thread copies records into a 64 KiB buffer and writes it in one call when
     * it is full or 5 ms old (checked every 64 records), as Edgeloop stages frames; without, one write per record.
     */
    private static long[] rawGroup(byte[] payload, Path d, long budget, boolean coalesce) throws IOException {
        try (FileChannel ch = FileChannel.open(d.resolve("raw.log"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong syncs = new AtomicLong();
            AtomicReference<IOException> failure = new AtomicReference<>();
            long groupNanos = GROUP.toNanos();
            Thread syncer = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        LockSupport.parkNanos(groupNanos);
                        ch.force(false);
                        syncs.incrementAndGet();
                    }
                } catch (IOException e) {
                    failure.set(e);
                }
            }, "bench-raw-group-sync");
            ByteBuffer buf = ByteBuffer.wrap(payload);
            ByteBuffer staging = ByteBuffer.allocateDirect(Math.max(RAW_STAGING_BYTES, payload.length));
            long n = 0;
            long t0 = System.nanoTime();
            long end = t0 + budget;
            long lastWrite = t0;
            syncer.start();
            try {
                while (true) {
                    if (coalesce) {
                        if (staging.remaining() < payload.length) {
                            writeAll(ch, staging);
                        }
                        staging.put(payload);
                    } else {
                        buf.clear();
                        while (buf.hasRemaining()) {
                            ch.write(buf);
                        }
                    }
                    n++;
                    if ((n & 63) == 0) {
                        long now = System.nanoTime();
                        if (coalesce && now - lastWrite >= groupNanos) {
                            writeAll(ch, staging);
                            lastWrite = now;
                        }
                        if (now >= end) {
                            break;
                        }
                    }
                }
                writeAll(ch, staging);
            } finally {
                stop.set(true);
                try {
                    syncer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the raw sync thread stopped", e);
                }
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            ch.force(false);
            return new long[] {n, System.nanoTime() - t0, syncs.get() + 1};
        }
    }

    /** Writes what {@code staging} holds (filled from position 0) and empties it. */
    private static void writeAll(FileChannel ch, ByteBuffer staging) throws IOException {
        staging.flip();
        while (staging.hasRemaining()) {
            ch.write(staging);
        }
        staging.clear();
    }

    /**
     * Writes a buffer of at least {@code bytes} with a child JVM running {@code edgeloop buffer append}, kills it
     * with SIGKILL, optionally drops the page cache, and times opening the buffer (recovery included) and reading
     * its first record.
     *
     * @param bytes      the buffer size to reach
     * @param javaArgs   the command prefix that starts the edgeloop tool in a child JVM
     * @return the measurement
     * @throws IOException          when the child cannot run or the buffer cannot be opened
     * @throws InterruptedException when interrupted
     */
    public ReopenResult reopenAfterKill(long bytes, List<String> javaArgs) throws IOException, InterruptedException {
        Path d = Files.createTempDirectory(Files.createDirectories(dir), "reopen-");
        try {
            List<String> cmd = new ArrayList<>(javaArgs);
            // At most 25 % more records than the target size (each record is 1 KiB plus framing), so a child left
            // running by accident cannot fill the disk; it is killed on every path out of this block and by a
            // shutdown hook if this JVM is stopped meanwhile.
            long count = Math.max(1_000, bytes / 1024 + bytes / 4096);
            cmd.addAll(List.of("buffer", "append", "--dir", d.toString(), "--count", Long.toString(count), "--size",
                    "1024", "--sync", "group:5"));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Thread reaper = new Thread(p::destroyForcibly, "bench-reopen-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
            try {
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (size(d) < bytes) {
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        throw new IOException("The child appender stopped before the buffer reached " + bytes
                                + " bytes");
                    }
                    Thread.sleep(50);
                }
            } finally {
                p.destroyForcibly();
                p.waitFor();
                try {
                    Runtime.getRuntime().removeShutdownHook(reaper);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
            long onDisk = size(d);
            // load and JIT-compile the classes first, so the figure is recovery, not class loading from a cold jar
            Path warm = Files.createTempDirectory(dir, "warm-");
            try (DurableBuffer w = DurableBuffer.builder().directory(warm).open()) {
                w.append("w", new byte[10]);
                w.reader().next(1, 1);
            } finally {
                deleteTree(warm);
            }
            boolean dropped = dropPageCache();
            long t0 = System.nanoTime();
            long first;
            long segments;
            String loss;
            try (DurableBuffer b = DurableBuffer.builder().directory(d).open()) {
                long opened = System.nanoTime() - t0;
                b.reader().next(1, 1);
                first = System.nanoTime() - t0;
                try (Stream<Path> s = Files.list(d)) {
                    segments = s.filter(x -> x.getFileName().toString().startsWith("seg-")).count();
                }
                loss = b.lossReport().isClean() ? "clean" : b.lossReport().losses().size() + " losses, "
                        + b.lossReport().truncatedBytes() + " bytes truncated";
                return new ReopenResult(onDisk, segments, opened / 1e6, first / 1e6, dropped, loss);
            }
        } finally {
            deleteTree(d);
        }
    }

    /** Writes back every dirty page first, so no configuration pays for the previous one's writeback. */
    private static void settle() {
        try {
            new ProcessBuilder("sync").start().waitFor();
        } catch (IOException e) {
            // no sync command on this platform: measurements are then only interleaved
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the kernel to drop clean page-cache pages (needs root); false when not allowed. */
    private static boolean dropPageCache() {
        try {
            Process sync = new ProcessBuilder("sync").start();
            sync.waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n");
            return true;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    private static long size(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            long n = 0;
            for (Path p : s.toList()) {
                try {
                    n += Files.size(p);
                } catch (IOException gone) {
                    // a file reclaimed between listing and sizing
                }
            }
            return n;
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            List<Path> all = new ArrayList<>(s.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
