package io.edgeloop.examples.bench.ingest;

import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The simulated devices' side: one {@link DurableBuffer} per device in its own directory, filled with encoded
 * sensor records; the gateway drains them with sdk-buffer's {@link io.edgeloop.buffer.forward.FleetDrainer}.
 *
 * <p>Thread-safe: stateless apart from its settings; each device's buffer is used by one thread at a time.
 */
final class DeviceBuffers {
    /** The cursor the gateway drains with (in the first measured repetition; see {@link #measuredCursor}). */
    static final String CURSOR = "kafka-gateway";
    /** Segment size of the devices' buffers (sdk-buffer's default, set here because --repeat relies on it). */
    static final long SEGMENT_BYTES = 4L << 20;
    /** Prefix of the cursors of the untimed dress rehearsals (one per round). */
    static final String WARMUP_CURSOR = "kafka-warmup-";
    /** The stream the simulated devices write. */
    static final String STREAM = "accel";

    private final Path root;
    private final int records;
    private final long seed;
    private final int warmupRounds;

    /**
     * @param root    the directory holding one sub-directory per device
     * @param records records per device
     * @param seed    seed of the simulated readings
     * @param warmupRounds rehearsal cursors to attach too
     */
    DeviceBuffers(Path root, int records, long seed, int warmupRounds) {
        this.root = root;
        this.records = records;
        this.seed = seed;
        this.warmupRounds = warmupRounds;
    }

    /**
     * @param device the device index
     * @return the device id
     */
    static String deviceId(int device) {
        return String.format(Locale.ROOT, "dev-%06d", device);
    }

    /**
     * Parses a device id made by {@link #deviceId(int)}.
     *
     * @param deviceId the id
     * @return the index, or -1 when the id is not one of ours
     */
    static int deviceIndex(String deviceId) {
        if (deviceId.length() != 10 || !deviceId.startsWith("dev-")) {
            return -1;
        }
        // digit by digit: called for every record read back, where substring + parseInt showed in the profile
        int index = 0;
        for (int i = 4; i < 10; i++) {
            int d = deviceId.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            index = index * 10 + d;
        }
        return index;
    }

    /**
     * The cursor a measured repetition drains with: {@link #CURSOR} in the first, attached at fill; the later ones'
     * are created just before their repetition by {@link #replaceCursor}, so every repetition opens buffers holding
     * one cursor.
     *
     * @param repetition the repetition, from 1
     * @return the cursor name
     */
    static String measuredCursor(int repetition) {
        return repetition == 1 ? CURSOR : CURSOR + "-" + repetition;
    }

    /**
     * What filling one device's buffer did.
     *
     * @param payloadBytes   the payload bytes appended
     * @param segmentsRolled whether the records took more than one segment (then a drain reclaims the sealed
     *                       ones its cursor passed, when it is the only cursor)
     */
    record Filled(long payloadBytes, boolean segmentsRolled) {
    }

    private Path dir(int device) {
        return root.resolve(deviceId(device));
    }

    /**
     * The device records its readings: appends {@code records} encoded sensor records to its own buffer and waits
     * until all are durable (group commit: one sync for the lot). The gateway's cursor is attached first, as when
     * the device was onboarded.
     *
     * @param device the device index
     * @return the payload bytes appended, and whether the buffer rolled to a second segment
     * @throws IOException when the buffer cannot be written
     */
    Filled fill(int device) throws IOException {
        String id = deviceId(device);
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + device);
        long bytes = 0;
        try (DurableBuffer buffer = DurableBuffer.builder().directory(dir(device)).deviceId(id)
                .segmentBytes(SEGMENT_BYTES).durability(Durability.groupCommit(Duration.ofMillis(20), 1 << 20))
                .open()) {
            // The gateway's cursor is attached once, when the device is onboarded, not on every drain.
            buffer.cursor(CURSOR);
            for (int round = 1; round <= warmupRounds; round++) {
                buffer.cursor(WARMUP_CURSOR + round);
            }
            List<CompletableFuture<?>> pending = new ArrayList<>(records);
            for (int i = 1; i <= records; i++) {
                SensorRecord r = SensorRecord.builder().deviceId(id).stream(STREAM)
                        .timestampMillis(1_700_000_000_000L + i * 20L).sequence(i)
                        .channel("x", random.nextDouble(-2, 2)).channel("y", random.nextDouble(-2, 2))
                        .channel("z", 9.81 + random.nextDouble(-0.5, 0.5)).build();
                byte[] payload = SensorRecordCodec.encode(r);
                bytes += payload.length;
                pending.add(buffer.appendAsync(STREAM, 5, payload));
            }
            buffer.flush();
            for (CompletableFuture<?> f : pending) {
                f.join();
            }
        }
        int segments = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir(device), "seg-*.log")) {
            for (Path ignored : ds) {
                segments++;
            }
        }
        return new Filled(bytes, segments > 1);
    }

    /**
     * Deletes a cursor from a device's buffer (a rehearsal's, once it is done, so that the measured drain opens
     * buffers with the same cursors as without rehearsal).
     *
     * @param device the device index
     * @param cursor the cursor name
     * @throws IOException when the buffer cannot be opened or the cursor deleted
     */
    void deleteCursor(int device, String cursor) throws IOException {
        try (DurableBuffer buffer = openForDrain(dir(device))) {
            buffer.deleteCursor(cursor);
        }
    }

    /**
     * Attaches a cursor to a device's buffer, then deletes another (a measured repetition's, once it is done), in
     * that order, so the buffer is never without a cursor.
     *
     * @param device the device index
     * @param gone   the cursor to delete
     * @param added  the cursor to attach, at the oldest record held
     * @throws IOException when the buffer cannot be opened or the cursors written
     */
    void replaceCursor(int device, String gone, String added) throws IOException {
        try (DurableBuffer buffer = openForDrain(dir(device))) {
            buffer.cursor(added);
            buffer.deleteCursor(gone);
        }
    }

    /**
     * @param devices the number of devices
     * @return their buffer directories, in device order
     */
    List<Path> directories(int devices) {
        List<Path> dirs = new ArrayList<>(devices);
        for (int d = 0; d < devices; d++) {
            dirs.add(dir(d));
        }
        return dirs;
    }

    /**
     * Opens a device's buffer the way the gateway drains it: no syncs for appends (it appends nothing) and
     * deferred cursor syncs ({@link CursorSync#DEFERRED}): two syncs per commit per device would bound a gateway
     * draining thousands of buffers, and a commit a power loss takes back only means records are sent again,
     * which the consumer drops by idempotency key.
     *
     * @param dir the buffer directory
     * @return the open buffer
     * @throws IOException when it cannot be opened
     */
    static DurableBuffer openForDrain(Path dir) throws IOException {
        return DurableBuffer.builder().directory(dir).durability(Durability.none()).cursorSync(CursorSync.DEFERRED)
                .open();
    }
}
