package io.edgeloop.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.examples.bench.drain.DrainBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bench drain}: records/s of {@code buffer drain}'s loop over each transport to a loopback receiver,
 * the same buffer and records for every one, side by side in one run, with each transport's ratio to the first.
 * The work is done by {@link DrainBench}.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = {"Drains one buffer of --records records over each of --transports to a receiver on loopback"
                + " (http: an IngestServer, as buffer ingest runs; mqtt: mosquitto, started unless --mqtt is given;"
                + " relay: a RelayServer storing into a gateway buffer), each drain through a cursor of its own, as"
                + " buffer drain does (batches of --batch, no linger). Prints records/s per transport (median and"
                + " range over --repeat repetitions, the transports back to back in a rotating order), ms/batch (the"
                + " median over the repetitions of one drain's time over its batches) and batches (acknowledged per"
                + " drain), and each transport's ratio to the first one, paired per repetition. Fewer than "
                + BenchDrainCommand.MIN_TIMED_BATCHES + " timed batches per transport (batches x --repeat) print a"
                + " warning on stderr: the figures are noise then."})
public final class BenchDrainCommand implements Callable<Integer> {
    private static final int MAX_SIZE = 1 << 20;
    /** Below this many timed batches per transport, a drain takes a few milliseconds and its figures are noise. */
    static final int MIN_TIMED_BATCHES = 20;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--records", defaultValue = "100000", paramLabel = "N", description = "Records in the drained buffer, 1 to 100000000 (default: ${DEFAULT-VALUE}).")
    private int records;

    @Option(names = "--size", defaultValue = "100", paramLabel = "BYTES", description = "Payload bytes per record, 1 to " + MAX_SIZE + " (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--batch", defaultValue = "500", paramLabel = "N", description = "Most records per batch, as buffer drain --batch, 1 to 100000 (default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(names = "--transports", defaultValue = "http,mqtt", split = ",", paramLabel = "T", description = "http, mqtt and/or relay; ratios are to the first (default: ${DEFAULT-VALUE}).")
    private List<String> transports;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "R", description = "Repetitions, 1 to 100 (default: ${DEFAULT-VALUE}).")
    private int repeat;

    @Option(names = "--warmup", defaultValue = "20000", paramLabel = "N", description = "Records drained untimed over each transport first (from a buffer of their own), 0 to 10000000 (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--mqtt", paramLabel = "HOST:PORT", description = "Use this MQTT broker instead of starting mosquitto on loopback.")
    private String mqtt;

    @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory for the buffers (default: the system temp directory).")
    private Path dir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        validate();
        Edgeloop.quietLibraryLogsUnlessVerbose(spec);
        Map<String, Object> doc;
        try (ScratchDirectory work = ScratchDirectory.create(dir, "edgeloop-bench-drain-")) {
            DrainBench bench = new DrainBench(new DrainBench.Settings(records, size, batch, transports, repeat,
                    warmup, mqtt, work.path()));
            doc = bench.report(bench.run());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else {
            printText(out, doc);
        }
        out.flush();
        long timed = fewestTimedBatches(doc);
        if (timed < MIN_TIMED_BATCHES) {
            long records = ((long) MIN_TIMED_BATCHES * batch + repeat - 1) / repeat;
            spec.commandLine().getErr().println("edgeloop: warning: only " + timed + " batch" + (timed == 1 ? "" : "es")
                    + " timed per transport (batches x --repeat " + repeat + "): the figures are noise; time at least "
                    + MIN_TIMED_BATCHES + ", e.g. --records " + records + " with --batch " + batch);
            spec.commandLine().getErr().flush();
        }
        return 0;
    }

    private void validate() {
        if (records < 1 || records > 100_000_000) {
            throw new IllegalArgumentException("--records must be between 1 and 100000000, got " + records);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("--size must be between 1 and " + MAX_SIZE + " bytes, got " + size);
        }
        if (batch < 1 || batch > 100_000) {
            throw new IllegalArgumentException("--batch must be between 1 and 100000, got " + batch);
        }
        if (repeat < 1 || repeat > 100) {
            throw new IllegalArgumentException("--repeat must be between 1 and 100, got " + repeat);
        }
        if (warmup < 0 || warmup > 10_000_000) {
            throw new IllegalArgumentException("--warmup must be between 0 and 10000000, got " + warmup);
        }
        if (mqtt != null && !mqtt.matches("[^:/\\s]+:\\d{1,5}")) {
            throw new IllegalArgumentException("--mqtt must be HOST:PORT, got '" + mqtt + "'");
        }
        DrainBench.checkTransports(transports);
    }

    @SuppressWarnings("unchecked")
    private static long fewestTimedBatches(Map<String, Object> doc) {
        long repetitions = ((Number) doc.get("repetitions")).longValue();
        return ((List<Map<String, Object>>) doc.get("results")).stream()
                .mapToLong(m -> ((Number) m.get("batches")).longValue() * repetitions).min().orElse(0);
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, Map<String, Object> doc) {
        out.println(String.format(Locale.ROOT, "%-9s %12s %23s %12s %9s", "transport", "records/s", "range",
                "ms/batch", "batches"));
        for (Map<String, Object> m : (List<Map<String, Object>>) doc.get("results")) {
            out.println(String.format(Locale.ROOT, "%-9s %12d %23s %12.2f %9d", m.get("transport"),
                    (Long) m.get("recordsPerSec"), m.get("minRecordsPerSec") + "-" + m.get("maxRecordsPerSec"),
                    (Double) m.get("msPerBatch"), (Long) m.get("batches")));
        }
        for (Map<String, Object> m : (List<Map<String, Object>>) doc.get("ratios")) {
            out.println(String.format(Locale.ROOT, "%s / %s: %.2fx (%.2f-%.2f)", m.get("transport"), m.get("vs"),
                    (Double) m.get("ratio"), (Double) m.get("min"), (Double) m.get("max")));
        }
        out.println("(" + doc.get("records") + " records of " + doc.get("recordBytes") + " B in batches of "
                + doc.get("batch") + ", " + doc.get("repetitions") + (Integer.valueOf(1).equals(doc.get("repetitions"))
                ? " repetition" : " repetitions") + " after " + doc.get("warmupRecords")
                + " warm-up records per transport; ratios paired per repetition: median (min-max))");
    }
}
