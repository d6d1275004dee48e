package io.edgeloop.ota.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as an {@link InputStream} that gives up when no data arrives for the idle timeout.
 * {@link java.net.http.HttpRequest#timeout} covers only the wait for the response headers, and the JDK's
 * {@code BodyHandlers.ofInputStream()} blocks forever on a server that stops sending but keeps the connection
 * open; this stream subscribes to the body ({@code BodyHandlers.ofPublisher()}), pulls one chunk at a time and
 * waits for each at most the idle timeout. A total deadline (optional) bounds the whole body too, so a server
 * that trickles a byte now and then cannot keep a reader for hours (TUF's slow-retrieval attack). On timeout,
 * error or {@link #close()} the subscription is cancelled, which closes the connection. Bytes already returned
 * stay with the caller (a partial download is kept).
 *
 * <p>Not thread-safe for reading: one thread reads; the HTTP client's threads only hand chunks over.
 */
final class IdleBoundedBody extends InputStream implements Flow.Subscriber<List<ByteBuffer>> {
    private static final Object END = new Object();

    private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final long idleNanos;
    /** {@link System#nanoTime()} after which reading fails; meaningful only when {@link #bounded}. */
    private final long deadline;
    private final boolean bounded;
    private final String deadlineWhy;
    private final String what;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Iterator<ByteBuffer> current;
    private ByteBuffer buffer;
    private boolean ended;

    /**
     * @param idle the longest wait for the next chunk
     * @param what what is being read, for the timeout message (for example the URL)
     */
    IdleBoundedBody(Duration idle, String what) {
        this.idleNanos = idle.toNanos();
        this.what = Objects.requireNonNull(what, "what");
        this.bounded = false;
        this.deadline = 0;
        this.deadlineWhy = "";
    }

    /**
     * @param idle        the longest wait for the next chunk
     * @param total       the longest time the whole body may take from now
     * @param deadlineWhy how the total was computed, for the timeout message
     * @param what        what is being read, for the timeout message (for example the URL)
     */
    IdleBoundedBody(Duration idle, Duration total, String deadlineWhy, String what) {
        this.idleNanos = idle.toNanos();
        this.what = Objects.requireNonNull(what, "what");
        this.bounded = true;
        this.deadline = System.nanoTime() + total.toNanos();
        this.deadlineWhy = Objects.requireNonNull(deadlineWhy, "deadlineWhy");
    }

    /** @return the timeout as people say it: {@code 3 s}, {@code 500 ms} */
    static String say(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (closed) {
            s.cancel();
            return;
        }
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        chunks.add(item);
    }

    @Override
    public void onError(Throwable t) {
        chunks.add(t);
    }

    @Override
    public void onComplete() {
        chunks.add(END);
    }

    /** @return the next buffer with bytes left, or null at the end of the body */
    private ByteBuffer next() throws IOException {
        while (buffer == null || !buffer.hasRemaining()) {
            if (current != null && current.hasNext()) {
                buffer = current.next();
                continue;
            }
            if (ended) {
                return null;
            }
            if (closed) {
                throw new IOException("the body of " + what + " was closed");
            }
            if (current != null) {
                current = null;
                Flow.Subscription s = subscription;
                if (s != null) {
                    s.request(1); // the previous chunk is consumed: ask for one more
                }
            }
            long wait = idleNanos;
            boolean deadlineFirst = false;
            if (bounded) {
                long left = deadline - System.nanoTime();
                if (left < wait) {
                    wait = Math.max(0, left);
                    deadlineFirst = true;
                }
            }
            Object o;
            try {
                o = chunks.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new InterruptedIOException("interrupted while reading " + what);
            }
            if (o == null) {
                close();
                if (deadlineFirst) {
                    throw new HttpTimeoutException(what + " was not received in time: " + deadlineWhy);
                }
                throw new HttpTimeoutException("no data for " + say(Duration.ofNanos(idleNanos)) + " from " + what);
            }
            if (o == END) {
                ended = true;
                return null;
            }
            if (o instanceof Throwable t) {
                ended = true;
                throw t instanceof IOException io ? io : new IOException(t.toString(), t);
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) o;
            current = list.iterator();
        }
        return buffer;
    }

    @Override
    public int read() throws IOException {
        ByteBuffer b = next();
        return b == null ? -1 : b.get() & 0xff;
    }

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        if (len == 0) {
            return 0;
        }
        ByteBuffer b = next();
        if (b == null) {
            return -1;
        }
        int n = Math.min(len, b.remaining());
        b.get(dst, off, n);
        return n;
    }

    /** Cancels the subscription (closing the connection unless the body was read to its end). Idempotent. */
    @Override
    public void close() {
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null && !ended) {
            s.cancel();
        }
    }
}
