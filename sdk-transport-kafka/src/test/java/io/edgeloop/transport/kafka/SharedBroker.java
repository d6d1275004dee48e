package io.edgeloop.transport.kafka;

import io.edgeloop.api.transport.Envelope;
import io.edgeloop.transport.kafka.broker.BrokerProcess;
import io.edgeloop.transport.kafka.broker.LocalKafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One real single-node KRaft broker for all tests of this module (started on first use, a child JVM built from
 * the test class path), plus a raw reader of whole topics. Test classes run one after another, so a test may kill
 * and restart it.
 *
 * <p>The broker runs its time-based retention check every second from its start (Kafka's defaults: every 5 minutes,
 * the first 30 seconds after a start), so a record stamped longer ago than the retention (7 days) is deleted while
 * the tests run, as a production cluster would delete it, and not only when a slow run happens to reach the check
 * (the source contract test's records, stamped in 2023 when the transport still used the device's time, were deleted
 * 30 s after KafkaIngestTest's kill test restarted the broker: deliversRecords got 0 records in clean-clone CI runs
 * and passed when the module ran alone, faster). {@link #awaitRetentionPass()} waits for a check.
 */
final class SharedBroker {
    /** Holds one record stamped in 1970 at a time, which retention deletes: it shows when a check has run. */
    private static final String RETENTION_PROBE = "retention-probe";
    private static LocalKafkaBroker broker;
    /** What the first start wrote to System.err, where slf4j-simple logs (WARN and above). */
    private static String firstStartLog;

    private SharedBroker() {
    }

    static synchronized LocalKafkaBroker get() {
        if (broker == null) {
            try {
                LocalKafkaBroker b = LocalKafkaBroker.builder().property("log.retention.check.interval.ms", "1000")
                        // internal ("for testing only"): the delay of the log manager's first checks after a start
                        .property("log.initial.task.delay.ms", "0")
                        // A restarted broker (its controller restarted with it) is refused registration until the
                        // controller gives up the previous incarnation's session: 9 s by default, 10 of the 14 s a
                        // restart took. 3 s is still 6 heartbeats.
                        .property("broker.session.timeout.ms", "3000").property("broker.heartbeat.interval.ms", "500")
                        .build();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        b.close();
                    } catch (IOException e) {
                        System.err.println("closing the test broker failed: " + e);
                    }
                }));
                // slf4j-simple writes to whatever System.err is when it logs: record the start's lines, still
                // showing them
                PrintStream systemErr = System.err;
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                System.setErr(new PrintStream(new OutputStream() {
                    @Override
                    public void write(int c) {
                        log.write(c);
                        systemErr.write(c);
                    }

                    @Override
                    public void write(byte[] bytes, int off, int len) {
                        log.write(bytes, off, len);
                        systemErr.write(bytes, off, len);
                    }
                }, true, StandardCharsets.UTF_8));
                try {
                    b.start();
                } finally {
                    System.setErr(systemErr);
                }
                firstStartLog = log.toString(StandardCharsets.UTF_8);
                broker = b;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            broker.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return broker;
    }

    /**
     * Returns what the broker's first start (a fresh directory, as each run of {@code edgeloop bench ingest} starts
     * one) logged on System.err, starting it now if no test has yet.
     */
    static synchronized String firstStartLog() {
        get();
        return firstStartLog;
    }

    /**
     * Freezes the broker process with SIGSTOP: it keeps its port and its clients' connections but answers nothing,
     * until {@link #resume()} continues it with SIGCONT. A stopped broker refuses connections instead; a frozen one is
     * a receiver that withholds its acknowledgements, and costs no restart.
     */
    static void pause() throws IOException {
        signal("STOP");
    }

    /** Lets the broker frozen by {@link #pause()} run again. */
    static void resume() throws IOException {
        signal("CONT");
    }

    private static void signal(String signal) throws IOException {
        String dir;
        synchronized (SharedBroker.class) {
            if (broker == null || !broker.isRunning()) {
                throw new IllegalStateException("no shared broker is running to SIG" + signal);
            }
            dir = broker.directory().toString();
        }
        // The broker is a child JVM running BrokerProcess on the server.properties in its directory (read from
        // /proc: ProcessHandle.Info leaves out command lines as long as this class path).
        List<ProcessHandle> found = ProcessHandle.current().children().filter(p -> {
            try {
                String c = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                        StandardCharsets.UTF_8);
                return c.contains(BrokerProcess.class.getName()) && c.contains(dir);
            } catch (IOException e) {
                return false; // ended meanwhile
            }
        }).toList();
        if (found.size() != 1) {
            throw new IllegalStateException("expected one broker process for " + dir + ", found " + found);
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(found.get(0).pid()))
                .redirectErrorStream(true).start();
        try {
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -" + signal + " " + found.get(0).pid() + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIG" + signal + " to the broker", e);
        }
    }

    /** Reads every record of a topic from the beginning to its current end, as raw records. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, get().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(topic, pi.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /**
     * Returns once the broker's retention check has gone over every topic after this call began: it writes a record
     * stamped in 1970 to a probe topic and waits until retention has deleted it, twice, since the check that deleted
     * the first may have gone over other topics before the call.
     */
    static void awaitRetentionPass() throws Exception {
        get().createTopic(RETENTION_PROBE, 1);
        TopicPartition probe = new TopicPartition(RETENTION_PROBE, 0);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, get().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, get().bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            for (int round = 0; round < 2; round++) {
                long offset = producer.send(new ProducerRecord<>(RETENTION_PROBE, 0, 1L, null, new byte[1])).get()
                        .offset();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (consumer.beginningOffsets(List.of(probe), Duration.ofSeconds(30)).get(probe) <= offset) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker's retention check did not delete the probe record"
                                + " " + RETENTION_PROBE + "-0@" + offset + " within 60 s");
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    /** Reads every record of a topic and rebuilds the envelopes. */
    static List<Envelope> envelopes(String topic) {
        List<Envelope> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
            out.add(KafkaHeaders.toEnvelope(r));
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (c.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
