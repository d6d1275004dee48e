package io.edgeloop.buffer.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BatchCodecTest {

    static Batch sample(int count, int size, long seed) {
        Random r = new Random(seed);
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] p = new byte[size];
            // Half random, half repetitive, so compression has something to do.
            for (int j = 0; j < size; j++) {
                p[j] = j % 2 == 0 ? (byte) r.nextInt() : (byte) (j % 7);
            }
            list.add(new Envelope(new IdempotencyKey("dev-ü/1", "str%eam", 3, 1 + i), 1_700_000_000_000L + i,
                    i % 10, p));
        }
        return Batch.of(list);
    }

    /** Rewrites the checksum so a crafted change passes the CRC and reaches the check under test. */
    static byte[] reseal(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 20);
        crc.update(bytes, 24, bytes.length - 24);
        ByteBuffer.wrap(bytes).putInt(20, (int) crc.getValue());
        return bytes;
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    @DisplayName("round-trips keys, timestamps, priorities and payloads exactly")
    void roundTrips(Compression c) throws Exception {
        Batch b = sample(50, 300, 1);
        BatchCodec codec = BatchCodec.of(c);
        byte[] bytes = codec.encode(b);
        assertEquals(c.code(), bytes[6]);
        Batch back = BatchCodec.of(Compression.NONE).decode(bytes);
        assertEquals(b.envelopes(), back.envelopes());
        for (int i = 0; i < b.size(); i++) {
            assertEquals(b.envelopes().get(i).key(), back.envelopes().get(i).key());
            assertEquals(b.envelopes().get(i).timestampMillis(), back.envelopes().get(i).timestampMillis());
            assertEquals(b.envelopes().get(i).priority(), back.envelopes().get(i).priority());
        }
        assertEquals(b.envelopes(), codec.read(new ByteArrayInputStream(bytes)).envelopes());
    }

    @Test
    @DisplayName("compresses repetitive payloads with gzip and lz4")
    void compresses() {
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            list.add(new Envelope(new IdempotencyKey("d", "s", 0, i + 1), i, 0,
                    ("temperature=21.5;humidity=40;" + i).repeat(10).getBytes(StandardCharsets.US_ASCII)));
        }
        Batch b = Batch.of(list);
        int none = BatchCodec.of(Compression.NONE).encode(b).length;
        assertTrue(BatchCodec.of(Compression.GZIP).encode(b).length < none / 4);
        assertTrue(BatchCodec.of(Compression.LZ4).encode(b).length < none / 4);
    }

    @Test
    @DisplayName("keeps empty payloads")
    void emptyPayload() throws Exception {
        Batch b = Batch.of(List.of(new Envelope(new IdempotencyKey("d", "s", 0, 1), 0, 0, new byte[0])));
        assertEquals(b.envelopes(), BatchCodec.of(Compression.LZ4).decode(BatchCodec.of(Compression.LZ4).encode(b))
                .envelopes());
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    @DisplayName("rejects every truncation with a BatchFormatException")
    void rejectsTruncation(Compression c) {
        byte[] bytes = BatchCodec.of(c).encode(sample(3, 40, 2));
        BatchCodec codec = BatchCodec.of(Compression.NONE);
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            BatchFormatException e = assertThrows(BatchFormatException.class, () -> codec.decode(cut), "length " + n);
            assertTrue(e.getMessage().contains("runcated"), e.getMessage());
            assertThrows(BatchFormatException.class, () -> codec.read(new ByteArrayInputStream(cut)));
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    @DisplayName("rejects every single-bit flip")
    void rejectsBitFlips(Compression c) {
        byte[] bytes = BatchCodec.of(c).encode(sample(4, 30, 3));
        BatchCodec codec = BatchCodec.of(Compression.NONE);
        for (int i = 0; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = bytes.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThrows(BatchFormatException.class, () -> codec.decode(bad), "flip at byte " + i + " bit " + bit);
            }
        }
    }

    @Test
    @DisplayName("rejects random garbage without any other exception")
    void rejectsGarbage() {
        Random r = new Random(42);
        BatchCodec codec = BatchCodec.of(Compression.NONE);
        for (int i = 0; i < 2000; i++) {
            byte[] g = new byte[r.nextInt(200)];
            r.nextBytes(g);
            if (i % 2 == 0 && g.length >= 8) {
                // Valid magic and version, garbage after: gets further into the decoder.
                ByteBuffer.wrap(g).putInt(BatchCodec.MAGIC).put((byte) 1).put((byte) 0).put((byte) r.nextInt(3))
                        .put((byte) 0);
                if (g.length >= 24) {
                    reseal(g);
                }
            }
            try {
                codec.decode(g);
                fail("garbage accepted");
            } catch (BatchFormatException expected) {
                // what we want
            } catch (RuntimeException e) {
                fail("garbage escaped as " + e, e);
            }
        }
    }

    @Test
    @DisplayName("rejects an unknown major version naming both versions")
    void rejectsUnknownMajor() {
        byte[] bytes = BatchCodec.of(Compression.NONE).encode(sample(1, 10, 4));
        bytes[4] = 2;
        BatchFormatException e = assertThrows(BatchFormatException.class,
                () -> BatchCodec.of(Compression.NONE).decode(reseal(bytes)));
        assertTrue(e.getMessage().contains("version 2.0") && e.getMessage().contains("major version 1"),
                e.getMessage());
    }

    @Test
    @DisplayName("accepts a higher minor version and skips the data it appends")
    void acceptsHigherMinor() throws Exception {
        Batch b = sample(2, 10, 5);
        byte[] bytes = BatchCodec.of(Compression.NONE).encode(b);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        longer[5] = 1;
        ByteBuffer bb = ByteBuffer.wrap(longer);
        bb.putInt(12, bb.getInt(12) + 3).putInt(16, bb.getInt(16) + 3);
        assertEquals(b.envelopes(), BatchCodec.of(Compression.NONE).decode(reseal(longer)).envelopes());
        longer[5] = 0;
        BatchFormatException e = assertThrows(BatchFormatException.class,
                () -> BatchCodec.of(Compression.NONE).decode(reseal(longer)));
        assertTrue(e.getMessage().contains("Trailing"), e.getMessage());
    }

    @Test
    @DisplayName("rejects unknown compression codes and flags")
    void rejectsUnknownCompressionAndFlags() {
        byte[] bytes = BatchCodec.of(Compression.NONE).encode(sample(1, 10, 6));
        byte[] c = bytes.clone();
        c[6] = 9;
        assertTrue(assertThrows(BatchFormatException.class, () -> BatchCodec.of(Compression.NONE).decode(reseal(c)))
                .getMessage().contains("compression"));
        byte[] f = bytes.clone();
        f[7] = 1;
        assertTrue(assertThrows(BatchFormatException.class, () -> BatchCodec.of(Compression.NONE).decode(reseal(f)))
                .getMessage().contains("flags"));
    }

    @Test
    @DisplayName("rejects a batch whose declared sizes exceed the limit before reading its body")
    void rejectsOversize() {
        byte[] bytes = BatchCodec.of(Compression.NONE).encode(sample(10, 1000, 7));
        BatchFormatException e = assertThrows(BatchFormatException.class,
                () -> BatchCodec.of(Compression.NONE, 4096).decode(bytes));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        byte[] header = Arrays.copyOf(bytes, BatchCodec.HEADER_BYTES);
        ByteBuffer.wrap(header).putInt(16, Integer.MAX_VALUE);
        assertThrows(BatchFormatException.class,
                () -> BatchCodec.of(Compression.NONE).read(new ByteArrayInputStream(header)));
        assertThrows(IllegalArgumentException.class, () -> BatchCodec.of(Compression.NONE, 4096).encode(sample(10, 1000, 7)));
    }

    @Test
    @DisplayName("stops a gzip decompression bomb at the declared raw length")
    void stopsDecompressionBomb() throws Exception {
        Batch b = sample(1, 10, 8);
        byte[] honest = BatchCodec.of(Compression.NONE).encode(b);
        int rawLength = honest.length - BatchCodec.HEADER_BYTES;
        // A body that inflates to 50 MB of zeros after the honest envelope bytes.
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(z)) {
            gz.write(honest, BatchCodec.HEADER_BYTES, rawLength);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 50; i++) {
                gz.write(zeros);
            }
        }
        byte[] body = z.toByteArray();
        ByteBuffer bomb = ByteBuffer.allocate(BatchCodec.HEADER_BYTES + body.length);
        bomb.putInt(BatchCodec.MAGIC).put((byte) 1).put((byte) 0).put((byte) Compression.GZIP.code()).put((byte) 0)
                .putInt(1).putInt(rawLength).putInt(body.length).putInt(0).put(body);
        BatchFormatException e = assertThrows(BatchFormatException.class,
                () -> BatchCodec.of(Compression.NONE).decode(reseal(bomb.array())));
        assertTrue(e.getMessage().contains("longer than the declared"), e.getMessage());
        // Declaring the true size instead runs into the limit before anything is inflated.
        ByteBuffer.wrap(bomb.array()).putInt(12, rawLength + (100 << 20));
        assertTrue(assertThrows(BatchFormatException.class,
                () -> BatchCodec.of(Compression.NONE).decode(reseal(bomb.array()))).getMessage().contains("too large"));
    }

    @Test
    @DisplayName("rejects envelopes that break the key and priority rules")
    void rejectsInvalidEnvelope() {
        byte[] bytes = BatchCodec.of(Compression.NONE).encode(
                Batch.of(List.of(new Envelope(new IdempotencyKey("d", "s", 0, 1), 0, 0, new byte[] {1}))));
        // Layout: 24 header | u16 1 'd' | u16 1 's' | epoch 8 | seq 8 | ts 8 | prio 1 | len 4 | payload
        int seqAt = 24 + 3 + 3 + 8;
        byte[] zeroSeq = bytes.clone();
        ByteBuffer.wrap(zeroSeq).putLong(seqAt, 0);
        assertTrue(assertThrows(BatchFormatException.class, () -> BatchCodec.of(Compression.NONE).decode(reseal(zeroSeq)))
                .getMessage().contains("Envelope 0 is invalid"));
        byte[] prio = bytes.clone();
        prio[seqAt + 16] = 10;
        assertThrows(BatchFormatException.class, () -> BatchCodec.of(Compression.NONE).decode(reseal(prio)));
        byte[] utf = bytes.clone();
        utf[26] = (byte) 0xFF;
        assertTrue(assertThrows(BatchFormatException.class, () -> BatchCodec.of(Compression.NONE).decode(reseal(utf)))
                .getMessage().contains("UTF-8"));
    }

    @Test
    @DisplayName("parses compression names case-insensitively and names the allowed ones otherwise")
    void parsesCompression() {
        assertEquals(Compression.LZ4, Compression.parse(" LZ4 "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Compression.parse("zstd")).getMessage()
                .contains("none, gzip, lz4"));
        assertArrayEquals(new byte[] {'E', 'L', 'B', 'T'}, Arrays.copyOf(BatchCodec.of(Compression.NONE)
                .encode(sample(1, 1, 9)), 4));
    }
}
