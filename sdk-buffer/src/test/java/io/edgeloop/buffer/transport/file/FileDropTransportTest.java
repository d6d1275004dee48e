package io.edgeloop.buffer.transport.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.tck.Tmpfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDropTransportTest {
    @TempDir
    Path dir;

    static Batch batch(String device, long first, int n) {
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Envelope(new IdempotencyKey(device, "s", 1, first + i), first + i, 0,
                    ("r" + (first + i)).getBytes(StandardCharsets.US_ASCII)));
        }
        return Batch.of(list);
    }

    Transport transport() {
        return new FileDropTransportProvider().create(ComponentConfig.of(Map.of("uri", dir.toUri().toString())));
    }

    List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @DisplayName("names the file after the first and last key and leaves no temporary file")
    void namesFileAfterFirstAndLastKey() throws Exception {
        try (Transport t = transport()) {
            t.send(batch("dev/1 ü", 7, 3));
        }
        assertEquals(List.of("batch-dev%2F1%20%C3%BC_s_1_7--dev%2F1%20%C3%BC_s_1_9.elb"), files());
    }

    @Test
    @DisplayName("an identical re-sent batch leaves one file, so the drop holds no duplicate")
    void identicalResendIsIdempotent() throws Exception {
        try (Transport t = transport()) {
            t.send(batch("d", 1, 5));
            t.send(batch("d", 1, 5));
            t.send(batch("d", 6, 5));
        }
        assertEquals(2, files().size());
        DropDirectoryReader.Result r = new DropDirectoryReader().read(dir);
        assertEquals(10, r.envelopes().size());
        assertTrue(r.problems().isEmpty());
    }

    @Test
    @DisplayName("a smaller batch with the same first key (another cursor, another batch size) keeps the larger file")
    void smallerBatchWithSameFirstKeyKeepsEarlierFile() throws Exception {
        try (Transport t = transport()) {
            t.send(batch("d", 1, 500));
            t.send(batch("d", 1, 1));
            t.send(batch("d", 1, 20));
        }
        java.util.Set<Long> seqs = new java.util.TreeSet<>();
        for (Envelope e : new DropDirectoryReader().read(dir).envelopes()) {
            seqs.add(e.key().sequence());
        }
        assertEquals(500, seqs.size(), "records acknowledged by the first send vanished: " + files());
        assertEquals(3, files().size(), files().toString());
    }

    @Test
    @DisplayName("a different batch under the same first and last key is written beside the existing file, never over it")
    void differentContentUnderSameNameIsKept() throws Exception {
        List<Envelope> a = new ArrayList<>(batch("d", 1, 3).envelopes());
        List<Envelope> b = new ArrayList<>(a);
        b.remove(1); // same first and last key, one record fewer (dropped by a budget policy in between)
        try (Transport t = transport()) {
            t.send(Batch.of(a));
            t.send(Batch.of(b));
            t.send(Batch.of(b));
            t.send(Batch.of(a));
        }
        assertEquals(2, files().size(), files().toString());
        assertEquals(5, new DropDirectoryReader().read(dir).envelopes().size());
    }

    @Test
    @DisplayName("reports a failed rename as a TransportException and removes its temporary file")
    void failedRenameCleansUp() throws Exception {
        // A non-empty directory where the batch file should go makes the atomic rename fail.
        Path blocker = Files.createDirectories(dir.resolve(FileDropTransport.fileName(
                new IdempotencyKey("d", "s", 1, 1), new IdempotencyKey("d", "s", 1, 2))));
        Files.writeString(blocker.resolve("x"), "x");
        try (Transport t = transport()) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch("d", 1, 2)));
            assertTrue(e.isRetryable());
            assertTrue(e.getMessage().contains("Cannot write"), e.getMessage());
        }
        assertEquals(List.of(blocker.getFileName().toString()), files());
    }

    @Test
    @DisplayName("reports a missing directory as retryable and is not reachable")
    void missingDirectory() throws Exception {
        try (Transport t = new FileDropTransportProvider().create(ComponentConfig.of(
                Map.of("uri", dir.resolve("usb").toUri().toString())))) {
            assertFalse(t.isReachable());
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch("d", 1, 1)));
            assertTrue(e.isRetryable() && e.getMessage().contains("mounted"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("usb")), "the transport must not create the drop directory");
    }

    @Test
    @DisplayName("reports corrupt and truncated drop files without hiding the good ones")
    void readerReportsCorruptFiles() throws Exception {
        try (Transport t = transport()) {
            t.send(batch("d", 1, 3));
            t.send(batch("d", 4, 3));
        }
        Path first = dir.resolve(files().get(0));
        byte[] bytes = Files.readAllBytes(first);
        Files.write(first, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        Files.writeString(dir.resolve("batch-garbage.elb"), "not a batch");
        Files.writeString(dir.resolve(".batch-x.elb.tmp-1"), "interrupted write");
        DropDirectoryReader.Result r = new DropDirectoryReader().read(dir);
        assertEquals(3, r.envelopes().size());
        assertEquals(2, r.problems().size(), r.problems().toString());
    }

    @Test
    @DisplayName("on a real full file system (256 KiB tmpfs) fails retryably, leaves no temporary file, works once"
            + " space frees")
    void fullDiskIsRetryable() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("usb"), 256 * 1024,
                "the rename-failure test covers the clean-up without it");
                Transport t = new FileDropTransportProvider().create(ComponentConfig.of(Map.of("uri",
                        fs.path().toUri().toString())))) {
            Path mnt = fs.path();
            TransportException full = null;
            long seq = 1;
            for (int i = 0; i < 20 && full == null; i++) {
                try {
                    t.send(bigBatch(seq, 4, 20_000));
                    seq += 4;
                } catch (TransportException e) {
                    full = e;
                }
            }
            assertTrue(full != null, "a 256 KiB file system must fill up");
            assertTrue(full.isRetryable(), full.toString());
            try (Stream<Path> s = Files.list(mnt)) {
                List<String> names = s.map(p -> p.getFileName().toString()).toList();
                assertTrue(names.stream().noneMatch(n -> n.startsWith(".")), "temporary file left: " + names);
                assertEquals(names.size(), new DropDirectoryReader().read(mnt).envelopes().size() / 4,
                        "every complete file is readable");
            }
            // The stick is emptied (carried away and read): the very batch that failed now goes through.
            try (Stream<Path> s = Files.list(mnt)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            t.send(bigBatch(seq, 4, 20_000));
            assertEquals(4, new DropDirectoryReader().read(mnt).envelopes().size());
        }
    }

    static Batch bigBatch(long first, int n, int size) {
        List<Envelope> list = new ArrayList<>();
        java.util.Random r = new java.util.Random(first);
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[size];
            r.nextBytes(p);
            list.add(new Envelope(new IdempotencyKey("d", "s", 1, first + i), 0, 0, p));
        }
        return Batch.of(list);
    }

    @Test
    @DisplayName("rejects a URI that is not file: with a message naming the key")
    void rejectsBadUri() {
        ConfigException e = assertThrows(ConfigException.class, () -> new FileDropTransportProvider()
                .create(ComponentConfig.of(Map.of("uri", "http://x/y"))));
        assertEquals("uri", e.key());
        assertThrows(ConfigException.class, () -> new FileDropTransportProvider().create(ComponentConfig.empty()));
        assertThrows(ConfigException.class, () -> new FileDropTransportProvider()
                .create(ComponentConfig.of(Map.of("uri", dir.toUri().toString(), "compression", "zip"))));
    }
}
