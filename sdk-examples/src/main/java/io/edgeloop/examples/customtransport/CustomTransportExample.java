package io.edgeloop.examples.customtransport;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Example app: a custom transport found through {@link ProviderLoader} by its configured name. It starts a
 * {@link JsonLinesTcpReceiver} on loopback, replays occupancy readings with the {@code csv-replay} source, sends
 * them in batches through the {@code json-lines-tcp} transport, resends one batch as a retry would, and prints what
 * the receiver stored.
 *
 * <p>Run: {@code java -cp sdk-examples/target/edgeloop.jar io.edgeloop.examples.customtransport.CustomTransportExample}.
 *
 * <p>Not thread-safe: call from one thread.
 */
public final class CustomTransportExample {
    private CustomTransportExample() {
    }

    /**
     * What the example did.
     *
     * <p>Thread-safe: immutable.
     *
     * @param sent        envelopes acknowledged by the transport, counting the resent batch
     * @param unique      distinct keys the receiver stored
     * @param duplicates  envelopes the receiver recognised as duplicates
     */
    public record Result(int sent, int unique, long duplicates) {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws Exception when it fails
     */
    public static void main(String[] args) throws Exception {
        run(500, System.out);
    }

    /**
     * Runs the example with a given number of readings.
     *
     * @param records how many readings to replay, at least 1
     * @param out     where to print progress
     * @return what happened
     * @throws Exception when a step fails
     */
    public static Result run(int records, PrintStream out) throws Exception {
        TransportProvider provider = ProviderLoader.of(TransportProvider.class).select("json-lines-tcp");
        SensorSourceProvider csv = ProviderLoader.of(SensorSourceProvider.class).select("csv-replay");
        try (JsonLinesTcpReceiver receiver = JsonLinesTcpReceiver.start(0, null);
             SensorSource source = csv.create(ComponentConfig.builder()
                     .put("resource", "io/edgeloop/examples/data/occupancy/datatraining.txt")
                     .put("device", "office-1").put("limit", records).build());
             Transport transport = provider.create(ComponentConfig.builder().put("port", receiver.port()).build())) {
            int sent = 0;
            Batch last = null;
            while (!source.isExhausted()) {
                List<Envelope> envelopes = new ArrayList<>();
                for (SensorRecord r : source.poll(100, Duration.ZERO)) {
                    envelopes.add(new Envelope(new IdempotencyKey(r.deviceId(), r.stream(), 1, r.sequence()),
                            r.timestampMillis(), 5, SensorRecordCodec.encode(r)));
                }
                if (envelopes.isEmpty()) {
                    continue;
                }
                last = Batch.of(envelopes);
                transport.send(last);
                source.commit();
                sent += last.size();
            }
            if (last != null) {
                transport.send(last); // what a forwarder does when an ack is lost: resend; the receiver dedups
                sent += last.size();
            }
            out.printf("json-lines-tcp: %d envelopes acknowledged, receiver stored %d distinct keys, %d duplicates "
                    + "recognised%n", sent, receiver.uniqueCount(), receiver.duplicates());
            return new Result(sent, receiver.uniqueCount(), receiver.duplicates());
        }
    }
}
