package io.edgeloop.examples.customlabeller;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import java.util.Set;

/**
 * Makes {@link Co2RiseLabeller} available by name ({@code co2-rise}) through
 * {@link io.edgeloop.api.spi.ProviderLoader}, registered in
 * {@code META-INF/services/io.edgeloop.api.label.LabellerProvider}.
 *
 * <p>Settings: {@code co2-channel} (default {@code CO2}), {@code light-channel} (default {@code Light}),
 * {@code min-rise-ppm} (default 10), {@code light-on-lux} (default 250). Any other key is refused, naming the
 * closest known key ({@link ComponentConfig#requireKnownKeys}), as the built-in labellers do.
 *
 * <p>Thread-safe and cheap.
 */
public final class Co2RiseLabellerProvider implements LabellerProvider {
    /** Creates the provider. */
    public Co2RiseLabellerProvider() {
    }

    @Override
    public String name() {
        return "co2-rise";
    }

    @Override
    public Labeller create(ComponentConfig config) {
        config.requireKnownKeys(name() + " labeller", Set.of("co2-channel", "light-channel", "min-rise-ppm",
                "light-on-lux"));
        return new Co2RiseLabeller(config.getString("co2-channel", "CO2"), config.getString("light-channel", "Light"),
                config.getDouble("min-rise-ppm", 10, 1e-9, 1e6), config.getDouble("light-on-lux", 250, 1e-9, 1e6));
    }
}
