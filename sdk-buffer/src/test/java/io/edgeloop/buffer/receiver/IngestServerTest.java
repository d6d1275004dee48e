package io.edgeloop.buffer.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IngestServerTest {
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    static HttpResponse<String> post(URI uri, byte[] body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Batch batch(long first, int n) {
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Envelope(new IdempotencyKey("d", "s", 1, first + i), 0, 0, new byte[] {(byte) i}));
        }
        return Batch.of(list);
    }

    @Test
    @DisplayName("answers 400 naming the fault for a truncated batch and accepts nothing")
    void rejectsTruncated() throws Exception {
        try (IngestServer s = IngestServer.builder().start()) {
            byte[] b = BatchCodec.of(Compression.GZIP).encode(batch(1, 3));
            HttpResponse<String> r = post(s.uri(), Arrays.copyOf(b, b.length - 1));
            assertEquals(400, r.statusCode());
            assertTrue(r.body().contains("Truncated"), r.body());
            assertEquals(0, s.distinct());
            assertEquals(1, s.rejected());
        }
    }

    @Test
    @DisplayName("answers 415 (retryable for senders) for a batch of a newer major version, not 400")
    void newerFormatIsUnsupportedNotMalformed() throws Exception {
        try (IngestServer s = IngestServer.builder().start()) {
            byte[] b = BatchCodec.of(Compression.NONE).encode(batch(1, 3));
            b[4] = 2; // major version 2: a newer device, nothing wrong with its records
            HttpResponse<String> r = post(s.uri(), b);
            assertEquals(415, r.statusCode());
            assertTrue(r.body().contains("version 2"), r.body());
            assertEquals(0, s.distinct());
        }
    }

    @Test
    @DisplayName("answers 413 for a batch over its limit")
    void rejectsOversize() throws Exception {
        try (IngestServer s = IngestServer.builder().maxBatchBytes(1024).start()) {
            HttpResponse<String> r = post(s.uri(), new byte[5000]);
            assertEquals(413, r.statusCode());
        }
    }

    @Test
    @DisplayName("a batch refused by its Content-Length (413) is read before the answer, so the sender reads the "
            + "reason every time, not a reset connection")
    void oversizeRefusalIsReadWhole() throws Exception {
        try (IngestServer s = IngestServer.builder().maxBatchBytes(1024).start()) {
            // far past the 64 KiB the JDK server drains of a body left unread before it closes (and resets) the
            // connection: the sender, still sending, then lost the answer's body
            byte[] large = new byte[16 << 20];
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> r = post(s.uri(), large);
                assertEquals(413, r.statusCode());
                assertTrue(r.body().contains("exceeds the limit of 1024"), "try " + i + ": " + r.body());
            }
            assertEquals(10, s.rejected());
            assertEquals(0, s.distinct());
        }
    }

    @Test
    @DisplayName("does not acknowledge nor mark seen a batch its listener failed on, so a retry delivers it")
    void listenerFailureIsNotAcknowledged() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Envelope> stored = new ArrayList<>();
        try (IngestServer s = IngestServer.builder().listener(es -> {
            if (calls.getAndIncrement() == 0) {
                throw new java.io.IOException("disk full");
            }
            stored.addAll(es);
        }).start()) {
            byte[] b = BatchCodec.of(Compression.NONE).encode(batch(1, 3));
            assertEquals(500, post(s.uri(), b).statusCode());
            HttpResponse<String> ok = post(s.uri(), b);
            assertEquals(200, ok.statusCode());
            assertEquals(Optional.of("3"), ok.headers().firstValue("Edgeloop-Accepted"));
            assertEquals(Optional.of("0"), ok.headers().firstValue("Edgeloop-Duplicates"));
            assertEquals(3, stored.size());
            assertEquals(0, s.duplicatesDropped());
        }
    }

    @Test
    @DisplayName("acknowledges with the counts in headers and no body, so the answer is one write")
    void acknowledgementHasNoBody() throws Exception {
        // The JDK server writes a body after the headers in a second write on a socket with Nagle's algorithm on:
        // a small body then waited for the client's delayed ACK (~40 ms per batch, a drain held at ~6,000
        // records/s). A body-less answer cannot wait. The duplicates header counts the batch's re-sent records.
        try (IngestServer s = IngestServer.builder().start()) {
            byte[] b = BatchCodec.of(Compression.NONE).encode(batch(1, 3));
            post(s.uri(), b);
            HttpResponse<String> ok = post(s.uri(), BatchCodec.of(Compression.NONE).encode(batch(3, 2)));
            assertEquals(200, ok.statusCode());
            assertEquals("", ok.body());
            assertEquals(Optional.of("0"), ok.headers().firstValue("Content-Length"));
            assertEquals(Optional.of("1"), ok.headers().firstValue("Edgeloop-Accepted"));
            assertEquals(Optional.of("1"), ok.headers().firstValue("Edgeloop-Duplicates"));
        }
    }

    @Test
    @DisplayName("drops duplicates inside one batch as well as across batches")
    void dropsDuplicatesWithinBatch() throws Exception {
        try (IngestServer s = IngestServer.builder().start()) {
            List<Envelope> twice = new ArrayList<>(batch(1, 2).envelopes());
            twice.addAll(batch(1, 3).envelopes());
            assertEquals(200, post(s.uri(), BatchCodec.of(Compression.NONE).encode(Batch.of(twice))).statusCode());
            assertEquals(3, s.distinct());
            assertEquals(2, s.duplicatesDropped());
            assertEquals(405, CLIENT.send(HttpRequest.newBuilder(s.uri()).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
