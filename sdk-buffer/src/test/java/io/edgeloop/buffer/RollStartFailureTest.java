package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.ChannelOpener;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.Tmpfs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk while a roll creates the next segment's temporary file (or writes its header) must not seal the old
 * segment: the append fails and the old segment stays the active, unsealed tail, so a crash before the retry leaves
 * a log that a later open continues densely (no floor). Before, the old segment was sealed all the same, and a log
 * ending sealed with no temporary file beside it is a lost end: the next open raised the floor (a jump of up to
 * 65,536 in every stream). The crash is a copy of the directory taken while the buffer is open (what a process kill
 * leaves: the files and the page cache).
 */
class RollStartFailureTest {
    @TempDir
    Path tmp;

    private static void assertDenseAfterCrash(Path crashed, long stored) throws IOException {
        try (DurableBuffer b = DurableBuffer.builder().directory(crashed).open()) {
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
            assertEquals(stored, b.lastSequence("a"), "every stored record is there");
            assertEquals(stored + 1, b.append("a", 0, new byte[10]).sequence(), "numbering goes on densely");
        }
        assertEquals(0, SequenceMarks.read(crashed).orElseThrow().floor(), "no floor was raised");
    }

    @Test
    @DisplayName("ENOSPC creating the temporary file: the append fails, the appends pending in the old segment do not"
            + " fail and complete with its next sync, and a crash then costs no floor")
    void enospcCreatingTheTemporaryFileKeepsTheOldSegmentOpen() throws Exception {
        AtomicBoolean full = new AtomicBoolean();
        ChannelOpener opener = (path, opts) -> {
            if (full.get() && opts.contains(StandardOpenOption.CREATE_NEW)) {
                throw new IOException("No space left on device");
            }
            return FileChannel.open(path, opts);
        };
        Path dir = tmp.resolve("b");
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofSeconds(30), 1 << 30)).segmentBytes(4096)
                .channelOpener(opener).open()) {
            futures.add(b.appendAsync("a", 0, Payloads.of(1, 100)));
            full.set(true);
            DiskFullException e = null;
            for (int i = 2; i <= 100 && e == null; i++) {
                try {
                    futures.add(b.appendAsync("a", 0, Payloads.of(i, 100)));
                } catch (DiskFullException x) {
                    e = x;
                }
            }
            assertTrue(e != null && e.getMessage().contains("creating segment"), String.valueOf(e));
            for (CompletableFuture<Appended> f : futures) {
                assertFalse(f.isCompletedExceptionally(), "a pending append of the old segment failed");
            }
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("seg-")).count(),
                        "no temporary file left, no new segment");
            }
            Path crashed = BufferFiles.copy(dir, tmp.resolve("crashed"), Set.of());
            full.set(false);
            b.flush();
            for (CompletableFuture<Appended> f : futures) {
                f.get(0, TimeUnit.SECONDS);
            }
            CompletableFuture<Appended> retry = b.appendAsync("a", 0, new byte[10]);
            b.flush();
            assertEquals(futures.size() + 1, retry.get(0, TimeUnit.SECONDS).sequence(),
                    "the retry rolls, and the failed append used no sequence");
            assertDenseAfterCrash(crashed, futures.size());
        }
    }

    @Test
    @DisplayName("on a real tmpfs filled up: ENOSPC writing the temporary file's header leaves the old segment"
            + " unsealed, and a crash then costs no floor")
    void realFullTmpfsAtTheRoll() throws Exception {
        // how many records fill one segment, found on an ordinary directory with the same settings
        int fit = 0;
        try (DurableBuffer b = open(tmp.resolve("probe"))) {
            while (segmentFiles(tmp.resolve("probe")) < 2) {
                b.append("a", 0, Payloads.of(fit + 1, 100));
                fit++;
            }
            fit--;
        }
        final int n = fit;
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("mnt"), 256 * 1024,
                "enospcCreatingTheTemporaryFileKeepsTheOldSegmentOpen covers it with an ENOSPC-throwing opener")) {
            Path dir = fs.path().resolve("b");
            try (DurableBuffer b = open(dir)) {
                for (int i = 1; i <= n; i++) {
                    b.append("a", 0, Payloads.of(i, 100));
                }
                fs.fill("filler", 1024);
                assertThrows(DiskFullException.class, () -> b.append("a", 0, Payloads.of(n + 1, 100)));
                assertEquals(1, segmentFiles(dir), "the old segment is still the only one");
                assertDenseAfterCrash(BufferFiles.copy(dir, tmp.resolve("crashed"), Set.of()), n);
                Files.delete(fs.path().resolve("filler"));
                assertEquals(n + 1, b.append("a", 0, new byte[10]).sequence());
            }
        }
    }

    private static DurableBuffer open(Path dir) throws IOException {
        // records end at most 256 bytes before a page boundary, so sealing (footer and trailer, ~100 bytes) needs
        // no new page of the full tmpfs and the old code did seal: only the next segment's header needs one
        return DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.always())
                .segmentBytes(8192 - 256).open();
    }

    private static long segmentFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seg-")).count();
        }
    }
}
