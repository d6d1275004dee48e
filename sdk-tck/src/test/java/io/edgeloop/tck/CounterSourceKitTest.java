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
        assertEquals(13, r.tests.succeeded().count());
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
