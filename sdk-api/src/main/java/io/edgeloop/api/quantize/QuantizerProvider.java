package io.edgeloop.api.quantize;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.Spi;

/**
 * Creates quantizers by scheme name ({@code int8}, {@code int16}, {@code int32}). Chosen by configured name
 * through {@link io.edgeloop.api.spi.ProviderLoader}.
 *
 * <p>Implementations must be thread-safe and cheap to construct.
 */
@Spi(artifacts = "io.edgeloop:sdk-quantize (int8, int16, int32)")
public interface QuantizerProvider extends NamedProvider {
    /**
     * @param config quantizer settings
     * @return the quantizer
     */
    Quantizer create(ComponentConfig config);
}
