// Copied from the reviewer's third-party project (/tmp/rev-api/lora, review of 2026-11-30): a deliberately
// breakable implementation whose `fault` switch turns on one known defect, so the kit's own tests can prove that
// each contract test fails for it.
package io.edgeloop.tck.lora;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SourceException;
import java.io.IOException;
import java.nio.file.*;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Emits count records; commits its position to a file. */
final class CounterSource implements SensorSource {
    private final long count;
    private final Path posFile;
    private final String fault;
    private long next;
    private final List<SensorRecord> shared = new ArrayList<>();
    private boolean closed;

    CounterSource(ComponentConfig c) {
        count = c.getLong("count", 100, 0, Long.MAX_VALUE);
        posFile = Path.of(c.requireString("position-file"));
        fault = c.getString("fault", "none");
        next = -1; // read lazily by the first poll: create() does no I/O
        if (fault.equals("daemon-leak")) {
            // BUG (the reviewer's Sources.DaemonLeak): a daemon reader thread per source that close() never stops
            Thread t = new Thread(() -> {
                try { Thread.sleep(Long.MAX_VALUE); }
                catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            }, "src-reader");
            t.setDaemon(true);
            t.start();
            LEAKED_THREADS.add(t);
        }
        if (fault.equals("leak-thread")) {
            // BUG: a non-daemon worker per source that close() never stops
            Thread t = new Thread(() -> {
                try { Thread.sleep(Long.MAX_VALUE); }
                catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            }, "counter-source-worker");
            t.start();
            LEAKED_THREADS.add(t);
        }
        if (fault.equals("leak-file")) {
            try {
                // BUG: a descriptor per source that close() never closes
                LEAKED_FILES.add(java.nio.channels.FileChannel.open(Path.of(System.getProperty("java.home"), "release")));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }

    /** What the leak-thread and leak-file faults left open, so the kit self-test can release it afterwards. */
    static final List<Thread> LEAKED_THREADS = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final List<java.nio.channels.FileChannel> LEAKED_FILES = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Stops and closes what the leaking faults left behind. */
    static void releaseLeaks() throws IOException {
        for (Thread t : LEAKED_THREADS) t.interrupt();
        for (java.nio.channels.FileChannel f : LEAKED_FILES) f.close();
    }

    @Override
    public List<SensorRecord> poll(int max, Duration timeout) throws SourceException {
        if (closed) throw new IllegalStateException("closed");
        if (fault.equals("ignore-timeout")) {
            try { Thread.sleep(timeout.toMillis() + 60_000); } // BUG: blocks far past its timeout
            catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        if (next < 0) {
            try {
                next = Files.exists(posFile) ? Long.parseLong(Files.readString(posFile).trim()) : 0;
            } catch (IOException | NumberFormatException e) {
                if (!fault.equals("swallow")) {
                    throw new SourceException("cannot read the position in " + posFile + ": " + e, e);
                }
                next = 0; // BUG (the reviewer's Sources.Swallow): an unreadable position restarts from the first record
            }
        }
        List<SensorRecord> out = fault.equals("reuse-list") ? shared : new ArrayList<>();
        out.clear(); // BUG when reuse-list (the reviewer's Sources.ReuseList): the list returned last time is emptied
        while (out.size() < max && next < count) {
            // seq-zero: a correct source that does not number its records (SensorRecord.sequence() is then 0)
            // BUG when newest-first (a ring buffer read backwards) or swap-pairs (neighbours swapped, an interrupt
            // racing the main loop): record number i is produced i-th but delivered elsewhere
            long i = fault.equals("newest-first") ? count - 1 - next
                    : fault.equals("swap-pairs") && (next ^ 1) < count ? next ^ 1 : next;
            out.add(SensorRecord.builder().deviceId("dev-1").sequence(fault.equals("seq-zero") ? 0 : i + 1)
                    .timestampMillis(1000 * i).channel("temp", 20 + i % 7).build());
            next++;
        }
        if (fault.equals("drop-boundary") && out.size() == max && next < count) {
            next++; // BUG (the reviewer's Sources.DropBoundary): reads one record ahead and forgets it
        }
        if (out.isEmpty() && fault.equals("slow-when-empty")) {
            // BUG (the reviewer's BrokenSources.IgnoresTimeout): an exhausted source sleeps 8 s on every poll,
            // poll(5, Duration.ZERO) included, which the old 10 s slack let through
            try { Thread.sleep(8_000); }
            catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        if (fault.equals("commit-on-poll")) {
            write(next); // BUG: at-most-once, a crash loses what was polled but not processed
        }
        return out;
    }

    @Override
    public void commit() throws SourceException {
        if (fault.equals("ignore-commit")) return; // BUG: the position is never stored, everything is redelivered
        // BUG (the reviewer's BrokenSources.SkipOnCommit): stores one past the commit point, so the record after
        // every commit is never delivered after a restart
        write(fault.equals("skip-on-commit") ? next + 1 : next);
    }

    private void write(long pos) throws SourceException {
        if (next < 0) {
            return; // nothing polled yet: the stored position stands
        }
        try {
            Files.writeString(posFile, Long.toString(pos));
        } catch (IOException e) {
            if (fault.equals("swallow")) {
                return; // BUG (the reviewer's Sources.Swallow): a failed commit returns normally
            }
            throw new SourceException("cannot store position in " + posFile, e);
        }
    }

    @Override
    public boolean isExhausted() { return next >= count; }

    @Override
    public void close() { closed = true; }
}
