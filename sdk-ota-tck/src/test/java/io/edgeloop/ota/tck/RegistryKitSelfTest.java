package io.edgeloop.ota.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.ota.registry.ModelRegistryProvider;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** The registry kit fails each broken registry exactly on the check written for its fault. */
class RegistryKitSelfTest {
    /** The kit run against one of {@link BrokenRegistries}, by provider name. */
    abstract static class Broken extends FileSystemRegistryKitTest {
        abstract String name();

        @Override
        protected ModelRegistryProvider provider() {
            return ProviderLoader.of(ModelRegistryProvider.class).select(name());
        }
    }

    static class ReversedHistory extends Broken {
        @Override
        String name() {
            return "tck-reversed-history";
        }
    }

    static class ForgetfulClose extends Broken {
        @Override
        String name() {
            return "tck-forgetful-close";
        }
    }

    static class CurrentIgnoresYank extends Broken {
        @Override
        String name() {
            return "tck-current-ignores-yank";
        }
    }

    private static Set<String> failed(Class<?> kit) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(kit)).execute().testEvents();
        return tests.finished().stream()
                .filter(e -> e.getPayload(TestExecutionResult.class).map(r -> r.getStatus()
                        == TestExecutionResult.Status.FAILED).orElse(false))
                .map(RegistryKitSelfTest::method).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String method(Event e) {
        return e.getTestDescriptor().getSource().filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName()).orElse(e.getTestDescriptor().getDisplayName());
    }

    @Test
    @DisplayName("fails a registry whose history is newest first")
    void failsReversedHistory() {
        assertEquals(Set.of("historyGetTrainedOn", "survivesReopening"), failed(ReversedHistory.class));
    }

    @Test
    @DisplayName("fails a registry whose close() does nothing")
    void failsForgetfulClose() {
        assertEquals(Set.of("closeIsIdempotentAndFinal"), failed(ForgetfulClose.class));
    }

    @Test
    @DisplayName("fails a registry that serves a yanked version as current (and keeps channels in memory only)")
    void failsCurrentIgnoresYank() {
        assertEquals(Set.of("deprecateAndYank", "survivesReopening", "yankedEpochRaiseServesNoOlderVersion"),
                failed(CurrentIgnoresYank.class));
    }
}
