package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.tck.lora.CounterSourceProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source kit run against a file-committing counter source (a copy of the reviewer's third-party "counter"
 * source): the correct source passes, and each deliberately broken variant is failed by the test for its defect.
 */
@DisplayName("The sensor source contract kit")
class CounterSourceKitTest {

    /** The correct source: 50 records, position committed to a file. */
    static class Counter extends SensorSourceContractTest {
        private static final AtomicInteger FILES = new AtomicInteger();
        @TempDir
        Path dir;

        String fault() {
            return "none";
        }

        @Override
        protected SensorSourceProvider provider() {
            return new CounterSourceProvider();
        }

        @Override
        protected ComponentConfig config() {
            return ComponentConfig.of(Map.of("position-file", dir.resolve("pos-" + FILES.incrementAndGet()).toString(),
                    "count", "50", "fault", fault()));
        }

        @Override
        protected Duration pollSlack() {
            return Duration.ofSeconds(2);
        }

        @Override
        protected ComponentConfig brokenPositionConfig() {
            // a directory where the position file should be: it can be neither read nor written
            return ComponentConfig.of(Map.of("position-file", dir.toString(), "count", "50", "fault", fault()));
        }
    }

    /** Skips the record after every full batch (the reviewer's Sources.DropBoundary). */
    static class DropBoundary extends Counter {
        @Override
        String fault() {
            return "drop-boundary";
        }
    }

    /** Returns one list of its own and empties it on the next poll (the reviewer's Sources.ReuseList). */
    static class ReuseList extends Counter {
        @Override
        String fault() {
            return "reuse-list";
        }
    }

    /** Correct, but leaves every record's sequence 0, as a source that does not number its records. */
    static class SeqZero extends Counter {
        @Override
        String fault() {
            return "seq-zero";
        }
    }

    /** Delivers its records newest first, as a driver reading a ring buffer backwards. */
    static class NewestFirst extends Counter {
        @Override
        String fault() {
            return "newest-first";
        }
    }

    /** Swaps each pair of neighbouring records. */
    static class SwapPairs extends Counter {
        @Override
        String fault() {
            return "swap-pairs";
        }
    }

    /** Swaps pairs, but declares why it cannot keep the order: the order test is aborted, not passed or failed. */
    static class SwapPairsDeclared extends SwapPairs {
        @Override
        protected java.util.Optional<String> reordersRecordsBecause() {
            return java.util.Optional.of("packets reach it over two radio paths");
        }
    }

    /** Restarts from the first record when its position cannot be read; a failed commit returns normally. */
    static class Swallow extends Counter {
        @Override
        String fault() {
            return "swallow";
        }
    }

    /** Leaves a daemon thread running per closed source (the reviewer's Sources.DaemonLeak). */
    static class DaemonLeak extends Counter {
        @Override
        String fault() {
            return "daemon-leak";
        }
    }

    /** Stores its position on poll: records polled but not processed are lost on a crash. */
    static class CommitOnPoll extends Counter {
        @Override
        String fault() {
            return "commit-on-poll";
        }
    }

    /** Never stores its position: committed records come again. */
    static class IgnoreCommit extends Counter {
        @Override
        String fault() {
            return "ignore-commit";
        }
    }

    /** Blocks far past the poll timeout. */
    static class IgnoreTimeout extends Counter {
        @Override
        String fault() {
            return "ignore-timeout";
        }

        @Override
        protected Duration pollSlack() {
            // Every kit test waits out this slack once before failing (the source sleeps a minute past any
            // timeout), so a short one keeps the self-test quick; what it proves does not depend on its length.
            return Duration.ofMillis(500);
        }
    }

    /** Stores one past the commit point: the record after every commit is lost. */
    static class SkipOnCommit extends Counter {
        @Override
        String fault() {
            return "skip-on-commit";
        }
    }

    /** Sleeps 8 s on every poll once exhausted, below the 10 s connect slack. */
    static class SlowWhenEmpty extends Counter {
        @Override
        String fault() {
            return "slow-when-empty";
        }

        @Override
        protected Duration pollSlack() {
            return Duration.ofSeconds(10); // the default: the connected bound must catch it, not this one
        }
    }

    /** Leaves a non-daemon thread running per closed source. */
    static class LeakThread extends Counter {
        @Override
        String fault() {
            return "leak-thread";
        }
    }

    /** Leaves a file descriptor open per closed source. */
    static class LeakFile extends Counter {
        @Override
        String fault() {
            return "leak-file";
        }
    }

    @AfterAll
    static void releaseLeaks() throws java.io.IOException {
        CounterSourceProvider.releaseLeaks();
    }

    @Test
    @DisplayName("passes the correct source")
    void passesCorrectSource() {
        KitResults r = KitResults.run(Counter.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertEquals(Set.of("isDeclaredInModuleInfo"), r.aborted());
        assertEquals(19, r.tests.succeeded().count());
    }

    @Test
    @DisplayName("passes a correct source that does not number its records (sequence 0)")
    void passesSeqZero() {
        KitResults r = KitResults.run(SeqZero.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        // unnumbered records have no order the kit can check: aborted, not passed
        assertEquals(Set.of("isDeclaredInModuleInfo", "keepsSequenceOrderPerStream"), r.aborted());
        assertEquals(18, r.tests.succeeded().count());
    }

    @Test
    @DisplayName("fails a source that delivers its records newest first, naming the stream and both sequences")
    void failsNewestFirst() {
        assertFailsOnlyOrder(NewestFirst.class, 49, 50);
    }

    @Test
    @DisplayName("fails a source that swaps neighbouring records")
    void failsSwapPairs() {
        assertFailsOnlyOrder(SwapPairs.class, 1, 2);
    }

    /** The order test, and only it, fails, at the record numbered {@code seq} delivered after {@code after}. */
    private static void assertFailsOnlyOrder(Class<?> kit, long seq, long after) {
        KitResults r = KitResults.run(kit);
        String failures = r.describeFailures();
        assertEquals(Set.of("keepsSequenceOrderPerStream"), r.failed(), failures);
        assertTrue(failures.contains("stream dev-1/default: sequence " + seq + " came after sequence " + after
                + " (records 1 and 2 delivered: "), failures);
    }

    @Test
    @DisplayName("reports the order test as aborted, with the reason, for a source that declares it reorders")
    void abortsOrderTestWhenDeclared() {
        KitResults r = KitResults.run(SwapPairsDeclared.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertTrue(r.aborted().contains("keepsSequenceOrderPerStream"), r.aborted().toString());
    }

    @Test
    @DisplayName("fails a source that loses the record after every full batch")
    void failsDropBoundary() {
        KitResults r = KitResults.run(DropBoundary.class);
        assertTrue(r.failed().contains("deliversSameRecordsWhateverMaxRecords"), r.failed() + r.describeFailures());
        assertTrue(r.describeFailures().contains("lost or reordered at a poll boundary"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a source that empties and refills the list it returned")
    void failsReuseList() {
        KitResults r = KitResults.run(ReuseList.class);
        assertTrue(r.failed().contains("keepsReturnedListsUnchanged"), r.failed() + r.describeFailures());
    }

    @Test
    @DisplayName("fails a source that restarts from the first record when its position store is broken")
    void failsSwallow() {
        KitResults r = KitResults.run(Swallow.class);
        assertEquals(Set.of("refusesBrokenPositionStore"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a source whose close() leaves a daemon thread running")
    void failsDaemonLeak() {
        KitResults r = KitResults.run(DaemonLeak.class);
        assertEquals(Set.of("closeReleasesThreadsAndFiles"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("'src-reader'"), r.describeFailures());
    }

    @Test
    @DisplayName("fails an at-most-once source that stores its position on poll")
    void failsCommitOnPoll() {
        KitResults r = KitResults.run(CommitOnPoll.class);
        // loses what was polled before and after a commit
        assertEquals(Set.of("redeliversUncommittedAfterRestart", "redeliversRecordsPolledAfterCommit"), r.failed(),
                r.describeFailures());
    }

    @Test
    @DisplayName("fails a source that redelivers committed records")
    void failsIgnoreCommit() {
        KitResults r = KitResults.run(IgnoreCommit.class);
        assertEquals(Set.of("doesNotRedeliverCommitted"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails, instead of hanging, a source whose poll ignores its timeout")
    void failsIgnoreTimeout() {
        KitResults r = KitResults.run(IgnoreTimeout.class);
        assertTrue(r.failed().contains("honoursPollTimeout"), r.failed() + r.describeFailures());
        assertTrue(r.describeFailures().contains("did not return within PT0.5S"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a source whose stored position skips the record after each commit point")
    void failsSkipOnCommit() {
        KitResults r = KitResults.run(SkipOnCommit.class);
        assertEquals(Set.of("redeliversRecordsPolledAfterCommit"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a source that takes 8 s over its timeout on a connected, exhausted poll")
    void failsSlowWhenEmpty() {
        KitResults r = KitResults.run(SlowWhenEmpty.class);
        assertEquals(Set.of("honoursPollTimeout"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a source whose close() leaves a non-daemon thread running")
    void failsLeakThread() {
        KitResults r = KitResults.run(LeakThread.class);
        assertEquals(Set.of("closeReleasesThreadsAndFiles"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("'counter-source-worker'"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a source whose close() leaves a file descriptor open")
    void failsLeakFile() {
        KitResults r = KitResults.run(LeakFile.class);
        assertEquals(Set.of("closeReleasesThreadsAndFiles"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("more open file descriptors"), r.describeFailures());
    }
}
