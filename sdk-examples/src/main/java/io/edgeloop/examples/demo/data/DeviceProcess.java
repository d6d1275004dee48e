package io.edgeloop.examples.demo.data;

import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.examples.demo.fleet.FleetPlan;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The device that loses power, as its own process: it replays its slice into its durable buffer (sync on every
 * append) and prints {@code durable <seq>} once each record is durable, so the demo can cut its power
 * ({@code SIGKILL}) at a chosen moment and then check, after reopening the buffer, that every record reported
 * durable survived.
 *
 * <p>Arguments: {@code BUFFER_DIR DEVICE_ID SKIP ROWS}. Not thread-safe: a process entry point.
 */
public final class DeviceProcess {
    /** The stream the devices append to. */
    public static final String STREAM = "env";

    private DeviceProcess() {
    }

    /**
     * Runs the device until its slice is replayed (or it is killed).
     *
     * @param args buffer directory, device id, first row, number of rows
     * @throws Exception when the buffer or the data fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: DeviceProcess BUFFER_DIR DEVICE_ID SKIP ROWS");
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        FleetPlan.Device d = new FleetPlan.Device(args[1], "jvm", Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), Optional.empty(), List.of());
        try (DurableBuffer buffer = DurableBuffer.builder().directory(Path.of(args[0])).deviceId(d.id())
                .durability(Durability.always()).open();
             SensorSource source = DirectReplay.open(d)) {
            while (!source.isExhausted()) {
                for (SensorRecord r : source.poll(1, Duration.ZERO)) {
                    Appended a = buffer.append(STREAM, 5, SensorRecordCodec.encode(r));
                    out.println("durable " + a.sequence());
                    out.flush();
                }
            }
        }
        out.println("done");
        out.flush();
    }
}
