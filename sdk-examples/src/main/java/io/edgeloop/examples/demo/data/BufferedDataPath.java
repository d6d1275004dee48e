package io.edgeloop.examples.demo.data;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.relay.BufferRelaySink;
import io.edgeloop.buffer.relay.RelayServer;
import io.edgeloop.buffer.relay.RelayedEnvelopes;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.DemoFiles;
import io.edgeloop.examples.demo.fleet.FleetPlan;
import io.edgeloop.examples.demo.report.DemoResults;
import io.edgeloop.examples.demo.report.DemoResults.Status;
import io.edgeloop.examples.demo.report.DemoResults.Step;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Steps 1 and 2 on the real sdk-buffer: every device appends its readings to its own {@link DurableBuffer}
 * (group commit) and a {@link Forwarder} drains the buffer's {@code uplink} cursor. {@code cortex-m3} and
 * {@code jvm} devices forward through the {@code http} transport to an embedded, deduplicating
 * {@link IngestServer} on loopback (or, with {@code --mqtt}, through the broker). {@code avr8} devices have no
 * internet: they forward through the {@code relay} transport to their {@code jvm} gateway's {@link RelayServer},
 * which stores the envelopes durably in the gateway's relay buffer before acknowledging; the gateway's own
 * forwarder sends them upstream under the avr8 device's keys ({@link RelayedEnvelopes#unwrapping}).
 *
 * <p>Time advances in ticks (one reading per device per tick, one minute of data time); buffers are flushed and
 * forwarders drained every {@link #ROUND} ticks, devices first, gateways' relay buffers second. During an outage
 * a device keeps buffering and does not drain (an offline gateway still accepts relayed records but cannot send
 * them on). When an outage begins, the device's next batch reaches its receiver but the acknowledgement is lost,
 * so the device rewinds and sends it again later; the receiver drops the duplicates by idempotency key. Half-way
 * through, the ingest server answers a few batches with 503 and Retry-After, which the forwarders honour. The
 * device that loses power runs as a child process that is killed with {@code SIGKILL}; its buffer is then
 * reopened here, checked against what the process had reported durable, and it carries on where the buffer says
 * it stopped.
 *
 * <p>Not thread-safe: one run per instance (the devices of one phase of a round run on a small thread pool;
 * each device, with its own transport and forwarder, is touched by one thread at a time).
 */
public final class BufferedDataPath {
    /** Ticks per round of flush and drain. */
    public static final int ROUND = 20;
    private static final int BATCH_RECORDS = 100;
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);

    private final Path dir;
    private final DemoConsole console;
    private final long seed;
    private final Uplink uplink;

    /**
     * Where the cloud side is: how forwarders reach it and what it received.
     *
     * <p>Implementations are thread-safe.
     */
    public interface Uplink extends AutoCloseable {
        /** @return the transport provider's name */
        String transport();

        /** @return the transport configuration */
        ComponentConfig config();

        /** @return what the cloud side accepted, duplicates dropped */
        List<Envelope> accepted() throws IOException;

        /** @return the duplicates the cloud side dropped */
        long duplicatesDropped();

        /**
         * Makes the next batches fail with a retryable error, when the receiver supports it.
         *
         * @param count how many
         * @return a description, or empty when not supported
         */
        Optional<String> injectFailures(int count);

        /** @return a human description */
        String describe();

        @Override
        void close() throws IOException;
    }

    /** The embedded HTTP ingest server on loopback. Thread-safe. */
    public static final class HttpUplink implements Uplink {
        private final IngestServer server;

        /**
         * Starts the server.
         *
         * @throws IOException when it cannot bind
         */
        public HttpUplink() throws IOException {
            this.server = IngestServer.builder().retain(true).start();
        }

        @Override
        public String transport() {
            return "http";
        }

        @Override
        public ComponentConfig config() {
            return ComponentConfig.builder().put("uri", server.uri().toString()).build();
        }

        @Override
        public List<Envelope> accepted() {
            return server.accepted();
        }

        @Override
        public long duplicatesDropped() {
            return server.duplicatesDropped();
        }

        @Override
        public Optional<String> injectFailures(int count) {
            server.failNext(count, 503, "1");
            return Optional.of(count + " batches answered 503 with Retry-After: 1");
        }

        @Override
        public String describe() {
            return "the deduplicating IngestServer on loopback (http transport)";
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /**
     * @param dir     where the device buffers live (recreated)
     * @param seed    seeds the forwarders' backoff jitter
     * @param uplink  the cloud side
     * @param console progress
     */
    public BufferedDataPath(Path dir, long seed, Uplink uplink, DemoConsole console) {
        this.dir = dir;
        this.seed = seed;
        this.uplink = uplink;
        this.console = console;
    }

    /** One simulated device during the run. */
    private static final class Device implements AutoCloseable {
        final FleetPlan.Device plan;
        DurableBuffer buffer;
        Cursor cursor;
        SensorSource source;
        Transport transport;
        Forwarder forwarder;
        /** Rows of the slice in the buffer: replayed before a power loss and found on reopening, or appended since. */
        long appended;
        /** The keys of those records (buffer sequences are identifiers, not row numbers: they may jump). */
        final List<IdempotencyKey> keys = new ArrayList<>();
        boolean wasOffline;
        // A gateway's relay end: its second buffer holds what its avr8 devices handed over.
        DurableBuffer relayBuffer;
        RelayServer relayServer;
        Forwarder relayForwarder;
        Transport relayUpstream;

        Device(FleetPlan.Device plan) {
            this.plan = plan;
        }

        long acked() {
            return forwarder == null ? 0 : forwarder.stats().recordsAcknowledged();
        }

        long relayBuffered() {
            return relayServer == null ? 0 : relayServer.envelopesStored()
                    - relayForwarder.stats().recordsAcknowledged();
        }

        @Override
        public void close() throws IOException {
            // Every resource gets its close, even when an earlier one fails; the first failure is thrown with the
            // others suppressed. The gateway's upstream transport is owned here (the forwarder does not close it).
            IOException first = null;
            for (AutoCloseable c : new AutoCloseable[] {forwarder, transport, relayForwarder, relayUpstream,
                    relayServer, source, buffer, relayBuffer}) {
                if (c == null) {
                    continue;
                }
                try {
                    c.close();
                } catch (Exception e) {
                    IOException io = e instanceof IOException x ? x : new IOException(e);
                    if (first == null) {
                        first = io;
                    } else {
                        first.addSuppressed(io);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /**
     * Runs the devices, the gateways and the forwarders.
     *
     * @param plan the fleet
     * @return the ingested records, the delivery figures and the step statuses
     * @throws Exception when a buffer, a transport or the receiver fails beyond what the run tolerates
     */
    public DataPathResult run(FleetPlan plan) throws Exception {
        DemoFiles.fresh(dir);
        List<Device> devices = new ArrayList<>();
        List<DemoResults.Outage> outages = new ArrayList<>();
        List<DemoResults.FillSample> timeline = new ArrayList<>();
        int ticks = plan.ticks();
        Map<String, Long> durableReportedBeforeLoss = new LinkedHashMap<>();
        String injected = "";
        DataPathResult r;
        try {
            ProviderLoader<TransportProvider> transports = ProviderLoader.of(TransportProvider.class);
            Map<String, Device> byId = new LinkedHashMap<>();
            // Gateways first, so their relay servers are up before their avr8 devices connect.
            for (FleetPlan.Device p : plan.devices()) {
                Device d = new Device(p);
                devices.add(d);
                byId.put(p.id(), d);
                if (p.id().equals(plan.powerLoss().device())) {
                    durableReportedBeforeLoss.put(p.id(), powerLoss(d, plan.powerLoss().tick()));
                    outages.add(new DemoResults.Outage(p.id(), plan.powerLoss().tick(), plan.powerLoss().tick(), true));
                }
                for (int[] o : p.outages()) {
                    outages.add(new DemoResults.Outage(p.id(), o[0], o[1], false));
                }
                if (p.variant().equals("jvm")) {
                    d.relayBuffer = DurableBuffer.builder().directory(dir.resolve(p.id() + "-relay")).deviceId(p.id())
                            .durability(Durability.groupCommit(Duration.ofMillis(5), 1 << 20)).open();
                    d.relayServer = RelayServer.builder().sink(new BufferRelaySink(d.relayBuffer)).start();
                    d.relayUpstream = transports.select(uplink.transport()).create(uplink.config());
                    d.relayForwarder = forwarder(d.relayBuffer.cursor("uplink"),
                            RelayedEnvelopes.unwrapping(d.relayUpstream));
                }
            }
            for (Device d : devices) {
                open(d);
                if (d.plan.gateway().isPresent()) {
                    Device gw = byId.get(d.plan.gateway().get());
                    d.transport = transports.select("relay").create(ComponentConfig.builder()
                            .put("uri", gw.relayServer.uri()).build());
                } else {
                    d.transport = transports.select(uplink.transport()).create(uplink.config());
                }
                d.forwarder = forwarder(d.cursor, d.transport);
            }
            for (Map.Entry<String, Long> e : durableReportedBeforeLoss.entrySet()) {
                Device d = byId.get(e.getKey());
                console.line("%s lost power after reporting %d records durable; reopened: %d records in its "
                        + "buffer, %d corrupt frames skipped, %d bytes of torn tail cut", d.plan.id(), e.getValue(),
                        d.keys.size(), d.buffer.metrics().corruptFramesSkipped(), d.buffer.metrics().truncatedBytes());
                // the child started on an empty buffer, so it reported sequences 1, 2, 3, ... durable
                long survived = d.keys.stream().filter(k -> k.sequence() <= e.getValue()).count();
                if (survived < e.getValue()) {
                    throw new IllegalStateException(d.plan.id() + " reported " + e.getValue() + " records durable "
                            + "but only " + survived + " of them survived the power loss");
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, devices.size()));
            try {
                for (int start = 0; start < ticks; start += ROUND) {
                    int from = start;
                    int end = Math.min(ticks, start + ROUND);
                    if (injected.isEmpty() && end >= ticks / 2) {
                        injected = uplink.injectFailures(3).orElse("");
                    }
                    List<Callable<Void>> devicesPhase = new ArrayList<>();
                    for (Device d : devices) {
                        devicesPhase.add(() -> {
                            appendUntil(d, end);
                            boolean offline = offlineDuring(d, from, end);
                            if (offline && !d.wasOffline) {
                                loseAck(d);
                            } else if (!offline) {
                                d.forwarder.drainAvailable(DRAIN_LIMIT);
                            }
                            d.wasOffline = offline;
                            return null;
                        });
                    }
                    runAll(pool, devicesPhase);
                    List<Callable<Void>> gatewayPhase = new ArrayList<>();
                    for (Device d : devices) {
                        if (d.relayForwarder != null && !offlineDuring(d, from, end)) {
                            gatewayPhase.add(() -> {
                                d.relayBuffer.flush();
                                d.relayForwarder.drainAvailable(DRAIN_LIMIT);
                                return null;
                            });
                        }
                    }
                    runAll(pool, gatewayPhase);
                    sample(devices, end, timeline);
                    console.progress("replaying and forwarding", end, ticks);
                }
            } finally {
                pool.shutdownNow();
            }
            // Every link is back at the end: devices hand over the rest, then gateways send it on.
            for (Device d : devices) {
                drainFully(d.forwarder, d.plan.id());
            }
            for (Device d : devices) {
                if (d.relayForwarder != null) {
                    d.relayBuffer.flush();
                    drainFully(d.relayForwarder, d.plan.id() + " relay");
                }
            }
            sample(devices, ticks + ROUND, timeline);
            r = result(plan, devices, outages, timeline, ticks, durableReportedBeforeLoss, injected);
        } catch (Exception | Error e) {
            closeAll(devices, e);
            throw e;
        }
        closeAll(devices, null);
        return r;
    }

    /** Closes every device; close failures are added to {@code failure} when there is one, else thrown. */
    private static void closeAll(List<Device> devices, Throwable failure) throws IOException {
        IOException first = null;
        for (Device d : devices) {
            try {
                d.close();
            } catch (IOException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private DataPathResult result(FleetPlan plan, List<Device> devices, List<DemoResults.Outage> outages,
            List<DemoResults.FillSample> timeline, int ticks, Map<String, Long> durableReportedBeforeLoss,
            String injected) throws IOException {
        long sent = 0;
        Set<IdempotencyKey> expected = new HashSet<>();
        for (Device d : devices) {
            sent += d.keys.size();
            expected.addAll(d.keys);
        }
        List<Envelope> accepted = uplink.accepted();
        Set<IdempotencyKey> ingested = new HashSet<>();
        Map<String, List<SensorRecord>> byDevice = new LinkedHashMap<>();
        for (FleetPlan.Device p : plan.devices()) {
            byDevice.put(p.id(), new ArrayList<>());
        }
        for (Envelope e : accepted) {
            ingested.add(e.key());
            SensorRecord r = SensorRecordCodec.decode(e.payloadBytes());
            byDevice.computeIfAbsent(r.deviceId(), k -> new ArrayList<>()).add(r);
        }
        List<SensorRecord> ordered = new ArrayList<>();
        for (List<SensorRecord> rs : byDevice.values()) {
            rs.sort(Comparator.comparingLong(SensorRecord::timestampMillis));
            ordered.addAll(rs);
        }
        long lost = expected.stream().filter(k -> !ingested.contains(k)).count();
        long dups = uplink.duplicatesDropped();
        long relayed = devices.stream().filter(d -> d.relayServer != null).mapToLong(d -> d.relayServer
                .envelopesStored()).sum();
        console.line("%d records sent, %d ingested, %d lost, %d duplicates dropped by the receiver; %d envelopes "
                + "relayed by gateways", sent, ingested.size(), lost, dups, relayed);
        DemoResults.Ingest figures = new DemoResults.Ingest(sent, ingested.size(), lost, dups, timeline, outages,
                ticks + ROUND);
        long outageCount = outages.stream().filter(o -> !o.powerLoss()).count();
        long gateways = devices.stream().filter(d -> d.relayServer != null).count();
        long avr = devices.stream().filter(d -> d.plan.gateway().isPresent()).count();
        List<Step> steps = List.of(
                new Step(1, "Devices replay sensor data into durable buffers", Status.DONE, String.format(
                        Locale.ROOT, "%d devices (avr8, cortex-m3, jvm) replayed %d readings through the "
                        + "csv-replay SensorSource into sdk-buffer DurableBuffers (group commit); %d outages; %s "
                        + "lost power (its process was killed with SIGKILL) and its reopened buffer held all %d "
                        + "records it had reported durable", devices.size(), sent, outageCount,
                        plan.powerLoss().device(), durableReportedBeforeLoss.values().iterator().next())),
                new Step(2, "Forwarders drain the buffers to the ingest server", Status.DONE, String.format(
                        Locale.ROOT, "sdk-buffer Forwarders drained every buffer to %s, committing only "
                        + "acknowledged batches; the %d avr8 devices went through the relay of their %d jvm "
                        + "gateways (%d envelopes relayed, device keys kept); acknowledgements lost at the start of "
                        + "outages caused resends, %d duplicates dropped by idempotency key; %s; %d of %d records "
                        + "ingested, %d lost", uplink.describe(), avr, gateways, relayed, dups,
                        injected.isEmpty() ? "no failures injected" : injected + ", retried by the forwarders",
                        ingested.size(), sent, lost)));
        return new DataPathResult(ordered, Optional.of(figures), steps);
    }

    private Forwarder forwarder(Cursor cursor, Transport transport) throws IOException {
        return Forwarder.builder().source(cursor).transport(transport)
                .batching(BATCH_RECORDS, 1 << 20, Duration.ZERO)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(500), 0.2, seed).build();
    }

    private static void runAll(ExecutorService pool, List<Callable<Void>> work) throws Exception {
        for (Future<Void> f : pool.invokeAll(work)) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception) {
                    throw (Exception) e.getCause();
                }
                throw e;
            }
        }
    }

    private static void drainFully(Forwarder f, String what) throws IOException, InterruptedException {
        if (!f.drainAvailable(DRAIN_LIMIT)) {
            throw new IOException("The forwarder of " + what + " could not deliver within " + DRAIN_LIMIT + ": "
                    + f.stats().lastError().orElse("no error reported"));
        }
    }

    private DurableBuffer openBuffer(FleetPlan.Device p) throws IOException {
        return DurableBuffer.builder().directory(dir.resolve(p.id())).deviceId(p.id())
                .durability(Durability.groupCommit(Duration.ofMillis(20), 1 << 20)).open();
    }

    private void open(Device d) throws IOException {
        d.buffer = openBuffer(d.plan);
        d.cursor = d.buffer.cursor("uplink");
        // after the rows the buffer holds, by the source's row numbers: the buffer's lastSequence is no count (it
        // continues above a floor after an open that found the end of the log lost)
        ResumePoint resume = ResumePoint.of(d.buffer, DeviceProcess.STREAM);
        d.appended = resume.rowsReplayed();
        d.keys.addAll(resume.keys());
        if (d.appended < d.plan.rows()) {
            d.source = DirectReplay.open(d.plan, d.appended);
        }
    }
    /**
     * Runs the device in a child process and cuts its power once it has reported {@code tick} records durable.
     *
     * @return the highest sequence the process reported durable
     */
    private long powerLoss(Device d, int tick) throws IOException, InterruptedException {
        Path bufferDir = dir.resolve(d.plan.id());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                DeviceProcess.class.getName(), bufferDir.toString(), d.plan.id(), Integer.toString(d.plan.skip()),
                Integer.toString(d.plan.rows()));
        Path errors = Files.createTempFile("edgeloop-demo-device", ".err");
        pb.redirectError(errors.toFile());
        Process p = pb.start();
        // A child that hangs without output would block readLine forever: kill it after 3 minutes, which ends the
        // stream and reports the failure below.
        java.util.concurrent.CompletableFuture.delayedExecutor(3, TimeUnit.MINUTES).execute(p::destroyForcibly);
        long durable = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("durable ")) {
                    durable = Long.parseLong(line.substring(8).trim());
                    console.progress(d.plan.id() + " until power loss", Math.min(durable, tick), tick);
                    if (durable >= tick) {
                        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no close, like pulling the plug
                        break;
                    }
                }
            }
        } finally {
            p.destroyForcibly();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("The device process of " + d.plan.id() + " did not die");
            }
        }
        String stderr;
        try {
            List<String> lines = new String(Files.readAllBytes(errors), StandardCharsets.UTF_8).lines().toList();
            stderr = String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } finally {
            Files.deleteIfExists(errors);
        }
        if (durable < tick) {
            throw new IOException("The device process of " + d.plan.id() + " stopped after " + durable
                    + " records, before its power loss at " + tick + " (exit " + p.exitValue() + ")"
                    + (stderr.isBlank() ? "" : "; its last error lines:\n" + stderr));
        }
        return durable;
    }

    private static boolean offlineDuring(Device d, int start, int end) {
        for (int t = start; t < end; t++) {
            if (d.plan.offline(t)) {
                return true;
            }
        }
        return false;
    }

    private static void appendUntil(Device d, int tick) throws IOException {
        if (d.source == null) {
            return;
        }
        List<CompletableFuture<Appended>> appends = new ArrayList<>();
        while (d.appended < Math.min(tick, d.plan.rows()) && !d.source.isExhausted()) {
            for (SensorRecord r : d.source.poll(1, Duration.ZERO)) {
                appends.add(d.buffer.appendAsync(DeviceProcess.STREAM, 5, SensorRecordCodec.encode(r)));
                d.appended++;
            }
        }
        d.buffer.flush();
        for (CompletableFuture<Appended> a : appends) {
            d.keys.add(a.join().key());
        }
    }

    /** The link drops just after a batch reached the receiver but before its acknowledgement reached the device. */
    private static void loseAck(Device d) throws IOException {
        List<BufferedRecord> batch = d.cursor.poll(BATCH_RECORDS, 1 << 20);
        if (!batch.isEmpty()) {
            // The premise is that the batch arrived: if the receiver refuses it (an injected 503), send it again
            // as the device would have before the link dropped, so every run provokes the same duplicates.
            for (int attempt = 1; ; attempt++) {
                try {
                    d.transport.send(Batch.of(batch.stream().map(BufferedRecord::toEnvelope).toList()));
                    break;
                } catch (TransportException e) {
                    if (attempt >= 10) {
                        break; // nothing arrived after all: the records stay in the buffer and are sent later
                    }
                    try {
                        Thread.sleep(e.retryAfter().orElse(Duration.ofMillis(100)).toMillis());
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", ie);
                    }
                }
            }
        }
        d.cursor.rewind();
    }

    private static void sample(List<Device> devices, int tick, List<DemoResults.FillSample> timeline) {
        for (String variant : FleetPlan.VARIANTS) {
            long buffered = 0;
            for (Device d : devices) {
                if (d.plan.variant().equals(variant)) {
                    buffered += d.appended - d.acked();
                }
            }
            timeline.add(new DemoResults.FillSample(tick, variant, buffered));
        }
        long relay = devices.stream().mapToLong(Device::relayBuffered).sum();
        timeline.add(new DemoResults.FillSample(tick, "gateway relay", relay));
    }
}
