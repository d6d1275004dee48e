package io.edgeloop.buffer.policy;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * When appended records are synced to the device ({@code fdatasync} through {@code FileChannel.force(false)}).
 *
 * <ul>
 *   <li>{@link #always()}: every append is synced before it returns; nothing reported durable is ever at risk.</li>
 *   <li>{@link #groupCommit(Duration, long)}: appends are staged in memory, written together (one write for up to
 *       64 KiB of frames) and synced together at most every {@code maxDelay} (sooner once {@code maxBytes} are
 *       pending); concurrent appenders share one sync and wait on the durable watermark. At most {@code maxDelay}
 *       plus one sync of data is at risk, from a power loss or a process crash alike.</li>
 *   <li>{@link #none()}: the operating system decides (page cache); a record counts as durable once written.
 *       A power loss may lose recent records; a process crash does not.</li>
 * </ul>
 *
 * <p>Thread-safe: immutable.
 */
public final class Durability {
    /**
     * The kind of durability policy.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Mode {
        /** Sync every append. */
        ALWAYS,
        /** Sync groups of appends together. */
        GROUP,
        /** Never sync explicitly. */
        NONE
    }

    private static final Durability ALWAYS = new Durability(Mode.ALWAYS, Duration.ZERO, 0);
    private static final Durability NONE = new Durability(Mode.NONE, Duration.ZERO, 0);
    /**
     * The longest group-commit delay: records wait that long at most before their sync, and no use needs them at
     * risk longer than a day (it also keeps the sync thread's deadline arithmetic far from overflowing).
     */
    public static final Duration MAX_GROUP_DELAY = Duration.ofDays(1);

    private final Mode mode;
    private final Duration maxDelay;
    private final long maxBytes;

    private Durability(Mode mode, Duration maxDelay, long maxBytes) {
        this.mode = mode;
        this.maxDelay = maxDelay;
        this.maxBytes = maxBytes;
    }

    /** @return the policy that syncs every append */
    public static Durability always() {
        return ALWAYS;
    }

    /** @return the policy that leaves syncing to the operating system */
    public static Durability none() {
        return NONE;
    }

    /**
     * Returns a group-commit policy.
     *
     * @param maxDelay the longest a written record waits for its sync, at least 1 ms
     * @param maxBytes pending bytes that trigger a sync before {@code maxDelay}, at least 1
     * @return the policy
     * @throws IllegalArgumentException when {@code maxDelay} is under 1 ms or over {@link #MAX_GROUP_DELAY}, or
     *                                  {@code maxBytes} is under 1
     */
    public static Durability groupCommit(Duration maxDelay, long maxBytes) {
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxDelay.compareTo(MAX_GROUP_DELAY) > 0) {
            throw new IllegalArgumentException("group commit maxDelay must be at most " + MAX_GROUP_DELAY.toMillis()
                    + " ms (1 day), got " + maxDelay);
        }
        if (maxDelay.toNanos() < 1_000_000L) {
            throw new IllegalArgumentException("group commit maxDelay must be at least 1 ms, got " + maxDelay);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("group commit maxBytes must be at least 1, got " + maxBytes);
        }
        return new Durability(Mode.GROUP, maxDelay, maxBytes);
    }

    /**
     * Parses {@code always}, {@code none}, {@code group} (5 ms, 1 MiB) or {@code group:MS} (the CLI syntax).
     *
     * @param text the text
     * @return the policy
     * @throws IllegalArgumentException when the text is none of these, or {@code MS} is out of range (1 ms to
     *                                  {@link #MAX_GROUP_DELAY})
     */
    public static Durability parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("always")) {
            return always();
        }
        if (t.equals("none")) {
            return none();
        }
        if (t.equals("group")) {
            return groupCommit(Duration.ofMillis(5), 1 << 20);
        }
        if (t.startsWith("group:")) {
            String range = "group:MS needs whole milliseconds from 1 to " + MAX_GROUP_DELAY.toMillis()
                    + " (1 day), e.g. group:5";
            long ms;
            try {
                ms = Long.parseLong(t.substring("group:".length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid sync policy '" + text + "': " + range, e);
            }
            if (ms < 1 || ms > MAX_GROUP_DELAY.toMillis()) {
                throw new IllegalArgumentException("Invalid sync policy '" + text + "': " + range);
            }
            return groupCommit(Duration.ofMillis(ms), 1 << 20);
        }
        throw new IllegalArgumentException("Invalid sync policy '" + text
                + "': expected always, group, group:MS or none");
    }

    /** @return the kind of policy */
    public Mode mode() {
        return mode;
    }

    /** @return the group-commit delay (zero unless {@link Mode#GROUP}) */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** @return the group-commit byte trigger (zero unless {@link Mode#GROUP}) */
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Durability && ((Durability) o).mode == mode && ((Durability) o).maxDelay.equals(maxDelay)
                && ((Durability) o).maxBytes == maxBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, maxDelay, maxBytes);
    }

    @Override
    public String toString() {
        switch (mode) {
            case ALWAYS:
                return "always";
            case NONE:
                return "none";
            default:
                return "group:" + maxDelay.toMillis() + "ms/" + maxBytes + "B";
        }
    }
}
