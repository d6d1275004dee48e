package io.edgeloop.buffer;

import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Path;

/**
 * A writer process for {@link RollKillTest}: appends to two streams in small segments under the given durability,
 * printing {@code durable <stream> <seq>} after each append returns, and stops at one {@link RollStep} of its third
 * roll (the first starts the first segment; the second and third seal one), where it prints {@code rolling <step>}
 * and waits, holding the buffer's lock, to be killed. Arguments: buffer directory, step name, durability
 * ({@code always}, {@code group:MS} or {@code none}).
 *
 * <p>Not thread-safe: a process entry point.
 */
public final class RollKillMain {
    /** The roll the writer stops in: the third, so the log already holds a sealed segment before it. */
    static final int STOP_IN_ROLL = 3;

    private RollKillMain() {
    }

    /**
     * @param args buffer directory, step, durability
     * @throws Exception when the buffer cannot be used
     */
    public static void main(String[] args) throws Exception {
        RollStep stop = RollStep.valueOf(args[1]);
        int[] rolls = {0};
        try (DurableBuffer b = DurableBuffer.builder().directory(Path.of(args[0])).deviceId("dev")
                .durability(Durability.parse(args[2])).segmentBytes(4096).rollSteps(step -> {
                    if (step == RollStep.STARTING) {
                        rolls[0]++;
                    }
                    if (step == stop && rolls[0] == STOP_IN_ROLL) {
                        System.out.println("rolling " + step);
                        System.out.flush();
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).open()) {
            for (int i = 1; ; i++) {
                long seq = b.append(i % 2 == 0 ? "a" : "b", 0, Payloads.of(i, 100)).sequence();
                System.out.println("durable " + (i % 2 == 0 ? "a " : "b ") + seq);
                System.out.flush();
            }
        }
    }
}
