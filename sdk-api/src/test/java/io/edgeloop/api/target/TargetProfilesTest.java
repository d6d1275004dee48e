package io.edgeloop.api.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
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
        assertTrue(e.getMessage().endsWith(" (a board of your own needs its TargetProfileProvider jar on the class"
                + " path: java -cp edgeloop.jar:board.jar io.edgeloop.cli.Edgeloop ...; java -jar ignores -cp and"
                + " CLASSPATH)"), e.getMessage());
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
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        IllegalArgumentException e;
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
            e = assertThrows(IllegalArgumentException.class, () -> t.of("never"));
        } finally {
            System.setErr(stderr);
        }
        assertTrue(e.getMessage().endsWith("; a TargetProfileProvider on the class path failed to load, so its board"
                + " is not known: " + UnconstructibleProvider.class.getName()
                + " (java.lang.IllegalStateException: no board here)"), e.getMessage());
        assertFalse(e.getMessage().contains("needs its TargetProfileProvider jar"), "its jar is there: "
                + e.getMessage());
        assertEquals("stm32l031", t.of("stm32l031").id());
        // the user may select another board: one WARN line naming the class and the cause, the trace at DEBUG
        String warn = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, warn.lines().count(), warn);
        assertTrue(warn.contains("WARN") && warn.contains(UnconstructibleProvider.class.getName())
                && warn.contains("IllegalStateException: no board here"), warn);
    }
}
