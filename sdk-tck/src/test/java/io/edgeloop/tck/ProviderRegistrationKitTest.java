package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.transport.TransportProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** A registered provider whose name the loader refuses. */
    static class RefusedName extends ProviderContractTest<TransportProvider> {
        @Override
        protected TransportProvider provider() {
            return new NameOnlyTransportProviders.RefusedName();
        }

        @Override
        protected Class<TransportProvider> providerType() {
            return TransportProvider.class;
        }
    }

    /** A registered provider with the name of another registered one. */
    static class SameName extends ProviderContractTest<TransportProvider> {
        @Override
        protected TransportProvider provider() {
            return new NameOnlyTransportProviders.SameName();
        }

        @Override
        protected Class<TransportProvider> providerType() {
            return TransportProvider.class;
        }
    }

    /**
     * Runs a kit with {@code providers} registered too, in a META-INF/services file that only a class loader of this
     * run sees (the thread's context class loader, where ProviderLoader.of looks), so no other test finds them.
     */
    private static KitResults runRegistering(Class<?> kit, Path dir, Class<?>... providers) throws Exception {
        Path services = dir.resolve("META-INF/services/" + TransportProvider.class.getName());
        Files.createDirectories(services.getParent());
        List<String> lines = new java.util.ArrayList<>();
        for (Class<?> p : providers) {
            lines.add(p.getName());
        }
        Files.write(services, lines);
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
            self.setContextClassLoader(cl);
            return KitResults.run(kit);
        } finally {
            self.setContextClassLoader(before);
        }
    }

    @Test
    @DisplayName("tells a registered provider refused for its name to rename itself, not to register")
    void refusedNameGetsRenameFix(@TempDir Path dir) throws Exception {
        KitResults r = runRegistering(RefusedName.class, dir, NameOnlyTransportProviders.RefusedName.class);
        assertEquals(Set.of("hasLowerKebabName", "isDiscoverableByName", "isRegisteredInMetaInfServices"),
                r.failed(), r.describeFailures());
        String m = r.describeFailures();
        assertTrue(m.contains("it is registered, but ProviderLoader skipped it: refused: name 'AcmeTcp' is not "
                + "lower-kebab-case") && m.contains("rename it, e.g. 'acme-tcp'"), m);
        assertTrue(!m.contains("register " + NameOnlyTransportProviders.RefusedName.class.getName() + " in"), m);
    }

    @Test
    @DisplayName("tells a registered provider whose name another one has that the two share it, not to register")
    void sharedNameGetsNameFix(@TempDir Path dir) throws Exception {
        KitResults r = runRegistering(SameName.class, dir, NameOnlyTransportProviders.SameName.class);
        assertEquals(Set.of("isDiscoverableByName", "isRegisteredInMetaInfServices"), r.failed(),
                r.describeFailures());
        String m = r.describeFailures();
        assertTrue(m.contains("two providers share the name 'in-memory'") && m.contains("give "
                + NameOnlyTransportProviders.SameName.class.getName() + " a name of its own"), m);
        assertTrue(!m.contains("register " + NameOnlyTransportProviders.SameName.class.getName() + " in"), m);
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
