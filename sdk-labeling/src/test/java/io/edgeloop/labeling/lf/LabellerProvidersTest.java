package io.edgeloop.labeling.lf;

import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.labeling.lf.provider.DurationLabellerProviderAccess;
import io.edgeloop.tck.ProviderContractTest;
import org.junit.jupiter.api.Nested;

/** Every built-in provider meets the generic provider contract (kebab name, discoverable by name). */
class LabellerProvidersTest {
    abstract static class Base extends ProviderContractTest<LabellerProvider> {
        @Override
        protected Class<LabellerProvider> providerType() {
            return LabellerProvider.class;
        }
    }

    @Nested
    class Threshold extends Base {
        @Override
        protected LabellerProvider provider() {
            return DurationLabellerProviderAccess.byName("threshold");
        }
    }

    @Nested
    class Range extends Base {
        @Override
        protected LabellerProvider provider() {
            return DurationLabellerProviderAccess.byName("range");
        }
    }

    @Nested
    class Duration extends Base {
        @Override
        protected LabellerProvider provider() {
            return DurationLabellerProviderAccess.byName("duration");
        }
    }

    @Nested
    class RateOfChange extends Base {
        @Override
        protected LabellerProvider provider() {
            return DurationLabellerProviderAccess.byName("rate-of-change");
        }
    }

    @Nested
    class SensorHealth extends Base {
        @Override
        protected LabellerProvider provider() {
            return DurationLabellerProviderAccess.byName("sensor-health");
        }
    }
}
