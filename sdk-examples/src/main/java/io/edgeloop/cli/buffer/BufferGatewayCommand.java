package io.edgeloop.cli.buffer;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.BufferReader;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.buffer.relay.BufferRelaySink;
import io.edgeloop.buffer.relay.DeadLetterDirectory;
import io.edgeloop.buffer.relay.RelayServer;
import io.edgeloop.buffer.relay.RelayedEnvelopes;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer gateway}: runs a relay gateway. Devices drain to it with {@code --to relay://host:port};
 * each batch is acknowledged once it is durable in the gateway's own buffer ({@code --dir}), and the gateway's
 * forwarder sends the records upstream ({@code --to}) under the devices' idempotency keys. Stopped by SIGINT or
 * SIGTERM (or after {@code --duration}), it stops accepting, forwards what is stored for up to
 * {@code --flush-timeout} and prints its summary, from a shutdown hook that waits for that.
 *
 * <p>A record of the gateway's buffer that is not a relayed envelope (appended straight into it, which
 * {@code buffer append} refuses once the gateway has marked the directory, see {@link GatewayMark}) is kept in the
 * dead-letter directory beside the buffer ({@code <dir>.dead-letter}, {@link DeadLetterDirectory}), named in one
 * ERROR line and in the summary; the records after it are forwarded as usual. A record the upstream refuses as never
 * acceptable (while it accepts a later one) is kept there too, as stored (a relayed envelope), before it is skipped.
 * {@code --dead-letter DIR} moves the directory; {@code --dead-letter none} keeps neither kind (both are skipped and
 * logged). While the upstream is unreachable (a {@code file:} directory missing), the reason is printed on stderr
 * once, and again when it changes.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Relay gateway: accept devices on --listen, store in --dir, forward to --to.")
public final class BufferGatewayCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The gateway's own buffer directory.")
    private Path dir;

    @Option(names = "--listen", defaultValue = "127.0.0.1:7878", paramLabel = "HOST:PORT",
            description = "Address for devices (default: ${DEFAULT-VALUE}; 0.0.0.0:PORT for the LAN).")
    private String listen;

    @Option(names = "--to", required = true, paramLabel = "URI", converter = io.edgeloop.cli.UriConverter.class,
            description = "Upstream: file:, http(s): or mqtt: URI.")
    private URI to;

    @Option(names = "--compression", defaultValue = "gzip", paramLabel = "C", description = "Upstream batch compression: none, gzip or lz4 (default: ${DEFAULT-VALUE}).")
    private String compression;

    @Option(names = "--device", defaultValue = "gateway", paramLabel = "ID", description = "The gateway's own device id (default: ${DEFAULT-VALUE}).")
    private String device;

    @Option(names = "--duration", defaultValue = "0", paramLabel = "SECONDS", description = "Stop after this long; 0 runs until killed (default: ${DEFAULT-VALUE}).")
    private long durationSeconds;

    @Option(names = "--flush-timeout", defaultValue = "10", paramLabel = "SECONDS", description = "On stop, how long to keep forwarding what is stored (default: ${DEFAULT-VALUE}).")
    private long flushSeconds;

    @Option(names = "--dead-letter", paramLabel = "DIR", description = DeadLetterOption.DESCRIPTION
            + " Also where records that are not relayed envelopes are kept.")
    private String deadLetter;

    @Option(names = "--max-connections", defaultValue = "16", paramLabel = "N", description = "Devices connected at once (default: ${DEFAULT-VALUE}); more wait and retry.")
    private int maxConnections;

    @Option(names = "--idle-timeout", defaultValue = "60", paramLabel = "SECONDS", description = "Close a device connection that sent nothing for this long, freeing its slot (default: ${DEFAULT-VALUE}).")
    private long idleSeconds;

    @Override
    public Integer call() throws Exception {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections must be at least 1, got " + maxConnections);
        }
        if (idleSeconds < 1) {
            throw new IllegalArgumentException("--idle-timeout must be at least 1 second, got " + idleSeconds);
        }
        if (durationSeconds < 0) {
            throw new IllegalArgumentException("--duration must not be negative, got " + durationSeconds);
        }
        if (flushSeconds < 0) {
            throw new IllegalArgumentException("--flush-timeout must not be negative, got " + flushSeconds);
        }
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--listen must be HOST:PORT, got '" + listen + "'");
        }
        String host = listen.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen must be HOST:PORT with a numeric port, got '" + listen + "'");
        }
        // before the gateway buffer is created: a port the server cannot bind must not leave one behind
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen port must be 0 to 65535, got '" + listen + "'");
        }
        try {
            java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--listen host '" + host + "' is not an address of this machine's "
                    + "resolver (" + e.getMessage() + "), got '" + listen + "'");
        }
        String provider = BufferDrainCommand.providerFor(to);
        if (provider.equals("relay")) {
            throw new IllegalArgumentException("--to must lead upstream (file:, http(s): or mqtt:), not to another relay");
        }
        DropDirectoryTarget.refuseBuffer(to, dir);
        Optional<DeadLetterDirectory> deadLetters = DeadLetterOption.resolve(deadLetter, dir, to);
        Transport upstream = ProviderLoader.of(TransportProvider.class).select(provider).create(
                ComponentConfig.builder().put("uri", to.toString()).put("compression", compression).build());
        // outermost, so that on SIGTERM the hook waits until the buffer is closed too
        try (StopSignal stop = StopSignal.install(Duration.ofSeconds(flushSeconds + 30));
                DurableBuffer buffer = WritableBufferDirectory.open(
                        BufferAppendCommand.deviceId(DurableBuffer.builder().directory(dir), device), dir);
                Transport unwrapping = RelayedEnvelopes.unwrapping(upstream, deadLetters.orElse(null));
                Forwarder forwarder = BufferDrainCommand.withDeadLetters(Forwarder.builder(), deadLetters)
                        .source(buffer, "upstream").transport(unwrapping)
                        .batching(500, 4 << 20, Duration.ofMillis(50)).build().start()) {
            GatewayMark.tryWrite(dir, spec.commandLine().getErr()); // best effort: a full disk must not stop it
            RelayServer server = RelayServer.builder().host(host).port(port).sink(new BufferRelaySink(buffer))
                    .maxConnections(maxConnections).idleTimeout(Duration.ofSeconds(idleSeconds)).start();
            try (UpstreamFailures failures = new UpstreamFailures(forwarder)) {
                try {
                    spec.commandLine().getOut().println("listening " + server.uri() + ", forwarding to " + to);
                    spec.commandLine().getOut().flush();
                    stop.await(durationSeconds > 0 ? Duration.ofSeconds(durationSeconds) : null);
                } finally {
                    // Stop taking new batches first; what is stored is forwarded below or next time.
                    server.close();
                }
                flushAndReport(buffer, server, forwarder, failures, deadLetters);
            }
        }
        return 0;
    }

    private void flushAndReport(DurableBuffer buffer, RelayServer server, Forwarder forwarder,
            UpstreamFailures failures, Optional<DeadLetterDirectory> deadLetters) throws java.io.IOException,
            InterruptedException {
        // Give the forwarder a moment to pass on what is stored; anything left stays durable in the gateway's
        // buffer and goes upstream next time.
        Cursor upstreamCursor = buffer.cursor("upstream");
        long deadline = System.nanoTime() + Duration.ofSeconds(flushSeconds).toNanos();
        while (!allAcknowledged(buffer, upstreamCursor) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        failures.close(); // no notice after the summary
        ForwarderStats s = forwarder.stats();
        boolean flushed = allAcknowledged(buffer, upstreamCursor);
        // the forwarder counts a record kept as a dead letter as acknowledged (its batch was), but it went nowhere
        long kept = deadLetters.map(DeadLetterDirectory::recordsKept).orElse(0L);
        spec.commandLine().getOut().println("relayed " + server.envelopesStored() + " records in "
                + server.batchesAcknowledged() + " batches; forwarded " + Math.max(0, s.recordsAcknowledged() - kept)
                + " upstream"
                + (kept == 1 ? "; 1 record that is not a relayed envelope, kept in " + deadLetters.get().directory()
                        : kept > 1 ? "; " + kept + " records that are not relayed envelopes, kept in "
                                + deadLetters.get().directory() : "")
                + BufferDrainCommand.refusedSummary(s, deadLetters, "the upstream")
                + (flushed ? "" : "; the rest stays in " + dir + " for next time"));
        spec.commandLine().getOut().flush();
    }

    /**
     * Prints each new upstream failure on stderr once, as {@code buffer drain} does: the forwarder's own line per
     * retry is an INFO log, shown with {@code --verbose} only, so a gateway whose upstream was down said nothing
     * until its summary. Checks the forwarder's stats every 500 ms from a daemon thread of its own; a failure
     * already printed is not repeated, a different one is. An upstream found unreachable (nothing is sent then, so
     * no send fails: a {@code file:} directory that does not exist) prints its reason once, and again only when the
     * reason changes; before, such a gateway said nothing for its whole run.
     *
     * <p>Thread-safe: {@link #close} (idempotent) may be called from any thread.
     */
    private final class UpstreamFailures implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService poller;
        private String printed;
        private String printedUnreachable;

        UpstreamFailures(Forwarder forwarder) {
            poller = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "edgeloop-gateway-upstream");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(() -> {
                ForwarderStats s = forwarder.stats();
                if (s.unreachable().isPresent()) {
                    String why = s.unreachable().get();
                    if (!why.equals(printedUnreachable)) {
                        printedUnreachable = why;
                        printed = why; // its lastError too: not printed again as a failure
                        spec.commandLine().getErr().println("edgeloop: upstream unreachable, waiting: "
                                + io.edgeloop.ota.bundle.PrintableText.of(why));
                        spec.commandLine().getErr().flush();
                    }
                    return;
                }
                s.lastError().filter(e -> s.consecutiveFailures() > 0 && !e.equals(printed)).ifPresent(e -> {
                    printed = e;
                    spec.commandLine().getErr().println("edgeloop: forwarding upstream failed, retrying: "
                            + io.edgeloop.ota.bundle.PrintableText.of(e));
                    spec.commandLine().getErr().flush();
                });
            }, 0, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            poller.shutdownNow();
            try {
                poller.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // AutoCloseable.close must not throw it (javac's try lint)
            }
        }
    }

    /** True when no durable record lies after the cursor's committed position. */
    private static boolean allAcknowledged(DurableBuffer buffer, Cursor cursor) throws java.io.IOException {
        BufferReader r = buffer.reader();
        r.seek(Math.max(r.position(), cursor.committedPosition()));
        return r.next(1, 1).isEmpty();
    }
}
