package io.edgeloop.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.examples.bench.serve.ServeBench;
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
 * {@code edgeloop bench serve}: polls/s of a device polling {@code bundle serve} back to back, with TCP_NODELAY on
 * the server's connections and without, side by side in one run, and the ratio. The work is done by
 * {@link ServeBench}.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Polls an update server ('bundle serve', one small bundle published) --polls times per"
                + " repetition as a device does (the http deployer's latest on a kept connection), once with"
                + " TCP_NODELAY on the server's connections (what bundle serve does) and once without (the JDK"
                + " default), each server in a JVM of its own. Prints polls/s per server (median and range over"
                + " --repeat repetitions, the servers back to back in a rotating order), the median ms per poll, and"
                + " the ratio on / off, paired per repetition."})
public final class BenchServeCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--polls", defaultValue = "200", paramLabel = "N", description = "Timed polls per server and repetition, 1 to 1000000 (default: ${DEFAULT-VALUE}).")
    private int polls;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "R", description = "Repetitions, 1 to 100 (default: ${DEFAULT-VALUE}).")
    private int repeat;

    @Option(names = "--warmup", defaultValue = "50", paramLabel = "N", description = "Untimed polls per server first, 0 to 1000000 (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--gap", defaultValue = "0", paramLabel = "MS", description = "Pause before each poll in milliseconds, not timed, 0 to 60000; 0 polls back to back (default: ${DEFAULT-VALUE}).")
    private int gapMillis;

    @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory for the store and the servers' logs (default: the system temp directory).")
    private Path dir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        validate();
        Edgeloop.quietLibraryLogsUnlessVerbose(spec);
        Map<String, Object> doc;
        try (ScratchDirectory work = ScratchDirectory.create(dir, "edgeloop-bench-serve-")) {
            ServeBench bench = new ServeBench(new ServeBench.Settings(polls, repeat, warmup, gapMillis,
                    Edgeloop.class.getName(), work.path()));
            doc = bench.report(bench.run());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else {
            printText(out, doc);
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (polls < 1 || polls > 1_000_000) {
            throw new IllegalArgumentException("--polls must be between 1 and 1000000, got " + polls);
        }
        if (repeat < 1 || repeat > 100) {
            throw new IllegalArgumentException("--repeat must be between 1 and 100, got " + repeat);
        }
        if (warmup < 0 || warmup > 1_000_000) {
            throw new IllegalArgumentException("--warmup must be between 0 and 1000000, got " + warmup);
        }
        if (gapMillis < 0 || gapMillis > 60_000) {
            throw new IllegalArgumentException("--gap must be between 0 and 60000 ms, got " + gapMillis);
        }
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, Map<String, Object> doc) {
        out.println(String.format(Locale.ROOT, "%-12s %10s %21s %11s", "server", "polls/s", "range", "ms/poll"));
        for (Map<String, Object> m : (List<Map<String, Object>>) doc.get("results")) {
            out.println(String.format(Locale.ROOT, "%-12s %10.1f %21s %11.2f", m.get("server"),
                    (Double) m.get("pollsPerSec"), m.get("minPollsPerSec") + "-" + m.get("maxPollsPerSec"),
                    (Double) m.get("msPerPoll")));
        }
        Map<String, Object> r = (Map<String, Object>) doc.get("nodelayOnVsOff");
        out.println(String.format(Locale.ROOT, "nodelay on / nodelay off: %.2fx (%.2f-%.2f)", (Double) r.get("ratio"),
                (Double) r.get("min"), (Double) r.get("max")));
        out.println("(" + doc.get("polls") + " polls per server and repetition"
                + ((Integer) doc.get("gapMillis") > 0 ? ", " + doc.get("gapMillis") + " ms apart (not timed)" : "")
                + ", " + doc.get("repetitions") + " repetitions after " + doc.get("warmupPolls")
                + " warm-up polls per server; ms/poll: median; ratio paired per repetition: median (min-max))");
    }
}
