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
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Steps 1 and 2 on the real sdk-buffer: every device appends its readings to its own {@link DurableBuffer}
 * (group commit), and an uplink drains the buffer's {@code uplink} cursor through a {@link Transport} chosen by
 * name ({@code http}) to an embedded, deduplicating {@link IngestServer} on loopback, committing the cursor only
 * after the acknowledgement.
 *
 * <p>Time advances in ticks (one reading per device per tick, one minute of data time); buffers are flushed and
 * uplinks drained every {@link #ROUND} ticks. During an outage a device keeps buffering and does not drain. When
 * an outage begins, the device's last batch reaches the server but its acknowledgement is lost, so the device
 * rewinds and sends it again later; the server drops those duplicates by idempotency key. The device that loses
 * power runs as a child process that is killed with {@code SIGKILL}; its buffer is then reopened here, checked
 * against what the process had reported durable, and it carries on where the buffer says it stopped.
 *
 * <p>Not thread-safe: one run per instance (the devices of one round run on a small thread pool; each device,
 * with its own transport, is touched by one thread at a time).
 */
public final class BufferedDataPath {
    /** Ticks per round of flush and drain. */
    public static final int ROUND = 20;
    private static final int BATCH_RECORDS = 100;

    private final Path dir;
    private final DemoConsole console;

    /**
     * @param dir     where the device buffers live (recreated)
     * @param console progress
     */
    public BufferedDataPath(Path dir, DemoConsole console) {
        this.dir = dir;
        this.console = console;
    }

    /** One simulated device during the run. */
    private static final class Device implements AutoCloseable {
        final FleetPlan.Device plan;
        DurableBuffer buffer;
        Cursor cursor;
        SensorSource source;
        Transport transport;
        long appended;
        long acked;
        boolean wasOffline;

        Device(FleetPlan.Device plan) {
            this.plan = plan;
        }

        @Override
        public void close() throws IOException {
            if (transport != null) {
                transport.close();
            }
            if (source != null) {
                source.close();
            }
            if (buffer != null) {
                buffer.close();
            }
        }
    }

    /**
     * Runs the devices, the uplinks and the ingest server.
     *
     * @param plan the fleet
     * @return the ingested records, the delivery figures and the step statuses
     * @throws Exception when a buffer, the transport or the server fails beyond what the run tolerates
     */
    public DataPathResult run(FleetPlan plan) throws Exception {
        DemoFiles.fresh(dir);
        List<Device> devices = new ArrayList<>();
        List<DemoResults.Outage> outages = new ArrayList<>();
        List<DemoResults.FillSample> timeline = new ArrayList<>();
        int ticks = plan.ticks();
        try (IngestServer server = IngestServer.builder().retain(true).start()) {
            TransportProvider http = ProviderLoader.of(TransportProvider.class).select("http");
            Map<String, Long> durableReportedBeforeLoss = new LinkedHashMap<>();
            ComponentConfig uplink = ComponentConfig.builder().put("uri", server.uri().toString()).build();
            {
                for (FleetPlan.Device p : plan.devices()) {
                    Device d = new Device(p);
                    devices.add(d);
                    d.transport = http.create(uplink);
                    if (p.id().equals(plan.powerLoss().device())) {
                        long reported = powerLoss(d, plan.powerLoss().tick());
                        durableReportedBeforeLoss.put(p.id(), reported);
                        outages.add(new DemoResults.Outage(p.id(), plan.powerLoss().tick(), plan.powerLoss().tick(),
                                true));
                    }
                    open(d);
                    for (int[] o : p.outages()) {
                        outages.add(new DemoResults.Outage(p.id(), o[0], o[1], false));
                    }
                }
                for (Map.Entry<String, Long> e : durableReportedBeforeLoss.entrySet()) {
                    Device d = devices.stream().filter(x -> x.plan.id().equals(e.getKey())).findFirst().orElseThrow();
                    console.line("%s lost power after reporting %d records durable; reopened: %d records in its "
                            + "buffer, %d corrupt frames skipped, %d bytes of torn tail cut", d.plan.id(), e.getValue(),
                            d.appended, d.buffer.metrics().corruptFramesSkipped(), d.buffer.metrics().truncatedBytes());
                    if (d.appended < e.getValue()) {
                        throw new IllegalStateException(d.plan.id() + " reported " + e.getValue() + " records durable "
                                + "but only " + d.appended + " survived the power loss");
                    }
                }
                ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, devices.size()));
                try {
                    for (int start = 0; start < ticks; start += ROUND) {
                        int from = start;
                        int end = Math.min(ticks, start + ROUND);
                        // Devices are independent within a round, so they run in parallel (their syncs overlap).
                        List<Callable<Void>> work = new ArrayList<>();
                        for (Device d : devices) {
                            work.add(() -> {
                                appendUntil(d, end);
                                boolean offline = offlineDuring(d, from, end);
                                if (offline && !d.wasOffline) {
                                    loseAck(d, d.transport);
                                } else if (!offline) {
                                    drain(d, d.transport);
                                }
                                d.wasOffline = offline;
                                return null;
                            });
                        }
                        for (Future<Void> f : pool.invokeAll(work)) {
                            f.get();
                        }
                        sample(devices, end, timeline);
                        console.progress("replaying and forwarding", end, ticks);
                    }
                } finally {
                    pool.shutdownNow();
                }
                for (Device d : devices) {
                    drain(d, d.transport); // every link is back at the end
                }
                sample(devices, ticks + ROUND, timeline);
            }
            long sent = 0;
            Set<IdempotencyKey> expected = new HashSet<>();
            for (Device d : devices) {
                sent += d.appended;
                for (long s = 1; s <= d.appended; s++) {
                    expected.add(new IdempotencyKey(d.plan.id(), DeviceProcess.STREAM, d.buffer.epoch(), s));
                }
            }
            List<SensorRecord> records = new ArrayList<>();
            Set<IdempotencyKey> ingested = new HashSet<>();
            for (Envelope e : server.accepted()) {
                ingested.add(e.key());
                records.add(SensorRecordCodec.decode(e.payloadBytes()));
            }
            long lost = expected.stream().filter(k -> !ingested.contains(k)).count();
            records.sort(Comparator.comparing(SensorRecord::deviceId).thenComparingLong(SensorRecord::timestampMillis));
            List<SensorRecord> ordered = new ArrayList<>();
            for (FleetPlan.Device p : plan.devices()) {
                for (SensorRecord r : records) {
                    if (r.deviceId().equals(p.id())) {
                        ordered.add(r);
                    }
                }
            }
            long dups = server.duplicatesDropped();
            console.line("%d records sent, %d ingested, %d lost, %d duplicates dropped by the ingest server", sent,
                    server.distinct(), lost, dups);
            DemoResults.Ingest figures = new DemoResults.Ingest(sent, server.distinct(), lost, dups, timeline, outages,
                    ticks + ROUND);
            long outageCount = outages.stream().filter(o -> !o.powerLoss()).count();
            List<Step> steps = List.of(
                    new Step(1, "Devices replay sensor data into durable buffers", Status.DONE, String.format(
                            Locale.ROOT, "%d devices (avr8, cortex-m3, jvm) replayed %d readings through the "
                            + "csv-replay SensorSource into sdk-buffer DurableBuffers (group commit); %d outages; "
                            + "%s lost power (child process killed with SIGKILL) and its reopened buffer held all %d "
                            + "records it had reported durable. The avr8 devices forward directly: sdk-buffer's "
                            + "gateway relay is not in this build yet", devices.size(), sent, outageCount,
                            plan.powerLoss().device(), durableReportedBeforeLoss.values().iterator().next())),
                    new Step(2, "Forwarders drain the buffers to the ingest server", Status.DONE, String.format(
                            Locale.ROOT, "uplinks drained each buffer's cursor through the http transport to the "
                            + "deduplicating IngestServer on loopback, committing only acknowledged batches; acks "
                            + "lost at the start of outages caused %d resends, all dropped by idempotency key; "
                            + "%d of %d records ingested", dups, server.distinct(), sent)));
            return new DataPathResult(ordered, Optional.of(figures), steps);
        } finally {
            for (Device d : devices) {
                d.close();
            }
        }
    }

    private DurableBuffer openBuffer(FleetPlan.Device p) throws IOException {
        return DurableBuffer.builder().directory(dir.resolve(p.id())).deviceId(p.id())
                .durability(Durability.groupCommit(Duration.ofMillis(20), 1 << 20)).open();
    }

    private void open(Device d) throws IOException {
        d.buffer = openBuffer(d.plan);
        d.cursor = d.buffer.cursor("uplink");
        d.appended = d.buffer.lastSequence(DeviceProcess.STREAM);
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
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
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
        if (durable < tick) {
            throw new IOException("The device process of " + d.plan.id() + " stopped after " + durable
                    + " records, before its power loss at " + tick + " (exit " + p.exitValue() + ")");
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
        while (d.appended < Math.min(tick, d.plan.rows()) && !d.source.isExhausted()) {
            for (SensorRecord r : d.source.poll(1, Duration.ZERO)) {
                d.buffer.appendAsync(DeviceProcess.STREAM, 5, SensorRecordCodec.encode(r));
                d.appended++;
            }
        }
        d.buffer.flush();
    }

    /** Drains the cursor completely, committing after each acknowledged batch; a failed send rewinds. */
    private static void drain(Device d, Transport transport) throws IOException {
        while (true) {
            List<BufferedRecord> batch = d.cursor.poll(BATCH_RECORDS, 1 << 20);
            if (batch.isEmpty()) {
                return;
            }
            try {
                transport.send(Batch.of(batch.stream().map(BufferedRecord::toEnvelope).toList()));
            } catch (TransportException e) {
                d.cursor.rewind(); // not acknowledged: send again next round
                return;
            }
            d.cursor.commit(batch.get(batch.size() - 1));
            d.acked += batch.size();
        }
    }

    /** The link drops just after a batch reached the server but before its acknowledgement reached the device. */
    private static void loseAck(Device d, Transport transport) throws IOException {
        List<BufferedRecord> batch = d.cursor.poll(BATCH_RECORDS, 1 << 20);
        if (!batch.isEmpty()) {
            transport.send(Batch.of(batch.stream().map(BufferedRecord::toEnvelope).toList()));
        }
        d.cursor.rewind();
    }

    private static void sample(List<Device> devices, int tick, List<DemoResults.FillSample> timeline) {
        for (String variant : FleetPlan.VARIANTS) {
            long buffered = 0;
            for (Device d : devices) {
                if (d.plan.variant().equals(variant)) {
                    buffered += d.appended - d.acked;
                }
            }
            timeline.add(new DemoResults.FillSample(tick, variant, buffered));
        }
    }
}
