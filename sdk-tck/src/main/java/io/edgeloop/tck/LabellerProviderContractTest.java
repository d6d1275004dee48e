package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.window.Window;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
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
 *     protected List<Window> windows() { return HotWindows.sample(); }       // your own test windows
 *     protected List<Window> badWindows() { return HotWindows.withNaN(); }   // at least one NaN sample
 * }
 * }</pre>
 *
 * <p>{@code HotWindows} stands for the implementer's own fixtures: the kit does not ship sample windows, since
 * only the implementer knows which windows its labeller votes on (build them with {@link Window#builder()}).
 *
 * <p>The labeller checks are plain methods of this class (no {@code @Nested} group; their display names start with
 * "the labeller it creates"), so JUnit and surefire report them under the implementer's subclass.
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
     * Returns windows with missing (NaN) or flagged data, at least one with a NaN sample. The kit adds its own,
     * derived from {@link #windows()}: a NaN sample in every channel, every sample and feature NaN, and each
     * quality flag.
     *
     * @return the windows
     */
    protected abstract List<Window> badWindows();

    @Override
    protected final Object createAdding(Path workDir, String key, String value) throws Exception {
        return provider().create(config().toBuilder().put(key, value).build());
    }

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

    /**
     * Returns how many rounds the thread-safety test runs on the created labeller, each with 8 threads over all
     * {@link #windows()}.
     *
     * @return the rounds, 200 by default
     */
    protected int threadSafetyRounds() {
        return 200;
    }

    private Labeller created() {
        Labeller l = provider().create(config());
        assertNotNull(l, "create() returned null");
        return l;
    }

    @Test
    @DisplayName("the labeller it creates: has a non-blank name and at least two classes")
    void hasNameAndClasses() {
        LabellerChecks.hasNameAndClasses(created());
    }

    @Test
    @DisplayName("the labeller it creates: votes a class index or abstains")
    void votesInRange() {
        LabellerChecks.votesInRange(created(), windows());
    }

    @Test
    @DisplayName("the labeller it creates: gives the same vote for the same window")
    void isDeterministic() {
        LabellerChecks.isDeterministic(created(), windows());
    }

    @Test
    @DisplayName("the labeller it creates: gives every window its serial vote when 8 threads label at once")
    void isThreadSafe() {
        LabellerChecks.isThreadSafe(created(), windows(), threadSafetyRounds());
    }

    @Test
    @DisplayName("the labeller it creates: handles windows with missing or flagged data without throwing")
    void handlesBadData() {
        LabellerChecks.handlesBadData(created(), badWindows(), windows());
    }
}
