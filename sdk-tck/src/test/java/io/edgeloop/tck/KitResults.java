package io.edgeloop.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Set;
import java.util.TreeSet;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** Runs a kit subclass through the real JUnit Jupiter engine and reports which of its tests failed. */
final class KitResults {
    final Events tests;

    private KitResults(Events tests) {
        this.tests = tests;
    }

    static KitResults run(Class<?> kitSubclass) {
        return new KitResults(EngineTestKit.engine("junit-jupiter").selectors(selectClass(kitSubclass)).execute()
                .testEvents());
    }

    /** Names of the test methods that failed. */
    Set<String> failed() {
        return names(tests.failed());
    }

    /** Names of the test methods that passed. */
    Set<String> succeeded() {
        return names(tests.succeeded());
    }

    /** Names of the test methods that were aborted (skipped by an assumption). */
    Set<String> aborted() {
        return names(tests.aborted());
    }

    private static Set<String> names(Events events) {
        Set<String> out = new TreeSet<>();
        for (Event e : events.list()) {
            TestSource s = e.getTestDescriptor().getSource().orElse(null);
            out.add(s instanceof MethodSource m ? m.getMethodName() : e.getTestDescriptor().getDisplayName());
        }
        return out;
    }

    /** Every failure with its message, for assertion messages. */
    String describeFailures() {
        StringBuilder b = new StringBuilder();
        for (Event e : tests.failed().list()) {
            b.append("\n  ").append(e.getTestDescriptor().getDisplayName()).append(": ")
                    .append(e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                            .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                            .map(Throwable::toString).orElse("?"));
        }
        return b.toString();
    }
}
