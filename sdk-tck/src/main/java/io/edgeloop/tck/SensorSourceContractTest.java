package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.source.SourceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for {@link SensorSource} implementations. {@link #config()} must point at a source that
 * will deliver at least {@link #minimumRecords()} records within {@link #drainTimeout()}.
 *
 * <p>Delivery is checked as the {@link SensorSource} contract states it: records polled but not committed are
 * delivered again by a new source created from the same configuration, committed ones are not. A record is
 * identified by device, stream and sequence, or as a whole (timestamp and channels too) when its sequence is 0, as
 * sources that do not number their records leave it. So two sources
 * created from one {@link #config()} result must share their position (the same position file, consumer group or
 * device), while each {@link #config()} call should start from a fresh position.
 *
 * <p>Every {@code poll} runs under a preemptive time limit (its timeout plus {@link #pollSlack()}, or plus the
 * smaller {@link #connectedPollSlack()} once the source has connected), so a source that ignores its timeout or
 * hangs fails the kit instead of hanging it.
 *
 * <p>Beyond delivery and timeouts the kit checks that nothing is lost at a commit point (records polled after
 * {@code commit()} come again after a restart) or at a poll boundary (draining with maxRecords 1, 3 and 100 gives
 * the same records, see {@link #deliversSameRecordsPerConfig()}), that a returned list is not reused by the next
 * poll, that a broken position store is refused with {@link SourceException} ({@link #brokenPositionConfig()}),
 * that every stream's numbered records come in rising sequence order, as {@link SensorSource} requires
 * ({@link #reordersRecordsBecause()}), and that {@code close()} releases the threads (daemon ones included) and file
 * descriptors the source opened ({@link #isDataSourceThread(Thread)}).
 *
 * <p>The tests are plain methods of this class (no {@code @Nested} groups; the group is the prefix of each display
 * name), so JUnit and surefire report each one under the implementer's subclass, and several subclasses in one
 * module are counted apart. Every failure message starts with {@code [provider 'name' class]}.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class SensorSourceContractTest extends ProviderContractTest<SensorSourceProvider> {
    /**
     * Returns a configuration for a source with data ready, at a fresh position; sources created from the same
     * returned configuration share their committed position.
     *
     * @return the configuration
     */
    protected abstract ComponentConfig config();

    /**
     * Returns how much longer than its timeout one {@code poll} may take (connecting, a group rebalance).
     *
     * @return the slack
     */
    protected Duration pollSlack() {
        return Duration.ofSeconds(10);
    }

    /**
     * Returns how much longer than its timeout a {@code poll} may take once the source is connected (after its first
     * poll returned): no connecting or rebalancing is left to excuse a longer wait. Used by the timeout test for the
     * polls after the first.
     *
     * @return the slack, 2 seconds by default
     */
    protected Duration connectedPollSlack() {
        return Duration.ofSeconds(2);
    }

    /**
     * Tells the release check which live threads belong to the data source this test runs in the same JVM (an
     * in-process broker or server), not to the {@link SensorSource}: those are not counted as left behind by
     * {@code close()}. The default, false for every thread, suits data sources in another process; one in this JVM whose
     * pool starts threads on demand (daemon ones too) lets its threads be told apart here, by name for example.
     *
     * @param thread a thread (daemon or not) started while sources were created, polled and closed
     * @return true when the thread is the data source's
     */
    protected boolean isDataSourceThread(Thread thread) {
        return false;
    }

    /**
     * @return how many records the configured source delivers at least
     */
    protected int minimumRecords() {
        return 10;
    }

    /**
     * @return how long draining {@link #minimumRecords()} may take
     */
    protected Duration drainTimeout() {
        return Duration.ofSeconds(30);
    }

    @Override
    protected final Object createAdding(Path workDir, String key, String value) throws Exception {
        return provider().create(config().toBuilder().put(key, value).build());
    }

    @Override
    protected final Class<SensorSourceProvider> providerType() {
        return SensorSourceProvider.class;
    }

    private List<SensorRecord> poll(SensorSource s, int max, Duration timeout) {
        return poll(s, max, timeout, pollSlack());
    }

    private List<SensorRecord> poll(SensorSource s, int max, Duration timeout, Duration slack) {
        Duration limit = timeout.plus(slack);
        return assertTimeoutPreemptively(limit, () -> s.poll(max, timeout),
                () -> "poll(" + max + ", " + timeout + ") did not return within " + limit);
    }

    private SensorSource create(ComponentConfig c) {
        return assertTimeoutPreemptively(pollSlack(), () -> provider().create(c),
                () -> "provider().create() did not return within " + pollSlack());
    }

    private void close(SensorSource s) {
        assertTimeoutPreemptively(pollSlack(), s::close, () -> "close() did not return within " + pollSlack());
    }

    private List<SensorRecord> drain(SensorSource s, int want) {
        List<SensorRecord> all = new ArrayList<>();
        long deadline = System.nanoTime() + drainTimeout().toNanos();
        while (all.size() < want && System.nanoTime() < deadline && !s.isExhausted()) {
            all.addAll(poll(s, Math.max(1, want - all.size()), Duration.ofMillis(200)));
        }
        return all;
    }

    /**
     * Identity of a record for redelivery checks: device, stream and sequence for a numbered record; the whole record
     * (timestamp, channels and flags too) when its sequence is 0, which {@link SensorRecord#sequence()} documents for
     * sources that do not number their records (those would otherwise all collapse into one id).
     */
    private static String id(SensorRecord r) {
        return r.sequence() != 0 ? r.deviceId() + "/" + r.stream() + "#" + r.sequence() : r.toString();
    }

    private static Set<String> ids(List<SensorRecord> rs) {
        Set<String> out = new LinkedHashSet<>();
        for (SensorRecord r : rs) {
            out.add(id(r));
        }
        return out;
    }

    /**
     * Returns whether two sources created from two {@link #config()} calls deliver the same records, each from its
     * fresh position (a replayed file, a topic read by a new consumer group): the kit then drains three of them with
     * maxRecords 1, 3 and 100 and expects the same records per device and stream, so a source that loses a record at
     * a poll boundary fails. Defaults to true; a live source whose data differs per source returns false (the test is
     * then reported as aborted, never as passed).
     *
     * @return true when every fresh source delivers the same records
     */
    protected boolean deliversSameRecordsPerConfig() {
        return true;
    }

    /**
     * Returns a configuration whose position store is broken: a position file that cannot be read or written (a
     * directory in its place, for example), so the source must refuse with {@link SourceException} from
     * {@code poll} or {@code commit} (or a {@link ConfigException} from {@code create}) instead of starting over
     * from the first record or losing its commits silently. The default, null, reports that test as aborted: a
     * source whose position lives elsewhere (a broker's consumer group) has no such file.
     *
     * @return the configuration, or null
     */
    protected ComponentConfig brokenPositionConfig() {
        return null;
    }

    /**
     * Returns why this source cannot keep the {@link SensorSource} record order (per device and stream, rising
     * sequence numbers) in ordinary use, for example a radio feed whose packets reach it over several paths; the
     * order test is then reported as aborted with this reason, never as passed. A source that only breaks the order
     * in rare cases it documents (a Kafka topic whose partition count grew) keeps the default, empty, as the kit's
     * data should not show them. Downstream, records out of order are counted and logged as late, not used.
     *
     * @return the reason, or empty when the source keeps the order
     */
    protected Optional<String> reordersRecordsBecause() {
        return Optional.empty();
    }

    @Test
    @DisplayName("polled: returns each device stream's numbered records in rising sequence order, within and across "
            + "polls")
    void keepsSequenceOrderPerStream() throws Exception {
        Optional<String> reason = reordersRecordsBecause();
        Assumptions.assumeTrue(reason.isEmpty(), () -> "reordersRecordsBecause(): " + reason.orElse(""));
        SensorSource s = create(config());
        List<SensorRecord> got = new ArrayList<>();
        try {
            // maxRecords 7: records must stay in order across poll boundaries too, not only within one batch
            long deadline = System.nanoTime() + drainTimeout().toNanos();
            while (got.size() < minimumRecords() && System.nanoTime() < deadline && !s.isExhausted()) {
                got.addAll(poll(s, 7, Duration.ofMillis(200)));
            }
        } finally {
            close(s);
        }
        Map<String, Integer> last = new LinkedHashMap<>(); // per device stream, the index of its last numbered record
        for (int i = 0; i < got.size(); i++) {
            SensorRecord r = got.get(i);
            if (r.sequence() == 0) {
                continue; // not numbered: the kit cannot tell its place
            }
            String stream = r.deviceId() + "/" + r.stream();
            Integer b = last.put(stream, i);
            if (b != null && r.sequence() <= got.get(b).sequence()) {
                fail("stream " + stream + ": sequence " + r.sequence() + " came after sequence "
                        + got.get(b).sequence() + " (records " + (b + 1) + " and " + (i + 1) + " delivered: "
                        + got.get(b) + ", then " + r + "): SensorSource requires each device stream's records in "
                        + "rising sequence order (put them in order before returning them; a Windower drops such "
                        + "records as late), or override reordersRecordsBecause() with the reason this source "
                        + "cannot keep it");
            }
        }
        Assumptions.assumeFalse(last.isEmpty(), "the source numbers none of its " + got.size() + " records "
                + "(sequence 0), so their order cannot be checked");
    }

    /** Per device and stream, the ids in delivery order. */
    private static Map<String, List<String>> perStream(List<SensorRecord> rs) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (SensorRecord r : rs) {
            out.computeIfAbsent(r.deviceId() + "/" + r.stream(), k -> new ArrayList<>()).add(id(r));
        }
        return out;
    }

    private List<SensorRecord> drainWith(int max, int want) {
        SensorSource s = create(config());
        try {
            List<SensorRecord> all = new ArrayList<>();
            long deadline = System.nanoTime() + drainTimeout().toNanos();
            while (all.size() < want && System.nanoTime() < deadline && !s.isExhausted()) {
                all.addAll(poll(s, max, Duration.ofMillis(200)));
            }
            return all;
        } finally {
            close(s);
        }
    }

    @Test
    @DisplayName("polled: delivers the same records whatever maxRecords (1, 3 or 100), none lost at a poll boundary")
    void deliversSameRecordsWhateverMaxRecords() throws Exception {
        Assumptions.assumeTrue(deliversSameRecordsPerConfig(), "deliversSameRecordsPerConfig() declares that fresh "
                + "sources of this kind deliver different records");
        int want = minimumRecords();
        Map<Integer, Map<String, List<String>>> byMax = new LinkedHashMap<>();
        for (int max : new int[] {100, 3, 1}) {
            byMax.put(max, perStream(drainWith(max, want)));
        }
        Map<String, List<String>> reference = byMax.get(100);
        for (Map.Entry<Integer, Map<String, List<String>>> e : byMax.entrySet()) {
            for (Map.Entry<String, List<String>> stream : e.getValue().entrySet()) {
                List<String> ref = reference.getOrDefault(stream.getKey(), List.of());
                List<String> got = stream.getValue();
                int n = Math.min(ref.size(), got.size());
                for (int i = 0; i < n; i++) {
                    if (!ref.get(i).equals(got.get(i))) {
                        fail("polling with maxRecords " + e.getKey() + " delivered " + got.subList(0, i + 1) + " for "
                                + stream.getKey() + " where maxRecords 100 delivered " + ref.subList(0, i + 1)
                                + ": records are lost or reordered at a poll boundary");
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("polled: leaves a returned list as it was when polled again (no list reused across polls)")
    void keepsReturnedListsUnchanged() throws Exception {
        SensorSource s = create(config());
        try {
            List<SensorRecord> first = List.of();
            long deadline = System.nanoTime() + drainTimeout().toNanos();
            while (first.isEmpty() && System.nanoTime() < deadline && !s.isExhausted()) {
                first = poll(s, 3, Duration.ofMillis(200));
            }
            assertFalse(first.isEmpty(), "the source delivered no record to test with");
            List<SensorRecord> copy = new ArrayList<>(first);
            poll(s, 3, Duration.ofMillis(200));
            poll(s, 3, Duration.ZERO);
            assertEquals(copy, first, "a list poll() returned changed when poll() was called again: the source reuses "
                    + "the list it returns, so a caller that keeps a batch (a buffer appending it later) loses it");
        } finally {
            close(s);
        }
    }

    /** Passes for a SourceException that says why; fails for any other exception (a refusal of the wrong kind). */
    private static void assertRefusal(Exception e, String call) {
        if (!(e instanceof SourceException)) {
            throw new AssertionError(call + " with a broken position store threw " + e + ": the SensorSource contract "
                    + "documents SourceException for a failing device, file or position store", e);
        }
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "the SourceException from " + call
                + " must say why");
    }

    @Test
    @DisplayName("failure: refuses with SourceException a position store it cannot read or write "
            + "(brokenPositionConfig())")
    void refusesBrokenPositionStore() throws Exception {
        ComponentConfig broken = brokenPositionConfig();
        Assumptions.assumeTrue(broken != null, "override brokenPositionConfig() to run the position-store failure "
                + "test");
        SensorSource s;
        try {
            s = create(broken);
        } catch (ConfigException refused) {
            return; // refused at once, naming the setting
        }
        try {
            List<SensorRecord> got;
            try {
                got = poll(s, 5, Duration.ofMillis(200));
            } catch (Exception e) {
                assertRefusal(e, "poll()");
                return;
            }
            try {
                assertTimeoutPreemptively(pollSlack(), s::commit, () -> "commit() did not return within "
                        + pollSlack());
            } catch (Exception e) {
                assertRefusal(e, "commit()");
                return;
            }
            fail("with a position store it cannot read or write, the source polled " + got.size() + " record(s) "
                    + ids(got) + " and commit() returned normally: it must throw SourceException (poll restarting "
                    + "from the first record or a commit stored nowhere loses or repeats data silently)");
        } finally {
            close(s);
        }
    }

    @Test
    @DisplayName("polled: delivers well-formed records")
    void deliversRecords() throws Exception {
        SensorSource s = create(config());
        try {
            List<SensorRecord> got = drain(s, minimumRecords());
            assertTrue(got.size() >= minimumRecords(), "expected at least " + minimumRecords() + " records, got "
                    + got.size());
            for (SensorRecord r : got) {
                assertFalse(r.deviceId().isBlank());
                assertFalse(r.stream().isBlank());
            }
        } finally {
            close(s);
        }
    }

    @Test
    @DisplayName("polled: never returns more than maxRecords")
    void respectsMaxRecords() throws Exception {
        SensorSource s = create(config());
        try {
            for (int i = 0; i < 5; i++) {
                assertTrue(poll(s, 3, Duration.ofMillis(500)).size() <= 3);
            }
        } finally {
            close(s);
        }
    }

    @Test
    @DisplayName("polled: returns within its timeout, also with a zero timeout and once exhausted")
    void honoursPollTimeout() throws Exception {
        SensorSource s = create(config());
        try {
            poll(s, 1, Duration.ZERO); // may connect: pollSlack()
            // Connected now: no more excuse for a long wait.
            for (int i = 0; i < 2; i++) {
                poll(s, 1, Duration.ZERO, connectedPollSlack());
            }
            // Up to the end of a finite source (or drainTimeout()), so the last polls find it exhausted or empty.
            long deadline = System.nanoTime() + drainTimeout().toNanos();
            while (!s.isExhausted() && System.nanoTime() < deadline
                    && !poll(s, 100, Duration.ofMillis(200)).isEmpty()) {
                // keep reading
            }
            poll(s, 5, Duration.ofMillis(300), connectedPollSlack());
            poll(s, 5, Duration.ZERO, connectedPollSlack());
        } finally {
            close(s);
        }
    }

    @Test
    @DisplayName("restart: redelivers records that were polled but not committed")
    void redeliversUncommittedAfterRestart() throws Exception {
        ComponentConfig c = config();
        Set<String> first;
        SensorSource s1 = create(c);
        try {
            first = ids(drain(s1, Math.min(5, minimumRecords())));
            assertFalse(first.isEmpty(), "the source delivered no record to test redelivery with");
        } finally {
            close(s1); // a crash before commit(): nothing was processed
        }
        SensorSource s2 = create(c);
        try {
            Set<String> again = new LinkedHashSet<>();
            long deadline = System.nanoTime() + drainTimeout().toNanos();
            while (!again.containsAll(first) && System.nanoTime() < deadline && !s2.isExhausted()) {
                again.addAll(ids(poll(s2, 100, Duration.ofMillis(200))));
            }
            Set<String> lost = new LinkedHashSet<>(first);
            lost.removeAll(again);
            assertTrue(lost.isEmpty(), "records polled but never committed were not redelivered after a restart "
                    + "(at-most-once, the contract is at-least-once): " + lost);
        } finally {
            close(s2);
        }
    }

    @Test
    @DisplayName("restart: does not redeliver records that were committed")
    void doesNotRedeliverCommitted() throws Exception {
        ComponentConfig c = config();
        Set<String> committed;
        SensorSource s1 = create(c);
        try {
            committed = ids(drain(s1, Math.min(5, minimumRecords())));
            assertFalse(committed.isEmpty(), "the source delivered no record to test commit with");
            assertTimeoutPreemptively(pollSlack(), s1::commit, () -> "commit() did not return within "
                    + pollSlack());
        } finally {
            close(s1);
        }
        SensorSource s2 = create(c);
        try {
            List<SensorRecord> next = drain(s2, minimumRecords());
            Set<String> again = ids(next);
            again.retainAll(committed);
            assertTrue(again.isEmpty(), "committed records were delivered again after a restart: " + again);
        } finally {
            close(s2);
        }
    }

    @Test
    @DisplayName("restart: redelivers the records polled after the last commit, none lost at the commit point")
    void redeliversRecordsPolledAfterCommit() throws Exception {
        Assumptions.assumeTrue(minimumRecords() >= 2, "needs minimumRecords() >= 2 to poll on both sides of a commit");
        int before = Math.max(1, Math.min(5, minimumRecords() / 2));
        int after = Math.max(1, Math.min(5, minimumRecords() - before));
        ComponentConfig c = config();
        Set<String> committed;
        Set<String> uncommitted;
        SensorSource s1 = create(c);
        try {
            committed = ids(drain(s1, before));
            assertFalse(committed.isEmpty(), "the source delivered no record to commit");
            assertTimeoutPreemptively(pollSlack(), s1::commit, () -> "commit() did not return within "
                    + pollSlack());
            uncommitted = ids(drain(s1, after));
            uncommitted.removeAll(committed);
            assertFalse(uncommitted.isEmpty(), "the source delivered no record after the commit (minimumRecords() is "
                    + minimumRecords() + ")");
        } finally {
            close(s1); // a crash after the commit: what was polled since must come again
        }
        SensorSource s2 = create(c);
        try {
            Set<String> again = new LinkedHashSet<>();
            long deadline = System.nanoTime() + drainTimeout().toNanos();
            while (!again.containsAll(uncommitted) && System.nanoTime() < deadline && !s2.isExhausted()) {
                again.addAll(ids(poll(s2, 100, Duration.ofMillis(200))));
            }
            Set<String> lost = new LinkedHashSet<>(uncommitted);
            lost.removeAll(again);
            assertTrue(lost.isEmpty(), "records polled after commit() but not committed were not redelivered after a "
                    + "restart (the stored position skips past the commit point): " + lost + " of " + uncommitted);
        } finally {
            close(s2);
        }
    }

    @Test
    @DisplayName("lifecycle: closes idempotently")
    void closeIsIdempotent() throws Exception {
        SensorSource s = create(config());
        poll(s, 1, Duration.ofMillis(100));
        close(s);
        assertDoesNotThrow(() -> close(s));
    }

    @Test
    @DisplayName("lifecycle: releases in close() the threads (daemon ones included) and file descriptors it opened")
    void closeReleasesThreadsAndFiles() throws Exception {
        // One cycle first: classes loaded, jars opened and shared pools started once stay out of the count.
        cycle();
        Resources.Snapshot before = Resources.snapshot();
        int cycles = 3;
        for (int i = 0; i < cycles; i++) {
            cycle();
        }
        Resources.assertReleased(before, cycles, pollSlack(), this::isDataSourceThread,
                "after " + cycles + " create/poll/close cycles");
    }

    private void cycle() {
        SensorSource s = create(config());
        try {
            poll(s, 1, Duration.ofMillis(100));
        } finally {
            close(s);
        }
    }

    @Test
    @DisplayName("lifecycle: refuses to poll after close with IllegalStateException")
    void pollAfterCloseFails() throws Exception {
        SensorSource s = create(config());
        close(s);
        assertThrows(IllegalStateException.class, () -> poll(s, 1, Duration.ofMillis(10)));
    }
}
