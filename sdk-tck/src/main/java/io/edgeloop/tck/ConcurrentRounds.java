package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs a computation on many threads at once and compares every result with the serial one. Each round starts
 * all threads together on a latch and each thread walks the whole input list from its own offset, so different
 * inputs overlap in time in every round; a racy implementation (shared scratch fields) shows up as a mismatch.
 * The JDK's common pool is not used: on a 2-core machine it gives one or two workers.
 *
 * <p>Thread safety: stateless; each call uses its own pool.
 */
final class ConcurrentRounds {
    /** Threads per round: more than the cores of the machines the kit runs on, so threads interleave. */
    static final int THREADS = 8;

    private ConcurrentRounds() {
    }

    /**
     * Compares {@code compute} on every index, evaluated by {@link #THREADS} threads at once for {@code rounds}
     * rounds, with {@code serial}.
     *
     * @param what    what is computed, for the failure message
     * @param serial  the results of a serial run, by index
     * @param rounds  how many rounds
     * @param compute the computation by index
     * @param <T>     the result type; compared with {@link Objects#deepEquals}
     */
    static <T> void assertSameAsSerial(String what, List<T> serial, int rounds, IntFunction<T> compute) {
        int n = serial.size();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "tck-concurrent");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int round = 0; round < rounds; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<String>> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int offset = (int) ((long) t * n / THREADS);
                    int thisRound = round;
                    threads.add(pool.submit(() -> {
                        start.await();
                        for (int k = 0; k < n; k++) {
                            int i = (offset + k) % n;
                            T got = compute.apply(i);
                            if (!Objects.deepEquals(serial.get(i), got)) {
                                return what + " of input " + i + " in round " + thisRound + " on " + THREADS
                                        + " threads was " + text(got) + ", serially " + text(serial.get(i));
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<String> f : threads) {
                    String mismatch;
                    try {
                        mismatch = f.get(60, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        throw new AssertionError(what + " threw when computed concurrently: " + e.getCause(),
                                e.getCause());
                    } catch (java.util.concurrent.TimeoutException e) {
                        throw new AssertionError(what + " did not finish within 60 s on " + THREADS + " threads", e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError("interrupted", e);
                    }
                    if (mismatch != null) {
                        fail(mismatch + " (not thread-safe)");
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(n, serial.size());
    }

    private static String text(Object o) {
        if (o instanceof int[] a) {
            return java.util.Arrays.toString(a);
        }
        if (o instanceof Object[] a) {
            String s = java.util.Arrays.deepToString(a);
            return s.length() > 300 ? s.substring(0, 300) + "..." : s;
        }
        return String.valueOf(o);
    }
}
