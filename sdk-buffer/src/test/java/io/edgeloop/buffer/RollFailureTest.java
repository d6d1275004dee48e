package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.ChannelOpener;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting a new segment can fail on a full disk after the old one was sealed; no append may wait forever. */
class RollFailureTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("when the disk is full while a new segment is created, the appends the seal made durable complete")
    void fullDiskWhileRollingCompletesSealedAppends() throws Exception {
        AtomicBoolean full = new AtomicBoolean();
        // the edge of the test: ENOSPC exactly where a new segment file is created
        ChannelOpener opener = (path, opts) -> {
            if (full.get() && opts.contains(StandardOpenOption.CREATE_NEW)) {
                throw new IOException("No space left on device");
            }
            return FileChannel.open(path, opts);
        };
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofSeconds(30), 1 << 30)).segmentBytes(4096)
                .channelOpener(opener).open()) {
            for (int i = 1; i <= 29; i++) {
                futures.add(b.appendAsync("a", 0, Payloads.of(i, 100)));
            }
            full.set(true);
            DiskFullException e = assertThrows(DiskFullException.class,
                    () -> b.appendAsync("a", 0, Payloads.of(30, 100)));
            assertTrue(e.getMessage().contains("creating segment"), e.getMessage());
            for (CompletableFuture<Appended> f : futures) {
                assertTrue(f.isDone(), "sealing synced record " + (futures.indexOf(f) + 1) + ", so it is durable");
                f.get(0, TimeUnit.SECONDS);
            }
            full.set(false);
            CompletableFuture<Appended> next = b.appendAsync("a", 0, Payloads.of(30, 100));
            b.flush();
            assertEquals(30, next.get(0, TimeUnit.SECONDS).sequence(), "the next append starts the new segment");
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertEquals(30, b.reader().next(100, 1 << 20).size());
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }
}
