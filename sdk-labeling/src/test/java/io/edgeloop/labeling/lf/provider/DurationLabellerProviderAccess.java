package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.label.LabellerProvider;

/** Test access to the unexported provider classes by their names. */
public final class DurationLabellerProviderAccess {
    private DurationLabellerProviderAccess() {
    }

    /**
     * @param name the provider name
     * @return a new instance of the built-in provider (constructed directly, not through the loader)
     */
    public static LabellerProvider byName(String name) {
        switch (name) {
            case "threshold":
                return new ThresholdLabellerProvider();
            case "range":
                return new RangeLabellerProvider();
            case "duration":
                return new DurationLabellerProvider();
            case "rate-of-change":
                return new RateOfChangeLabellerProvider();
            case "sensor-health":
                return new SensorHealthLabellerProvider();
            default:
                throw new IllegalArgumentException(name);
        }
    }
}
