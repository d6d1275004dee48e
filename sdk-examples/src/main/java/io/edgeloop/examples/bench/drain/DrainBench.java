package io.edgeloop.examples.bench.drain;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.buffer.relay.BufferRelaySink;
import io.edgeloop.buffer.relay.RelayServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The harness behind {@code edgeloop bench drain}: one durable buffer of N records drained, as
 * {@code edgeloop buffer drain} drains it (a {@link Forwarder} in the caller's thread, batches of {@code batch}
 * records, no linger, the buffer's default cursor sync), once per transport and repetition, each drain through a
 * cursor of its own so every one sends the same N records. Receivers run on loopback: an {@link IngestServer} for
 * {@code http} (a fresh one per drain, so none drops the records as duplicates of the previous drain), mosquitto for
 * {@code mqtt} (started from {@code /usr/sbin/mosquitto} unless a broker is given), a {@link RelayServer} storing
 * into a gateway buffer for {@code relay}. Within a repetition the transports run back to back, in an order that
 * rotates per repetition, so a machine that is busy for a while slows all of them alike; ratios against the first
 * transport are taken per repetition.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class DrainBench {
    /** The transports the bench knows, in their default order. */
    public static final List<String> TRANSPORTS = List.of("http", "mqtt", "relay");

    private final Settings settings;

    /**
     * The bench's settings.
     *
     * @param records       records in the drained buffer
     * @param recordBytes   payload bytes per record
     * @param batch         most records per batch
     * @param transports    the transports, the first one is the ratios' denominator
     * @param repeat        repetitions
     * @param warmupRecords records drained untimed over each transport before the first repetition (0 for none)
     * @param mqttBroker    {@code host:port} of a broker to use, or null to start mosquitto
     * @param work          a scratch directory, deleted by the caller
     */
    public record Settings(int records, int recordBytes, int batch, List<String> transports, int repeat,
            int warmupRecords, String mqttBroker, Path work) {
        /** Copies the list. */
        public Settings {
            transports = List.copyOf(transports);
            Objects.requireNonNull(work, "work");
        }
    }

    /**
     * One transport's figures over the repetitions.
     *
     * @param transport     the transport
     * @param recordsPerSec records/s of each repetition, in run order
     * @param msPerBatch    mean milliseconds per batch of each repetition
     * @param batches       batches acknowledged per drain
     */
    public record TransportResult(String transport, double[] recordsPerSec, double[] msPerBatch, long batches) {
        /** Copies the arrays. */
        public TransportResult {
            recordsPerSec = recordsPerSec.clone();
            msPerBatch = msPerBatch.clone();
        }

        @Override
        public double[] recordsPerSec() {
            return recordsPerSec.clone();
        }

        @Override
        public double[] msPerBatch() {
            return msPerBatch.clone();
        }
    }

    /**
     * Creates the bench.
     *
     * @param settings its settings
     */
    public DrainBench(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Fills the buffers and runs every drain.
     *
     * @return one result per transport, in the order of {@link Settings#transports()}
     * @throws Exception when a receiver cannot start, the buffer cannot be written, or a drain does not deliver
     *                   every record
     */
    public List<TransportResult> run() throws Exception {
        Path bufferDir = settings.work().resolve("buffer");
        Path warmDir = settings.work().resolve("warmup");
        MosquittoProcess broker = null;
        try {
            String mqtt = settings.mqttBroker();
            if (mqtt == null && settings.transports().contains("mqtt")) {
                broker = MosquittoProcess.start(settings.work().resolve("mosquitto"));
                mqtt = "127.0.0.1:" + broker.port();
            }
            if (settings.warmupRecords() > 0) {
                try (DurableBuffer warm = fill(warmDir, settings.warmupRecords())) {
                    for (String t : settings.transports()) {
                        warm.cursor("warmup-" + t);
                    }
                    for (String t : settings.transports()) {
                        drain(warm, t, "warmup-" + t, mqtt, settings.warmupRecords());
                    }
                }
            }
            int n = settings.transports().size();
            double[][] rate = new double[n][settings.repeat()];
            double[][] perBatch = new double[n][settings.repeat()];
            long[] batches = new long[n];
            try (DurableBuffer buffer = fill(bufferDir, settings.records())) {
                // every cursor exists before the first drain: the buffer reclaims what all its cursors have
                // committed, so a cursor made after a drain would start at the first record left, not the first one
                for (int rep = 0; rep < settings.repeat(); rep++) {
                    for (String t : settings.transports()) {
                        buffer.cursor(t + "-" + rep);
                    }
                }
                for (int rep = 0; rep < settings.repeat(); rep++) {
                    for (int k = 0; k < n; k++) {
                        int i = (k + rep) % n;
                        String t = settings.transports().get(i);
                        long start = System.nanoTime();
                        ForwarderStats s = drain(buffer, t, t + "-" + rep, mqtt, settings.records());
                        double seconds = (System.nanoTime() - start) / 1e9;
                        rate[i][rep] = settings.records() / seconds;
                        perBatch[i][rep] = seconds * 1000 / s.batchesAcknowledged();
                        batches[i] = s.batchesAcknowledged();
                    }
                }
            }
            List<TransportResult> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(new TransportResult(settings.transports().get(i), rate[i], perBatch[i], batches[i]));
            }
            return out;
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private DurableBuffer fill(Path dir, int records) throws IOException {
        DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("bench-drain")
                .durability(Durability.none()).open(); // the fill is not measured: one sync at the end
        try {
            byte[] payload = new byte[settings.recordBytes()];
            for (int i = 0; i < records; i++) {
                payload[0] = (byte) i;
                b.append("default", payload);
            }
            b.flush();
            return b;
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /** Drains everything on a new cursor over one transport, to a receiver started for this drain where needed. */
    private ForwarderStats drain(DurableBuffer buffer, String transport, String cursor, String mqtt, int expected)
            throws Exception {
        List<AutoCloseable> receivers = new ArrayList<>();
        try {
            String uri;
            switch (transport) {
                case "http" -> {
                    IngestServer server = IngestServer.builder().retain(false).start();
                    receivers.add(server);
                    uri = server.uri().toString();
                }
                case "mqtt" -> uri = "mqtt://" + mqtt + "/bench/" + cursor;
                case "relay" -> {
                    DurableBuffer gateway = DurableBuffer.builder()
                            .directory(settings.work().resolve("gateway-" + cursor)).deviceId("bench-gateway").open();
                    receivers.add(gateway);
                    RelayServer relay = RelayServer.builder().sink(new BufferRelaySink(gateway)).start();
                    receivers.add(0, relay);
                    uri = relay.uri();
                }
                default -> throw new IllegalArgumentException("unknown transport " + transport);
            }
            TransportProvider provider = ProviderLoader.of(TransportProvider.class).select(transport);
            FirstFailureStops sender = new FirstFailureStops(
                    provider.create(ComponentConfig.builder().put("uri", uri).build()));
            receivers.add(0, sender);
            try (Forwarder f = Forwarder.builder().source(buffer, cursor).transport(sender)
                    .batching(settings.batch(), 4 << 20, Duration.ZERO).build()) {
                sender.stops(f);
                boolean done = f.drainAvailable(Duration.ofMinutes(10));
                ForwarderStats s = f.stats();
                if (sender.failure != null) {
                    throw new IllegalStateException("the " + transport + " drain to " + uri + " failed: "
                            + sender.failure.getMessage() + " (bench drain stops at the first failed send: a retry's"
                            + " backoff would be timed as drain time)");
                }
                if (!done || s.recordsAcknowledged() != expected) {
                    throw new IllegalStateException("the " + transport + " drain acknowledged "
                            + s.recordsAcknowledged() + " of " + expected + " records (done: " + done
                            + ", last error: " + s.lastError().orElse("none") + ")");
                }
                return s;
            }
        } finally {
            for (AutoCloseable r : receivers) {
                r.close();
            }
        }
    }

    /**
     * The drain's transport, which closes the forwarder at the first failed send, from inside the send (the forwarder
     * then ends its drain instead of retrying): before, a broker that was not listening left the bench waiting in
     * the forwarder's backoff for the whole 10-minute drain timeout. Not thread-safe beyond {@link Transport}'s own
     * contract (one sender).
     */
    private static final class FirstFailureStops implements Transport {
        private final Transport delegate;
        private volatile Forwarder forwarder;
        private volatile TransportException failure;

        FirstFailureStops(Transport delegate) {
            this.delegate = delegate;
        }

        void stops(Forwarder f) {
            forwarder = f;
        }

        @Override
        public void send(Batch batch) throws TransportException {
            try {
                delegate.send(batch);
            } catch (TransportException e) {
                failure = e;
                forwarder.close();
                throw e;
            }
        }

        @Override
        public void close() throws TransportException {
            delegate.close();
        }
    }

    /**
     * The median of some values (the lower middle one for an even count).
     *
     * @param values at least one value
     * @return the median
     */
    public static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[(s.length - 1) / 2];
    }

    /**
     * The report: per transport its median records/s with range and per-repetition figures, and each other
     * transport's ratio to the first one, paired per repetition.
     *
     * @param results the results of {@link #run()}
     * @return a JSON-ready map
     */
    public Map<String, Object> report(List<TransportResult> results) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("records", settings.records());
        doc.put("recordBytes", settings.recordBytes());
        doc.put("batch", settings.batch());
        doc.put("repetitions", settings.repeat());
        doc.put("warmupRecords", settings.warmupRecords());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TransportResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transport", r.transport());
            m.put("recordsPerSec", Math.round(median(r.recordsPerSec())));
            m.put("minRecordsPerSec", Math.round(Arrays.stream(r.recordsPerSec()).min().orElseThrow()));
            m.put("maxRecordsPerSec", Math.round(Arrays.stream(r.recordsPerSec()).max().orElseThrow()));
            m.put("msPerBatch", round2(median(r.msPerBatch())));
            m.put("batches", r.batches());
            m.put("perRepetition", Arrays.stream(r.recordsPerSec()).map(Math::rint).boxed().toList());
            rows.add(m);
        }
        doc.put("results", rows);
        List<Map<String, Object>> ratios = new ArrayList<>();
        TransportResult base = results.get(0);
        for (TransportResult r : results.subList(1, results.size())) {
            double[] per = new double[settings.repeat()];
            for (int i = 0; i < per.length; i++) {
                per[i] = r.recordsPerSec()[i] / base.recordsPerSec()[i];
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transport", r.transport());
            m.put("vs", base.transport());
            m.put("ratio", round2(median(per)));
            m.put("min", round2(Arrays.stream(per).min().orElseThrow()));
            m.put("max", round2(Arrays.stream(per).max().orElseThrow()));
            m.put("perRepetition", Arrays.stream(per).map(DrainBench::round2).boxed().toList());
            ratios.add(m);
        }
        doc.put("ratios", ratios);
        doc.put("ratioMethod", "per repetition, the transports drain back to back in a rotating order; ratio = the"
                + " median of the per-repetition ratios of records/s, min/max their range");
        return doc;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /**
     * Checks the transport names.
     *
     * @param transports the names given
     * @throws IllegalArgumentException naming an unknown or repeated one
     */
    public static void checkTransports(List<String> transports) {
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("--transports needs at least one of " + String.join(", ", TRANSPORTS));
        }
        for (String t : transports) {
            if (!TRANSPORTS.contains(t)) {
                throw new IllegalArgumentException("--transports: unknown transport '" + t + "', use "
                        + String.join(", ", TRANSPORTS));
            }
        }
        if (transports.stream().distinct().count() != transports.size()) {
            throw new IllegalArgumentException("--transports names a transport twice: " + transports);
        }
    }
}
