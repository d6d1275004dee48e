package io.edgeloop.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.edgeloop.examples.labeling.LabelBenchmark;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop bench label}: LF evaluations per second, label-model fit time on a 1,000,000 x 20 matrix, and
 * every label model's figures on each WRENCH set, side by side with baselines and reference figures. A set that
 * cannot be read is reported in its place (an {@code "error"} entry, an error line in the table) and the others are
 * measured; the exit code is then 1, after everything is printed, so a script does not take a report missing a set
 * for a complete one.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "label", mixinStandardHelpOptions = true,
        description = "Benchmark labelling functions and label models (throughput, fit time, WRENCH figures).")
public final class BenchLabelCommand implements Callable<Integer> {
    private static final int MAX_ROWS = 10_000_000;
    private static final int MAX_LFS = 127;
    private static final int MAX_WINDOWS = 5_000_000;
    /** Votes of the synthetic matrix (one byte each): ten times the default 1,000,000 x 20. */
    private static final long MAX_CELLS = 200_000_000L;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--wrench-root", paramLabel = "DIR",
            description = "Directory of WRENCH sets (default: the first shared/datasets/wrench found in the working "
                    + "directory or one of its parents, or beside one of them, as ../shared/datasets/wrench).")
    private Path wrenchRoot;

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows of the synthetic matrix, 1 to " + MAX_ROWS + "; rows x LFs at most " + MAX_CELLS
                    + " (default: ${DEFAULT-VALUE}).")
    private int rows;

    @Option(names = "--lfs", defaultValue = "20", description = "LFs of the synthetic matrix, 2 to " + MAX_LFS + " (default: ${DEFAULT-VALUE}).")
    private int lfs;

    @Option(names = "--windows", defaultValue = "200000", description = "Windows for LF throughput, 1 to " + MAX_WINDOWS + " (default: ${DEFAULT-VALUE}).")
    private int windows;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", description = "Print JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        validate();
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path root = wrenchRoot != null ? wrenchRoot : findWrench(cwd);
        if (root == null) {
            throw new IllegalArgumentException("no shared/datasets/wrench (or ../shared/datasets/wrench) in " + cwd
                    + " or any parent directory; pass --wrench-root DIR");
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("WRENCH directory " + root + " not found; pass --wrench-root DIR");
        }
        // refused before the minutes of synthetic benchmarks: a directory without sets used to skip the per-set
        // table silently and exit 0
        boolean anySet;
        try (java.util.stream.Stream<Path> s = Files.list(root)) {
            anySet = s.anyMatch(p -> Files.isRegularFile(p.resolve("train.json")));
        }
        if (!anySet) {
            throw new IllegalArgumentException((wrenchRoot != null ? "--wrench-root " : "WRENCH directory ") + root
                    + " holds no WRENCH set (a subdirectory with train.json, test.json and label.json, such as sms, "
                    + "tennis or youtube); pass --wrench-root with the directory that holds the sets");
        }
        LabelBenchmark b = new LabelBenchmark(seed);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("lf_throughput", b.lfThroughput(windows));
        doc.put("fit", b.fitTimes(rows, lfs));
        List<Map<String, Object>> table = b.wrenchTable(root);
        doc.put("wrench", table);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.println("LF throughput: " + pairs(doc.get("lf_throughput")));
            out.println("Fit:           " + pairs(doc.get("fit")));
            out.printf(Locale.ROOT, "%-10s %-11s %-10s %8s %10s %8s %s%n", "set", "model", "metric", "value",
                    "reference", "vs mv", "");
            // why a figure is "-" (hmm without frames, wmv without valid.json): one footnote per distinct reason
            List<String> notes = new java.util.ArrayList<>();
            for (Map<String, Object> r : table) {
                if (r.containsKey("error")) {
                    out.printf(Locale.ROOT, "%-10s error: %s%n", r.get("set"), r.get("error"));
                    continue;
                }
                String last = r.containsKey("chosen") ? "chose " + r.get("chosen") : "";
                if (r.get("note") != null) {
                    String note = String.valueOf(r.get("note"));
                    note = note.startsWith(r.get("model") + " ") ? note : r.get("model") + ": " + note;
                    if (!notes.contains(note)) {
                        notes.add(note);
                    }
                    last = "[" + (notes.indexOf(note) + 1) + "]";
                }
                out.printf(Locale.ROOT, "%-10s %-11s %-10s %8s %10s %8s %s%n", r.get("set"), r.get("model"),
                        r.get("metric"), r.get("value") == null ? "-" : r.get("value"),
                        r.get("wrench_reference") == null ? "-" : r.get("wrench_reference"),
                        r.get("delta_vs_mv") == null ? "-" : r.get("delta_vs_mv"), last);
            }
            if (!notes.isEmpty()) {
                out.println();
                for (int i = 0; i < notes.size(); i++) {
                    out.println("[" + (i + 1) + "] " + notes.get(i));
                }
            }
        }
        out.flush();
        List<String> failed = table.stream().filter(r -> r.containsKey("error")).map(r -> (String) r.get("set"))
                .toList();
        if (!failed.isEmpty()) {
            spec.commandLine().getErr().println("edgeloop: " + failed.size() + " WRENCH set(s) under " + root
                    + " could not be read, the others were measured: " + String.join(", ", failed)
                    + " (see the error " + (json ? "entries" : "lines") + ")");
            spec.commandLine().getErr().flush();
            return io.edgeloop.cli.Edgeloop.EXIT_FAILURE;
        }
        return 0;
    }

    /** "key value, key value" for a map of figures (Map.toString's braces and '=' read as code, not a report). */
    private static String pairs(Object figures) {
        if (!(figures instanceof Map<?, ?> m)) {
            return String.valueOf(figures);
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
        }
        return b.toString();
    }

    private void validate() {
        if (rows < 1 || rows > MAX_ROWS) {
            throw new IllegalArgumentException("--rows must be between 1 and " + MAX_ROWS + ", got " + rows);
        }
        if (lfs < 2 || lfs > MAX_LFS) {
            throw new IllegalArgumentException("--lfs must be between 2 and " + MAX_LFS + ", got " + lfs);
        }
        if (windows < 1 || windows > MAX_WINDOWS) {
            throw new IllegalArgumentException("--windows must be between 1 and " + MAX_WINDOWS + ", got " + windows);
        }
        long cells = Math.multiplyExact((long) rows, (long) lfs);
        if (cells > MAX_CELLS) {
            throw new IllegalArgumentException("--rows x --lfs must be at most " + MAX_CELLS + " votes, got " + rows
                    + " x " + lfs + " = " + cells);
        }
    }

    /** The first WRENCH root at or beside the directory or one of its parents; null when there is none. */
    static Path findWrench(Path p) {
        for (Path q = p; q != null; q = q.getParent()) {
            for (String rel : new String[] {"shared/datasets/wrench", "../shared/datasets/wrench"}) {
                Path c = q.resolve(rel).normalize();
                if (Files.isDirectory(c)) {
                    return c;
                }
            }
        }
        return null;
    }
}
