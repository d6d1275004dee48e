package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.tck.dirdrop.Broken;
import io.edgeloop.tck.dirdrop.DirTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The transport kit against the reviewer's outside-team "dir-drop" transport (real files: temp file, fsync, atomic
 * rename) and the deliberately broken variants that passed the kit before review rev-s6-integrator: each now fails
 * exactly the check written for its fault, the correct one passes, and two subclasses run together are reported
 * under their own class names with the provider in every failure message.
 */
@DisplayName("The transport contract kit against the reviewer's dir-drop transports")
class DirDropKitTest {

    /** The correct transport; subclasses swap the provider. */
    static class DirDrop extends TransportContractTest {
        @TempDir
        Path tmp;

        Path dir() throws Exception {
            return Files.createDirectories(tmp.resolve("drop"));
        }

        @Override
        protected TransportProvider provider() {
            return new Broken.Correct();
        }

        @Override
        protected ComponentConfig config() {
            try {
                return ComponentConfig.of(Map.of("dir", dir().toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected List<Envelope> received() throws Exception {
            return DirTransport.readAll(dir());
        }

        @Override
        protected ComponentConfig unreachableConfig() {
            return ComponentConfig.of(Map.of("dir", tmp.resolve("missing/x").toString()));
        }

        @Override
        protected void stopReceiver() throws Exception {
            Files.move(dir(), tmp.resolve("away"));
        }

        @Override
        protected void startReceiver() throws Exception {
            Files.move(tmp.resolve("away"), tmp.resolve("drop"));
        }
    }

    /** Keeps the first 30 envelopes of a batch, acknowledges all. */
    static class DropOver30 extends DirDrop {
        @Override
        protected TransportProvider provider() {
            return new Broken.DropOver30();
        }
    }

    /** Reverses every batch. */
    static class Reorder extends DirDrop {
        @Override
        protected TransportProvider provider() {
            return new Broken.Reorder();
        }
    }

    /** Delivers a synchronous send after close(), then throws. */
    static class LateWriter extends DirDrop {
        @Override
        protected TransportProvider provider() {
            return new Broken.LateWriterProvider();
        }
    }

    /** Leaves a non-daemon thread per transport running after close(). */
    static class LeakThread extends DirDrop {
        @Override
        protected TransportProvider provider() {
            return new Broken.LeakThread();
        }

        @Override
        protected Duration closeTimeout() {
            // the release check waits this long for the leaked thread to end, which it never does
            return Duration.ofSeconds(2);
        }
    }

    /** Acknowledges empty-payload envelopes without delivering them. */
    static class DropEmpty extends DirDrop {
        @Override
        protected TransportProvider provider() {
            return new Broken.DropEmpty();
        }
    }

    /** Throws from isReachable(). */
    static class BadReachable extends DirDrop {
        @Override
        protected TransportProvider provider() {
            return new Broken.BadReachable();
        }
    }

    /** Leaves a daemon thread per transport running after close(). */
    static class DaemonLeak extends DirDrop {
        @Override
        protected TransportProvider provider() {
            return new Broken.DaemonLeak();
        }

        @Override
        protected Duration closeTimeout() {
            // the release check waits this long for the leaked thread to end, which it never does
            return Duration.ofSeconds(2);
        }
    }

    /** Lets an outage escape as UncheckedIOException. */
    static class UncheckedOutage extends DirDrop {
        @Override
        protected TransportProvider provider() {
            return new Broken.UncheckedOutage();
        }
    }

    @AfterAll
    static void stopLeakedThreads() {
        for (Thread t : Broken.LEAKED) {
            t.interrupt();
        }
    }

    /** Aborted for the correct transport: no pause hook (file drop has no silent receiver), no module-info. */
    private static final Set<String> ABORTED = Set.of("closeFromAnotherThreadEndsBlockedSend",
            "sendWithoutAcknowledgementDoesNotReturnNormally", "isDeclaredInModuleInfo"); // no pause hook, no module-info

    @Test
    @DisplayName("passes the correct dir-drop transport")
    void passesCorrect() {
        KitResults r = KitResults.run(DirDrop.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertEquals(ABORTED, r.aborted());
        assertEquals(23, r.tests.succeeded().count());
    }

    @Test
    @DisplayName("fails a transport that acknowledges a 500-envelope batch but delivers only 30 of it")
    void failsDropOver30() {
        KitResults r = KitResults.run(DropOver30.class);
        assertEquals(Set.of("deliversMaximumBatch", "deliversEachDeviceInOrder"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("envelope") && r.describeFailures().contains("was not received"),
                r.describeFailures());
    }

    @Test
    @DisplayName("fails a transport that reverses every batch")
    void failsReorder() {
        KitResults r = KitResults.run(Reorder.class);
        assertEquals(Set.of("deliversEachDeviceInOrder"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("arrived out of the order they were sent"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a transport whose synchronous send after close() still delivers")
    void failsLateWriter() {
        KitResults r = KitResults.run(LateWriter.class);
        assertEquals(Set.of("sendAfterCloseFails"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a transport whose close() leaves a non-daemon thread running")
    void failsLeakThread() {
        KitResults r = KitResults.run(LeakThread.class);
        assertEquals(Set.of("closeReleasesThreadsAndFiles"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("'leaky-keepalive'"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a transport that acknowledges an empty-payload envelope without delivering it")
    void failsDropEmpty() {
        KitResults r = KitResults.run(DropEmpty.class);
        assertEquals(Set.of("keepsUnusualKeys"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("empty payload"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a transport whose isReachable() throws")
    void failsBadReachable() {
        KitResults r = KitResults.run(BadReachable.class);
        assertEquals(Set.of("isReachableAnswers", "reusesInstanceAfterOutage"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a transport whose outage escapes as an unchecked exception, saying what it must throw")
    void failsUncheckedOutage() {
        KitResults r = KitResults.run(UncheckedOutage.class);
        assertTrue(r.failed().contains("reusesInstanceAfterOutage"), r.describeFailures());
        String d = r.describeFailures();
        assertTrue(d.contains("must throw a retryable TransportException") && d.contains("UncheckedIOException"), d);
        assertFalse(d.contains("returned normally"), d);
    }

    @Test
    @DisplayName("fails a transport whose close() leaves a daemon thread running")
    void failsDaemonLeak() {
        KitResults r = KitResults.run(DaemonLeak.class);
        assertEquals(Set.of("closeReleasesThreadsAndFiles"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("'dir-flusher'"), r.describeFailures());
    }

    @Test
    @DisplayName("reports two subclasses run together under their own class names, naming the provider on failure")
    void reportsEachSubclassApart() {
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(DirDrop.class), selectClass(Reorder.class)).execute().testEvents();
        Map<String, Integer> finishedPerClass = new HashMap<>();
        for (Event e : tests.finished().list()) {
            MethodSource m = (MethodSource) e.getTestDescriptor().getSource().orElseThrow();
            finishedPerClass.merge(m.getClassName(), 1, Integer::sum);
            String id = e.getTestDescriptor().getUniqueId().toString();
            assertFalse(id.contains("nested-class"), "a kit test is reported under a nested class: " + id);
            assertTrue(id.contains("[class:" + m.getClassName() + "]"), id);
        }
        int perClass = (int) KitResults.run(DirDrop.class).tests.finished().count();
        assertEquals(Map.of(DirDrop.class.getName(), perClass, Reorder.class.getName(), perClass), finishedPerClass);
        List<Event> failed = tests.failed().list();
        assertEquals(1, failed.size());
        MethodSource m = (MethodSource) failed.get(0).getTestDescriptor().getSource().orElseThrow();
        assertEquals(Reorder.class.getName(), m.getClassName());
        String message = failed.get(0).getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                .map(Throwable::getMessage).orElse("");
        assertTrue(message.startsWith("[provider 'reorder' " + Broken.Reorder.class.getName() + "] "), message);
    }
}
