package io.edgeloop.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.examples.bench.buffer.BenchResult;
import io.edgeloop.examples.bench.buffer.BufferBenchmark;
import io.edgeloop.examples.bench.buffer.ReopenResult;
import java.io.PrintWriter;
import java.nio.file.Files;
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
 * records, all on one disk in one run, with the ratios the issue sets. {@code --reopen} also times reopening a
 * 1 GiB buffer after its appender was killed with SIGKILL.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "buffer", mixinStandardHelpOptions = true,
        description = "Buffer appends/s vs Square Tape and raw FileChannel at the same sync cadence; --reopen times recovery of 1 GiB.")
public final class BenchBufferCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory on the disk to measure (default: the system temp directory).")
    private Path dir;

    @Option(names = "--seconds", defaultValue = "1.5", paramLabel = "S", description = "Append time per repetition (default: ${DEFAULT-VALUE}).")
    private double seconds;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "N", description = "Repetitions per configuration; the median is reported (default: ${DEFAULT-VALUE}).")
    private int repeat;

    @Option(names = "--sizes", defaultValue = "100,1024", split = ",", paramLabel = "BYTES", description = "Record sizes (default: ${DEFAULT-VALUE}).")
    private int[] sizes;

    @Option(names = "--reopen", description = "Also time reopening a buffer of --reopen-bytes after a SIGKILL.")
    private boolean reopen;

    @Option(names = "--reopen-only", description = "Only the reopen measurement.")
    private boolean reopenOnly;

    @Option(names = "--reopen-bytes", defaultValue = "1073741824", paramLabel = "BYTES", description = "Buffer size for --reopen (default: 1 GiB).")
    private long reopenBytes;

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || repeat < 1) {
            throw new IllegalArgumentException("--seconds must be positive and --repeat at least 1");
        }
        Path scratch = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
        Path work = Files.createTempDirectory(Files.createDirectories(scratch), "edgeloop-bench-buffer-");
        PrintWriter out = spec.commandLine().getOut();
        BufferBenchmark bench = new BufferBenchmark(work, Duration.ofMillis((long) (seconds * 1000)), repeat);
        Map<String, Object> doc = new LinkedHashMap<>();
        try {
            if (!reopenOnly) {
                List<BenchResult> results = bench.run(sizes);
                List<Map<String, Object>> rows = new ArrayList<>();
                for (BenchResult r : results) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("system", r.system());
                    m.put("policy", r.policy());
                    m.put("recordBytes", r.recordBytes());
                    m.put("recordsPerSec", Math.round(r.recordsPerSec()));
                    m.put("mbPerSec", Math.round(r.mbPerSec() * 100) / 100.0);
                    m.put("syncs", r.syncs());
                    rows.add(m);
                }
                doc.put("results", rows);
                doc.put("ratios", ratios(results));
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
            try (var s = Files.walk(work)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else {
            printText(out, doc);
        }
        out.flush();
        return 0;
    }

    private static List<Map<String, Object>> ratios(List<BenchResult> results) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BenchResult r : results) {
            if (!r.system().equals("edgeloop")) {
                continue;
            }
            find(results, "raw", r.policy(), r.recordBytes()).ifPresent(raw ->
                    out.add(ratio(r, "raw", r.policy(), raw, r.policy().equals("none") ? null : 0.8)));
            if (!r.policy().equals("none")) {
                find(results, "tape", "always", r.recordBytes()).ifPresent(tape ->
                        out.add(ratio(r, "tape", "always", tape,
                                r.policy().equals("group") && r.recordBytes() == 100 ? 50.0 : null)));
            }
        }
        return out;
    }

    private static java.util.Optional<BenchResult> find(List<BenchResult> all, String system, String policy, int size) {
        return all.stream().filter(x -> x.system().equals(system) && x.policy().equals(policy)
                && x.recordBytes() == size).findFirst();
    }

    private static Map<String, Object> ratio(BenchResult r, String vsSystem, String vsPolicy, BenchResult vs,
            Double target) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recordBytes", r.recordBytes());
        m.put("edgeloop", r.policy());
        m.put("vs", vsSystem + " " + vsPolicy);
        double v = r.recordsPerSec() / vs.recordsPerSec();
        m.put("ratio", Math.round(v * 100) / 100.0);
        if (target != null) {
            m.put("target", target);
            m.put("met", v >= target);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, Map<String, Object> doc) {
        if (doc.containsKey("results")) {
            out.println(String.format(Locale.ROOT, "%-9s %-7s %7s %14s %10s %9s", "system", "policy", "bytes",
                    "records/s", "MB/s", "syncs"));
            for (Map<String, Object> m : (List<Map<String, Object>>) doc.get("results")) {
                out.println(String.format(Locale.ROOT, "%-9s %-7s %7d %14d %10.2f %9d", m.get("system"),
                        m.get("policy"), (Integer) m.get("recordBytes"), (Long) m.get("recordsPerSec"),
                        (Double) m.get("mbPerSec"), (Long) m.get("syncs")));
            }
            out.println();
            for (Map<String, Object> m : (List<Map<String, Object>>) doc.get("ratios")) {
                out.println(String.format(Locale.ROOT, "%5d B  edgeloop %-6s vs %-12s %8.2fx%s", (Integer) m.get("recordBytes"),
                        m.get("edgeloop"), m.get("vs"), (Double) m.get("ratio"), m.containsKey("target")
                                ? String.format(Locale.ROOT, "  (target >= %.1fx: %s)", (Double) m.get("target"),
                                        (Boolean) m.get("met") ? "met" : "NOT met") : ""));
            }
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
