package io.edgeloop.examples.bench.ingest;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SourceException;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.buffer.forward.FleetDrainer;
import io.edgeloop.transport.kafka.KafkaHeaders;
import io.edgeloop.transport.kafka.broker.LocalKafkaBroker;
import io.edgeloop.transport.kafka.ingest.KafkaSensorSource;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * {@code edgeloop bench ingest}: N simulated devices each fill their own durable buffer with R sensor records; a
 * gateway drains all the buffers with a small pool of forwarder threads that share one Kafka transport (one
 * idempotent producer); consumers in one group read the records back through the {@code kafka} sensor source and
 * account for every (device, sequence). Optionally the broker is killed with SIGKILL and restarted mid-run. Kafka's
 * producer-perf-test runs on the same broker with the same record size and producer settings as the baseline:
 * after untimed rehearsals, each of {@code repeat} repetitions runs it (warm, its steady state) and our measured
 * flow back to back, alternating which goes first, and the report gives the ratio per repetition, their median
 * and range; a cold producer-perf-test runs once at the end.
 *
 * <p>The gateway is sdk-buffer's {@link FleetDrainer}: a gateway serving ten thousand devices cannot run ten
 * thousand threads, and a pool of threads that each wait for their batch's acknowledgement caps the records in
 * flight (measured: that design reached a quarter of producer-perf-test). Two I/O threads open buffers, read
 * batches, commit cursors (deferred syncs) and close buffers, while up to {@code maxActive} buffers each keep one
 * batch in flight through {@link KafkaTransport#sendAsync}; all share one transport, so the producer packs
 * records of many devices into each partition request.
 *
 * <p>Thread-safe: {@link #run} may be called from any thread; runs are independent.
 */
public final class IngestBench {
    private static final int PRODUCER_BATCH_BYTES = 256 * 1024;
    private static final long LINGER_MS = 5;
    private static final int FETCH_MIN_BYTES = 256 * 1024;
    /**
     * The longest a consumer's fetch waits for {@link #FETCH_MIN_BYTES}: while the gateway sends, fetches fill in a
     * few milliseconds, so this only bounds how long the last records wait once the topic goes quiet (with 200 ms,
     * up to 200 ms of every end-to-end figure was that wait).
     */
    private static final int FETCH_MAX_WAIT_MS = 50;
    private static final int FILL_THREADS = 16;
    /** Issue #8: end-to-end records/s within 2x of producer-perf-test's, so baseline/ours at most 2. */
    private static final double TARGET_RATIO = 2.0;

    /**
     * The benchmark's settings.
     *
     * @param devices       simulated devices, each with its own buffer
     * @param records       records per device
     * @param bootstrap     an existing broker ({@code host:port}), or null to start a local one
     * @param ioThreads     gateway I/O threads (open, read, commit, close buffers)
     * @param maxActive     buffers drained at once, each with one batch in flight
     * @param consumers     consumer-group members reading the records back
     * @param partitions    partitions of the topic
     * @param batchRecords  the most records per transport batch
     * @param restartBroker whether to kill the (local) broker with SIGKILL and restart it mid-run
     * @param baseline      whether to run producer-perf-test as the baseline
     * @param consumeAfter  whether the consumers start only after the drain, to time the produce path alone
     * @param workDir       where buffers (and the local broker) live, or null for a temporary directory
     * @param seed          seed of the simulated readings
     * @param warmupRounds  untimed dress rehearsals before the measured drain
     * @param repeat        measured repetitions, each our flow and (with {@code baseline}) producer-perf-test back
     *                      to back
     * @param brokerSessionMs the local broker's {@code broker.session.timeout.ms}, 1000 to 60000; Kafka's default
     *                      {@value #DEFAULT_BROKER_SESSION_MS} leaves the broker's settings as shipped, another value
     *                      also sets heartbeats to a sixth of it. A restarted broker's controller refuses the new
     *                      incarnation's registration until the old one's session ends, so {@code downSeconds}
     *                      includes it. Only for the local broker.
     */
    public record Settings(int devices, int records, String bootstrap, int ioThreads, int maxActive, int consumers,
                           int partitions,
                           int batchRecords, boolean restartBroker, boolean baseline, boolean consumeAfter,
                           Path workDir, long seed, int warmupRounds, int repeat, int brokerSessionMs) {
        /** Kafka's default {@code broker.session.timeout.ms}. */
        public static final int DEFAULT_BROKER_SESSION_MS = 9000;

        /**
         * Settings with Kafka's default broker session ({@value #DEFAULT_BROKER_SESSION_MS} ms).
         *
         * @see #Settings(int, int, String, int, int, int, int, int, boolean, boolean, boolean, Path, long, int, int,
         *      int)
         */
        public Settings(int devices, int records, String bootstrap, int ioThreads, int maxActive, int consumers,
                        int partitions, int batchRecords, boolean restartBroker, boolean baseline, boolean consumeAfter,
                        Path workDir, long seed, int warmupRounds, int repeat) {
            this(devices, records, bootstrap, ioThreads, maxActive, consumers, partitions, batchRecords, restartBroker,
                    baseline, consumeAfter, workDir, seed, warmupRounds, repeat, DEFAULT_BROKER_SESSION_MS);
        }

        /** Validates the settings. */
        public Settings {
            if (devices < 1 || devices > 1_000_000) {
                throw new IllegalArgumentException("--devices must be between 1 and 1000000, got " + devices);
            }
            if (records < 1 || (long) devices * records > 100_000_000L) {
                throw new IllegalArgumentException("--records must be at least 1 and devices x records at most"
                        + " 100000000, got " + records);
            }
            if (ioThreads < 1 || maxActive < 1 || consumers < 1 || partitions < 1 || batchRecords < 1) {
                throw new IllegalArgumentException("--io-threads, --max-active, --consumers, --partitions and --batch"
                        + " must be at least 1");
            }
            if (warmupRounds < 0 || warmupRounds > 10) {
                throw new IllegalArgumentException("--warmup-rounds must be between 0 and 10, got " + warmupRounds);
            }
            if (repeat < 1 || repeat > 20) {
                throw new IllegalArgumentException("--repeat must be between 1 and 20, got " + repeat);
            }
            if (restartBroker && bootstrap != null) {
                throw new IllegalArgumentException("--restart-broker needs the local broker: it cannot kill a broker"
                        + " given with --bootstrap");
            }
            if (brokerSessionMs < 1000 || brokerSessionMs > 60_000) {
                throw new IllegalArgumentException("--broker-session-ms must be between 1000 and 60000, got "
                        + brokerSessionMs);
            }
            if (brokerSessionMs != DEFAULT_BROKER_SESSION_MS && bootstrap != null) {
                throw new IllegalArgumentException("--broker-session-ms sets the local broker's session: it cannot"
                        + " change a broker given with --bootstrap");
            }
        }
    }

    private IngestBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param s        the settings
     * @param progress receives one line per phase
     * @return the report, ready for JSON (see {@code docs/kafka.md})
     * @throws Exception when the broker, the buffers or the transport fail
     */
    public static Map<String, Object> run(Settings s, Consumer<String> progress) throws Exception {
        return run(s, progress, UnaryOperator.identity());
    }

    /**
     * Runs the benchmark with the measured drain's transport wrapped (a test seam: a transport that refuses some
     * records shows how refusals are reported).
     *
     * @param s        the settings
     * @param progress receives one line per phase
     * @param wrap     wraps the measured drain's transport
     * @return the report
     * @throws Exception when the broker, the buffers or the transport fail
     */
    static Map<String, Object> run(Settings s, Consumer<String> progress, UnaryOperator<Transport> wrap)
            throws Exception {
        Objects.requireNonNull(s, "s");
        Objects.requireNonNull(wrap, "wrap");
        long t0 = System.nanoTime();
        boolean ownsDir = s.workDir() == null;
        Path work = ownsDir ? Files.createTempDirectory("edgeloop-bench-ingest-") : Files.createDirectories(s.workDir());
        LocalKafkaBroker broker = null;
        // whether an external broker answered (its topics were created): only then is there one "left running"
        boolean externalReached = false;
        try {
            String bootstrap = s.bootstrap();
            if (bootstrap != null) {
                requireListening(bootstrap);
            }
            double brokerStart = 0;
            if (bootstrap == null) {
                long b0 = System.nanoTime();
                LocalKafkaBroker.Builder b = LocalKafkaBroker.builder().directory(work.resolve("broker"))
                        .partitions(s.partitions())
                        .jvmOptions(List.of("-Xms512m", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError"));
                if (s.brokerSessionMs() != Settings.DEFAULT_BROKER_SESSION_MS) {
                    // as the transport module's test broker does (3 s, 500 ms): six heartbeats per session
                    b.property("broker.session.timeout.ms", Integer.toString(s.brokerSessionMs()))
                            .property("broker.heartbeat.interval.ms", Integer.toString(s.brokerSessionMs() / 6));
                }
                broker = b.build();
                broker.start();
                bootstrap = broker.bootstrapServers();
                brokerStart = seconds(b0);
                progress.accept(String.format("local KRaft broker up on %s in %.1f s", bootstrap, brokerStart));
            }
            String suffix = Long.toString(System.currentTimeMillis(), 36) + "-" + s.seed();
            String coldBaselineTopic = "edgeloop-ingest-baseline-cold-" + suffix;
            List<String> topics = new ArrayList<>(List.of(coldBaselineTopic));
            for (int rep = 1; rep <= s.repeat(); rep++) {
                topics.add(measuredTopic(rep, suffix));
                topics.add(baselineTopic(rep, suffix));
            }
            for (int round = 1; round <= s.warmupRounds(); round++) {
                topics.add("edgeloop-ingest-warmup-" + round + "-" + suffix);
            }
            createTopics(bootstrap, s.partitions(), topics);
            externalReached = broker == null;
            DeviceBuffers devices = new DeviceBuffers(work.resolve("devices"), s.records(), s.seed(),
                    s.warmupRounds());
            long total = (long) s.devices() * s.records();
            long f0 = System.nanoTime();
            AtomicLong payloadBytes = new AtomicLong();
            AtomicInteger rolled = new AtomicInteger();
            forEachDevice(s.devices(), FILL_THREADS, d -> {
                DeviceBuffers.Filled f = devices.fill(d);
                payloadBytes.addAndGet(f.payloadBytes());
                if (f.segmentsRolled()) {
                    rolled.incrementAndGet();
                }
            });
            double fill = seconds(f0);
            if (s.repeat() > 1 && rolled.get() > 0) {
                // a repetition's drain reclaims the sealed segments its cursor passed, and the next repetition's
                // cursor is created only afterwards (so every repetition opens buffers holding one cursor)
                throw new IllegalArgumentException("--repeat above 1 needs each device's records in one buffer"
                        + " segment of " + (DeviceBuffers.SEGMENT_BYTES >> 20) + " MiB; " + rolled.get()
                        + " devices needed more with --records " + s.records() + ": use fewer --records or --repeat 1");
            }
            long bufferBytes = directoryBytes(work.resolve("devices"));
            progress.accept(String.format("%d devices filled their buffers with %d records each in %.1f s (%d MB on"
                    + " disk)", s.devices(), s.records(), fill, bufferBytes >> 20));
            double warm = 0;
            long warmed = 0;
            for (int round = 1; round <= s.warmupRounds(); round++) {
                long w0 = System.nanoTime();
                warmed = warmUp(s, bootstrap, round, devices, suffix);
                String rehearsalCursor = DeviceBuffers.WARMUP_CURSOR + round;
                forEachDevice(s.devices(), FILL_THREADS, d -> devices.deleteCursor(d, rehearsalCursor));
                awaitCompilerQuiet(Duration.ofSeconds(20));
                warm += seconds(w0);
                progress.accept(String.format("warm-up %d: the same %d records drained through a cursor of its own"
                        + " into a topic of its own and read back, in %.1f s (not counted)", round, warmed,
                        seconds(w0)));
            }

            int avgPayload = (int) Math.round((double) payloadBytes.get() / total);
            int onWire = avgPayload + wireOverhead(s);
            ProducerPerfBaseline perf = s.baseline()
                    ? new ProducerPerfBaseline(System.getProperty("java.class.path")) : null;
            // Paired: each repetition runs producer-perf-test (steady state) and our measured flow back to back on
            // the same broker, alternating which goes first, so a stretch of load on the shared machine slows both
            // sides of one ratio alike (one baseline run minutes away from ours swung 503k-912k records/s).
            List<Measured> ours = new ArrayList<>();
            List<ProducerPerfBaseline.Result> bases = new ArrayList<>();
            List<Map<String, Object>> repetitions = new ArrayList<>();
            long p0 = System.nanoTime();
            for (int rep = 1; rep <= s.repeat(); rep++) {
                String cursor = DeviceBuffers.measuredCursor(rep);
                if (rep > 1) {
                    // untimed: this repetition's cursor comes and the previous one's goes, so every repetition
                    // opens buffers holding one cursor, as a gateway's buffers do
                    String previous = DeviceBuffers.measuredCursor(rep - 1);
                    forEachDevice(s.devices(), FILL_THREADS, d -> devices.replaceCursor(d, previous, cursor));
                }
                boolean baselineFirst = rep % 2 == 0;
                double load = loadAverage();
                ProducerPerfBaseline.Result base = null;
                if (perf != null && baselineFirst) {
                    base = steadyBaseline(perf, bootstrap, baselineTopic(rep, suffix), total, onWire, work, rep);
                }
                awaitCompilerQuiet(Duration.ofSeconds(20));
                Measured m = measure(s, bootstrap, broker, measuredTopic(rep, suffix),
                        "edgeloop-bench-" + rep + "-" + suffix, cursor, devices, wrap, progress);
                if (perf != null && !baselineFirst) {
                    base = steadyBaseline(perf, bootstrap, baselineTopic(rep, suffix), total, onWire, work, rep);
                }
                ours.add(m);
                bases.add(base);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("repetition", rep);
                r.put("order", perf == null ? "ours only" : baselineFirst ? "baseline first" : "ours first");
                r.put("loadAverage", load < 0 ? null : round2(load));
                r.put("cursor", cursor);
                r.put("sent", m.sent());
                r.put("received", m.verifier().distinct());
                r.put("lost", total - m.verifier().distinct());
                r.put("duplicates", m.verifier().duplicates());
                r.put("orderViolations", m.verifier().orderViolations());
                r.put("unexpected", m.verifier().unexpected());
                r.put("rejectedByTransport", m.rejected());
                r.put("batchRetries", m.retries());
                r.put("recordsPerSec", Math.round(m.rate()));
                r.put("drainRecordsPerSec", Math.round(m.drainRate()));
                r.put("drainSeconds", round2(m.drain()));
                r.put("endToEndSeconds", round2(m.endToEnd()));
                if (base != null) {
                    r.put("baselineRecordsPerSec", Math.round(base.recordsPerSec()));
                    r.put("baselineToOursRatio", round2(base.recordsPerSec() / Math.max(m.rate(), 1e-9)));
                }
                if (m.restart() != null) {
                    r.put("brokerRestart", m.restart());
                }
                repetitions.add(r);
                progress.accept(base == null
                        ? String.format("repetition %d of %d: ours %.0f records/s", rep, s.repeat(), m.rate())
                        : String.format("repetition %d of %d (%s): ours %.0f records/s, producer-perf-test steady state"
                        + " %.0f; baseline/ours %.2f", rep, s.repeat(), r.get("order"), m.rate(),
                        base.recordsPerSec(), base.recordsPerSec() / Math.max(m.rate(), 1e-9)));
            }
            double pairedSeconds = seconds(p0);

            Map<String, Object> report = new LinkedHashMap<>();
            long sent = 0;
            long received = 0;
            long duplicates = 0;
            long orderViolations = 0;
            long unexpected = 0;
            long retries = 0;
            long rejected = 0;
            long dropped = 0;
            double[] rates = new double[ours.size()];
            double[] drainRates = new double[ours.size()];
            double[] drains = new double[ours.size()];
            double[] endToEnds = new double[ours.size()];
            for (int i = 0; i < ours.size(); i++) {
                Measured m = ours.get(i);
                sent += m.sent();
                received += m.verifier().distinct();
                duplicates += m.verifier().duplicates();
                orderViolations += m.verifier().orderViolations();
                unexpected += m.verifier().unexpected();
                retries += m.retries();
                rejected += m.rejected();
                dropped += m.dropped();
                rates[i] = m.rate();
                drainRates[i] = m.drainRate();
                drains[i] = m.drain();
                endToEnds[i] = m.endToEnd();
            }
            // The headline figures (recordsPerSec, drain, end to end, baseline.*, baselineToOursRatio) all come from
            // one repetition, so that they divide into one another: the median one by ratio, the upper middle one
            // for an even count (the less flattering to us), or by our rate (the lower middle) without a baseline.
            // Three independent medians mixed repetitions: with --repeat 2 the ratio was the better repetition's
            // while the rates were the other's (2.61 reported, 3.65 from the rates printed beside it).
            double[] ratios = new double[ours.size()];
            boolean paired = perf != null && bases.size() == ours.size();
            for (int i = 0; paired && i < ours.size(); i++) {
                ratios[i] = bases.get(i).recordsPerSec() / Math.max(rates[i], 1e-9);
            }
            int headline = paired ? medianIndex(ratios, true) : medianIndex(rates, false);
            // The keys describe one flow of devices x records: the worst repetition's (most lost, then
            // duplicated, reordered, unexpected, refused), so a record lost, duplicated or reordered in any
            // repetition shows here and fails the command; "totals" sums every repetition (each drains all
            // devices x records through a cursor and a topic of its own).
            int worst = 0;
            for (int i = 1; i < ours.size(); i++) {
                if (compareBadness(ours.get(i), ours.get(worst)) > 0) {
                    worst = i;
                }
            }
            Measured w = ours.get(worst);
            report.put("sent", w.sent());
            report.put("received", w.verifier().distinct());
            // Every record the devices buffered and the consumers did not receive, whatever the reason: not
            // acknowledged, acknowledged but not read back, or refused by the transport as never acceptable and
            // skipped (rejectedByTransport; before, those were in neither sent nor lost).
            report.put("lost", total - w.verifier().distinct());
            report.put("duplicates", w.verifier().duplicates());
            report.put("orderViolations", w.verifier().orderViolations());
            report.put("countsFromRepetition", worst + 1);
            report.put("figuresFromRepetition", headline + 1);
            report.put("recordsPerSec", Math.round(rates[headline]));
            report.put("drainRecordsPerSec", Math.round(drainRates[headline]));
            if (s.consumeAfter()) {
                report.put("consumeRecordsPerSec", Math.round(ours.get(headline).consumeRate()));
            }
            report.put("devices", s.devices());
            report.put("recordsPerDevice", s.records());
            report.put("repetitionsMeasured", s.repeat());
            report.put("buffered", total);
            report.put("duplicatesDroppedBySource", w.dropped());
            report.put("unexpected", w.verifier().unexpected());
            report.put("batchRetries", w.retries());
            report.put("rejectedByTransport", w.rejected());
            Map<String, Object> totals = new LinkedHashMap<>();
            totals.put("buffered", total * s.repeat());
            totals.put("sent", sent);
            totals.put("received", received);
            totals.put("lost", total * s.repeat() - received);
            totals.put("duplicates", duplicates);
            totals.put("orderViolations", orderViolations);
            totals.put("unexpected", unexpected);
            totals.put("batchRetries", retries);
            totals.put("rejectedByTransport", rejected);
            totals.put("duplicatesDroppedBySource", dropped);
            report.put("totals", totals);
            report.put("brokerRestart", ours.get(0).restart());
            Map<String, Object> design = new LinkedHashMap<>();
            design.put("gateway", "FleetDrainer");
            design.put("warmupRounds", s.warmupRounds());
            design.put("warmupRecords", warmed);
            design.put("repeat", s.repeat());
            design.put("pairing", "each repetition: producer-perf-test (steady state) and our flow back to back on"
                    + " the same broker, ours first in odd repetitions, the baseline first in even ones");
            design.put("ioThreads", s.ioThreads());
            design.put("maxActiveBuffers", s.maxActive());
            design.put("cursorSync", "deferred");
            design.put("producers", 1);
            design.put("consumers", s.consumers());
            design.put("consumersStart", s.consumeAfter() ? "after the drain" : "before the drain");
            design.put("partitions", s.partitions());
            design.put("batchRecords", s.batchRecords());
            design.put("acks", "all");
            design.put("idempotence", true);
            design.put("lingerMs", LINGER_MS);
            design.put("consumerFetchMinBytes", FETCH_MIN_BYTES);
            design.put("consumerFetchMaxWaitMs", FETCH_MAX_WAIT_MS);
            design.put("batchSizeBytes", PRODUCER_BATCH_BYTES);
            report.put("design", design);
            Map<String, Object> size = new LinkedHashMap<>();
            size.put("payloadBytes", avgPayload);
            size.put("withKeyAndHeadersBytes", onWire);
            report.put("recordSize", size);

            Map<String, Object> times = new LinkedHashMap<>();
            times.put("brokerStart", round1(brokerStart));
            times.put("warmup", round1(warm));
            times.put("fill", round1(fill));
            times.put("drain", round2(drains[headline]));
            times.put("endToEnd", round2(endToEnds[headline]));
            times.put("repetitions", round1(pairedSeconds));
            if (perf != null) {
                // Like with like: our side is measured after full-size rehearsals with the JIT quiet, so the
                // baseline is measured warm too (its own --warmup-records: the same records sent first, untimed,
                // in the same JVM and producer), and the ratio compares with that steady state. A cold run (a
                // fresh JVM timing its first records, as kafka-producer-perf-test.sh is usually run) is reported
                // beside it, once, after the repetitions: measured, it is about half the steady state at 100,000
                // records on two cores.
                ProducerPerfBaseline.Result cold = perf.run(bootstrap, coldBaselineTopic, total, 0, onWire,
                        LINGER_MS, PRODUCER_BATCH_BYTES, work.resolve("producer-perf-test-cold.log"));
                double coldSeconds = cold.seconds();
                ProducerPerfBaseline.Result base = bases.get(headline);
                double ourRate = rates[headline];
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("tool", "org.apache.kafka.tools.ProducerPerformance (kafka-producer-perf-test)");
                b.put("measured", "steady state: the records after " + total + " untimed warm-up records in the"
                        + " same JVM (--warmup-records), once per repetition; the figures are those of the repetition"
                        + " figuresFromRepetition names");
                b.put("records", base.records());
                b.put("warmupRecords", base.warmupRecords());
                b.put("recordSize", base.recordSize());
                b.put("recordsPerSec", Math.round(base.recordsPerSec()));
                b.put("mbPerSec", base.mbPerSec());
                b.put("avgLatencyMs", base.avgLatencyMs());
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("measured", "cold: a fresh JVM, all its records timed; run once, after the repetitions");
                c.put("records", cold.records());
                c.put("recordsPerSec", Math.round(cold.recordsPerSec()));
                c.put("mbPerSec", cold.mbPerSec());
                c.put("avgLatencyMs", cold.avgLatencyMs());
                b.put("cold", c);
                report.put("baseline", b);
                double ratioMin = Arrays.stream(ratios).min().orElseThrow();
                double ratioMax = Arrays.stream(ratios).max().orElseThrow();
                double coldToOurs = cold.recordsPerSec() / Math.max(ourRate, 1e-9);
                report.put("baselineToOursRatio", round2(ratios[headline]));
                report.put("baselineToOursRatioMin", round2(ratioMin));
                report.put("baselineToOursRatioMax", round2(ratioMax));
                report.put("withinTwiceOfBaseline", ratioMax <= TARGET_RATIO ? "met in every repetition"
                        : ratioMin > TARGET_RATIO ? "not met in any repetition"
                        : "met in " + countAtMost(ratios, TARGET_RATIO) + " of " + ratios.length + " repetitions");
                report.put("coldBaselineToOursRatio", round2(coldToOurs));
                report.put("ratioMeaning", "baseline records/s divided by our end-to-end records/s (lower is"
                        + " better for us; issue #8's target is <= 2); baselineToOursRatio is the median repetition's"
                        + " ratio (the upper middle one for an even count), with the warm (steady-state) baseline run"
                        + " back to back with ours (the like-for-like comparison with our warmed run), and equals"
                        + " baseline.recordsPerSec / recordsPerSec;"
                        + " coldBaselineToOursRatio divides the one cold run by our median records/s");
                double baseSeconds = coldSeconds;
                for (ProducerPerfBaseline.Result r : bases) {
                    baseSeconds += r.seconds();
                }
                times.put("baseline", round1(baseSeconds));
                progress.accept(String.format("baseline producer-perf-test: steady state %.0f records/s of %d B"
                        + " (median of %d; cold %.0f); baseline/ours median %.2f, range %.2f-%.2f (cold"
                        + " baseline/ours %.2f)", base.recordsPerSec(), onWire, ratios.length, cold.recordsPerSec(),
                        ratios[headline], ratioMin, ratioMax, coldToOurs));
            }
            report.put("repetitions", repetitions);
            Map<String, Object> disk = new LinkedHashMap<>();
            disk.put("buffersBytes", bufferBytes);
            disk.put("kafkaBytes", broker == null ? null : broker.dataBytes());
            report.put("disk", disk);
            report.put("broker", broker == null ? "external " + bootstrap : "local single-node KRaft");
            times.put("total", round1(seconds(t0)));
            report.put("seconds", times);
            return report;
        } finally {
            long c0 = System.nanoTime();
            if (broker != null) {
                broker.close();
            }
            double stopped = seconds(c0);
            if (ownsDir) {
                deleteRecursively(work);
            }
            String files = ownsDir ? String.format("removed the work files in %.1f s", seconds(c0) - stopped)
                    : "kept the work files in " + work;
            progress.accept(broker != null ? String.format("stopped the broker in %.1f s; %s", stopped, files)
                    : externalReached ? "left the external broker running; " + files : files);
        }
    }

    /** One measured repetition of our flow. */
    private record Measured(long sent, long retries, long rejected, long dropped, IngestVerifier verifier,
                            double drain, double endToEnd, double consumeAlone, Map<String, Object> restart) {
        double rate() {
            return verifier.distinct() / Math.max(endToEnd, 1e-9);
        }

        double drainRate() {
            return sent / Math.max(drain, 1e-9);
        }

        double consumeRate() {
            return verifier.distinct() / Math.max(consumeAlone, 1e-9);
        }
    }

    /**
     * One measured run of our flow: the gateway drains every buffer through {@code cursor} into {@code topic}
     * while (or, with --consume-after-drain, after which) consumers of a group of their own read it back.
     */
    private static Measured measure(Settings s, String bootstrap, LocalKafkaBroker broker, String topic, String group,
                                    String cursor, DeviceBuffers devices, UnaryOperator<Transport> wrap,
                                    Consumer<String> progress) throws Exception {
        long total = (long) s.devices() * s.records();
        IngestVerifier verifier = new IngestVerifier(s.devices(), s.records());
        AtomicLong sent = new AtomicLong();
        AtomicLong retries = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        String uri = "kafka://" + bootstrap + "/" + topic;
        ExecutorService consumerPool = Executors.newFixedThreadPool(s.consumers());
        List<Future<?>> consumerDone = new ArrayList<>();
        CountDownLatch joined = new CountDownLatch(s.consumers());
        Runnable startConsumers = () -> {
            for (int c = 0; c < s.consumers(); c++) {
                consumerDone.add(consumerPool.submit(() -> consume(uri, group, verifier, stop, joined, dropped)));
            }
        };
        try {
            if (!s.consumeAfter()) {
                startConsumers.run();
                if (!joined.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("The consumers did not join their group within 60 s");
                }
            }
            Map<String, Object> restart;
            double drain;
            long d0 = System.nanoTime();
            try (KafkaTransport transport = gatewayTransport(uri)) {
                // A watcher kills and restarts the broker once a third of the records are acknowledged, while the
                // gateway keeps sending into the outage.
                long killAfter = total / 3;
                AtomicReference<Map<String, Object>> restarted = new AtomicReference<>();
                AtomicReference<Exception> watchFailure = new AtomicReference<>();
                AtomicBoolean drainDone = new AtomicBoolean();
                // New sends wait at the kill point until the watcher has killed the broker, so the drain cannot
                // finish before the kill however late the watcher is scheduled.
                KillGate gate = new KillGate(transport, killAfter);
                FleetDrainer drainer = gateway(s, wrap.apply(s.restartBroker() ? gate : transport), cursor);
                gate.watch(() -> drainer.stats().recordsAcknowledged());
                Thread watcher = null;
                if (s.restartBroker()) {
                    watcher = new Thread(() -> {
                        try {
                            long now;
                            while ((now = drainer.stats().recordsAcknowledged()) < killAfter) {
                                if (drainDone.get()) {
                                    return;
                                }
                                Thread.sleep(5);
                            }
                            restarted.set(killAndRestart(broker, now, gate::open, s.brokerSessionMs()));
                        } catch (IOException | InterruptedException e) {
                            watchFailure.set(e);
                        } finally {
                            gate.open();
                        }
                    }, "bench-broker-restart");
                    watcher.setDaemon(true);
                    watcher.start();
                }
                FleetDrainer.Report drained;
                try {
                    drained = drainer.drain(devices.directories(s.devices()), Duration.ofMinutes(10));
                } finally {
                    drainDone.set(true);
                }
                if (watcher != null) {
                    watcher.join();
                }
                if (watchFailure.get() != null) {
                    throw watchFailure.get();
                }
                sent.set(drained.recordsAcknowledged());
                retries.set(drained.failedAttempts());
                rejected.set(drained.recordsRejected());
                if (!drained.complete()) {
                    throw new IOException("The gateway drained " + drained.buffersDrained() + " of " + s.devices()
                            + " buffers in 10 minutes; failed: " + drained.failedBuffers());
                }
                drain = seconds(d0);
                restart = restarted.get();
            }
            progress.accept(String.format("gateway: %d I/O threads, up to %d buffers in flight, drained %d records in"
                    + " %.1f s (%d batch retries, %d records refused by the transport and skipped)", s.ioThreads(),
                    s.maxActive(), sent.get(), drain, retries.get(), rejected.get()));
            long c0 = System.nanoTime();
            if (s.consumeAfter()) {
                startConsumers.run();
            }
            long stallNanos = TimeUnit.SECONDS.toNanos(30);
            while (verifier.distinct() < sent.get()) {
                long last = Math.max(verifier.lastArrivalNanos(), d0 + (long) (drain * 1e9));
                if (System.nanoTime() - last > stallNanos) {
                    break;
                }
                Thread.sleep(20);
            }
            double endToEnd = (verifier.lastArrivalNanos() - d0) / 1e9;
            double consumeAlone = (verifier.lastArrivalNanos() - c0) / 1e9;
            stop.set(true);
            for (Future<?> f : consumerDone) {
                f.get();
            }
            progress.accept(String.format("consumers received %d distinct records; end to end %.1f s, %.0f records/s",
                    verifier.distinct(), endToEnd, verifier.distinct() / Math.max(endToEnd, 1e-9)));
            return new Measured(sent.get(), retries.get(), rejected.get(), dropped.get(), verifier, drain, endToEnd,
                    consumeAlone, restart);
        } finally {
            stop.set(true);
            consumerPool.shutdown();
        }
    }

    /** Orders repetitions by how badly they went: fewer received first, then duplicates, reorders, unexpected. */
    private static int compareBadness(Measured a, Measured b) {
        int c = Long.compare(b.verifier().distinct(), a.verifier().distinct());
        if (c == 0) {
            c = Long.compare(a.verifier().duplicates(), b.verifier().duplicates());
        }
        if (c == 0) {
            c = Long.compare(a.verifier().orderViolations(), b.verifier().orderViolations());
        }
        if (c == 0) {
            c = Long.compare(a.verifier().unexpected(), b.verifier().unexpected());
        }
        if (c == 0) {
            c = Long.compare(a.rejected(), b.rejected());
        }
        return c;
    }

    private static ProducerPerfBaseline.Result steadyBaseline(ProducerPerfBaseline perf, String bootstrap,
                                                              String topic, long total, int onWire, Path work, int rep)
            throws IOException, InterruptedException {
        return perf.run(bootstrap, topic, total, total, onWire, LINGER_MS, PRODUCER_BATCH_BYTES,
                work.resolve("producer-perf-test-" + rep + ".log"));
    }

    private static String measuredTopic(int rep, String suffix) {
        return "edgeloop-ingest-bench-" + rep + "-" + suffix;
    }

    private static String baselineTopic(int rep, String suffix) {
        return "edgeloop-ingest-baseline-" + rep + "-" + suffix;
    }

    /** The 1-minute load average, or a negative value where the OS does not tell. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * The index of the median value; for an even count the upper middle one when {@code upper}, else the lower
     * middle one (as in bench buffer).
     */
    private static int medianIndex(double[] v, boolean upper) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        return order[upper ? v.length / 2 : (v.length - 1) / 2];
    }

    private static int countAtMost(double[] v, double limit) {
        int n = 0;
        for (double x : v) {
            if (x <= limit) {
                n++;
            }
        }
        return n;
    }

    /**
     * A dress rehearsal, untimed: drains every device's buffer through a second cursor into a topic of its own,
     * with the same gateway and producer settings, and reads it back with the same consumers, so the measured run
     * starts with compiled code (JMH's warm-up iterations, for the same reason). It has to be the full workload:
     * the gateway's per-device code runs once per device, so a smaller rehearsal leaves it to be compiled during
     * the measured run (measured: with 1,000 of 10,000 devices rehearsed, the JIT compilers still took a quarter
     * of the CPU of the measured drain).
     */
    private static long warmUp(Settings s, String bootstrap, int round, DeviceBuffers devices, String suffix)
            throws Exception {
        String uri = "kafka://" + bootstrap + "/edgeloop-ingest-warmup-" + round + "-" + suffix;
        long expected = (long) s.devices() * s.records();
        IngestVerifier verifier = new IngestVerifier(s.devices(), s.records());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(s.consumers());
        List<Future<?>> done = new ArrayList<>();
        CountDownLatch joined = new CountDownLatch(s.consumers());
        AtomicLong dropped = new AtomicLong();
        for (int c = 0; c < s.consumers(); c++) {
            done.add(pool.submit(() -> consume(uri, "edgeloop-warmup-" + round + "-" + suffix, verifier, stop, joined, dropped)));
        }
        try {
            if (!joined.await(60, TimeUnit.SECONDS)) {
                throw new IOException("The warm-up consumers did not join their group within 60 s");
            }
            FleetDrainer.Report r;
            try (KafkaTransport transport = gatewayTransport(uri)) {
                r = gateway(s, transport, DeviceBuffers.WARMUP_CURSOR + round)
                        .drain(devices.directories(s.devices()), Duration.ofMinutes(10));
            }
            if (!r.complete()) {
                throw new IOException("The warm-up drain did not complete: " + r.failedBuffers());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (verifier.distinct() < expected && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            stop.set(true);
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
        }
        if (verifier.distinct() != expected) {
            throw new IOException("Warm-up round " + round + " read back " + verifier.distinct() + " of " + expected
                    + " records within 120 s");
        }
        return verifier.distinct();
    }

    /** The gateway's one producer, configured the same for the rehearsals and the measured run. */
    private static KafkaTransport gatewayTransport(String uri) {
        return new KafkaTransport(ComponentConfig.builder().put("uri", uri).put("timeout", "30s")
                .put("linger", LINGER_MS + "ms").put("batch-size", PRODUCER_BATCH_BYTES).build());
    }

    /** The gateway's drainer, the same for the rehearsals and the measured run but for the cursor. */
    private static FleetDrainer gateway(Settings s, Transport transport, String cursor) {
        return FleetDrainer.builder().transport(transport).source(cursor, DeviceBuffers::openForDrain)
                .concurrency(s.ioThreads(), s.maxActive()).batching(s.batchRecords(), 16L << 20)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(2), 0.5, s.seed()).build();
    }

    /**
     * Waits until the JIT compilers have been idle for a second (or the limit passes): on two cores the C2 queue
     * filled during the rehearsal is otherwise still being worked off during the measured drain (measured: 5.9 s
     * of compilation inside a 5.4 s drain).
     */
    private static void awaitCompilerQuiet(Duration limit) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long deadline = System.nanoTime() + limit.toNanos();
        long last = jit.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(1)) {
            Thread.sleep(100);
            long now = jit.getTotalCompilationTime();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
    }

    private static int wireOverhead(Settings s) {
        // Record key (device id) plus the three headers' names and values, as KafkaHeaders writes them.
        int deviceId = DeviceBuffers.deviceId(s.devices() - 1).length();
        String key = DeviceBuffers.deviceId(s.devices() - 1) + "/" + DeviceBuffers.STREAM + "/0/" + s.records();
        return deviceId + KafkaHeaders.FORMAT.length() + 1 + KafkaHeaders.IDEMPOTENCY_KEY.length() + key.length()
                + KafkaHeaders.PRIORITY.length() + 1;
    }

    private static Map<String, Object> killAndRestart(LocalKafkaBroker broker, long killedAt, Runnable killed,
                                                      int sessionMs) throws IOException, InterruptedException {
        long k0 = System.nanoTime();
        broker.kill();
        killed.run();
        Thread.sleep(1000);
        broker.start();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("signal", "SIGKILL");
        r.put("killedAfterSent", killedAt);
        r.put("downSeconds", round1(seconds(k0)));
        // the restarted broker is refused registration until the killed one's session ends: part of downSeconds
        r.put("brokerSessionMs", sessionMs);
        return r;
    }

    private static Void consume(String uri, String group, IngestVerifier verifier, AtomicBoolean stop,
                                CountDownLatch joined, AtomicLong dropped) throws SourceException {
        try (KafkaSensorSource source = new KafkaSensorSource(ComponentConfig.builder().put("uri", uri)
                .put("group", group).put("max-poll-records", 5000).put("dedup.window", 256)
                // Fewer, fuller fetches: a consumer tailing a busy topic otherwise sends a fetch per trickle of
                // records, and those fetches cost the broker the CPU the producers need (measured: the drain ran
                // 2.5x slower with default-fetching consumers running beside it).
                .put("kafka.fetch.min.bytes", FETCH_MIN_BYTES).put("kafka.fetch.max.wait.ms", FETCH_MAX_WAIT_MS)
                .build())) {
            boolean first = true;
            while (!stop.get()) {
                List<SensorRecord> batch = source.poll(5000, Duration.ofMillis(first ? 1000 : 100));
                if (first) {
                    joined.countDown();
                    first = false;
                }
                verifier.accept(batch);
                if (!batch.isEmpty()) {
                    source.commit();
                }
            }
            dropped.addAndGet(source.duplicatesDropped());
        } finally {
            joined.countDown();
        }
        return null;
    }

    @FunctionalInterface
    private interface DeviceTask {
        void run(int device) throws Exception;
    }

    private static void forEachDevice(int devices, int threads, DeviceTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int d = next.getAndIncrement(); d < devices; d = next.getAndIncrement()) {
                        task.run(d);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    next.set(devices);
                    throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Fails at once, in one line, when nothing listens at {@code host:port}: a Kafka client would retry for a
     * minute, logging a WARN for every attempt.
     */
    private static void requireListening(String bootstrap) throws IOException {
        int colon = bootstrap.lastIndexOf(':');
        int port;
        try {
            port = colon < 1 ? -1 : Integer.parseInt(bootstrap.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--bootstrap must be HOST:PORT, got '" + bootstrap + "'");
        }
        String host = bootstrap.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 10_000);
        } catch (IOException e) {
            throw new IOException("Kafka at " + bootstrap + " is not reachable (" + e.getMessage() + "); is it"
                    + " running?", e);
        }
    }

    private static void createTopics(String bootstrap, int partitions, List<String> topics) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> list = new ArrayList<>();
            for (String t : topics) {
                list.add(new NewTopic(t, partitions, (short) 1));
            }
            try {
                admin.createTopics(list).all().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("Kafka at " + bootstrap + " did not answer within 60 s (is it running?)", e);
            } catch (ExecutionException e) {
                throw new IOException("Creating the benchmark topics on " + bootstrap + " failed: "
                        + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    private static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
