package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.window.Window;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for a {@link LabellerProvider}: its name and registration (both {@code META-INF/services} and
 * {@code module-info.java}, as every provider's), and the labeller it creates from {@link #config()}, which must
 * pass every {@link LabellerContractTest} check.
 *
 * <pre>{@code
 * class HotLabellerProviderContractTest extends LabellerProviderContractTest {
 *     protected LabellerProvider provider() { return new HotLabellerProvider(); }
 *     protected ComponentConfig config() { return ComponentConfig.of(Map.of("threshold", 25)); }
 *     protected List<Window> windows() { return sampleWindows(); }
 *     protected List<Window> badWindows() { return windowsWithNaN(); }
 * }
 * }</pre>
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class LabellerProviderContractTest extends ProviderContractTest<LabellerProvider> {
    /**
     * Returns a valid configuration for the provider.
     *
     * @return the configuration
     */
    protected abstract ComponentConfig config();

    /**
     * Returns windows to evaluate, including some the created labeller votes on.
     *
     * @return the windows
     */
    protected abstract List<Window> windows();

    /**
     * Returns windows with missing (NaN) or flagged data.
     *
     * @return the windows
     */
    protected abstract List<Window> badWindows();

    @Override
    protected final Class<LabellerProvider> providerType() {
        return LabellerProvider.class;
    }

    @Test
    @DisplayName("creates a labeller from its configuration, the same kind on every call")
    void createsLabellers() {
        Labeller a = provider().create(config());
        Labeller b = provider().create(config());
        assertNotNull(a, "create() returned null");
        assertNotNull(b, "create() returned null");
        assertEquals(a.numClasses(), b.numClasses());
    }

    /** The labeller created from {@link #config()} meets the labeller contract. */
    @Nested
    @DisplayName("the labeller it creates")
    class Created extends LabellerContractTest {
        @Override
        protected Labeller labeller() {
            return provider().create(config());
        }

        @Override
        protected List<Window> windows() {
            return LabellerProviderContractTest.this.windows();
        }

        @Override
        protected List<Window> badWindows() {
            return LabellerProviderContractTest.this.badWindows();
        }
    }
}
