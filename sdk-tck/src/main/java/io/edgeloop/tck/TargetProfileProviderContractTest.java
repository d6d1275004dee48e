package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfileProvider;
import io.edgeloop.api.target.TargetProfiles;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for a {@link TargetProfileProvider}, a board of one's own: its name and registration (both
 * {@code META-INF/services} and {@code module-info.java}, as every provider's), and the profile it returns: its id
 * is the provider's name and not a built-in id, it is equal on every call, its flash and RAM budgets are positive,
 * its core matches its word size and FPU, an AVR board's hardware variant is an avr-gcc MCU name, and
 * {@link TargetProfiles} resolves the name to that profile.
 *
 * <pre>{@code
 * class Stm32l031ProfileProviderContractTest extends TargetProfileProviderContractTest {
 *     protected TargetProfileProvider provider() { return new Stm32l031ProfileProvider(); }
 * }
 * }</pre>
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class TargetProfileProviderContractTest extends ProviderContractTest<TargetProfileProvider> {
    @Override
    protected final Class<TargetProfileProvider> providerType() {
        return TargetProfileProvider.class;
    }

    /** A profile provider takes no configuration, so the unknown-key check does not apply. */
    @Override
    protected Optional<String> acceptsUnknownKeysBecause() {
        return Optional.of("a TargetProfileProvider has no create(config): it returns its board's constant profile");
    }

    @Test
    @DisplayName("the profile's id is the provider's name, and no built-in id")
    void idIsTheName() {
        TargetProfile p = provider().profile();
        assertNotNull(p, "profile() returned null");
        assertEquals(provider().name(), p.id(), "name() must equal profile().id(): users select the board by it");
        assertTrue(TargetProfile.find(p.id()).isEmpty(), "'" + p.id() + "' is a built-in profile id: give the board "
                + "an id of its own (TargetProfiles refuses a provider that claims a built-in id)");
    }

    @Test
    @DisplayName("the profile is equal on every call and from every instance")
    void profileIsStable() {
        TargetProfile p = provider().profile();
        assertEquals(p, provider().profile());
        assertEquals(p.hashCode(), provider().profile().hashCode());
    }

    @Test
    @DisplayName("the profile has positive budgets and a core consistent with its word size and FPU")
    void budgetsAndCore() {
        TargetProfile p = provider().profile();
        assertTrue(p.flashBytes() > 0 && p.ramBytes() > 0, "budgets must be positive: " + p);
        CpuCore c = p.core();
        if (c != CpuCore.HOST) {
            assertEquals(c.wordBits(), p.wordBits(), "core " + c.id() + " is " + c.wordBits() + "-bit: " + p);
            assertEquals(c.hasFpu(), p.hasFpu(), "core " + c.id() + (c.hasFpu() ? " has" : " has no") + " FPU: " + p);
        }
        if (c == CpuCore.AVR) {
            assertTrue(p.hardwareVariant().matches("[a-z][a-z0-9]*"), "an AVR board's hardware variant is the "
                    + "avr-gcc -mmcu= part (atmega2560), got '" + p.hardwareVariant() + "'");
        }
    }

    @Test
    @DisplayName("TargetProfiles resolves its name to its profile")
    void resolvable() {
        TargetProfile p = provider().profile();
        assertEquals(p, TargetProfiles.load().of(provider().name()));
        assertTrue(TargetProfiles.load().ids().contains(p.id()));
    }
}
