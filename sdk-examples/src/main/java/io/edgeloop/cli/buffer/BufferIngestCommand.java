package io.edgeloop.cli.buffer;

import io.edgeloop.buffer.receiver.IngestServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer ingest}: runs the deduplicating HTTP receiver ({@link IngestServer}) for the {@code http}
 * transport until killed, for {@code --duration} seconds, or until {@code --count} records were received (like
 * {@code mosquitto_sub -C}), and prints its counters once the server is closed, SIGINT and SIGTERM included (a
 * shutdown hook waits for them). With {@code --count} it acknowledges nothing beyond the count: later batches get a
 * retryable 503, so every record a sender was told is delivered is in "received".
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Run the deduplicating HTTP receiver for drains (POST batches to /ingest).")
public final class BufferIngestCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "Port, 0 for a free one (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--duration", defaultValue = "0", paramLabel = "SECONDS", description = "Stop after this long; 0 runs until killed (default: ${DEFAULT-VALUE}).")
    private long durationSeconds;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N", description = "Stop once N records were received, duplicates included, and answered; batches after the Nth record are refused (503, retryable), not acknowledged; 0 for no limit (default: ${DEFAULT-VALUE}).")
    private long count;

    @Override
    public Integer call() throws Exception {
        if (count < 0) {
            throw new IllegalArgumentException("--count must not be negative, got " + count);
        }
        if (durationSeconds < 0) {
            throw new IllegalArgumentException("--duration must not be negative, got " + durationSeconds);
        }
        IngestServer.Builder builder = IngestServer.builder().host(host).port(port).retain(false);
        if (count > 0) {
            // from the count on, batches are refused (retryable), not acknowledged: a record acknowledged after the
            // counters are read would be reclaimed by the sender yet missing from "received"
            builder.acceptLimit(count);
        }
        try (StopSignal stop = StopSignal.install(Duration.ofSeconds(10))) {
            IngestServer server = builder.start();
            try {
                spec.commandLine().getOut().println("listening " + server.uri());
                spec.commandLine().getOut().flush();
                long start = System.nanoTime();
                long limit = durationSeconds > 0 ? Duration.ofSeconds(durationSeconds).toNanos() : Long.MAX_VALUE;
                for (long left = limit; left > 0; left = limit - (System.nanoTime() - start)) {
                    // The last batch is counted before its answer goes out: stop only once that answer was sent.
                    if (count > 0 && server.received() >= count && server.requestsInProgress() == 0) {
                        break;
                    }
                    if (stop.await(Duration.ofMillis(Math.max(1, Math.min(20,
                            TimeUnit.NANOSECONDS.toMillis(left)))))) {
                        break;
                    }
                }
            } finally {
                // closed first: no request is answered after the counters below are read
                server.close();
            }
            spec.commandLine().getOut().println("received " + server.received() + " records, " + server.distinct()
                    + " distinct, " + server.duplicatesDropped() + " duplicates dropped, " + server.rejected()
                    + " requests refused");
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
