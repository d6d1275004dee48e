package io.edgeloop.examples.bench.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own producer-perf-test ({@code org.apache.kafka.tools.ProducerPerformance} from kafka-tools), run in a
 * child JVM on the same broker with the same producer settings as the kafka transport, as the throughput
 * baseline. Run cold (a fresh JVM timing its first records) or warm: with {@code --warmup-records W} it sends
 * {@code W} untimed records first in the same JVM and producer and reports the records after them on its
 * "steady state" line, which is what this class then parses.
 *
 * <p>Thread-safe: immutable; {@link #run} may be called from any thread.
 */
final class ProducerPerfBaseline {
    private static final Pattern SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\), ([0-9.]+) ms avg latency");
    private static final Pattern STEADY = Pattern.compile(
            "(\\d+) steady state records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\), ([0-9.]+) ms avg"
                    + " latency");

    /**
     * The figures producer-perf-test printed for the measured records: its last summary line when cold, its
     * "steady state" line (the records after the warm-up) when warm.
     */
    record Result(long records, long warmupRecords, int recordSize, double recordsPerSec, double mbPerSec,
                  double avgLatencyMs, double seconds, List<String> command) {
    }

    private final String classPath;

    /**
     * @param classPath a class path holding org.apache.kafka:kafka-tools
     */
    ProducerPerfBaseline(String classPath) {
        this.classPath = classPath;
    }

    /**
     * Runs producer-perf-test and parses its summary line.
     *
     * @param bootstrap  the broker
     * @param topic      the topic (created beforehand)
     * @param records    how many records to measure
     * @param warmup     untimed records sent first in the same JVM (0: a cold run)
     * @param recordSize bytes per record value
     * @param linger     linger.ms of the producer
     * @param batchSize  batch.size of the producer
     * @param log        where its output goes
     * @return the figures
     * @throws IOException when it fails or prints no summary
     * @throws InterruptedException when interrupted
     */
    Result run(String bootstrap, String topic, long records, long warmup, int recordSize, long linger,
               int batchSize, Path log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath,
                "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records",
                Long.toString(Math.addExact(records, warmup)), "--record-size", Integer.toString(recordSize),
                "--throughput", "-1"));
        if (warmup > 0) {
            cmd.addAll(List.of("--warmup-records", Long.toString(warmup)));
        }
        cmd.addAll(List.of("--producer-props",
                "bootstrap.servers=" + bootstrap, "acks=all", "enable.idempotence=true",
                "max.in.flight.requests.per.connection=5", "linger.ms=" + linger, "batch.size=" + batchSize,
                "compression.type=none"));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("producer-perf-test did not finish within 15 minutes; output in " + log);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Matcher m = (warmup > 0 ? STEADY : SUMMARY).matcher(out);
        Result last = null;
        while (m.find()) {
            last = new Result(Long.parseLong(m.group(1)), warmup, recordSize, Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), seconds, List.copyOf(cmd));
        }
        // Warm: the steady-state count includes warm-up records acknowledged after the switch, so it may exceed records.
        if (p.exitValue() != 0 || last == null || (warmup == 0 ? last.records() != records : last.records() < 1)) {
            String tail = out.length() > 600 ? out.substring(out.length() - 600) : out;
            throw new IOException("producer-perf-test failed (exit " + p.exitValue() + "; is org.apache.kafka:kafka-tools"
                    + " on the class path?): " + tail.replace('\n', ' '));
        }
        return last;
    }
}
