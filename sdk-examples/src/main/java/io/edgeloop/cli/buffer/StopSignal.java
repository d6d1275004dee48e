package io.edgeloop.cli.buffer;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGINT and SIGTERM into an orderly stop for a long-running command ({@code buffer gateway},
 * {@code buffer ingest}, {@code bundle serve}, {@code buffer drain}): a JVM shutdown hook signals the
 * command's thread and then waits (at most a grace period) until the command has finished its work (flushed,
 * printed its counters) and closed this signal. Without it the JVM exits at once and prints nothing.
 *
 * <p>Thread-safe: {@link #await} runs in the command's thread, the hook in the JVM's shutdown thread.
 */
public final class StopSignal implements AutoCloseable {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    private StopSignal(Duration grace, Runnable onStop) {
        this.hook = new Thread(() -> {
            stop.countDown();
            onStop.run();
            try {
                done.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "edgeloop-stop");
    }

    /**
     * Registers the shutdown hook.
     *
     * @param grace the longest time the JVM waits, once signalled, for the command to finish
     * @return the signal; close it when the command is done
     */
    public static StopSignal install(Duration grace) {
        return install(grace, () -> { });
    }

    /**
     * Registers the shutdown hook, which also runs {@code onStop} (in the shutdown thread, once the stop is
     * signalled): for a command that does not wait in {@link #await} but must be woken from its work, as
     * {@code buffer drain} closes its forwarder.
     *
     * @param grace  the longest time the JVM waits, once signalled, for the command to finish
     * @param onStop what to do when the signal arrives; it may block up to about the grace period, and must not throw
     * @return the signal; close it when the command is done
     */
    public static StopSignal install(Duration grace, Runnable onStop) {
        StopSignal s = new StopSignal(grace, java.util.Objects.requireNonNull(onStop, "onStop"));
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /** @return whether a stop signal has arrived */
    public boolean signalled() {
        return stop.getCount() == 0;
    }

    /**
     * Waits until a stop signal arrives or {@code max} passes.
     *
     * @param max the longest wait, or null for no limit
     * @return true when a stop was signalled
     * @throws InterruptedException when interrupted
     */
    public boolean await(Duration max) throws InterruptedException {
        if (max == null) {
            stop.await();
            return true;
        }
        return stop.await(max.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Lets a waiting shutdown hook return and unregisters it when the JVM is not shutting down. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running (or has run): it returns now that done is counted down
        }
    }
}
