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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Measures durable appends per second, all in one directory (one disk) and one run: the Edgeloop buffer under
 * {@code always}, {@code group} (5 ms) and {@code none}; Square Tape 2.0.0-beta1 (its only mode, reported as
 * {@code always}); and raw {@code FileChannel} appends with {@code force(false)} after every record, every 5 ms,
 * or never, which is the physical limit of each cadence.
 *
 * <p>Each configuration appends single-threaded for a fixed time, then makes everything durable (final sync
 * included in the time); the median of the repetitions is reported.
 *
 * <p>Not thread-safe: one benchmark at a time.
 */
public final class BufferBenchmark {
    private static final Duration GROUP = Duration.ofMillis(5);

    private final Path dir;
    private final Duration runTime;
    private final int repetitions;

    /**
     * @param dir         a scratch directory on the disk to measure (files are deleted afterwards)
     * @param runTime     how long each repetition appends
     * @param repetitions repetitions per configuration (the median is reported)
     */
    public BufferBenchmark(Path dir, Duration runTime, int repetitions) {
        this.dir = dir;
        this.runTime = runTime;
        this.repetitions = repetitions;
    }

    /**
     * Runs every configuration for each record size.
     *
     * @param recordSizes the payload sizes
     * @return the results, in a stable order
     * @throws IOException when the scratch directory cannot be used
     */
    public List<BenchResult> run(int... recordSizes) throws IOException {
        Files.createDirectories(dir);
        List<String[]> configs = new ArrayList<>();
        for (int size : recordSizes) {
            for (String policy : List.of("always", "group", "none")) {
                configs.add(new String[] {"edgeloop", policy, String.valueOf(size)});
            }
            configs.add(new String[] {"tape", "always", String.valueOf(size)});
            for (String policy : List.of("always", "group", "none")) {
                configs.add(new String[] {"raw", policy, String.valueOf(size)});
            }
        }
        // warm up the JIT on every code path once, unrecorded
        for (String[] c : configs) {
            measure(c[0], c[1], Integer.parseInt(c[2]), Math.min(runTime.toNanos(), 200_000_000L));
        }
        // round-robin repetitions in a seeded shuffled order, so that a disk busy for a while (or the writeback of
        // the configuration before) slows every configuration alike
        long[][][] runs = new long[configs.size()][repetitions][];
        java.util.Random order = new java.util.Random(20261129L);
        for (int rep = 0; rep < repetitions; rep++) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < configs.size(); i++) {
                idx.add(i);
            }
            java.util.Collections.shuffle(idx, order);
            for (int i : idx) {
                String[] c = configs.get(i);
                runs[i][rep] = measure(c[0], c[1], Integer.parseInt(c[2]), runTime.toNanos());
            }
        }
        List<BenchResult> out = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            String[] c = configs.get(i);
            long[][] r = runs[i];
            Arrays.sort(r, Comparator.comparingDouble(x -> (double) x[0] / x[1]));
            long[] m = r[repetitions / 2];
            int size = Integer.parseInt(c[2]);
            double rps = m[0] * 1e9 / m[1];
            out.add(new BenchResult(c[0], c[1], size, rps, rps * size / 1e6, m[2]));
        }
        return out;
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

    /** Returns {records, nanos, syncs}. */
    private static long[] once(String system, String policy, int size, Path d, long budget) throws IOException {
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) 'x');
        switch (system) {
            case "edgeloop":
                return edgeloop(policy, payload, d, budget);
            case "tape":
                return tape(payload, d, budget);
            default:
                return raw(policy, payload, d, budget);
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
            return new long[] {n, System.nanoTime() - t0, n};
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
                        if (policy.equals("group") && now - lastSync >= groupNanos) {
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
