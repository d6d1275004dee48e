package io.edgeloop.examples.labeling;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.io.WrenchDataset;
import io.edgeloop.labeling.io.WrenchEvaluation;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;
import io.edgeloop.labeling.lf.LfApplier;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.VoteCounts;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import io.edgeloop.labeling.model.Scores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The measurements behind {@code edgeloop bench label}: labelling-function evaluations per second (against a
 * hand-written array loop as the baseline), label-model fit time on a synthetic 1,000,000 x 20 matrix (against
 * the 2 s target), and every label model's test figures on each WRENCH set beside the WRENCH reference figures.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class LabelBenchmark {
    /** WRENCH reference figures (reference-notes.md section 2): set -> model -> figure. */
    public static final Map<String, Map<String, Double>> REFERENCE = Map.of(
            "youtube", Map.of("mv", 84.00, "wmv", 78.00, "ds", 83.20),
            "sms", Map.of("mv", 23.97, "wmv", 23.97, "ds", 4.94),
            "tennis", Map.of("mv", 88.47, "ds", 89.28));

    private final long seed;

    /**
     * @param seed seed for the synthetic data
     */
    public LabelBenchmark(long seed) {
        this.seed = seed;
    }

    /**
     * Feature-threshold LF throughput, single thread, best of 5 passes.
     *
     * @param windows number of windows
     * @return figures: {@code lf_evals_per_s}, {@code baseline_array_evals_per_s}, {@code ratio},
     *         {@code applier_evals_per_s} (all cores, with exception isolation), {@code cores}
     */
    public Map<String, Object> lfThroughput(int windows) {
        if (windows < 1) {
            throw new IllegalArgumentException("windows must be at least 1, got " + windows);
        }
        Random r = new Random(seed);
        String[] features = {"co2.mean", "co2.slope", "light.mean", "light.max", "temp.mean", "hum.mean",
            "hum.slope", "light.std", "co2.max", "temp.slope"};
        List<Window> ws = new ArrayList<>(windows);
        double[][] raw = new double[windows][features.length];
        for (int i = 0; i < windows; i++) {
            Window.Builder b = Window.builder().deviceId("bench").index(i);
            for (int f = 0; f < features.length; f++) {
                raw[i][f] = r.nextGaussian();
                b.feature(features[f], raw[i][f]);
            }
            ws.add(b.build());
        }
        List<Labeller> lfs = new ArrayList<>();
        for (int f = 0; f < features.length; f++) {
            lfs.add(Lf.named("lf" + f).when(Conditions.feature(features[f]).above(0.5)).vote(f % 2));
        }
        long evals = (long) windows * lfs.size();
        double best = Double.MAX_VALUE;
        long sink = 0;
        for (int pass = 0; pass < 5; pass++) {
            long t0 = System.nanoTime();
            for (Window w : ws) {
                for (Labeller l : lfs) {
                    sink += l.label(w);
                }
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        double baseline = Double.MAX_VALUE;
        for (int pass = 0; pass < 5; pass++) {
            long t0 = System.nanoTime();
            for (double[] row : raw) {
                for (int f = 0; f < row.length; f++) {
                    sink += row[f] > 0.5 ? f % 2 : -1;
                }
            }
            baseline = Math.min(baseline, (System.nanoTime() - t0) / 1e9);
        }
        LfApplier applier = new LfApplier(lfs);
        double applied = Double.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            long t0 = System.nanoTime();
            sink += applier.apply(ws).matrix().rows();
            applied = Math.min(applied, (System.nanoTime() - t0) / 1e9);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("windows", windows);
        m.put("lfs", lfs.size());
        m.put("lf_evals_per_s", Math.round(evals / best));
        m.put("baseline_array_evals_per_s", Math.round(evals / baseline));
        m.put("ratio_to_baseline", round(baseline / best, 3));
        m.put("target_evals_per_s_per_core", 5_000_000);
        m.put("applier_evals_per_s", Math.round(evals / applied));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("load_average_at_end", round(java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage(), 2));
        m.put("checksum", sink);
        return m;
    }

    /**
     * A synthetic n x m binary matrix: balanced classes, each LF covers 10-50 % of rows with accuracy 0.55-0.95.
     *
     * @param n rows
     * @param m LFs
     * @return the matrix
     */
    public LabelMatrix synthetic(int n, int m) {
        if (n < 1 || m < 1) {
            throw new IllegalArgumentException("the matrix needs at least 1 row and 1 LF, got " + n + " x " + m);
        }
        int cells;
        try {
            cells = Math.multiplyExact(n, m);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a " + n + " x " + m + " matrix has more votes than an array holds", e);
        }
        Random r = new Random(seed);
        double[] cov = new double[m];
        double[] acc = new double[m];
        for (int j = 0; j < m; j++) {
            cov[j] = 0.1 + 0.4 * r.nextDouble();
            acc[j] = 0.55 + 0.4 * r.nextDouble();
        }
        byte[] v = new byte[cells];
        for (int i = 0; i < n; i++) {
            int y = r.nextInt(2);
            for (int j = 0; j < m; j++) {
                v[i * m + j] = (byte) (r.nextDouble() < cov[j] ? (r.nextDouble() < acc[j] ? y : 1 - y) : -1);
            }
        }
        return LabelMatrix.of(n, m, 2, v, LabelMatrix.defaultNames(m));
    }

    /**
     * Fit time of every label model on a synthetic matrix, best of 3, including counting its sufficient
     * statistics.
     *
     * @param n rows
     * @param m LFs
     * @return per model the fit seconds, plus {@code counts_s}, {@code distinct_patterns} and the target
     */
    public Map<String, Object> fitTimes(int n, int m) {
        LabelMatrix x = synthetic(n, m);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", n);
        out.put("lfs", m);
        double countS = Double.MAX_VALUE;
        double countCpu = Double.MAX_VALUE;
        VoteCounts counts = null;
        for (int pass = 0; pass < 3; pass++) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            counts = VoteCounts.of(x);
            countS = Math.min(countS, (System.nanoTime() - t0) / 1e9);
            countCpu = Math.min(countCpu, (processCpuNanos() - c0) / 1e9);
        }
        out.put("distinct_patterns", counts.distinct());
        out.put("counts_s", round(countS, 3));
        out.put("counts_cpu_s", round(countCpu, 3));
        FitData data = FitData.builder().counts(counts).seed(seed).build();
        for (String name : List.of("mv", "ds", "snorkel", "snorkel-mc", "auto")) {
            double best = Double.MAX_VALUE;
            double cpu = Double.MAX_VALUE;
            for (int pass = 0; pass < 3; pass++) {
                long c0 = processCpuNanos();
                long t0 = System.nanoTime();
                LabelModels.fit(name, data);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                cpu = Math.min(cpu, (processCpuNanos() - c0) / 1e9);
            }
            out.put(name + "_fit_s", round(best, 3));
            out.put(name + "_fit_cpu_s", round(cpu, 3));
            out.put(name + "_counts_plus_fit_s", round(best + countS, 3));
        }
        out.put("target_s", 2.0);
        out.put("load_average_at_end", round(java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage(), 2));
        return out;
    }

    /**
     * Every label model's test figure on each WRENCH set under {@code root} (accuracy, binary F1 for sms), with
     * the WRENCH reference beside it. A set that cannot be read (malformed, unreadable) gives one row
     * {@code {"set": name, "error": message}} and the others are still measured: one bad set used to abort the
     * whole benchmark after its minutes of measuring, with no figure printed.
     *
     * @param root the directory holding youtube/, sms/, tennis/ (and any other WRENCH-format sets)
     * @return one row per set and model, one row per set that could not be read
     * @throws IOException when {@code root} cannot be listed
     */
    public List<Map<String, Object>> wrenchTable(Path root) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Path> sets = new ArrayList<>();
        try (var s = Files.list(root)) {
            s.filter(p -> Files.isRegularFile(p.resolve("train.json"))).sorted().forEach(sets::add);
        }
        for (Path dir : sets) {
            WrenchDataset d;
            FitData fd;
            try {
                d = WrenchDataset.read(dir);
                fd = WrenchEvaluation.fitData(d, seed);
            } catch (IOException | IllegalArgumentException | java.io.UncheckedIOException e) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("set", dir.getFileName().toString());
                row.put("error", String.valueOf(e.getMessage()));
                rows.add(row);
                continue;
            }
            String metric = d.name().equals("sms") ? "f1_binary" : "accuracy";
            double mv = Double.NaN;
            for (String model : List.of("mv", "wmv", "ds", "snorkel", "snorkel-mc", "hmm", "auto")) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("set", d.name());
                row.put("model", model);
                row.put("metric", metric);
                LabelModel lm;
                try {
                    WrenchEvaluation.requireUsable(d, model, Map.of()); // its note in WRENCH terms
                    lm = LabelModels.fit(model, fd);
                } catch (IllegalArgumentException e) {
                    row.put("value", null);
                    row.put("note", e.getMessage());
                    rows.add(row);
                    continue;
                }
                Scores s = Scores.of(WrenchEvaluation.predict(lm, d.test()), d.test().gold(), d.numClasses());
                double v = metric.equals("f1_binary") ? s.f1Binary() : s.accuracy();
                if (model.equals("mv")) {
                    mv = v;
                }
                row.put("value", round(v, 2));
                Double ref = REFERENCE.getOrDefault(d.name(), Map.of()).get(model);
                row.put("wrench_reference", ref);
                row.put("delta_vs_mv", round(v - mv, 2));
                if (model.equals("auto")) {
                    row.put("chosen", lm.settings().get("auto.chosen"));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** Process CPU time (all threads), so figures stay interpretable on a loaded machine; -1 if unavailable. */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
