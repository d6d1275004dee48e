package io.edgeloop.buffer.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression: a frame whose payload crosses the scanner's 256 KiB read window made reopening throw. */
class FrameScannerWindowTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("reopens a buffer whose frames straddle the scanner's read window")
    void reopensWithFramesAcrossReadWindow() throws Exception {
        Random r = new Random(5);
        List<byte[]> payloads = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .open()) {
            for (int i = 0; i < 1500; i++) {
                byte[] p = new byte[300 + r.nextInt(700)];
                r.nextBytes(p);
                payloads.add(p);
                b.append("s", p);
            }
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            List<BufferedRecord> read = b.cursor("check").poll(10_000, Long.MAX_VALUE);
            assertEquals(payloads.size(), read.size());
            for (int i = 0; i < read.size(); i++) {
                assertArrayEquals(payloads.get(i), read.get(i).payloadBytes());
            }
        }
    }
}
