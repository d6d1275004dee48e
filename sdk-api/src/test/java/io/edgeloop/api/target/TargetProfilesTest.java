package io.edgeloop.api.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.spi.ProviderLoadException;
import io.edgeloop.api.target.fixtures.ShadowAvr8Provider;
import io.edgeloop.api.target.fixtures.Stm32l031Provider;
import io.edgeloop.api.target.fixtures.Stm32l031TwinProvider;
import io.edgeloop.api.target.fixtures.ThrowingProfileProvider;
import io.edgeloop.api.target.fixtures.UnconstructibleProvider;
import io.edgeloop.api.target.fixtures.WrongIdProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TargetProfiles} on the class path: each case gets an isolated class loader whose only
 * {@code META-INF/services} file lists that case's providers.
 */
@DisplayName("Target profile lookup")
class TargetProfilesTest {
    @TempDir
    Path dir;

    private TargetProfiles with(Class<?>... providers) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        List<String> names = new java.util.ArrayList<>();
        for (Class<?> c : providers) {
            names.add(c.getName());
        }
        Files.write(services.resolve(TargetProfileProvider.class.getName()), names);
        return TargetProfiles.load(new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()));
    }

    @Test
    @DisplayName("with no provider, knows the built-ins and lists them for an unknown id")
    void zeroProvidersListsBuiltIns() throws Exception {
        TargetProfiles t = with();
        assertSame(TargetProfile.AVR8, t.of("AVR8"));
        assertEquals(List.of("avr8", "cortex-m0", "cortex-m3", "cortex-m4f", "jvm"), t.ids());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.of("stm32l031"));
        assertTrue(e.getMessage().contains("'stm32l031'; known profiles: avr8, cortex-m0, cortex-m3, cortex-m4f, jvm"),
                e.getMessage());
    }

    @Test
    @DisplayName("resolves a provided board and lists it beside the built-ins for an unknown id")
    void providedBoardIsResolved() throws Exception {
        TargetProfiles t = with(Stm32l031Provider.class);
        TargetProfile p = t.of("stm32l031");
        assertEquals(CpuCore.CORTEX_M0PLUS, p.core());
        assertEquals(8 * 1024, p.ramBytes());
        assertSame(TargetProfile.CORTEX_M3, t.of("cortex-m3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.of("atmega2560"));
        assertTrue(e.getMessage().contains("known profiles: avr8, cortex-m0, cortex-m3, cortex-m4f, jvm, stm32l031"),
                e.getMessage());
    }

    @Test
    @DisplayName("refuses a provider that claims a built-in id, naming both classes")
    void collisionWithBuiltInIsRefused() throws Exception {
        TargetProfiles t = with(ShadowAvr8Provider.class, Stm32l031Provider.class);
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> t.of("avr8"));
        assertEquals(ProviderLoadException.Reason.DUPLICATE_NAME, e.reason());
        assertTrue(e.getMessage().contains(ShadowAvr8Provider.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(TargetProfile.class.getName()), e.getMessage());
        assertEquals("stm32l031", t.of("stm32l031").id()); // the other id stays usable
    }

    @Test
    @DisplayName("refuses two providers of one id, naming both classes")
    void duplicateProvidersAreRefused() throws Exception {
        TargetProfiles t = with(Stm32l031Provider.class, Stm32l031TwinProvider.class);
        ProviderLoadException e = assertThrows(ProviderLoadException.class, () -> t.of("stm32l031"));
        assertEquals(ProviderLoadException.Reason.DUPLICATE_NAME, e.reason());
        assertTrue(e.getMessage().contains(Stm32l031Provider.class.getName() + " and "
                + Stm32l031TwinProvider.class.getName()), e.getMessage());
    }

    @Test
    @DisplayName("names a provider whose profile() throws or whose profile has another id")
    void failingProviderIsNamed() throws Exception {
        TargetProfiles t = with(ThrowingProfileProvider.class, WrongIdProvider.class);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.of("broken-board"));
        assertTrue(e.getMessage().contains(ThrowingProfileProvider.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("board table missing"), e.getMessage());
        IllegalStateException w = assertThrows(IllegalStateException.class, () -> t.of("other-board"));
        assertTrue(w.getMessage().contains(WrongIdProvider.class.getName()) && w.getMessage().contains("stm32l031"),
                w.getMessage());
    }

    @Test
    @DisplayName("names a provider that failed to construct when an id is unknown")
    void unconstructibleProviderIsNamed() throws Exception {
        TargetProfiles t = with(UnconstructibleProvider.class, Stm32l031Provider.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.of("never"));
        assertTrue(e.getMessage().contains(UnconstructibleProvider.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("no board here"), e.getMessage());
        assertEquals("stm32l031", t.of("stm32l031").id());
    }
}
