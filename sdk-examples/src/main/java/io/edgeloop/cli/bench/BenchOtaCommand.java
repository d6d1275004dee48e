package io.edgeloop.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.examples.ota.VerificationBenchmark;
import io.edgeloop.ota.bundle.BundleLimits;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bench ota}: median time to verify a 1 MiB bundle (archive limits, signatures and threshold,
 * canonical manifest, digests, target) side by side with the floor (one SHA-256 pass plus the signature checks
 * alone), for Ed25519 1-of-1 (tar and tar.gz) and Ed25519 + P-256 2-of-2, with the ratio and the 10 ms
 * target.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "ota", mixinStandardHelpOptions = true,
        description = "Bundle verification time (1 MiB) vs the SHA-256 + signature floor; target < 10 ms.")
public final class BenchOtaCommand implements Callable<Integer> {
    /** The target for a 1 MiB bundle. */
    static final double TARGET_MILLIS = 10.0;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    /** The largest {@code --bytes}: one bundle entry at {@link BundleLimits#DEFAULT}'s limit (64 MiB). */
    static final long MAX_BYTES = BundleLimits.DEFAULT.maxEntryBytes();
    /** The most {@code --iterations}: 50 times the default; each runs every configuration twice (warm-up). */
    static final int MAX_ITERATIONS = 10_000;

    @Option(names = "--bytes", defaultValue = "1048576", converter = io.edgeloop.cli.ByteSizeConverter.class,
            description = "Artifact payload size, 1024 (1KiB) to 67108864 (64MiB, the largest bundle entry); units as "
                    + "in 512, 64KiB, 16MiB (default: ${DEFAULT-VALUE}).")
    private long bytes;

    @Option(names = "--iterations", defaultValue = "200", description = "Timed iterations, 5 to 10000 (default: "
            + "${DEFAULT-VALUE}).")
    private int iterations;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (bytes < 1024 || bytes > MAX_BYTES) {
            throw new IllegalArgumentException("--bytes must be between 1024 (1 KiB) and " + MAX_BYTES
                    + " (64 MiB, the largest bundle entry a reader accepts), got " + bytes);
        }
        if (iterations < 5 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("--iterations must be between 5 (a median needs a few runs) and "
                    + MAX_ITERATIONS + ", got " + iterations);
        }
        List<VerificationBenchmark.Result> rs = new VerificationBenchmark((int) bytes, iterations).run();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (VerificationBenchmark.Result r : rs) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("config", r.name());
                m.put("bundleBytes", r.bundleBytes());
                m.put("verifyMillis", round(r.medianMillis()));
                m.put("floorMillis", round(r.floorMillis()));
                m.put("ratioToFloor", round(r.ratioToFloor()));
                m.put("targetMillis", TARGET_MILLIS);
                m.put("meetsTarget", r.medianMillis() < TARGET_MILLIS);
                rows.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("results", rows);
            doc.put("cpus", Runtime.getRuntime().availableProcessors());
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else {
            out.printf("%-28s %12s %14s %16s %8s %s%n", "bundle", "bytes", "verify (ms)", "floor* (ms)", "ratio",
                    "target < 10 ms");
            for (VerificationBenchmark.Result r : rs) {
                out.printf("%-28s %12d %14.3f %16.3f %8.2f %s%n", r.name(), r.bundleBytes(), r.medianMillis(),
                        r.floorMillis(), r.ratioToFloor(), r.medianMillis() < TARGET_MILLIS ? "yes" : "NO");
            }
            out.println("* floor = one SHA-256 pass over the bundle + the signature checks alone; medians of "
                    + iterations + " runs after " + iterations + " warm-up runs");
        }
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
