package io.edgeloop.examples.demo.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.examples.demo.fleet.FleetPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's resume after reopening a device buffer, on real buffers filled from the real csv-replay source: after
 * an open that found the end of the log lost, the buffer's sequences continue above a floor, so
 * {@code lastSequence} (what the demo resumed from) is no count of the rows replayed.
 */
class ResumePointTest {
    private static final FleetPlan.Device DEVICE = new FleetPlan.Device("d1", "jvm", 0, 400, Optional.empty(),
            List.of());

    @TempDir
    Path dir;

    private DurableBuffer open() throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId(DEVICE.id()).durability(Durability.always())
                .segmentBytes(4096).open();
    }

    private static List<SensorRecord> rows(long done, int n) throws Exception {
        List<SensorRecord> out = new ArrayList<>();
        try (SensorSource s = DirectReplay.open(DEVICE, done)) {
            while (out.size() < n && !s.isExhausted()) {
                out.addAll(s.poll(1, Duration.ZERO));
            }
        }
        return out;
    }

    /** Appends the first {@code n} rows as {@link DeviceProcess} does. */
    private static void replay(DurableBuffer b, int n) throws Exception {
        for (SensorRecord r : rows(0, n)) {
            b.append(DeviceProcess.STREAM, 5, SensorRecordCodec.encode(r));
        }
    }

    @Test
    @DisplayName("after the end of the log was lost, the replay resumes after the newest row held, not at lastSequence")
    void resumesAfterTheNewestRowHeld() throws Exception {
        try (DurableBuffer b = open()) {
            replay(b, 300);
        }
        List<Path> segments;
        try (Stream<Path> s = Files.list(dir)) {
            segments = s.filter(p -> p.getFileName().toString().matches("seg-\\d{20}\\.log")).sorted()
                    .collect(Collectors.toList());
        }
        assertTrue(segments.size() > 3, "several segments: " + segments);
        Files.delete(segments.get(segments.size() - 1)); // the end of the log lost while the device was off
        try (DurableBuffer b = open()) {
            ResumePoint resume = ResumePoint.of(b, DeviceProcess.STREAM);
            long held = resume.rowsReplayed();
            assertTrue(held > 200 && held < 300, "the rows of the deleted segment are gone: " + held);
            // what the demo resumed from before: past the slice's end, so it replayed nothing more and counted
            // every sequence up to it as a record the receiver should have got
            assertEquals(65_536, b.lastSequence(DeviceProcess.STREAM), "the floor: the first reservation block");
            assertEquals(held, resume.keys().size(), "one key per row held");
            for (int i = 0; i < held; i++) {
                assertEquals(i + 1, resume.keys().get(i).sequence());
            }
            SensorRecord next = rows(held, 1).get(0);
            assertEquals(held + 1, next.sequence(), "the source resumes at the row after the newest held");
            assertEquals(rows(0, (int) held + 1).get((int) held).timestampMillis(), next.timestampMillis(),
                    "the same reading as a replay from the start gives at that row");
            IdempotencyKey key = b.append(DeviceProcess.STREAM, 5, SensorRecordCodec.encode(next)).key();
            assertTrue(key.sequence() > DEVICE.rows(), "its buffer key is above the floor, not " + (held + 1)
                    + ": the demo counts the keys it appended, not 1..rows: " + key);
        }
    }

    @Test
    @DisplayName("a clean buffer resumes after its last row, with its keys")
    void cleanBufferResumesAfterItsLastRow() throws Exception {
        try (DurableBuffer b = open()) {
            replay(b, 50);
            b.append("other", 0, new byte[3]); // not a sensor record, and not the device's stream
        }
        try (DurableBuffer b = open()) {
            ResumePoint resume = ResumePoint.of(b, DeviceProcess.STREAM);
            assertEquals(50, resume.rowsReplayed());
            assertEquals(50, resume.keys().size());
            assertEquals(b.lastSequence(DeviceProcess.STREAM), resume.keys().get(49).sequence());
        }
    }
}
