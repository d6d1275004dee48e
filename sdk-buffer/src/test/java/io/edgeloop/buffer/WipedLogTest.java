package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments and {@code sequences} wiped while {@code buffer.id} is kept: restarting at sequence 1 under the same
 * epoch would repeat keys a receiver saw. Real files deleted between opens.
 */
class WipedLogTest {
    @TempDir
    Path dir;

    private DurableBuffer open() throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.always()).open();
    }

    @Test
    @DisplayName("a new buffer has a sequences file from its creation; wiping it with the segments renews the epoch")
    void wipeKeepingTheIdentityRenewsTheEpoch() throws IOException {
        long epoch;
        try (DurableBuffer b = open()) {
            assertTrue(Files.exists(dir.resolve(SequenceMarks.FILE)), "written at creation");
            epoch = b.epoch();
            for (int i = 0; i < 10; i++) {
                b.append("s", new byte[10]);
            }
        }
        List<Path> wiped;
        try (Stream<Path> s = Files.list(dir)) {
            wiped = s.filter(p -> Segment.parseBase(p.getFileName().toString()).isPresent()
                    || p.getFileName().toString().equals(SequenceMarks.FILE)).collect(Collectors.toList());
        }
        for (Path p : wiped) {
            Files.delete(p);
        }
        try (DurableBuffer b = open()) {
            assertNotEquals(epoch, b.epoch(), "sequence 1 again needs a new epoch");
            assertTrue(b.lossReport().losses().stream().anyMatch(l -> l.kind() == Loss.Kind.SEQUENCES),
                    b.lossReport().toString());
            assertEquals(1, b.append("s", new byte[10]).sequence());
        }
        try (DurableBuffer b = open()) {
            assertTrue(b.lossReport().isClean(), "renewed once: " + b.lossReport());
        }
    }
}
