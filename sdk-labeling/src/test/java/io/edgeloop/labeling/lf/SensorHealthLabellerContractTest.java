package io.edgeloop.labeling.lf;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.window.Window;
import io.edgeloop.tck.LabellerContractTest;
import java.util.List;
import java.util.Map;

class SensorHealthLabellerContractTest extends LabellerContractTest {
    @Override
    protected Labeller labeller() {
        return ProviderLoader.of(LabellerProvider.class).select("sensor-health")
                .create(ComponentConfig.of(Map.of("feature", "light.mean", "above", "300", "saturation.high", "1000")));
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
