package io.edgeloop.cli.buffer;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.DropDirectoryReader;

import io.edgeloop.cli.InProcessCli.Result;
import java.io.IOException;

import java.io.RandomAccessFile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real buffer directory holding sensor records, one of them edited by hand to set a flag bit this SDK does not
 * know (frame CRCs recomputed, as a newer writer would have produced it): verify lists it, drain carries every
 * record unchanged, and only that record is refused by the decoder.
 */
class BufferUnknownFlagBitsTest {
    private static final int RECORDS = 10;
    private static final long ODD = 5;

    @TempDir
    Path tmp;

    private static SensorRecord reading(long seq) {
        return SensorRecord.builder().deviceId("dev-1").stream("env").timestampMillis(1_700_000_000_000L + seq)
                .sequence(seq).channel("temperature", 20 + seq / 10.0).flag(QualityFlag.INTERPOLATED).build();
    }

    /** Sets flag bit 5 in the payload of record {@code seq} of stream env and fixes both frame CRCs. */
    private static void setUnknownFlagBit(Path dir, long seq) throws IOException {
        Path seg;
        try (Stream<Path> s = Files.list(dir)) {
            seg = s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().findFirst().orElseThrow();
        }
        byte[] file = Files.readAllBytes(seg);
        ByteBuffer b = ByteBuffer.wrap(file);
        int at = 40; // frames follow the 40-byte segment header (docs/formats/buffer.md)
        while (true) {
            assertEquals(0xE1B0F5A7, b.getInt(at), "frame magic at " + at);
            int nameLen = file[at + 6] & 0xFF;
            int payloadLen = b.getInt(at + 8);
            long frameSeq = b.getLong(at + 12);
            int payloadAt = at + 36 + nameLen;
            if (file[at + 4] == 1 && frameSeq == seq) {
                // flag bits: after version, device id, stream, timestamp and sequence (docs/formats/sensor-record.md)
                int flags = payloadAt + 1 + 2 + "dev-1".length() + 2 + "env".length() + 16;
                int bits = b.getShort(flags) & 0xFFFF;
                assertEquals(0x0010, bits, "INTERPOLATED only, before the edit");
                b.putShort(flags, (short) (bits | 0x0020));
                CRC32C payloadCrc = new CRC32C();
                payloadCrc.update(file, payloadAt, payloadLen);
                b.putInt(at + 28 + nameLen, (int) payloadCrc.getValue());
                CRC32C headerCrc = new CRC32C();
                headerCrc.update(file, at, 32 + nameLen);
                b.putInt(at + 32 + nameLen, (int) headerCrc.getValue());
                break;
            }
            at = payloadAt + payloadLen;
        }
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.write(file);
        }
    }

    @Test
    @DisplayName("verify --sensor-records names the record with unknown flag bits, drain loses nothing, and only"
            + " that record is refused by the decoder")
    void unknownFlagBitsAreReportedAndNothingIsLost() throws Exception {
        Path dir = tmp.resolve("buf");
        try (DurableBuffer buffer = DurableBuffer.builder().directory(dir).deviceId("dev-1")
                .durability(Durability.always()).open()) {
            for (long s = 1; s <= RECORDS; s++) {
                assertEquals(s, buffer.append("env", SensorRecordCodec.encode(reading(s))).sequence());
            }
        }
        setUnknownFlagBit(dir, ODD);

        // the frames are intact: the buffer itself sees ten good records
        ObjectMapper m = new ObjectMapper();
        Result plain = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, plain.code(), plain.err());
        JsonNode p = m.readTree(plain.out());
        assertEquals(RECORDS, p.get("streams").get("env").get("records").asLong());
        assertEquals(0, p.get("corruptFramesSkipped").asLong());
        assertFalse(p.has("sensorRecordsRefused"));

        Result v = run("buffer", "verify", "--dir", dir.toString(), "--sensor-records", "--json");
        assertEquals(0, v.code(), v.err());
        JsonNode r = m.readTree(v.out());
        assertEquals(RECORDS, r.get("streams").get("env").get("records").asLong());
        assertEquals(1, r.get("sensorRecordsRefused").asLong(), v.out());
        JsonNode odd = r.get("refusedRecords").get(0);
        assertEquals("env", odd.get("stream").asText());
        assertEquals(ODD, odd.get("seq").asLong());
        assertTrue(odd.get("error").asText().contains("unknown flag bits 0x0020"), odd.toString());
        Result text = run("buffer", "verify", "--dir", dir.toString(), "--sensor-records");
        assertTrue(text.out().contains("sensor records refused by the decoder: 1"), text.out());
        assertTrue(text.out().contains("stream env seq " + ODD + ": Sensor record dev-1/env seq " + ODD
                + " has unknown flag bits 0x0020"), text.out());

        // drain carries every record, the odd one unchanged: the reader downstream decides
        Path drop = Files.createDirectories(tmp.resolve("usb"));
        Result d = run("buffer", "drain", "--dir", dir.toString(), "--to", drop.toUri().toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().startsWith("drained " + RECORDS + " records"), d.out());
        Set<Long> decoded = new TreeSet<>();
        for (Envelope e : new DropDirectoryReader().read(drop).envelopes()) {
            if (e.key().sequence() == ODD) {
                IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                        () -> SensorRecordCodec.decode(e.payloadBytes()));
                assertTrue(refused.getMessage().contains("unknown flag bits 0x0020"), refused.getMessage());
                byte[] payload = e.payloadBytes();
                assertTrue(new String(payload, StandardCharsets.UTF_8).contains("temperature"), "carried whole");
            } else {
                assertEquals(reading(e.key().sequence()), SensorRecordCodec.decode(e.payloadBytes()));
                decoded.add(e.key().sequence());
            }
        }
        assertEquals(Set.of(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L), decoded);
    }
}
