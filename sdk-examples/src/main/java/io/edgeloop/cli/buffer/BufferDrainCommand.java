package io.edgeloop.cli.buffer;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.buffer.relay.DeadLetterDirectory;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.ota.bundle.PrintableText;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer drain}: sends every durable record not yet acknowledged on the cursor to a transport
 * chosen by the URI's scheme ({@code file:} file-drop, {@code http:}/{@code https:} http, {@code mqtt:} mqtt,
 * {@code relay:} relay to a gateway),
 * committing the cursor batch by batch. Fails (exit 1) when nothing was acknowledged for {@code --timeout} seconds
 * (a send that gets no answer included); a drain that keeps making progress runs until the buffer is empty. What
 * was acknowledged stays committed and the rest is sent next time. Meanwhile each new failure is printed on
 * stderr as it happens, as a notice that the drain retries until the deadline. A record the receiver refuses as
 * never acceptable (while it accepts a later one) is kept in {@code --dead-letter} ({@code <dir>.dead-letter} by
 * default, {@link DeadLetterOption}) and then skipped; the summary says how many and where.
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

    @Option(names = "--to", required = true, paramLabel = "URI", converter = io.edgeloop.cli.UriConverter.class,
            description = "Where to send: file:, http(s):, mqtt: or relay: URI.")
    private URI to;

    @Option(names = "--cursor", defaultValue = "drain", paramLabel = "NAME", description = "The cursor (default: ${DEFAULT-VALUE}).")
    private String cursor;

    @Option(names = "--compression", defaultValue = "none", paramLabel = "C", description = "none, gzip or lz4 (default: ${DEFAULT-VALUE}).")
    private String compression;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "Give up when nothing was acknowledged for this long; a send still unanswered then gets at most 5 s"
                    + " more; 1 to 31536000 (365 days) (default: ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    @Option(names = "--dead-letter", paramLabel = "DIR", description = DeadLetterOption.DESCRIPTION)
    private String deadLetter;

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
        if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("--timeout must be between 1 and " + MAX_TIMEOUT_SECONDS
                    + " seconds (365 days), got " + timeoutSeconds);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        // The libraries' INFO lines (the Forwarder's "send failed, retrying in N ms" on every attempt) would repeat
        // what the retry notices below say once per distinct error: warnings and errors only, unless --verbose.
        // Before any library class is used: slf4j-simple fixes the level when the JVM's first logger is created
        // (ProviderLoader's, a line below, would be that one).
        Edgeloop.quietLibraryLogsUnlessVerbose(spec);
        // Every WARN the Forwarder logs on this path (a batch refused and split, a commit not stored, a stop) is also
        // its stats' last error, which Progress prints: a split printed the same failure twice.
        Edgeloop.quietLoggerUnlessVerbose(spec, Forwarder.class.getName());
        // before the buffer is opened: a drain into a buffer directory (its own or another) changes nothing
        DropDirectoryTarget.refuseBuffer(to, dir);
        GatewayMark.refuseDrain(dir);
        Optional<DeadLetterDirectory> deadLetters = DeadLetterOption.resolve(deadLetter, dir, to);
        TransportProvider provider = ProviderLoader.of(TransportProvider.class).select(providerFor(to));
        ComponentConfig config = ComponentConfig.builder().put("uri", to.toString()).build();
        long grace = Math.min(DEADLINE_GRACE_SECONDS, timeoutSeconds);
        // SIGINT or SIGTERM closes the forwarder (a send in flight gets the grace period to be answered and
        // committed) and the drain prints how far it got: Ctrl-C used to end it without a word. Outermost, so the
        // JVM waits until the buffer is closed too.
        ForwarderOnSignal onSignal = new ForwarderOnSignal();
        // an existing buffer only: a mistyped --dir must fail like dump and verify, not drain a new empty buffer
        try (StopSignal stop = StopSignal.install(Duration.ofSeconds(grace + 30), onSignal::close);
                DurableBuffer buffer = DurableBuffer.builder().directory(dir).createIfMissing(false).open();
                Forwarder forwarder = withDeadLetters(Forwarder.builder(), deadLetters).source(buffer, cursor)
                        .transport(provider, config).compression(compression).batching(batch, 4 << 20, Duration.ZERO)
                        .shutdownGrace(Duration.ofSeconds(grace)).build()) {
            onSignal.set(forwarder, stop);
            long timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
            Progress progress = new Progress(forwarder, timeoutNanos);
            boolean done = false;
            try {
                // --timeout bounds the time without progress, not the whole drain: a large buffer draining at the
                // receiver's pace must not fail after 60 s while every batch is acknowledged. Each slice ends when
                // nothing was acknowledged for --timeout; one that made progress starts the next from then.
                while (!done && !progress.stoppedASend() && !stop.signalled()) {
                    long left = progress.lastProgressNanos() + timeoutNanos - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    done = forwarder.drainAvailable(Duration.ofNanos(left));
                }
            } finally {
                progress.stop();
            }
            ForwarderStats s = forwarder.stats();
            if (!done && stop.signalled()) {
                spec.commandLine().getOut().println("stopped by a signal: drained " + s.recordsAcknowledged()
                        + " records in " + s.batchesAcknowledged() + " batches to " + to + "; the rest stays in "
                        + dir + " for the next drain");
                spec.commandLine().getOut().flush();
                return Edgeloop.EXIT_FAILURE;
            }
            if (!done) {
                throw new IllegalStateException("Drained only " + s.recordsAcknowledged() + " records to " + to
                        + ": nothing acknowledged for " + timeoutSeconds + " s (--timeout)"
                        + (progress.stoppedASend()
                        ? "; the drain was stopped then (a send still waiting for its answer gets at most "
                        + grace + " s more)" : "")
                        + "; last error: " + s.lastError().orElse("none") + ". The rest stays in the buffer");
            }
            spec.commandLine().getOut().println("drained " + s.recordsAcknowledged() + " records in "
                    + s.batchesAcknowledged() + " batches to " + to + refusedSummary(s, deadLetters, "the receiver"));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /**
     * Sets the dead-letter sink when there is one.
     *
     * @param b           the builder
     * @param deadLetters the sink, or empty for {@code --dead-letter none}
     * @return the builder
     */
    static Forwarder.Builder withDeadLetters(Forwarder.Builder b, Optional<DeadLetterDirectory> deadLetters) {
        deadLetters.ifPresent(b::deadLetters);
        return b;
    }

    /**
     * The summary's words on refused records: how many were kept and where, or skipped; empty when none was.
     *
     * @param s           the forwarder's stats
     * @param deadLetters the dead-letter directory, or empty
     * @param by          who refused them
     * @return the text, starting with " (" or empty
     */
    static String refusedSummary(ForwarderStats s, Optional<DeadLetterDirectory> deadLetters, String by) {
        if (s.recordsRejected() == 0) {
            return "";
        }
        long kept = s.recordsDeadLettered();
        long skipped = s.recordsRejected() - kept;
        String text = " (" + s.recordsRejected() + (s.recordsRejected() == 1 ? " record" : " records")
                + " refused by " + by + " as never acceptable";
        if (kept > 0) {
            text += ", " + (kept == s.recordsRejected() ? "" : kept + " of them ") + "kept in "
                    + deadLetters.map(d -> d.directory().toString()).orElse("the dead-letter directory");
        }
        if (skipped > 0) {
            text += kept > 0 ? ", " + skipped + " skipped and kept nowhere" : ", skipped and kept nowhere"
                    + (deadLetters.isEmpty() ? " (--dead-letter none)" : "");
        }
        return text + ")";
    }

    /** The longest {@code --timeout}: one year (far below where the deadline arithmetic would overflow). */
    static final long MAX_TIMEOUT_SECONDS = 365L * 24 * 3600;

    /**
     * How long a send still in flight at the deadline may take to be answered before the drain abandons it (its
     * records stay in the buffer): at most 5 s, and no more than {@code --timeout} itself.
     */
    static final long DEADLINE_GRACE_SECONDS = 5;

    /**
     * What a stop signal does to a running drain: closes its forwarder, from the JVM's shutdown thread. A signal
     * before the forwarder exists closes it as soon as it is {@link #set}.
     *
     * <p>Thread-safe: {@link #close} runs in the shutdown thread, {@link #set} in the command's.
     */
    private static final class ForwarderOnSignal {
        private volatile Forwarder forwarder;
        private volatile boolean signalled;

        void set(Forwarder f, StopSignal stop) throws java.io.IOException {
            forwarder = f;
            if (signalled || stop.signalled()) {
                f.close();
            }
        }

        void close() {
            signalled = true;
            Forwarder f = forwarder;
            if (f != null) {
                try {
                    f.close(); // idempotent; the command's own close at the end then returns at once
                } catch (java.io.IOException | RuntimeException e) {
                    // the command reports what was acknowledged; the records not sent stay in the buffer
                }
            }
        }
    }

    /**
     * Watches a running drain from a thread of its own, every 100 ms, through {@link Forwarder#stats()}.
     *
     * <p>It prints each new failure on stderr as soon as the forwarder reports it, as a notice that the drain goes
     * on retrying until its deadline: a drain to a missing drop directory used to print nothing for its whole
     * timeout (60 s by default) and only then the error. The same error again is not repeated; a different one is
     * printed.
     *
     * <p>It keeps the time of the last acknowledged record, from which the deadline counts, and keeps that
     * deadline also against a send that never returns: the drain checks it between sends only, so a send blocked on
     * a receiver that accepts and never answers ran to the transport's own timeout (HTTP's 30 s request timeout: 35 s
     * for {@code --timeout 5}). Shortly after the deadline this closes the forwarder, which lets the send finish
     * within the grace period (then it is committed) and otherwise closes the transport; the records stay.
     * {@link #stop()} ends the thread and waits for it, so no notice follows the command's own last lines.
     */
    private final class Progress {
        private final java.util.concurrent.ScheduledExecutorService poller;
        private final Forwarder forwarder;
        private final long timeoutNanos;
        private String printed;
        private long acknowledged;
        private long lastProgress = System.nanoTime();
        private volatile boolean stoppedASend;

        Progress(Forwarder forwarder, long timeoutNanos) {
            this.forwarder = forwarder;
            this.timeoutNanos = timeoutNanos;
            poller = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "edgeloop-drain-progress");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::check, 0, 100, TimeUnit.MILLISECONDS);
        }

        /** @return when a record was last acknowledged (System.nanoTime), or the drain's start */
        synchronized long lastProgressNanos() {
            long now = forwarder.stats().recordsAcknowledged();
            if (now != acknowledged) {
                acknowledged = now;
                lastProgress = System.nanoTime();
            }
            return lastProgress;
        }

        private void check() {
            long last = lastProgressNanos();
            forwarder.stats().lastError().ifPresent(e -> {
                if (!e.equals(printed)) {
                    printed = e;
                    Instant until = Instant.now().plusNanos(last + timeoutNanos - System.nanoTime());
                    spec.commandLine().getErr().println("edgeloop: retrying until "
                            + DateTimeFormatter.ISO_INSTANT.format(until.truncatedTo(ChronoUnit.SECONDS))
                            + " (--timeout " + timeoutSeconds + " s): " + PrintableText.of(e));
                    spec.commandLine().getErr().flush();
                }
            });
            // 200 ms after the deadline: a drain between sends ends by itself (with its own check of whether the
            // last batch emptied the cursor); only one blocked in a send is still running then
            if (!stoppedASend && System.nanoTime() - last > timeoutNanos + TimeUnit.MILLISECONDS.toNanos(200)) {
                stoppedASend = true;
                try {
                    forwarder.close();
                } catch (java.io.IOException | RuntimeException e) {
                    // the drain reports its own failure; closing again at the end of the command is idempotent
                }
            }
        }

        /** @return whether the deadline closed the forwarder while the drain still ran */
        boolean stoppedASend() {
            return stoppedASend;
        }

        void stop() throws InterruptedException {
            poller.shutdownNow();
            poller.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
