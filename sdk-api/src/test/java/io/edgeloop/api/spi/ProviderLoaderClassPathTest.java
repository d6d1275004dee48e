package io.edgeloop.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.spi.fixtures.AlphaTransportProvider;
import io.edgeloop.api.spi.fixtures.BetaTransportProvider;
import io.edgeloop.api.transport.TransportProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the loader's diagnostics on the class path: each case gets an isolated class loader whose only
 * {@code META-INF/services} file lists the providers of that case.
 */
@DisplayName("ProviderLoader on the class path")
class ProviderLoaderClassPathTest {
    @TempDir
    Path dir;

    private ProviderLoader<TransportProvider> loaderWith(String... providerClasses) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.write(services.resolve(TransportProvider.class.getName()), List.of(providerClasses));
        ClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
        return ProviderLoader.of(TransportProvider.class, cl);
    }

    @Test
    @DisplayName("with no provider, names the artifact to add")
    void zeroProvidersNamesArtifact() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith();
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("http"));
        assertEquals(ProviderLoadException.Reason.NONE_FOUND, e.reason());
        assertTrue(e.getMessage().contains("io.edgeloop:sdk-buffer"), e.getMessage());
        assertTrue(e.getMessage().contains("META-INF/services/" + TransportProvider.class.getName()), e.getMessage());
        assertThrows(ProviderLoadException.class, loader::single);
    }

    @Test
    @DisplayName("with one provider, selects it by name and as the single one")
    void oneProviderIsSelected() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith(AlphaTransportProvider.class.getName());
        assertInstanceOf(AlphaTransportProvider.class, loader.select("alpha"));
        assertInstanceOf(AlphaTransportProvider.class, loader.single());
        assertEquals(List.of("alpha"), loader.names());
    }

    @Test
    @DisplayName("with an unknown name, lists the names available")
    void unknownNameListsAvailable() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith(AlphaTransportProvider.class.getName(),
                BetaTransportProvider.class.getName());
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("mqtt"));
        assertEquals(ProviderLoadException.Reason.UNKNOWN_NAME, e.reason());
        assertTrue(e.getMessage().contains("available: alpha, beta"), e.getMessage());
        assertEquals(List.of("alpha", "beta"), e.available());
    }

    @Test
    @DisplayName("with two providers of one name, names both classes")
    void duplicateNameNamesBothClasses() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith(AlphaTransportProvider.class.getName(),
                "io.edgeloop.api.spi.fixtures.AlphaTwinTransportProvider", BetaTransportProvider.class.getName());
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("alpha"));
        assertEquals(ProviderLoadException.Reason.DUPLICATE_NAME, e.reason());
        assertTrue(e.getMessage().contains(AlphaTransportProvider.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("AlphaTwinTransportProvider"), e.getMessage());
        // the other name is still usable
        assertInstanceOf(BetaTransportProvider.class, loader.select("beta"));
        assertEquals(ProviderLoadException.Reason.AMBIGUOUS,
                assertThrows(ProviderLoadException.class, loader::single).reason());
    }

    @Test
    @DisplayName("reports and skips a provider that fails to construct or is missing")
    void failingProviderIsSkipped() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith("io.edgeloop.api.spi.fixtures.FailingTransportProvider",
                "io.edgeloop.api.spi.fixtures.DoesNotExist", BetaTransportProvider.class.getName());
        assertInstanceOf(BetaTransportProvider.class, loader.select("beta"));
        assertEquals(2, loader.failures().size(), loader.failures().toString());
        assertTrue(loader.failures().get(0).declaration().contains("FailingTransportProvider"));
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("failing"));
        assertTrue(e.getMessage().contains("libfoo.so"), "the failure's cause should be reported: " + e.getMessage());
    }

    @Test
    @DisplayName("skips a provider whose name is not lower-kebab-case, naming the class and the rule")
    void nonKebabNameIsSkipped() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith(
                "io.edgeloop.api.spi.fixtures.SpacedNameTransportProvider", BetaTransportProvider.class.getName());
        assertEquals(List.of("beta"), loader.names());
        assertEquals(1, loader.failures().size(), loader.failures().toString());
        assertEquals("io.edgeloop.api.spi.fixtures.SpacedNameTransportProvider",
                loader.failures().get(0).declaration());
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("My Transport"));
        assertTrue(e.getMessage().contains("not lower-kebab-case"), e.getMessage());
        // refused for its name, not "failed to load", with the name to use instead; and no "did you mean" beside it
        assertTrue(e.getMessage().contains("SpacedNameTransportProvider: refused: name 'My Transport' is not "
                + "lower-kebab-case"), e.getMessage());
        assertTrue(e.getMessage().contains("rename it, e.g. 'my-transport'"), e.getMessage());
        assertTrue(!e.getMessage().contains("failed to load") && !e.getMessage().contains("did you mean"),
                e.getMessage());
    }

    @Test
    @DisplayName("with an unknown name close to an available one, asks whether that one was meant")
    void unknownNameSuggestsNearName() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith(AlphaTransportProvider.class.getName(),
                BetaTransportProvider.class.getName());
        for (String typo : List.of("Beta", "bta", "beta_")) {
            ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select(typo));
            assertTrue(e.getMessage().contains("available: alpha, beta; did you mean 'beta'?"), e.getMessage());
            assertTrue(!e.getMessage().contains("register it"), e.getMessage());
        }
    }

    @Test
    @DisplayName("with an unknown name close to none available, says how to register a provider of one's own")
    void unknownFarNameGivesRegistrationHint() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith(AlphaTransportProvider.class.getName(),
                BetaTransportProvider.class.getName());
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("acme-tcp"));
        assertTrue(e.getMessage().contains("available: alpha, beta; if 'acme-tcp' is a provider of your own, "
                + "register it in META-INF/services/" + TransportProvider.class.getName() + " or with 'provides "
                + TransportProvider.class.getName() + " with ...' in module-info.java"), e.getMessage());
        assertTrue(!e.getMessage().contains("did you mean"), e.getMessage());
    }

    @Test
    @DisplayName("suggests the lower-kebab form of a refused name")
    void lowerKebabForms() {
        assertEquals(java.util.Optional.of("acme-tcp"), ProviderLoader.lowerKebab("AcmeTcp"));
        assertEquals(java.util.Optional.of("acme-tcp"), ProviderLoader.lowerKebab("acme_tcp"));
        assertEquals(java.util.Optional.of("acme-tcp"), ProviderLoader.lowerKebab("Acme-Tcp"));
        assertEquals(java.util.Optional.of("acme-tcp"), ProviderLoader.lowerKebab(" Acme  TCP "));
        assertEquals(java.util.Optional.of("http-server2"), ProviderLoader.lowerKebab("HTTPServer2"));
        assertEquals(java.util.Optional.empty(), ProviderLoader.lowerKebab("--"));
    }

    @Test
    @DisplayName("names the class of a provider whose name() throws, and skips it")
    void throwingNameIsReportedWithItsClass() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith("io.edgeloop.api.spi.fixtures.NamelessTransportProvider",
                BetaTransportProvider.class.getName());
        assertInstanceOf(BetaTransportProvider.class, loader.select("beta"));
        assertEquals(1, loader.failures().size(), loader.failures().toString());
        assertEquals("io.edgeloop.api.spi.fixtures.NamelessTransportProvider", loader.failures().get(0).declaration());
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("gamma"));
        assertTrue(e.getMessage().contains("NamelessTransportProvider"), e.getMessage());
    }

    @Test
    @DisplayName("keeps its diagnostic on one line when a provider fails with a message of several lines")
    void multiLineFailureStaysOneLine() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith(
                "io.edgeloop.api.spi.fixtures.MultiLineFailingTransportProvider", BetaTransportProvider.class.getName());
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("lora"));
        String m = e.getMessage();
        assertTrue(!m.contains("\n") && !m.contains("\r"), "the diagnostic must be one line: " + m);
        assertTrue(m.contains("license file /etc/lora.lic missing; second line of message; third line"), m);
        assertTrue(m.contains("available: beta"), m);
    }

    @Test
    @DisplayName("with only failing providers, says none was found and why")
    void onlyFailingProviders() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith("io.edgeloop.api.spi.fixtures.FailingTransportProvider");
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("failing"));
        assertEquals(ProviderLoadException.Reason.NONE_FOUND, e.reason());
        assertTrue(e.getMessage().contains("libfoo.so"), e.getMessage());
    }

    @Test
    @DisplayName("with a syntax error in a services file, says the whole file was skipped, naming it, once")
    void syntaxErrorSkipsWholeFileAndSaysSo() throws Exception {
        ProviderLoader<TransportProvider> loader = loaderWith("p.Bad Name", AlphaTransportProvider.class.getName());
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> loader.select("alpha"));
        assertEquals(ProviderLoadException.Reason.NONE_FOUND, e.reason());
        String m = e.getMessage();
        String file = dir.resolve("META-INF/services/" + TransportProvider.class.getName()).toUri().toURL().toString();
        assertTrue(m.contains("services file " + file + " line 1"), m);
        assertTrue(m.contains("the whole file was skipped, with every provider it lists"), m);
        assertEquals(m.indexOf("Illegal configuration-file syntax"), m.lastIndexOf("Illegal configuration-file syntax"),
                "the parse error is reported once: " + m);
        assertEquals(1, loader.failures().size());
    }
}
