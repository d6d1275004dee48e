package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.ProviderLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract every provider meets, whatever its SPI: a lower-kebab name, discoverable through
 * {@link ProviderLoader} under that name, cheap to construct.
 *
 * <p>Extend it through the SPI-specific contract tests; they call {@link #provider()} and
 * {@link #providerType()}.
 *
 * @param <P> the provider interface
 */
public abstract class ProviderContractTest<P extends NamedProvider> {
    /**
     * Returns a provider instance to test.
     *
     * @return the provider
     */
    protected abstract P provider();

    /**
     * Returns the SPI the provider implements.
     *
     * @return the provider interface
     */
    protected abstract Class<P> providerType();

    @Test
    @DisplayName("has a lower-kebab-case name")
    void hasLowerKebabName() {
        String name = provider().name();
        assertNotNull(name, "name()");
        assertTrue(name.matches("[a-z0-9]+(-[a-z0-9]+)*"), "provider name must be lower-kebab-case: '" + name + "'");
    }

    @Test
    @DisplayName("is registered for ServiceLoader and selectable by its name")
    void isDiscoverableByName() {
        P p = provider();
        P found = ProviderLoader.of(providerType()).select(p.name());
        assertSame(p.getClass(), found.getClass(),
                "ProviderLoader.select(\"" + p.name() + "\") found " + found.getClass().getName()
                        + "; register " + p.getClass().getName() + " in META-INF/services/"
                        + providerType().getName() + " and in module-info.java");
    }

    @Test
    @DisplayName("returns the same name on every call")
    void nameIsStable() {
        assertEquals(provider().name(), provider().name());
    }
}
