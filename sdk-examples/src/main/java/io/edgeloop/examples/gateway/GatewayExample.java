package io.edgeloop.examples.gateway;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.buffer.metrics.BufferMetrics;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.examples.http.TcpNoDelay;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Example app: sdk-buffer used on its own on a gateway, without labelling or models. Sensor readings (replayed
 * from the occupancy data with {@code csv-replay}) go into a {@link DurableBuffer} with group commit; a
 * {@link Forwarder} on its own thread drains it through the {@code http} transport to an ingest endpoint. The
 * endpoint (an {@link IngestServer} standing in for the cloud) is down at first, answering 503: the gateway keeps
 * buffering, the forwarder backs off and retries, and once the endpoint is back everything arrives exactly once
 * after deduplication. Then the gateway restarts (buffer closed and reopened) and shows nothing is left to send.
 *
 * <p>Run: {@code java -cp sdk-examples/target/edgeloop.jar io.edgeloop.examples.gateway.GatewayExample [DIR]}.
 *
 * <p>Not thread-safe: call from one thread.
 */
public final class GatewayExample {
    private GatewayExample() {
    }

    /**
     * What happened.
     *
     * <p>Thread-safe: immutable.
     *
     * @param appended        readings the gateway buffered
     * @param ingested        distinct readings the endpoint accepted
     * @param failedAttempts  sends that failed while the endpoint was down
     * @param leftAfterRestart records the reopened buffer still had to send
     */
    public record Result(long appended, long ingested, long failedAttempts, long leftAfterRestart) {
    }

    /**
     * Runs the example.
     *
     * @param args an optional buffer directory (default: a new temporary directory)
     * @throws Exception when it fails
     */
    public static void main(String[] args) throws Exception {
        TcpNoDelay.enable(); // before the IngestServer starts: its refusals' bodies then leave at once
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("edgeloop-gateway");
        run(dir, 2000, System.out);
    }

    /**
     * Runs the example.
     *
     * @param dir     the buffer directory
     * @param records readings to replay
     * @param out     where to print what happens
     * @return the figures
     * @throws Exception when a step fails
     */
    public static Result run(Path dir, int records, PrintStream out) throws Exception {
        try (IngestServer cloud = IngestServer.builder().retain(false).start()) {
            cloud.failNext(Integer.MAX_VALUE, 503, null); // the uplink is down when the gateway starts
            ComponentConfig uplink = ComponentConfig.builder().put("uri", cloud.uri().toString()).build();
            TransportProvider http = ProviderLoader.of(TransportProvider.class).select("http");
            long appended = 0;
            ForwarderStats stats;
            try (DurableBuffer buffer = DurableBuffer.builder().directory(dir).deviceId("gateway-1")
                    .durability(Durability.groupCommit(Duration.ofMillis(10), 1 << 20)).open();
                 Forwarder forwarder = Forwarder.builder().source(buffer, "cloud").transport(http, uplink)
                         .batching(200, 1 << 20, Duration.ofMillis(50))
                         .backoff(Duration.ofMillis(50), Duration.ofMillis(400), 0.2, 1).idlePoll(Duration.ofMillis(20))
                         .build().start();
                 SensorSource sensors = ProviderLoader.of(SensorSourceProvider.class).select("csv-replay").create(
                         ComponentConfig.builder().put("resource",
                                 "io/edgeloop/examples/data/occupancy/datatraining.txt").put("device", "office-1")
                                 .put("limit", records).build())) {
                while (!sensors.isExhausted()) {
                    for (SensorRecord r : sensors.poll(100, Duration.ZERO)) {
                        buffer.appendAsync("env", 5, SensorRecordCodec.encode(r));
                        appended++;
                    }
                }
                buffer.flush();
                sensors.commit();
                long outage = System.nanoTime() + 10_000_000_000L;
                while (forwarder.stats().failedAttempts() < 3 && System.nanoTime() < outage) {
                    Thread.sleep(20); // the uplink stays down for a few attempts
                }
                BufferMetrics m = buffer.metrics();
                out.printf("uplink down: %d readings buffered (%d bytes on disk), oldest unsent %d ms, %d failed "
                        + "sends so far%n", appended, m.bytesBuffered(), m.oldestUnsentAgeMillis(),
                        forwarder.stats().failedAttempts());
                cloud.failNext(0, 503, null); // the uplink comes back
                forwarder.wakeUp();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (forwarder.stats().recordsAcknowledged() < appended && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                stats = forwarder.stats();
                out.printf("uplink up: %d readings delivered in %d batches after %d failed sends%n",
                        stats.recordsAcknowledged(), stats.batchesAcknowledged(), stats.failedAttempts());
            }
            long left;
            try (DurableBuffer reopened = DurableBuffer.builder().directory(dir).deviceId("gateway-1").open()) {
                left = reopened.cursor("cloud").poll(100_000, Long.MAX_VALUE).size();
            }
            out.printf("after a restart the buffer has %d records left to send; the endpoint holds %d distinct "
                    + "readings%n", left, cloud.distinct());
            return new Result(appended, cloud.distinct(), stats.failedAttempts(), left);
        }
    }
}
