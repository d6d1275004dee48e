package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffer fills the file system itself, and a sensor keeps appending while a forwarder drains: the space
 * {@code reserve.bin} frees for a commit must stay the commits'. Before, the appends that followed the first commit
 * on the full disk wrote into it, the next commit found a full disk with nothing left to release, and no commit could
 * ever be stored again (not by this process, nor by any later one: a 2 MiB tmpfs stayed wedged over 30 SIGKILLed
 * runs of a child appending beside a cursor, review s13buf), so nothing was ever freed.
 */
class ReserveKeptForCommitsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"always, DEFERRED", "group, DEFERRED", "always, EVERY_COMMIT", "none, EVERY_COMMIT",
            "group, EVERY_COMMIT"})
    @DisplayName("on a full disk, appends between commits cannot take the reserve: the drain goes on to the end")
    void appendsDoNotTakeTheSpaceTheReserveFreedForCommits(String mode, CursorSync sync) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "this full-disk case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            Durability d = mode.equals("group") ? Durability.groupCommit(Duration.ofMillis(2), 1 << 20)
                    : Durability.parse(mode);
            long last = 0;
            try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d").durability(d)
                    .cursorSync(sync).open()) { // default 4 MiB segments: the disk fills inside the first one
                Cursor c = b.cursor("up");
                while (true) {
                    try {
                        last = append(b);
                    } catch (DiskFullException e) {
                        break;
                    }
                }
                assertTrue(last > 500, "the disk holds records, " + last);
                int commits = 0;
                int refused = 0;
                long sent = 0;
                for (List<BufferedRecord> r = c.poll(20, 1 << 20); !r.isEmpty(); r = c.poll(20, 1 << 20)) {
                    for (BufferedRecord x : r) {
                        assertArrayEquals(Payloads.of(x.sequence(), SIZE), x.payloadBytes());
                    }
                    sent = r.get(r.size() - 1).sequence();
                    c.commit(r.get(r.size() - 1));
                    commits++;
                    // the sensor goes on for a while: while the disk is short, its appends fail and store nothing
                    for (int i = 0; i < (commits <= 30 ? 10 : 0); i++) {
                        try {
                            last = append(b);
                        } catch (DiskFullException e) {
                            refused++;
                        }
                    }
                }
                assertTrue(commits > 10 && refused > 0, commits + " commits, " + refused + " appends refused");
                // DEFERRED: the first commit's slot took a page of the released reserve, so it could not come back,
                // the appends took the rest, and the reclaim at the end could not sync the cursor file first ("not
                // reclaiming 1 segments"): the disk stayed full with everything acknowledged
                assertTrue(Files.exists(bufDir.resolve("reserve.bin")), "the reserve is back once all is drained");
                long next = append(b);
                assertTrue(next > sent, "appends work again");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"EVERY_COMMIT", "DEFERRED"})
    @DisplayName("on a full disk, a sensor thread appending as fast as it can does not stop the drain beside it")
    void concurrentAppenderDoesNotWedgeTheDrain(CursorSync sync) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "this full-disk case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                    .durability(Durability.none()).cursorSync(sync).segmentBytes(64 * 1024).open()) {
                Cursor c = b.cursor("up");
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
                Thread sensor = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            append(b);
                        } catch (DiskFullException e) {
                            refused.incrementAndGet();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                });
                sensor.start();
                try {
                    // the disk fills; then drain beside the sensor (each commit frees what the sensor takes again)
                    while (refused.get() == 0) {
                        Thread.sleep(1);
                    }
                    for (int commits = 0; commits < 300; commits++) {
                        List<BufferedRecord> r = c.poll(20, 1 << 20);
                        if (r.isEmpty()) {
                            c.awaitRecords(Duration.ofMillis(10));
                            continue;
                        }
                        c.commit(r.get(r.size() - 1)); // failed for good once the sensor took the released reserve
                    }
                } finally {
                    stop.set(true);
                    sensor.join();
                }
                for (List<BufferedRecord> r = c.poll(100, 1 << 20); !r.isEmpty(); r = c.poll(100, 1 << 20)) {
                    for (BufferedRecord x : r) {
                        assertArrayEquals(Payloads.of(x.sequence(), SIZE), x.payloadBytes());
                    }
                    c.commit(r.get(r.size() - 1));
                }
                assertTrue(Files.exists(bufDir.resolve("reserve.bin")), "the reserve is back once all is drained");
                append(b);
            }
        }
    }

    private static final int SIZE = 1000;

    /** Appends the record whose payload names the sequence it gets; returns once it is durable. */
    private static long append(DurableBuffer b) throws Exception {
        long seq = b.lastSequence("s") + 1; // also counts the sequences failed appends used
        return b.append("s", Payloads.of(seq, SIZE)).sequence();
    }
}
