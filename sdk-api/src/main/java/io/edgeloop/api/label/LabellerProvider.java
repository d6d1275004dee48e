package io.edgeloop.api.label;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.Spi;

/**
 * Creates labelling functions by name, so that deployments can add domain-specific labellers without code
 * changes to the pipeline. Chosen by configured name through {@link io.edgeloop.api.spi.ProviderLoader};
 * several may be present.
 *
 * <p>Implementations must be thread-safe and cheap to construct.
 */
@Spi(artifacts = "io.edgeloop:sdk-labeling (threshold, range, duration, rate-of-change, sensor-health)")
public interface LabellerProvider extends NamedProvider {
    /**
     * Creates a labeller.
     *
     * @param config settings such as the channel, feature, threshold and class to vote
     * @return the labeller
     * @throws io.edgeloop.api.config.ConfigException when the configuration is invalid
     */
    Labeller create(ComponentConfig config);
}
