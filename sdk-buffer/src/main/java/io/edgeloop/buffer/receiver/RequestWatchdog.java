package io.edgeloop.buffer.receiver;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker pool of a JDK {@code HttpServer} with a watchdog that frees workers held by stalled clients (the same
 * approach as sdk-ota's {@code UpdateServer}, which this module cannot depend on). Each request gets
 * {@code requestTimeout} from its hand-over to a worker for its request line and headers; its body must then keep
 * up an average of {@code minBytesPerSecond} after a slack of {@code requestTimeout} (the deadline moves on with
 * every byte read). A worker past its deadline is interrupted: the exchange's socket channel is interruptible, so
 * the blocked read fails, the JDK server closes the connection and the worker serves the next request. While the
 * server processes a request (its listener may write to disk) nothing is interrupted.
 *
 * <p>Thread-safe: the executor is called by the server's dispatcher; {@link #watch}, {@link #processing} and
 * {@link #responding} are called by the worker thread that runs the request.
 */
final class RequestWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestWatchdog.class);

    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService watchdog;
    private final long slackNanos;
    private final long minBytesPerSecond;
    private final ConcurrentHashMap<Thread, Activity> active = new ConcurrentHashMap<>();
    private final AtomicLong abandoned = new AtomicLong();

    /** One request on a worker thread: the deadline its current phase must end by. Guarded by itself. */
    private static final class Activity {
        final Thread thread;
        long deadlineNanos;
        String phase = "request line and headers";
        boolean done;

        Activity(Thread thread, long deadlineNanos) {
            this.thread = thread;
            this.deadlineNanos = deadlineNanos;
        }
    }

    RequestWatchdog(String name, int maxThreads, Duration requestTimeout, long minBytesPerSecond) {
        this.slackNanos = requestTimeout.toNanos();
        this.minBytesPerSecond = minBytesPerSecond;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(maxThreads, maxThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(20, Math.min(1000, requestTimeout.toMillis() / 4));
        watchdog.scheduleWithFixedDelay(this::closeOverdue, tick, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * The executor to give the server. The request deadline runs from the hand-over, so requests queued behind
     * stalled ones do not get a fresh one.
     *
     * @return the executor
     */
    Executor executor() {
        return task -> {
            long handedOver = System.nanoTime();
            pool.execute(() -> track(task, handedOver));
        };
    }

    private void track(Runnable task, long handedOver) {
        Thread me = Thread.currentThread();
        Activity a = new Activity(me, handedOver + slackNanos);
        active.put(me, a);
        try {
            task.run();
        } finally {
            active.remove(me);
            synchronized (a) {
                a.done = true;
            }
            Thread.interrupted(); // an interrupt aimed at this request must not reach the next one
        }
    }

    /**
     * Bounds the reading of a request body: the returned stream moves the current worker's deadline on with every
     * byte read, so the body must arrive at {@code minBytesPerSecond} on average after the slack.
     *
     * @param body the request body
     * @return the watched body
     */
    InputStream watch(InputStream body) {
        Activity a = active.get(Thread.currentThread());
        if (a == null) {
            return body;
        }
        long start = System.nanoTime();
        set(a, "body", start + slackNanos);
        return new FilterInputStream(body) {
            private long read;

            private void advance(long n) {
                if (n > 0) {
                    read += n;
                    set(a, "body", start + slackNanos + TimeUnit.SECONDS.toNanos(read) / minBytesPerSecond);
                }
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                advance(b < 0 ? 0 : 1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                advance(n);
                return n;
            }
        };
    }

    /**
     * The request has been read and is being processed (perhaps written to disk): no interrupt from here on until
     * {@link #responding()}. Clears an interrupt that landed after the body had been read, so it cannot close a
     * channel the processing uses.
     */
    void processing() {
        Activity a = active.get(Thread.currentThread());
        if (a != null) {
            set(a, "processing", Long.MAX_VALUE);
            Thread.interrupted();
        }
    }

    /** The answer is being written: the request deadline again, for a client that does not read it. */
    void responding() {
        Activity a = active.get(Thread.currentThread());
        if (a != null) {
            set(a, "response", System.nanoTime() + slackNanos);
        }
    }

    private static void set(Activity a, String phase, long deadlineNanos) {
        synchronized (a) {
            a.phase = phase;
            a.deadlineNanos = deadlineNanos;
        }
    }

    private void closeOverdue() {
        long now = System.nanoTime();
        for (Activity a : active.values()) {
            synchronized (a) {
                if (!a.done && a.deadlineNanos != Long.MAX_VALUE && now - a.deadlineNanos > 0) {
                    abandoned.incrementAndGet();
                    LOG.debug("closing a connection stalled in its {} phase", a.phase);
                    a.thread.interrupt();
                    a.deadlineNanos = Long.MAX_VALUE; // once per phase
                }
            }
        }
    }

    /** @return how many stalled requests the watchdog has closed */
    long abandoned() {
        return abandoned.get();
    }

    /**
     * Stops the watchdog and the workers, waiting up to {@code wait} for them to end.
     *
     * @param wait the longest wait
     */
    void close(Duration wait) {
        watchdog.shutdownNow();
        pool.shutdownNow();
        try {
            pool.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
