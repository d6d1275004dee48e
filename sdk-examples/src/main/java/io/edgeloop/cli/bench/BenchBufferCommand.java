package io.edgeloop.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.examples.bench.buffer.BenchResult;
import io.edgeloop.examples.bench.buffer.BufferBenchmark;
import io.edgeloop.examples.bench.buffer.PairedRatio;
import io.edgeloop.examples.bench.buffer.ReopenResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bench buffer}: durable appends per second of the Edgeloop buffer (always, group 5 ms, none)
 * side by side with Square Tape and raw {@code FileChannel} appends at the same sync cadences, for 100 B and 1 KiB
 * records, all on one disk in one run, with the ratios the issue sets, paired per repetition (median and range,
 * and "inconclusive" when the range straddles a target). {@code --reopen} also times reopening a
 * 1 GiB buffer after its appender was killed with SIGKILL.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "buffer", mixinStandardHelpOptions = true,
        description = "Buffer appends/s vs Square Tape and raw FileChannel at the same sync cadence; --reopen times recovery of 1 GiB.")
public final class BenchBufferCommand implements Callable<Integer> {
    private static final int MAX_SIZE = 1 << 20;
    private static final long SEGMENT = 4L << 20;
    private static final long MAX_REOPEN = 64L << 30;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory on the disk to measure (default: the system temp directory).")
    private Path dir;

    @Option(names = "--seconds", defaultValue = "1.5", paramLabel = "S", description = "Append time per repetition, 0.001 to 3600 (default: ${DEFAULT-VALUE}).")
    private double seconds;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "N", description = "Repetitions per configuration, 1 to 1000; medians and ranges are reported, ratios per repetition (default: ${DEFAULT-VALUE}).")
    private int repeat;

    @Option(names = "--sizes", defaultValue = "100,1024", split = ",", paramLabel = "BYTES", description = "Record sizes in bytes, 1 to " + MAX_SIZE + " (default: ${DEFAULT-VALUE}).")
    private int[] sizes;

    @Option(names = "--reopen", description = "Also time reopening a buffer of --reopen-bytes after a SIGKILL. Run as"
            + " root, this first drops the WHOLE MACHINE's page cache (sync; echo 3 > /proc/sys/vm/drop_caches), which"
            + " slows every other process on the host for a while; otherwise the page cache stays warm.")
    private boolean reopen;

    @Option(names = "--reopen-only", description = "Only the reopen measurement (drops the machine's page cache as"
            + " --reopen does).")
    private boolean reopenOnly;

    @Option(names = "--reopen-bytes", defaultValue = "1073741824", paramLabel = "BYTES", description = "Buffer size for --reopen, at least one 4 MiB segment and at most 64 GiB (default: 1 GiB).")
    private long reopenBytes;

    @Override
    public Integer call() throws Exception {
        validate();
        ScratchDirectory work = ScratchDirectory.create(dir, "edgeloop-bench-buffer-");
        PrintWriter out = spec.commandLine().getOut();
        BufferBenchmark bench = new BufferBenchmark(work.path(), Duration.ofMillis(Math.round(seconds * 1000)), repeat);
        Map<String, Object> doc = new LinkedHashMap<>();
        try {
            if (!reopenOnly) {
                BufferBenchmark.Report report = bench.run(sizes);
                doc.put("results", rows(report.results()));
                doc.put("extraBaselines", rows(report.extra()));
                List<Map<String, Object>> ratios = new ArrayList<>();
                for (PairedRatio r : report.ratios()) {
                    ratios.add(ratio(r));
                }
                doc.put("ratios", ratios);
                doc.put("repetitions", repeat);
                doc.put("secondsPerRepetition", seconds);
                doc.put("ratioMethod", "per repetition, Edgeloop and the baseline run back to back; ratio = the"
                        + " median of the per-repetition ratios, min/max their range; verdict 'inconclusive' when"
                        + " the range straddles the target");
            }
            if (reopen || reopenOnly) {
                List<String> child = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), Edgeloop.class.getName());
                ReopenResult r = bench.reopenAfterKill(reopenBytes, child);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("bufferBytes", r.bufferBytes());
                m.put("segments", r.segments());
                m.put("openMillis", Math.round(r.openMillis() * 10) / 10.0);
                m.put("firstRecordMillis", Math.round(r.firstRecordMillis() * 10) / 10.0);
                m.put("pageCacheDropped", r.pageCacheDropped());
                m.put("recovery", r.recovery());
                doc.put("reopen", m);
            }
        } finally {
            work.close();
        }
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else {
            printText(out, doc);
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (!(seconds >= 0.001 && seconds <= 3600)) {
            throw new IllegalArgumentException("--seconds must be between 0.001 and 3600, got " + seconds);
        }
        if (repeat < 1 || repeat > 1000) {
            throw new IllegalArgumentException("--repeat must be between 1 and 1000, got " + repeat);
        }
        for (int size : sizes) {
            if (size < 1 || size > MAX_SIZE) {
                throw new IllegalArgumentException("--sizes must each be between 1 and " + MAX_SIZE + " bytes, got "
                        + size);
            }
        }
        if ((reopen || reopenOnly) && (reopenBytes < SEGMENT || reopenBytes > MAX_REOPEN)) {
            throw new IllegalArgumentException("--reopen-bytes must be between " + SEGMENT + " (one segment) and "
                    + MAX_REOPEN + ", got " + reopenBytes);
        }
    }

    private static List<Map<String, Object>> rows(List<BenchResult> results) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (BenchResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("system", r.system());
            m.put("policy", r.policy());
            m.put("recordBytes", r.recordBytes());
            m.put("recordsPerSec", Math.round(r.recordsPerSec()));
            m.put("mbPerSec", Math.round(r.mbPerSec() * 100) / 100.0);
            m.put("syncs", r.syncs() == BenchResult.NOT_COUNTED ? null : r.syncs());
            m.put("minRecordsPerSec", Math.round(r.minRecordsPerSec()));
            m.put("maxRecordsPerSec", Math.round(r.maxRecordsPerSec()));
            if (!r.variant().isEmpty()) {
                m.put("variant", r.variant());
            }
            rows.add(m);
        }
        return rows;
    }

    private static Map<String, Object> ratio(PairedRatio r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recordBytes", r.recordBytes());
        m.put("edgeloop", r.edgeloopPolicy());
        m.put("vs", r.vs());
        m.put("ratio", round2(r.median()));
        m.put("min", round2(r.min()));
        m.put("max", round2(r.max()));
        List<Double> per = new ArrayList<>();
        for (double v : r.perRepetition()) {
            per.add(round2(v));
        }
        m.put("perRepetition", per);
        if (r.target() != null) {
            m.put("target", r.target());
            m.put("verdict", r.verdict());
            // true only when every repetition reached the target, false only when none did
            m.put("met", r.verdict().equals("inconclusive") ? null : r.verdict().equals("met"));
        }
        return m;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, Map<String, Object> doc) {
        if (doc.containsKey("results")) {
            out.println(String.format(Locale.ROOT, "%-9s %-7s %7s %14s %23s %10s %9s", "system", "policy", "bytes",
                    "records/s", "range", "MB/s", "syncs"));
            List<Map<String, Object>> results = (List<Map<String, Object>>) doc.get("results");
            List<Map<String, Object>> extras = (List<Map<String, Object>>) doc.get("extraBaselines");
            for (List<Map<String, Object>> rows : List.of(results, extras)) {
                for (Map<String, Object> m : rows) {
                    Object syncs = m.get("syncs");
                    String label = rows != extras ? ""
                            : ((String) m.get("variant")).contains("appending thread")
                                    ? "  (extra: force inline)" : "  (extra: coalesced, memory-copy ceiling)";
                    out.println(String.format(Locale.ROOT, "%-9s %-7s %7d %14d %23s %10.2f %9s%s", m.get("system"),
                            m.get("policy"), (Integer) m.get("recordBytes"), (Long) m.get("recordsPerSec"),
                            m.get("minRecordsPerSec") + "-" + m.get("maxRecordsPerSec"), (Double) m.get("mbPerSec"),
                            syncs == null ? "n/a" : syncs.toString(), label));
                }
            }
            out.println();
            for (Map<String, Object> m : (List<Map<String, Object>>) doc.get("ratios")) {
                out.println(String.format(Locale.ROOT, "%5d B  edgeloop %-6s vs %-26s %8.2fx (%.2f-%.2f)%s",
                        (Integer) m.get("recordBytes"), m.get("edgeloop"), m.get("vs"), (Double) m.get("ratio"),
                        (Double) m.get("min"), (Double) m.get("max"), m.containsKey("target")
                                ? String.format(Locale.ROOT, "  (target >= %.1fx: %s)", (Double) m.get("target"),
                                        m.get("verdict")) : ""));
            }
            out.println("(" + doc.get("repetitions") + " repetitions of " + doc.get("secondsPerRepetition")
                    + " s; ratios paired per repetition: median (min-max))");
        }
        if (doc.containsKey("reopen")) {
            Map<String, Object> r = (Map<String, Object>) doc.get("reopen");
            out.println("reopen after SIGKILL: " + r.get("bufferBytes") + " bytes in " + r.get("segments")
                    + " segments, open " + r.get("openMillis") + " ms, first record " + r.get("firstRecordMillis")
                    + " ms (page cache " + ((Boolean) r.get("pageCacheDropped") ? "dropped" : "warm") + "; recovery: "
                    + r.get("recovery") + ")");
        }
    }
}
