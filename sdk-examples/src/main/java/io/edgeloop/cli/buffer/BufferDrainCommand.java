package io.edgeloop.cli.buffer;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.ota.bundle.PrintableText;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer drain}: sends every durable record not yet acknowledged on the cursor to a transport
 * chosen by the URI's scheme ({@code file:} file-drop, {@code http:}/{@code https:} http, {@code mqtt:} mqtt,
 * {@code relay:} relay to a gateway),
 * committing the cursor batch by batch. Fails (exit 1) if not everything was acknowledged within the timeout;
 * what was acknowledged stays committed and the rest is sent next time. Meanwhile each new failure is printed on
 * stderr as it happens, as a notice that the drain retries until the deadline.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Send unacknowledged records to file:/path, http://host:port/path, mqtt://host:port/topic"
                + " or relay://gateway:port.")
public final class BufferDrainCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The buffer directory.")
    private Path dir;

    @Option(names = "--to", required = true, paramLabel = "URI", description = "Where to send: file:, http(s):, mqtt: or relay: URI.")
    private URI to;

    @Option(names = "--cursor", defaultValue = "drain", paramLabel = "NAME", description = "The cursor (default: ${DEFAULT-VALUE}).")
    private String cursor;

    @Option(names = "--compression", defaultValue = "none", paramLabel = "C", description = "none, gzip or lz4 (default: ${DEFAULT-VALUE}).")
    private String compression;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "Give up after (default: ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    @Option(names = "--batch", defaultValue = "500", paramLabel = "N", description = "Records per batch (default: ${DEFAULT-VALUE}).")
    private int batch;

    /**
     * Maps a URI scheme to the transport provider name.
     *
     * @param uri the destination
     * @return the provider name
     * @throws IllegalArgumentException for other schemes
     */
    public static String providerFor(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file":
                return "file-drop";
            case "http":
            case "https":
                return "http";
            case "mqtt":
                return "mqtt";
            case "relay":
                return "relay";
            default:
                throw new IllegalArgumentException("Unsupported destination '" + uri
                        + "': use file:/path, http://host:port/path, https://..., mqtt://host:port/topic or"
                        + " relay://gateway:port");
        }
    }

    @Override
    public Integer call() throws Exception {
        // Refused before anything is sent (0 used to send everything and then report failure). A value refused
        // after parsing exits 1 like every other command's range check (README, "Command line"); exit 2 is for a
        // command line picocli cannot parse.
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        TransportProvider provider = ProviderLoader.of(TransportProvider.class).select(providerFor(to));
        ComponentConfig config = ComponentConfig.builder().put("uri", to.toString()).build();
        // an existing buffer only: a mistyped --dir must fail like dump and verify, not drain a new empty buffer
        try (DurableBuffer buffer = DurableBuffer.builder().directory(dir).createIfMissing(false).open();
                Forwarder forwarder = Forwarder.builder().source(buffer, cursor).transport(provider, config)
                        .compression(compression).batching(batch, 4 << 20, Duration.ZERO).build()) {
            boolean done;
            RetryNotices notices = new RetryNotices(forwarder, Instant.now().plusSeconds(timeoutSeconds));
            try {
                done = forwarder.drainAvailable(Duration.ofSeconds(timeoutSeconds));
            } finally {
                notices.stop();
            }
            ForwarderStats s = forwarder.stats();
            if (!done) {
                throw new IllegalStateException("Drained only " + s.recordsAcknowledged() + " records to " + to
                        + " within " + timeoutSeconds + " s; last error: " + s.lastError().orElse("none")
                        + ". The rest stays in the buffer");
            }
            spec.commandLine().getOut().println("drained " + s.recordsAcknowledged() + " records in "
                    + s.batchesAcknowledged() + " batches to " + to + (s.recordsRejected() > 0
                    ? " (" + s.recordsRejected() + " refused by the receiver and skipped)" : ""));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /**
     * Prints each new failure of a running drain on stderr as soon as the forwarder reports it, as a notice that it
     * goes on retrying until the deadline: a drain to a missing drop directory used to print nothing for its whole
     * timeout (60 s by default) and only then the error. The same error again is not repeated; a different one is
     * printed. The forwarder's {@link Forwarder#stats()} is read every 100 ms from a thread of its own; {@link #stop()}
     * ends that thread and waits for it, so no notice follows the command's own last lines.
     */
    private final class RetryNotices {
        private final java.util.concurrent.ScheduledExecutorService poller;
        private String printed;

        RetryNotices(Forwarder forwarder, Instant deadline) {
            String until = DateTimeFormatter.ISO_INSTANT.format(deadline.truncatedTo(ChronoUnit.SECONDS));
            poller = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "edgeloop-drain-notices");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(() -> forwarder.stats().lastError().ifPresent(e -> {
                if (!e.equals(printed)) {
                    printed = e;
                    spec.commandLine().getErr().println("edgeloop: retrying until " + until + " (--timeout "
                            + timeoutSeconds + " s): " + PrintableText.of(e));
                    spec.commandLine().getErr().flush();
                }
            }), 0, 100, TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            poller.shutdownNow();
            poller.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
