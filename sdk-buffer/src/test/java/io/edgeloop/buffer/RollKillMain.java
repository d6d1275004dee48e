package io.edgeloop.buffer;

import io.edgeloop.buffer.log.ChannelOpener;
import io.edgeloop.buffer.policy.Durability;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A writer process for {@link RollKillTest}: appends under {@code always} to small segments, printing
 * {@code durable <seq>} after each append returns, and stops inside the second roll, where its parent kills it.
 * Arguments: buffer directory, and where to stop: {@code created} (the new segment file exists, its header not
 * yet written) or {@code sealed} (the old segment is sealed, the new file not yet created). Prints
 * {@code rolling} there and waits to be killed.
 */
public final class RollKillMain {
    private RollKillMain() {
    }

    /**
     * @param args buffer directory, {@code created} or {@code sealed}
     * @throws Exception when the buffer cannot be used
     */
    public static void main(String[] args) throws Exception {
        boolean created = args[1].equals("created");
        int[] rolls = {0};
        ChannelOpener opener = (path, opts) -> {
            if (!opts.contains(StandardOpenOption.CREATE_NEW) || ++rolls[0] < 3) {
                return FileChannel.open(path, opts);
            }
            FileChannel ch = created ? FileChannel.open(path, opts) : null;
            System.out.println("rolling " + path.getFileName());
            System.out.flush();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ch;
        };
        try (DurableBuffer b = DurableBuffer.builder().directory(Path.of(args[0])).deviceId("dev")
                .durability(Durability.always()).segmentBytes(4096).channelOpener(opener).open()) {
            for (int i = 1; ; i++) {
                long seq = b.append(i % 2 == 0 ? "a" : "b", 0, Payloads.of(i, 100)).sequence();
                System.out.println("durable " + (i % 2 == 0 ? "a " : "b ") + seq);
                System.out.flush();
            }
        }
    }
}
