package io.edgeloop.buffer;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Path;
import java.util.List;

/**
 * A writer process for {@link WriterModeFloorTest}: appends {@code count} records to stream {@code s} under the
 * given durability, commits the first half through cursor {@code up}, prints
 * {@code handed <seq>} for the highest sequence its appends returned, and halts without closing, as a kill -9
 * would leave it. Arguments: buffer directory, durability ({@code none}, {@code group} or {@code always}), count.
 */
public final class CrashedWriterMain {
    private CrashedWriterMain() {
    }

    /**
     * @param args buffer directory, durability, record count
     * @throws Exception when the buffer cannot be used
     */
    public static void main(String[] args) throws Exception {
        Durability d = switch (args[1]) {
            case "none" -> Durability.none();
            case "always" -> Durability.always();
            default -> Durability.groupCommit(java.time.Duration.ofMillis(2), 1 << 20);
        };
        DurableBuffer b = DurableBuffer.builder().directory(Path.of(args[0])).deviceId("dev").durability(d)
                .segmentBytes(64 * 1024).open();
        long seq = 0;
        int count = Integer.parseInt(args[2]);
        for (int i = 0; i < count; i++) {
            seq = b.append("s", 0, Payloads.of(i, 100)).sequence();
        }
        // a forwarder that sent every record and got the first half acknowledged: the cut tail lies beyond the
        // cursor, so only the writer's durability tells that its records may have been sent
        Cursor c = b.cursor("up");
        List<BufferedRecord> rs = c.poll(count / 2, 1 << 24);
        c.commit(rs.get(rs.size() - 1));
        System.out.println("handed " + seq);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
