package io.edgeloop.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.edgeloop.examples.bench.ingest.IngestBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop bench ingest}: fleet ingestion through Kafka, end to end, beside Kafka's producer-perf-test.
 * The work is done by {@link IngestBench}.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"N simulated devices drain R records each from their own durable buffers through the kafka"
                + " transport (a gateway FleetDrainer: a few I/O threads, many batches in flight, one producer); consumers read them back through"
                + " the kafka source. Reports sent, received (distinct), lost, duplicates, order violations and"
                + " records/s beside Kafka's producer-perf-test on the same broker and record size, run cold and warm"
                + " (steady state after as many untimed warm-up records); each of --repeat repetitions runs the warm"
                + " baseline and our flow back to back; baselineToOursRatio = the median over the repetitions of warm"
                + " baseline records/s / ours (<= 2 is issue #8's target), with its range and the figures of every"
                + " repetition; coldBaselineToOursRatio divides one cold run by our median.",
            "Without --bootstrap a local single-node KRaft broker is started in a child JVM."})
public final class BenchIngestCommand implements Callable<Integer> {
    private static final String KAFKA_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.apache.kafka";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--devices", defaultValue = "1000", description = "Simulated devices (default ${DEFAULT-VALUE}).")
    private int devices;

    @Option(names = "--records", defaultValue = "100", description = "Records per device (default ${DEFAULT-VALUE}).")
    private int records;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Use this Kafka broker instead of starting a local one.")
    private String bootstrap;

    @Option(names = "--io-threads", defaultValue = "2",
            description = "Gateway I/O threads that open, read, commit and close buffers (default ${DEFAULT-VALUE}).")
    private int ioThreads;

    @Option(names = "--max-active", defaultValue = "1024",
            description = "Buffers drained at once, each with one batch in flight (default ${DEFAULT-VALUE}).")
    private int maxActive;

    @Option(names = "--consumers", defaultValue = "2",
            description = "Consumer-group members reading back (default ${DEFAULT-VALUE}).")
    private int consumers;

    @Option(names = "--partitions", defaultValue = "8", description = "Topic partitions (default ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--batch", defaultValue = "500",
            description = "Most records per transport batch (default ${DEFAULT-VALUE}).")
    private int batch;

    @Option(names = "--restart-broker",
            description = "Kill the local broker with SIGKILL a third of the way through and restart it.")
    private boolean restartBroker;

    @Option(names = "--broker-session-ms", paramLabel = "MS", defaultValue = "9000",
            description = "The local broker's broker.session.timeout.ms, 1000 to 60000 (heartbeats a sixth of it when"
                    + " not the default). A restarted broker is refused registration until the killed one's session"
                    + " ends, so --restart-broker's downSeconds includes it; the default, Kafka's own, keeps that"
                    + " figure a stock broker's (default ${DEFAULT-VALUE}).")
    private int brokerSessionMs;

    @Option(names = "--no-baseline", negatable = false,
            description = "Skip the producer-perf-test baseline.")
    private boolean noBaseline;

    @Option(names = "--consume-after-drain",
            description = "Start the consumers only after the drain, to time the produce path (drainRecordsPerSec) alone.")
    private boolean consumeAfter;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Keep buffers and broker data here (default: a temporary directory, deleted afterwards).")
    private Path workDir;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the simulated readings (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--warmup-rounds", defaultValue = "5",
            description = "Untimed dress rehearsals before the measured drain: every buffer drained through a cursor"
                    + " of its own into a topic of its own and read back, so the measured run starts with compiled"
                    + " code; 0 to 10, 0 for none (default ${DEFAULT-VALUE}).")
    private int warmupRounds;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "R",
            description = "Measured repetitions after the rehearsals, 1 to 20: each runs producer-perf-test (steady"
                    + " state) and our flow back to back on the same broker, alternating which goes first, with a"
                    + " cursor and topics of its own; the ratio is reported per repetition with its median and range"
                    + " (default ${DEFAULT-VALUE}).")
    private int repeat;

    @Option(names = "--json", description = "Print the report as JSON.")
    private boolean json;

    private boolean verbose() {
        for (CommandLine.ParseResult p = spec.root().commandLine().getParseResult(); p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Integer call() throws Exception {
        // The Kafka clients log every connection at INFO and every refused or dropped connection at WARN (while a
        // broker starts, and throughout --restart-broker, on purpose): keep the benchmark's output to its own lines
        // and Kafka's errors unless --verbose, as other commands do with Tribuo's log. An explicit
        // -Dorg.slf4j.simpleLogger.log.org.apache.kafka wins; slf4j-simple reads it when a logger is first created,
        // so it applies to the first command of a JVM.
        if (System.getProperty(KAFKA_LOG_LEVEL) == null) {
            System.setProperty(KAFKA_LOG_LEVEL, verbose() ? "warn" : "error");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        IngestBench.Settings settings = new IngestBench.Settings(devices, records, bootstrap, ioThreads, maxActive,
                consumers,
                partitions, batch, restartBroker, !noBaseline, consumeAfter, workDir, seed,
                warmupRounds, repeat, brokerSessionMs);
        Map<String, Object> report = IngestBench.run(settings, line -> {
            err.println(line);
            err.flush();
        });
        ObjectMapper mapper = new ObjectMapper();
        if (json) {
            out.println(mapper.writeValueAsString(report));
        } else {
            out.println(mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        }
        out.flush();
        // The figures are printed either way; a run that lost (records refused by the transport included),
        // duplicated, reordered or invented records is a failure.
        long bad = 0;
        for (String k : new String[] {"lost", "duplicates", "orderViolations", "unexpected"}) {
            Object v = report.get(k);
            bad += v instanceof Number n ? n.longValue() : 0;
        }
        if (bad > 0) {
            err.println("edgeloop: bench ingest lost, duplicated, reordered or received unexpected records (see the"
                    + " report: lost counts records refused by the transport too, rejectedByTransport)");
            err.flush();
            return 1;
        }
        return 0;
    }
}
