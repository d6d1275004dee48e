package io.edgeloop.cli.buffer;

import io.edgeloop.buffer.receiver.IngestServer;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer ingest}: runs the deduplicating HTTP receiver ({@link IngestServer}) for the {@code http}
 * transport, and prints its counters when it stops.
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

    @Override
    public Integer call() throws Exception {
        try (IngestServer server = IngestServer.builder().host(host).port(port).retain(false).start()) {
            spec.commandLine().getOut().println("listening " + server.uri());
            spec.commandLine().getOut().flush();
            Thread.sleep(durationSeconds > 0 ? Duration.ofSeconds(durationSeconds).toMillis() : Long.MAX_VALUE);
            spec.commandLine().getOut().println("received " + server.received() + " records, " + server.distinct()
                    + " distinct, " + server.duplicatesDropped() + " duplicates dropped, " + server.rejected()
                    + " requests refused");
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
