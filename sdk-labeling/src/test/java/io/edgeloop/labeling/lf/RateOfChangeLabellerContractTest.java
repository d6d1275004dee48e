package io.edgeloop.labeling.lf;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.lf.provider.DurationLabellerProviderAccess;
import io.edgeloop.tck.LabellerProviderContractTest;
import java.util.List;
import java.util.Map;

/** The labeller provider contract (name, registration, and the created labeller) for {@code rate-of-change}. */
class RateOfChangeLabellerContractTest extends LabellerProviderContractTest {
    @Override
    protected LabellerProvider provider() {
        return DurationLabellerProviderAccess.byName("rate-of-change");
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("channel", "co2", "above", "0.05"));
    }

    @Override
    protected List<Window> windows() {
        return SampleWindows.good();
    }

    @Override
    protected List<Window> badWindows() {
        return SampleWindows.bad();
    }
}
