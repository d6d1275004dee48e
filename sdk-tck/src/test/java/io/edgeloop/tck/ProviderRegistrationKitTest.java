package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.transport.TransportProvider;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The provider registration checks and the module-path probe")
class ProviderRegistrationKitTest {
    /** A provider with no META-INF/services entry. */
    static class Unlisted extends ProviderContractTest<TransportProvider> {
        @Override
        protected TransportProvider provider() {
            return new UnlistedTransportProvider();
        }

        @Override
        protected Class<TransportProvider> providerType() {
            return TransportProvider.class;
        }
    }

    /** A provider whose constructor starts a thread. */
    static class ThreadInConstructor extends ProviderContractTest<TransportProvider> {
        @Override
        protected TransportProvider provider() {
            return new ThreadStartingTransportProvider();
        }

        @Override
        protected Class<TransportProvider> providerType() {
            return TransportProvider.class;
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void stopStartedThreads() {
        ThreadStartingTransportProvider.stopAll();
    }

    @Test
    @DisplayName("fails a provider whose constructor starts a thread (not a cheap factory)")
    void failsThreadInConstructor() {
        KitResults r = KitResults.run(ThreadInConstructor.class);
        // not registered either (a loader would start its thread in every other test that lists transports)
        assertEquals(Set.of("isCheapToConstruct", "isDiscoverableByName", "isRegisteredInMetaInfServices"), r.failed(),
                r.describeFailures());
        assertTrue(r.describeFailures().contains("'provider-keepalive'"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a provider missing from META-INF/services, reading the file itself")
    void failsUnlisted() {
        KitResults r = KitResults.run(Unlisted.class);
        assertEquals(Set.of("isDiscoverableByName", "isRegisteredInMetaInfServices"), r.failed(),
                r.describeFailures());
        assertTrue(r.describeFailures().contains("add the line " + UnlistedTransportProvider.class.getName()),
                r.describeFailures());
        // the selection failure gives the fix too, not only the loader's "No TransportProvider named ..."
        // (newcomer review s15: the hint was lost because select threw before it)
        assertTrue(r.describeFailures().contains("failed: No TransportProvider named")
                && r.describeFailures().contains("register " + UnlistedTransportProvider.class.getName()
                + " in META-INF/services/" + TransportProvider.class.getName()), r.describeFailures());
    }

    @Test
    @DisplayName("refuses an empty module path in one line instead of starting a JVM that fails")
    void probeRefusesEmptyPath() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> ModulePathProbe.discover(List.of(), "com.example.lora", TransportProvider.class)).getMessage();
        assertTrue(m.contains("module path is empty") && !m.contains("\n"), m);
    }

    @Test
    @DisplayName("takes module-path entries too, as surefire's module-path mode passes them")
    void testModulePathReadsJdkModulePath() {
        String before = System.getProperty("jdk.module.path");
        try {
            System.setProperty("jdk.module.path", "/opt/lib/example-main.jar");
            assertTrue(ModulePathProbe.testModulePath().contains("/opt/lib/example-main.jar"),
                    ModulePathProbe.testModulePath().toString());
        } finally {
            if (before == null) {
                System.clearProperty("jdk.module.path");
            } else {
                System.setProperty("jdk.module.path", before);
            }
        }
    }
}
